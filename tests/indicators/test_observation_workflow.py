"""The figure's life: draft → submitted → approved / returned, corrections, and the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.calendar import Period
from indicators.models import Observation, ObservationChange
from indicators.services import (
    Entry,
    observation_approve,
    observation_correct,
    observation_return,
    observation_save_draft,
    observation_submit,
    observations_approve_bulk,
    observations_enter,
)
from indicators.signals import observation_approved
from tests.factories import ObservationFactory

pytestmark = pytest.mark.django_db
Q2 = {"year": 2025, "quarter": 2}


def draft(user, indicator, value, **kwargs):
    return observation_save_draft(
        by=user, indicator=indicator, value=Decimal(value), **Q2, **kwargs
    )


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_draft_then_submit_records_who_and_what(scjg_user, scjg, rate):
    observation = draft(scjg_user, rate, "95.2")

    observation = observation_submit(observation=observation, by=scjg_user)

    assert observation.status == Observation.Status.SUBMITTED
    assert observation.department == scjg
    assert [(c.action, c.new_value, c.by) for c in observation.changes.all()] == [
        ("create", "95.2", scjg_user),
        ("submit", "", scjg_user),
    ]


def test_saving_a_draft_again_edits_it_and_keeps_the_old_value(scjg_user, rate):
    draft(scjg_user, rate, "95.2")

    observation = draft(scjg_user, rate, "95.6")

    edit = observation.changes.get(action="edit")
    assert (edit.old_value, edit.new_value) == ("95.2", "95.6")
    assert Observation.objects.count() == 1


def test_approval_locks_the_figure_and_sends_the_signal(scjg_user, office_user, rate):
    received = []

    def listener(sender, observation_id, **kwargs):
        received.append(observation_id)

    observation_approved.connect(listener)
    try:
        observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
        observation = observation_approve(observation=observation, by=office_user)
    finally:
        observation_approved.disconnect(listener)

    assert observation.status == Observation.Status.APPROVED
    assert observation.approved_by == office_user
    assert received == [observation.pk]
    with pytest.raises(ValidationError, match="不能重复填报") as error:
        draft(scjg_user, rate, "97")
    assert error.value.error_dict["indicator"][0].code == "duplicate"


def test_return_needs_a_comment_and_keeps_it(scjg_user, office_user, rate):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)

    with pytest.raises(ValidationError, match="必须填写退回意见"):
        observation_return(observation=observation, by=office_user, comment="  ")
    observation = observation_return(
        observation=observation, by=office_user, comment="请核对抽查批次"
    )

    assert observation.status == Observation.Status.RETURNED
    assert observation.changes.get(action="return").reason == "请核对抽查批次"


def test_a_returned_figure_can_be_edited_and_submitted_again(scjg_user, office_user, rate):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    observation_return(observation=observation, by=office_user, comment="核对")

    observation = observation_submit(observation=draft(scjg_user, rate, "95.4"), by=scjg_user)

    assert observation.status == Observation.Status.SUBMITTED
    assert observation.value == Decimal("95.4")


def test_correction_needs_a_reason_keeps_both_values_and_goes_through_approval(
    scjg_user, office_user, rate
):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    observation = observation_approve(observation=observation, by=office_user)

    with pytest.raises(ValidationError, match="必须填写更正原因"):
        observation_correct(observation=observation, by=scjg_user, value=Decimal("95.8"), reason="")
    observation = observation_correct(
        observation=observation, by=scjg_user, value=Decimal("95.8"), reason="抽检结果复核"
    )

    # Issue 12 row 3: a correction is a proposal; the approved value stays until approved.
    assert observation.status == Observation.Status.APPROVED
    assert (observation.value, observation.proposed_value) == (Decimal("95.2"), Decimal("95.8"))
    assert observation.correction_pending
    correction = observation.changes.get(action="correct")
    assert (correction.old_value, correction.new_value, correction.reason) == (
        "95.2",
        "95.8",
        "抽检结果复核",
    )
    assert observation_approve(observation=observation, by=office_user).value == Decimal("95.8")


def test_second_approver_gets_a_clear_error(scjg_user, office_user, second_office, rate):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    seen_by_second = Observation.objects.get(pk=observation.pk)

    observation_approve(observation=observation, by=office_user)

    with pytest.raises(ValidationError, match="该数据已被他人处理，请刷新后重试。") as error:
        observation_approve(observation=seen_by_second, by=second_office)
    assert error.value.code == "stale"
    assert observation.changes.filter(action="approve").count() == 1


def test_approving_after_a_concurrent_return_fails_too(scjg_user, office_user, second_office, rate):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    seen = Observation.objects.get(pk=observation.pk)
    observation_return(observation=observation, by=second_office, comment="核对")

    with pytest.raises(ValidationError, match="已被他人处理"):
        observation_approve(observation=seen, by=office_user)


def test_bulk_approval_reports_what_someone_else_took(scjg_user, office_user, rate, count):
    first = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    second = observation_submit(observation=draft(scjg_user, count, "2"), by=scjg_user)
    stale = Observation.objects.get(pk=second.pk)
    observation_approve(observation=second, by=office_user)

    outcome = observations_approve_bulk(observations=[first, stale], by=office_user)

    assert [o.pk for o in outcome.done] == [first.pk]
    assert "已被他人处理" in outcome.failed[0]


def test_reporter_cannot_enter_another_departments_indicator(scjg_user, gxj_rate):
    with pytest.raises(PermissionDenied, match="规上工业企业质量管理体系认证率"):
        draft(scjg_user, gxj_rate, "80")


def test_office_and_leader_cannot_enter_and_reporters_cannot_approve(
    office_user, leader_user, scjg_user, rate
):
    with pytest.raises(PermissionDenied):
        draft(office_user, rate, "95")
    with pytest.raises(PermissionDenied):
        draft(leader_user, rate, "95")
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    with pytest.raises(PermissionDenied):
        observation_approve(observation=observation, by=scjg_user)
    with pytest.raises(PermissionDenied):
        observation_approve(observation=observation, by=leader_user)


def test_office_of_another_city_cannot_approve(scjg_user, other_city, rate):
    from accounts import roles
    from tests.factories import UserFactory

    stranger = UserFactory.with_role("yancheng", roles.OFFICE, other_city)
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)

    with pytest.raises(PermissionDenied):
        observation_approve(observation=observation, by=stranger)


@pytest.mark.parametrize(
    ("value", "message", "code"),
    [
        ("120", "是百分比，应在0至100之间，填报值为120", "out_of_range"),
        ("-1", "是百分比，应在0至100之间", "out_of_range"),
    ],
)
def test_a_rate_outside_0_to_100_is_refused(scjg_user, rate, value, message, code):
    with pytest.raises(ValidationError, match=message) as error:
        draft(scjg_user, rate, value)
    assert error.value.error_dict["value"][0].code == code
    assert "产品质量监督抽查合格率" in messages_of(error.value)


def test_a_negative_count_is_refused(scjg_user, count):
    with pytest.raises(ValidationError, match=r"新增品字标企业数.*是计数，不能为负数"):
        draft(scjg_user, count, "-2")


def test_a_period_in_the_future_is_refused(scjg_user, rate):
    with pytest.raises(ValidationError, match="2025年第3季度尚未结束") as error:
        observation_save_draft(
            by=scjg_user, indicator=rate, year=2025, quarter=3, value=Decimal("95")
        )
    assert error.value.error_dict["period"][0].code == "future"


def test_a_period_outside_the_plan_is_refused(scjg_user, rate):
    with pytest.raises(ValidationError, match="不在规划期（2021—2025年）内"):
        observation_save_draft(
            by=scjg_user, indicator=rate, year=2019, quarter=4, value=Decimal("95")
        )


def test_an_annual_period_for_a_quarterly_indicator_is_refused(scjg_user, rate):
    with pytest.raises(ValidationError, match="按季度填报"):
        observation_save_draft(by=scjg_user, indicator=rate, year=2024, value=Decimal("95"))


def test_a_milestone_state_must_be_one_of_the_list(scjg_user, milestone):
    with pytest.raises(ValidationError, match="“快完成了”不在可选范围（未启动、推进中、已完成）内"):
        observation_save_draft(by=scjg_user, indicator=milestone, state="快完成了", **Q2)

    observation = observation_save_draft(by=scjg_user, indicator=milestone, state="推进中", **Q2)

    assert observation.state == Observation.State.IN_PROGRESS
    assert observation.changes.get().new_value == "推进中"


def test_a_unit_mistake_asks_for_confirmation_instead_of_refusing(scjg_user, district, rate):
    ObservationFactory(indicator=rate, region=district, year=2025, quarter=1, value=96)

    with pytest.raises(ValidationError, match=r"0\.96与上期96相差很大") as error:
        draft(scjg_user, rate, "0.96")
    assert error.value.error_dict["value"][0].code == "confirm_jump"

    observation = draft(scjg_user, rate, "0.96", confirm_jump=True)
    assert observation.value == Decimal("0.96")


def test_a_tenfold_jump_of_a_count_asks_for_confirmation(scjg_user, district, count):
    ObservationFactory(indicator=count, region=district, year=2025, quarter=1, value=3)

    with pytest.raises(ValidationError, match="相差很大"):
        draft(scjg_user, count, "30")


def test_entering_a_batch_is_all_or_nothing_and_lists_every_problem(scjg_user, rate, count):
    entries = [Entry(rate, Decimal("101")), Entry(count, Decimal("-1"))]

    with pytest.raises(ValidationError) as error:
        observations_enter(by=scjg_user, period=Period(2025, 2), entries=entries)

    assert len(error.value.messages) == 2
    assert not Observation.objects.exists()


def test_nothing_is_ever_deleted_history_is_append_only(scjg_user, office_user, rate):
    observation = observation_submit(observation=draft(scjg_user, rate, "95.2"), by=scjg_user)
    observation_return(observation=observation, by=office_user, comment="核对")
    observation = observation_submit(observation=draft(scjg_user, rate, "95.3"), by=scjg_user)
    observation_approve(observation=observation, by=office_user)

    actions = list(ObservationChange.objects.values_list("action", flat=True))

    assert actions == ["create", "submit", "return", "edit", "submit", "approve"]
