"""Issue 12, rows 2 and 3 (docs/reliability.md, "Penetration-test findings, part A").

Row 2: four eyes across every channel. The office could create a department token, write and
submit a figure with it, then approve it: the check compared with the token's service account.
Row 3: a correction is a proposal. The approved value stays published (engine, feed) until the
office approves the correction; returning it keeps the approved value, with no tombstone.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from accounts.models import ApiToken
from accounts.services.tokens import token_create
from feed.models import Tombstone
from indicators.models import Observation, ObservationChange
from targets.models import Progress
from tests.factories import UserFactory, auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_office(district):
    return UserFactory.with_role("office2", roles.OFFICE, district)

URL = "/api/v1/observations/"


def _office_creates_a_token(client, office_user, department, **extra):
    client.force_login(office_user)
    response = client.post(reverse("accounts:token-list"), {
        "name": "市场监管局业务系统", "kind": "department", "department": department.pk, **extra,
    })
    assert response.status_code == 200
    return re.search(r"qt_[0-9a-f]{8}_[\w-]+", response.content.decode())[0]


def _post_and_submit(api, key, value="93.5"):
    created = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": value},
                       format="json", **auth(key))
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.post(f"{URL}{pk}/submit/", **auth(key)).status_code == 200
    return Observation.objects.get(pk=pk)


def test_office_cannot_approve_what_its_own_department_token_submitted(
    client, api, office_user, scjg, scjg_target
):
    key = _office_creates_a_token(client, office_user, scjg)
    figure = _post_and_submit(api, key)

    page = client.get(reverse("indicators:observation-detail", kwargs={"pk": figure.pk}))
    refused = client.post(
        reverse("indicators:observation-approve", kwargs={"pk": figure.pk}),
        {"version": figure.version},
    )

    assert "审核通过</button>" not in page.content.decode()  # no button to press
    assert refused.status_code == 403
    assert "不能审核本人填报、提交或更正的数据" in refused.content.decode()
    figure.refresh_from_db()
    assert figure.status == Observation.Status.SUBMITTED
    assert ApiToken.objects.get().accountable == office_user


def test_the_bulk_approval_refuses_it_too_and_another_officer_may_approve(
    client, api, office_user, second_office, scjg, scjg_target
):
    key = _office_creates_a_token(client, office_user, scjg)
    figure = _post_and_submit(api, key)

    response = client.post(reverse("indicators:approvals"), {
        "action": "approve", "ids": [figure.pk], f"version_{figure.pk}": figure.version,
    }, follow=True)

    assert "不能审核本人填报、提交或更正的数据" in response.content.decode()
    assert Observation.objects.get(pk=figure.pk).status == Observation.Status.SUBMITTED
    client.force_login(second_office)
    client.post(reverse("indicators:observation-approve", kwargs={"pk": figure.pk}),
                {"version": figure.version})
    assert Observation.objects.get(pk=figure.pk).status == Observation.Status.APPROVED


def test_a_named_accountable_person_is_the_one_who_cannot_approve(
    client, api, office_user, second_office, scjg, scjg_target
):
    key = _office_creates_a_token(client, office_user, scjg, accountable=second_office.pk)
    figure = _post_and_submit(api, key)
    client.force_login(second_office)

    refused = client.post(reverse("indicators:observation-approve", kwargs={"pk": figure.pk}),
                          {"version": figure.version})

    assert refused.status_code == 403
    assert ApiToken.objects.get().accountable == second_office


@pytest.fixture
def reporters_key(office_user, scjg, scjg_user):
    """A department token the office made for the department's reporter to answer for."""
    return token_create(by=office_user, name="市场监管局业务系统", kind="department",
                        department=scjg, accountable=scjg_user)[1]


def test_a_returned_correction_keeps_the_approved_value_published(
    client, api, reporters_key, scjg_user, office_user, scjg_target,
    django_capture_on_commit_callbacks,
):
    figure = _post_and_submit(api, reporters_key, value="5")
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indicators:observation-approve", kwargs={"pk": figure.pk}),
                    {"version": figure.version})
    assert [r["value"] for r in api.get(URL).json()["results"]] == [5.0]
    assert Progress.objects.filter(target=scjg_target, current_value=5.0).exists()

    client.force_login(scjg_user)
    figure.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indicators:observation-correct", kwargs={"pk": figure.pk}),
                    {"value": "6", "reason": "抽检批次复核", "version": figure.version})

    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.proposed_value) == (
        "approved", Decimal("5"), Decimal("6"))
    assert [r["value"] for r in api.get(URL).json()["results"]] == [5.0]  # still published
    assert Progress.objects.filter(target=scjg_target, current_value=5.0).exists()
    client.force_login(office_user)
    queue = client.get(reverse("indicators:approvals")).content.decode()
    assert "更正待审核" in queue

    with django_capture_on_commit_callbacks(execute=True):
        returned = client.post(
            reverse("indicators:observation-return", kwargs={"pk": figure.pk}),
            {"comment": "请附抽检报告", "version": figure.version}, follow=True,
        )

    assert "已退回填报单位" in returned.content.decode()
    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.proposed_value) == ("approved", Decimal("5"), None)
    feed = api.get(f"{URL}?updated_since=2000-01-01T00:00:00%2B08:00").json()
    assert [r["value"] for r in feed["results"]] == [5.0]
    assert feed.get("deleted", []) == []
    assert not Tombstone.objects.exists()
    assert Progress.objects.filter(target=scjg_target, current_value=5.0).exists()
    back = ObservationChange.objects.filter(observation=figure, action="return").get()
    assert (back.old_value, back.new_value, back.reason) == ("6", "5", "请附抽检报告")

    # Proposed again and approved this time: 6 is published.
    client.force_login(scjg_user)
    figure.refresh_from_db()
    client.post(reverse("indicators:observation-correct", kwargs={"pk": figure.pk}),
                {"value": "6", "reason": "抽检批次复核", "version": figure.version})
    client.force_login(office_user)
    figure.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indicators:observation-approve", kwargs={"pk": figure.pk}),
                    {"version": figure.version})

    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.proposed_at) == ("approved", Decimal("6"), None)
    assert [r["value"] for r in api.get(URL).json()["results"]] == [6.0]
    assert Progress.objects.filter(target=scjg_target, current_value=6.0).exists()
    approval = ObservationChange.objects.filter(observation=figure, action="approve").last()
    assert (approval.old_value, approval.new_value) == ("5", "6")


def test_the_proposer_of_a_correction_cannot_approve_it(
    api, reporters_key, scjg, office_user, scjg_target
):
    from indicators.services import observation_approve, observation_correct

    figure = _post_and_submit(api, reporters_key, value="5")
    observation_approve(observation=figure, by=office_user)
    both = UserFactory.with_role("both", roles.REPORTER, scjg.region, scjg)
    both.groups.add(Group.objects.get_or_create(name=roles.OFFICE)[0])
    figure = observation_correct(observation=Observation.objects.get(pk=figure.pk), by=both,
                                 value=Decimal("6"), reason="复核")

    with pytest.raises(Exception, match="不能审核本人"):
        observation_approve(observation=figure, by=both)
