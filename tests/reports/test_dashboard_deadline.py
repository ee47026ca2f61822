"""Dashboards across the end of a plan's deadline year (issue 15, docs/progress.md).

On the seed fixture with 2024 figures approved for 洞头 十四五's targets, the counts at
2025 Q4 (as of 2025-12-31, the 2025 figures not due before 2026-01-15) keep the pace
statuses of 2025 Q3 instead of collapsing into 待填报, and the rows say 待终期数据.
The dashboards open on the latest quarter whose figures are due, not the running one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts import roles
from indicators.models import Observation
from targets.models import Plan, Progress
from targets.selectors import progress_default_quarter, status_counts
from targets.services import progress_recompute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 洞头 十四五 level targets with a baseline, and a 2024 value for each.
FIGURES_2024 = {"T004": "97.0", "T005": "98.6", "T006": "100", "T007": "32.0"}


@pytest.fixture
def plan():
    call_command("loaddata", "seed_targets", verbosity=0)
    plan = Plan.objects.get(code="dongtou-14th")
    for code, value in FIGURES_2024.items():
        target = plan.targets.get(code=code)
        Observation.objects.create(
            indicator=target.indicator, region=plan.region, year=2024, value=Decimal(value),
            status=Observation.Status.APPROVED,
        )
    progress_recompute(as_of=datetime.date(2025, 12, 31), all_quarters=True, plan_ids=[plan.pk])
    return plan


def _counts(plan: Plan, quarter: int) -> dict[str, int]:
    return status_counts(Progress.objects.filter(target__plan=plan, year=2025, quarter=quarter))


def test_the_counts_at_2025q4_keep_the_pace_statuses_of_2025q3(plan):
    q3, q4 = _counts(plan, 3), _counts(plan, 4)

    assert q4 == q3
    paced = ("achieved", "on_track", "lagging", "off_track")
    assert sum(q4[s] for s in paced) >= len(FIGURES_2024)
    waiting = Progress.objects.filter(target__plan=plan, year=2025, quarter=4,
                                      target__code__in=list(FIGURES_2024))
    assert all(row.awaiting_final for row in waiting)
    assert not Progress.objects.filter(target__plan=plan, year=2025, quarter=3,
                                       target__code__in=list(FIGURES_2024),
                                       awaiting_final=True).exists()


def test_the_overview_at_2025q4_shows_no_collapse_and_says_awaiting_final(client, plan):
    client.force_login(UserFactory.with_role("dt_office", roles.OFFICE, plan.region))

    page = client.get(reverse("reports:plan-detail", args=[plan.code]),
                      {"quarter": "2025Q4"}).content.decode()
    overview = client.get(reverse("reports:overview"), {"quarter": "2025Q4"}).content.decode()

    assert "待终期数据" in page
    assert "待终期数据" in overview  # T007 lagging at 2024's value, listed among those behind


def test_the_figures_overdue_at_2026q1_turn_the_rows_to_awaiting_final(plan):
    progress_recompute(as_of=datetime.date(2026, 3, 31), plan_ids=[plan.pk])

    row = Progress.objects.get(target__plan=plan, target__code="T004", year=2026, quarter=1)
    assert (row.status, row.reason, row.awaiting_final) == ("no_data", "awaiting_final", True)


def test_dashboards_open_on_the_latest_quarter_whose_figures_are_due(client, plan):
    progress_recompute(as_of=datetime.date(2026, 1, 20), plan_ids=[plan.pk])  # 2026 Q1 rows
    client.force_login(UserFactory.with_role("dt_office", roles.OFFICE, plan.region))

    with time_machine.travel("2026-01-20 10:00 +0800", tick=False):
        assert progress_default_quarter() == (2025, 4)
        page = client.get(reverse("reports:overview")).content.decode()

    assert "2025年第4季度" in page.split("</h1>")[0]
