"""审核 shows what the approver needs (docs/roles.md, "审核"): the targets a figure feeds, the
approved value it follows and the change, the evidence; select-all; departments grouped by
region; the 审核 entry highlighted. "Today" is 2025-07-10 (tests/indicators/conftest.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from indicators.models import Observation
from indicators.services import (
    observation_approve,
    observation_correct,
    observation_save_draft,
    observation_submit,
)
from tests.factories import DepartmentFactory, ObservationFactory, RegionFactory

pytestmark = pytest.mark.django_db

APPROVALS = reverse("indicators:approvals")


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(response, name: str) -> str:
    html = response.content.decode()
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    (row,) = [r for r in rows if name in r and 'name="ids"' in r]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


@pytest.fixture
def submitted(district, scjg, scjg_user, rate):
    ObservationFactory(indicator=rate, region=district, department=scjg, year=2025, quarter=1,
                       value=Decimal("93.5"), status=Observation.Status.APPROVED)
    figure = observation_save_draft(by=scjg_user, indicator=rate, year=2025, quarter=2,
                                    value=Decimal("95"), state="",
                                    evidence="2025年二季度抽检报告第12号")
    return observation_submit(observation=figure, by=scjg_user)


def test_the_approver_sees_target_previous_value_change_and_evidence(client, office_user,
                                                                     submitted, rate):
    client.force_login(office_user)

    page = client.get(APPROVALS)

    target = rate.targets.get()
    assertContains(page, f'href="{reverse("reports:target-detail", kwargs={"pk": target.pk})}"')
    row = _row(page, rate.name)
    assert f"{target.code} {target.goal_display}" in row
    assert "95 %" in row  # this figure
    assert "93.5% 2025年第1季度" in row  # the approved value it follows
    assert "+1.5%" in row
    assert "2025年二季度抽检报告第12号" in row


def test_a_correction_is_compared_with_the_value_it_replaces(client, office_user, scjg_user,
                                                             submitted, rate):
    approved = observation_approve(observation=submitted, by=office_user)
    observation_correct(observation=approved, by=scjg_user, value=Decimal("94.2"),
                        reason="核对原始台账后更正")
    client.force_login(office_user)

    row = _row(client.get(APPROVALS), rate.name)

    assert "95% 更正前（本期已审核值）" in row
    assert "\u22120.8%" in row


def test_a_first_figure_says_there_is_nothing_before_it(client, office_user, scjg_user, rate,
                                                         district):
    figure = observation_save_draft(by=scjg_user, indicator=rate, year=2025, quarter=2,
                                    value=Decimal("95"), state="")
    observation_submit(observation=figure, by=scjg_user)
    client.force_login(office_user)

    row = _row(client.get(APPROVALS), rate.name)

    assert " 无 " in row
    assert "未填佐证" in row


def test_select_all_and_the_highlighted_entry(client, office_user, submitted):
    client.force_login(office_user)

    page = client.get(APPROVALS)

    assertContains(page, 'class="select-all" data-select="ids"')
    assertContains(page, 'src="/static/indicators/js/select_all.js"')
    assertContains(page, 'aria-current="page" class="active">审核</a>')
    assertNotContains(page, 'aria-current="page" class="active">数据填报</a>')


def test_the_department_filter_groups_departments_by_region(client, office_user, district,
                                                            scjg, gxj):
    town = RegionFactory(code="320707100", name="青口镇", level="town", parent=district)
    DepartmentFactory(region=town, name="镇市场监管所")
    client.force_login(office_user)

    html = client.get(APPROVALS).content.decode()
    select = html[html.index('name="department"'):html.index("</select>",
                                                              html.index('name="department"'))]

    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _options in groups] == ["连云港市赣榆区", "青口镇"]
    assert re.findall(r">([^<]+)</option>", groups[0][1]) == ["区工信局", "区市场监管局"]
    assert "镇市场监管所" in groups[1][1]
    assert '<option value="" selected>全部部门</option>' in select


def test_the_grouped_filter_still_filters(client, office_user, submitted, scjg, gxj, rate):
    client.force_login(office_user)

    mine = client.get(APPROVALS, {"department": scjg.pk, "status": "submitted"})
    other = client.get(APPROVALS, {"department": gxj.pk, "status": "submitted"})

    assertContains(mine, rate.name)
    assertNotContains(other, rate.name)


def test_the_context_costs_the_same_queries_for_two_figures_or_ten(
    client, office_user, district, scjg, rate
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office_user)
    client.get(APPROVALS)  # the session's first request costs its own reads

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(APPROVALS).status_code == 200
        return len(captured)

    for quarter in (1, 2):
        ObservationFactory(indicator=rate, region=district, department=scjg, year=2023,
                           quarter=quarter, status=Observation.Status.SUBMITTED)
    two = queries()
    for year in (2021, 2022, 2024):
        for quarter in (1, 2, 3, 4):
            ObservationFactory(indicator=rate, region=district, department=scjg, year=year,
                               quarter=quarter, status=Observation.Status.APPROVED
                               if year == 2021 else Observation.Status.SUBMITTED)
    ten = queries()

    assert two == ten
