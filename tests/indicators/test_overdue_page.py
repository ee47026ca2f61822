"""已逾期 for the office and leaders reads ReportingDue: the same figures, words and order as
walking the observations did, paged in SQL, at a fixed number of queries however many
departments and figures there are (issue 18; docs/monitoring.md "Reporting completeness and
overdue"). Today is 2025-07-10 (tests/indicators/conftest.py): 2021 Q1 to 2025 Q1 are closed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from indicators.models import Department, Indicator, Observation
from indicators.selectors import due_items
from indicators.services.reporting import reporting_due_batch
from tests.factories import DepartmentFactory, IndicatorFactory, ObservationFactory, TargetFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 7, 10)
OVERDUE = reverse("indicators:overdue")
S = Observation.Status


def lead_more(plan, region, departments: int, indicators: int, annual: int = 0) -> None:
    """``departments`` new lead departments, each owing ``indicators`` quarterly and
    ``annual`` annual figures of the plan, none reported."""
    with reporting_due_batch():
        for _ in range(departments):
            department = DepartmentFactory(region=region)
            for n in range(indicators + annual):
                frequency = Indicator.Frequency.QUARTERLY if n < indicators else "annual"
                TargetFactory(plan=plan, indicator=IndicatorFactory(frequency=frequency),
                              leads=[department])


@pytest.fixture
def figures(district, scjg, rate, count, gxj_rate, milestone):
    """Figures in every state: a draft and a returned one stay overdue, the others are in."""
    for indicator, year, quarter, status in [
        (rate, 2025, 1, S.DRAFT), (rate, 2024, 4, S.RETURNED), (rate, 2024, 3, S.SUBMITTED),
        (rate, 2024, 2, S.APPROVED), (count, 2021, 1, S.DRAFT), (gxj_rate, 2023, 2, S.RETURNED),
    ]:
        ObservationFactory(indicator=indicator, region=district, year=year, quarter=quarter,
                           status=status, department=scjg)


def listed(client, **params: str) -> list[tuple[str, str, str, str, str]]:
    """Every row of the figure list, page by page: what the office reads in each column."""
    rows, page = [], 1
    while True:
        response = client.get(OVERDUE, {**params, "page": page})
        shown = response.context["page"]
        rows += [(str(i.department), i.indicator_name, i.period.label,
                  f"{i.deadline:%Y-%m-%d}", i.status_label) for i in shown.object_list]
        if not shown.has_next():
            return rows
        page += 1


def test_the_office_sees_what_walking_the_figures_showed(
    client, office_user, figures, plan, district, monkeypatch
):
    lead_more(plan, district, departments=2, indicators=1, annual=1)
    monkeypatch.setattr("core.views.PAGE_SIZE", 7)  # several pages
    client.force_login(office_user)

    departments = list(Department.objects.filter(region=district))  # region code, then name
    summaries = due_items(departments=departments, today=TODAY)
    walked = [(str(i.department), i.indicator_name, i.period.label, f"{i.deadline:%Y-%m-%d}",
               i.status_label) for d in departments for i in summaries[d.pk].overdue]

    assert listed(client) == walked
    assert ("赣榆区市场监管局", "产品质量监督抽查合格率", "2025年第1季度", "2025-04-15",
            "草稿") in walked
    assert ("赣榆区市场监管局", "产品质量监督抽查合格率", "2024年第4季度", "2025-01-15",
            "已退回") in walked
    assert ("赣榆区工信局", "规上工业企业质量管理体系认证率", "2025年第1季度", "2025-04-15",
            "未填报") in walked


def test_the_departments_are_ranked_most_overdue_first_and_paged(
    client, leader_user, figures, plan, district, monkeypatch
):
    lead_more(plan, district, departments=21, indicators=1)
    client.force_login(leader_user)

    response = client.get(OVERDUE, {"page": 2})
    departments = response.context["departments"]

    # 区市场监管局: rate 17 - 2 in, count 17, milestone 17; 区工信局 17; the new ones 17 each
    assert [(str(r.department), r.count) for r in departments.object_list[:2]] == [
        ("赣榆区市场监管局", 49), ("赣榆区工信局", 17)]
    assert departments.paginator.count == 23
    assertContains(response, "按部门")
    assertContains(response, "逾期项数")
    assertContains(response, "第1页 / 共2页（23条）")
    assertContains(response, '<a href="?page=2&amp;dpage=2">下一页</a>', html=True)
    assert len(client.get(OVERDUE, {"dpage": 2}).context["departments"].object_list) == 3


def test_a_reporter_sees_only_its_own_and_no_department_table(client, scjg_user, figures):
    client.force_login(scjg_user)

    response = client.get(OVERDUE)

    assert "departments" not in response.context
    assert {i.department.name for i in response.context["page"].object_list} == {"区市场监管局"}
    assertContains(response, "补报")


def test_the_offices_page_costs_the_same_queries_as_departments_and_figures_grow(
    client, office_user, figures, plan, district
):
    client.force_login(office_user)
    client.get(OVERDUE)  # warm-up: session, content types

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(OVERDUE, {"page": 2, "dpage": 1})
        assert response.status_code == 200
        return len(captured), response.context["page"].paginator.count

    few, figures_few = run()
    lead_more(plan, district, departments=12, indicators=4, annual=2)
    many, figures_many = run()

    assert figures_many == figures_few + 12 * (4 * 17 + 2 * 4)  # annual 2021-2024 closed
    assert many == few
