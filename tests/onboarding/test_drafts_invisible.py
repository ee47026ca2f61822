"""A draft plan (草稿) with targets is invisible everywhere until published (issue 14 item 3):
dashboards, the target page, the feed, the reporter's entry form, the progress engine."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from indicators.selectors import assignments_by_department, department_assignments
from targets.models import Plan, Progress
from targets.selectors import plan_list, target_list
from targets.services import progress_recompute
from tests.factories import ObservationFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def draft_target(district, scjg):
    plan = PlanFactory(region=district, code="draft-plan", title="草稿中的质量规划",
                       status=Plan.Status.DRAFT)
    target = TargetFactory(plan=plan, leads=[scjg])
    ObservationFactory(indicator=target.indicator, region=district, year=2024, value=95,
                       status="approved")
    return target


def test_selectors_leave_drafts_out(draft_target, scjg):
    assert not plan_list().filter(pk=draft_target.plan_id).exists()
    assert not target_list().filter(pk=draft_target.pk).exists()
    assert plan_list(include_drafts=True).filter(pk=draft_target.plan_id).exists()
    assert assignments_by_department([scjg.pk]) == {}
    assert department_assignments(scjg) == {}


def test_no_progress_is_computed_for_a_draft(draft_target):
    progress_recompute(as_of=datetime.date(2025, 3, 31), all_quarters=True)
    assert not Progress.objects.filter(target=draft_target).exists()


def test_pages_and_feed_do_not_show_a_draft(client, draft_target, office_user, scjg_user):
    client.force_login(office_user)
    assert "草稿中的质量规划" not in client.get(reverse("reports:plan-list")).content.decode()
    assert client.get(reverse("reports:plan-detail", args=["draft-plan"])).status_code == 404
    assert client.get(reverse("reports:target-detail", args=[draft_target.pk])).status_code == 404
    assert "草稿中的质量规划" not in client.get(reverse("reports:overview")).content.decode()
    assert "draft-plan" not in str(client.get("/api/v1/plans/").json())
    assert str(draft_target.pk) not in [
        str(t.get("id")) for t in client.get("/api/v1/targets/").json().get("results", [])
    ]
    client.force_login(scjg_user)
    assert draft_target.indicator.name not in client.get(reverse("indicators:due")).content.decode()


def test_published_plan_shows(client, draft_target, office_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 10, tzinfo=SHANGHAI), tick=False)
    Plan.objects.filter(pk=draft_target.plan_id).update(status=Plan.Status.IN_FORCE)
    client.force_login(office_user)
    assert "草稿中的质量规划" in client.get(reverse("reports:plan-list")).content.decode()
    assert client.get(reverse("reports:target-detail", args=[draft_target.pk])).status_code == 200
