"""Who is behind, on what, and what changed (docs/monitoring.md; issue 16).

Progress rows are written directly (the engine is tested elsewhere): the pages must rank
departments by the share of their targets behind, hide those leading none unless asked,
split scores into 确保类 and 力争类 with their counts, and list what changed since the
previous quarter worst first, each entry linking to its target.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    DepartmentFactory,
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    ProgressFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district):
    plan = PlanFactory(code="mon-plan", region=district, title="监测测试方案", start_year=2021,
                       end_year=2027, base_year=2020)
    slow = DepartmentFactory(region=district, name="区慢局")  # 1 of 1 behind: 100 %
    mixed = DepartmentFactory(region=district, name="区半局")  # 1 of 2 behind: 50 %
    DepartmentFactory(region=district, name="区闲局")  # leads nothing
    targets = {}
    for code, department, before, now, aspirational in (
        ("M01", slow, "on_track", "off_track", False),
        ("M02", mixed, "lagging", "lagging", True),
        ("M03", mixed, "lagging", "on_track", False),
    ):
        indicator = IndicatorFactory(code=f"mon_{code.lower()}", name=f"监测指标{code}")
        target = TargetFactory(plan=plan, code=code, indicator=indicator,
                               aspirational=aspirational, deadline_year=2027)
        target.lead_departments.add(department)
        ProgressFactory(target=target, year=2025, quarter=1, status=before)
        ProgressFactory(target=target, year=2025, quarter=2, status=now, current_value=93.0,
                        expected_value=94.0, gap=-1.0, data_year=2025, data_quarter=2)
        targets[code] = target
    ObservationFactory(indicator=targets["M03"].indicator, region=district, year=2025,
                       quarter=None, value=95, department=mixed,
                       approved_at=dt.datetime(2025, 5, 20, 2, tzinfo=dt.UTC))
    return targets


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        yield client


def test_departments_ranked_by_share_behind_and_idle_ones_hidden(office, world):
    page = office.get(reverse("reports:department-list"), {"quarter": "2025Q2"}).content.decode()

    assert page.index("区慢局") < page.index("区半局")
    assert "区闲局" not in page.split("<tbody>")[1]
    assert "已隐藏 1 个未牵头目标的部门" in page

    everyone = office.get(reverse("reports:department-list"),
                          {"quarter": "2025Q2", "all": "1"}).content.decode()
    assert "区闲局" in everyone.split("<tbody>")[1]


def test_scores_count_firm_and_aspirational_targets_apart(office, world):
    page = office.get(reverse("reports:department-list"), {"quarter": "2025Q2"}).content.decode()

    # 区半局: firm M03 on track (1/1), aspirational M02 lagging (0/1)
    row = page[page.index("区半局"):]
    row = row[:row.index("</tr>")]
    assert "确保类 1/1 项（100%）" in row
    assert "力争类 0/1 项（0%）" in row


def test_what_changed_lists_the_worst_first_with_links(office, world):
    page = office.get(reverse("reports:overview"), {"quarter": "2025Q2"}).content.decode()

    section = page[page.index('id="what-changed"'):]
    section = section[:section.index("</section>")]
    worse = section.index(reverse("reports:target-detail", args=[world["M01"].pk]))
    better = section.index(reverse("reports:target-detail", args=[world["M03"].pk]))
    assert "变差" in section
    assert "进度正常</span> → <span class=\"badge off_track\">严重滞后" in section
    assert worse < better  # a fall before a rise
    assert "新审核" in section  # the figure approved in May
    assert "监测指标M02" not in section  # unchanged: not listed


def test_department_and_plan_pages_carry_their_own_what_changed(office, world):
    plan = office.get(reverse("reports:plan-detail", args=["mon-plan"]),
                      {"quarter": "2025Q2"}).content.decode()
    assert 'id="what-changed"' in plan
    assert "监测指标M01" in plan[plan.index('id="what-changed"'):]

    department = world["M01"].lead_departments.get()
    page = office.get(reverse("reports:department-detail", args=[department.pk]),
                      {"quarter": "2025Q2"}).content.decode()
    section = page[page.index('id="what-changed"'):]
    section = section[:section.index("</section>")]
    assert "监测指标M01" in section
    assert "监测指标M03" not in section  # another department's target
