"""调整 of a published plan's target (issue 14 item 6, docs/onboarding.md §6): the earlier
version is kept and shown on the target page, the audit chain records it, progress is
recomputed through the outbox, and the feed's updated_since carries the change."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.audit_chain import verify
from accounts.models import AuditEvent
from onboarding.models import TargetAdjustment
from targets.models import Plan, Progress, RecomputeRequest
from tests.factories import ObservationFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
JANUARY = datetime.datetime(2026, 1, 20, 9, tzinfo=SHANGHAI)
MARCH = datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)


@pytest.fixture
def target(district, scjg):
    with time_machine.travel(JANUARY, tick=False):
        plan = PlanFactory(region=district, code="ganyu-2025", start_year=2025, end_year=2027,
                           base_year=2024, status=Plan.Status.IN_FORCE)
        target = TargetFactory(plan=plan, value=95, deadline_year=2027, baseline_value=90,
                               baseline_year=2024, leads=[scjg],
                               source_quote="制造业产品质量合格率达到95%以上")
        ObservationFactory(indicator=target.indicator, region=district, year=2025, value=96,
                           status="approved")
    return target


def _adjust(client, target, **data):
    form = {"reason": "", "doc_number": "", "value": "", "value_high": "", "deadline_year": "",
            "lead_text": "区市场监管局", "participating_text": "", **data}
    return client.post(reverse("onboarding:adjust", args=[target.pk]), form)


def test_adjusting_a_value_keeps_history_audits_recomputes_and_reaches_the_feed(
    client, office_user, target, django_capture_on_commit_callbacks
):
    from targets.services import progress_recompute

    with time_machine.travel(JANUARY, tick=False):
        progress_recompute(as_of=JANUARY.date(), all_quarters=True)
    before = Progress.objects.get(target=target, year=2026, quarter=1)
    assert before.status == "achieved" or before.completion_ratio is not None

    traveller = time_machine.travel(MARCH, tick=False)
    traveller.start()
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _adjust(client, target, value="98", deadline_year="2027",
                           reason="省里提高了考核标准", doc_number="赣政办发〔2026〕3号")
    assert response.status_code == 302
    traveller.stop()
    traveller = time_machine.travel(MARCH + datetime.timedelta(minutes=5), tick=False)
    traveller.start()

    target.refresh_from_db()
    assert target.value == Decimal(98)
    adjustment = TargetAdjustment.objects.get(target=target)
    assert adjustment.old["value"] == "95"
    assert adjustment.new["value"] == "98"
    assert adjustment.reason == "省里提高了考核标准"
    assert adjustment.doc_number == "赣政办发〔2026〕3号"
    assert adjustment.adjusted_by == office_user

    # The target page shows the 调整记录: who, when, old, new, why.
    page = client.get(reverse("reports:target-detail", args=[target.pk])).content.decode()
    assert "调整记录" in page
    assert "省里提高了考核标准" in page
    assert "赣政办发〔2026〕3号" in page
    assert '<td>目标值</td><td class="num">95</td><td class="num">98</td>' in page
    assert "office" in page  # who

    # The audit chain holds the change and still verifies.
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PLAN)
    assert "95→98" in event.detail
    assert event.user == office_user
    assert verify(AuditEvent).problem is None

    # Recomputed through the outbox: the 2026Q1 row now judges against 98.
    assert RecomputeRequest.objects.filter(indicator=target.indicator, done_at__isnull=False)
    after = Progress.objects.get(target=target, year=2026, quarter=1)
    assert after.computed_at > before.computed_at
    assert after.completion_ratio != before.completion_ratio

    # The feed's updated_since carries the change.
    api = APIClient()
    rows = api.get("/api/v1/targets/", {"updated_since": MARCH.isoformat()}).json()["results"]
    assert [(r["id"], Decimal(str(r["value"]))) for r in rows] == [(target.pk, Decimal(98))]
    assert api.get("/api/v1/targets/",
                   {"updated_since": (MARCH + datetime.timedelta(hours=1)).isoformat()}
                   ).json()["results"] == []
    traveller.stop()


def test_marking_a_target_no_longer_assessed(client, office_user, target,
                                              django_capture_on_commit_callbacks):
    client.force_login(office_user)
    with time_machine.travel(MARCH, tick=False), django_capture_on_commit_callbacks(execute=True):
        _adjust(client, target, cancel="on", reason="政策调整,不再开展",
                doc_number="赣政办发〔2026〕5号")
    target.refresh_from_db()
    assert target.cancelled
    assert target.cancel_reason == "政策调整,不再开展"
    assert TargetAdjustment.objects.get(target=target).new["cancelled"] is True
    assert Progress.objects.get(target=target, year=2026, quarter=1).status == "not_applicable"


def test_changing_departments_and_refusing_an_adjustment_without_reason(
    client, office_user, target, gxj
):
    client.force_login(office_user)
    response = _adjust(client, target, lead_text="区工信局", reason="", doc_number="")
    assert response.status_code == 200
    assert "调整原因" in response.content.decode()
    assert not TargetAdjustment.objects.exists()

    _adjust(client, target, lead_text="区工信局", reason="职责调整", doc_number="赣编〔2026〕1号")
    assert [d.name for d in target.lead_departments.all()] == ["区工信局"]
    adjustment = TargetAdjustment.objects.get()
    assert adjustment.old["lead_departments"] == ["区市场监管局"]
    assert adjustment.new["lead_departments"] == ["区工信局"]


def test_only_the_office_adjusts(client, scjg_user, target):
    client.force_login(scjg_user)
    assert _adjust(client, target, value="98", reason="x", doc_number="y").status_code == 403
