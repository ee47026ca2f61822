"""Completeness and overdue figures cost the same queries however many figures are owed
(issue 18: read from ReportingDue, never by walking the observations)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import UNREPORTED, Indicator, ReportingDue
from indicators.services.reporting import reporting_due_batch
from reports.selectors.reporting import reporting_completeness
from tests.e2e.seed import build_seed
from tests.factories import DepartmentFactory, IndicatorFactory, TargetFactory, make_superuser

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        yield seed


def owe_more(seed, departments: int, indicators: int) -> list[int]:
    """``departments`` new lead departments in 赣榆区, each owing ``indicators`` quarterly
    figures of the 2021–2025 plan, none reported: every closed quarter is overdue."""
    plan = seed.plans["ganyu"]
    made = []
    with reporting_due_batch():
        for _ in range(departments):
            department = DepartmentFactory(region=seed.regions["赣榆"])
            for _ in range(indicators):
                indicator = IndicatorFactory(frequency=Indicator.Frequency.QUARTERLY)
                TargetFactory(plan=plan, code=f"R{indicator.pk}", indicator=indicator,
                              leads=[department])
            made.append(department.pk)
    return made


def queries(client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_overview_and_department_pages_cost_the_same_as_overdue_figures_grow(client, world):
    first = owe_more(world, departments=2, indicators=2)
    urls = [reverse("reports:overview"),
            reverse("reports:department-detail", args=[world.departments["scjg"].pk]),
            reverse("reports:department-detail", args=[first[0]])]
    for url in urls:
        client.get(url)  # warm-up: session, content types
    few = [queries(client, url) for url in urls]
    rows_few = ReportingDue.objects.count()

    owe_more(world, departments=20, indicators=5)

    assert ReportingDue.objects.count() > 10 * rows_few
    assert [queries(client, url) for url in urls] == few
    page = client.get(urls[0]).context["overdue"]
    assert len(page.object_list) == 15  # ranked and paged in SQL
    late = ReportingDue.objects.filter(state__in=UNREPORTED, due_on__lt=dt.date(2025, 8, 1))
    assert page.paginator.count == len(set(late.values_list("department_id", flat=True))) >= 22


def test_the_overview_ranks_the_most_overdue_first_and_counts_all_but_names_thirty(
    client, world
):
    owe_more(world, departments=1, indicators=1)
    [many] = owe_more(world, departments=1, indicators=4)  # 4 × 18 closed quarters overdue

    page = client.get(reverse("reports:overview")).context["overdue"]

    top = page.object_list[0]
    assert top.department.pk == many
    assert (top.overdue, top.closed) == (4 * 18, 4 * 18)
    assert len(top.missing) == 30
    assert top.missing[0].endswith("（2025年第2季度）")  # newest first: due 15 July


def test_the_reports_completeness_costs_the_same_as_departments_grow(world):
    ids = owe_more(world, departments=2, indicators=2)

    def run(department_ids: list[int]) -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows, overdue = reporting_completeness(department_ids=department_ids, year=2025,
                                                   quarter=2)
        return len(captured), len(rows), len(overdue)

    few, rows_few, overdue_few = run(ids)
    ids += owe_more(world, departments=10, indicators=3)
    many, rows_many, overdue_many = run(ids)

    assert many == few
    assert (rows_few, rows_many) == (2, 12)
    assert overdue_many == overdue_few + 10 * 3 * 18
