"""The dashboards as a user sees them: 总览, 城市/规划, 部门, 指标, 目标 (issue #5)."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from targets.models import Progress
from tests.e2e.seed import build_seed
from tests.factories import UserFactory, make_superuser

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return build_seed()


@pytest.fixture
def today():
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        yield


@pytest.fixture
def superuser_client(client, seed):
    client.force_login(make_superuser())
    return client


@pytest.fixture
def ganyu_client(client, seed):
    from accounts import roles

    client.force_login(UserFactory.with_role("ganyu_office", roles.OFFICE, seed.regions["赣榆"]))
    return client


def _figure(response, chart_id):
    """The figure shipped in the page's json_script data island."""
    html = response.content.decode()
    start = html.index(f'id="{chart_id}"')
    body = html[html.index(">", start) + 1: html.index("</script>", start)]
    return json.loads(body)


def test_dashboards_need_a_login_but_home_does_not(client, seed):
    assert client.get(reverse("reports:home")).status_code == 200
    for url in [reverse("reports:overview"), reverse("reports:plan-list"),
                reverse("reports:plan-detail", args=["ganyu-2021"]),
                reverse("reports:target-detail", args=[seed.targets["quality"].pk])]:
        assert client.get(url).status_code == 302


def test_overview_shows_status_per_city_and_lagging_targets_worst_pace_first(
    superuser_client, today
):
    response = superuser_client.get(reverse("reports:overview"))

    assertContains(response, "2025年第2季度")
    assertContains(response, '<span class="badge off_track">严重滞后</span>', html=True)
    html = response.content.decode()
    # PM2.5 (pace -0.25) before 合格率 (pace 0.83): worst first
    assert html.index("PM2.5年均浓度") < html.index("产品质量监督抽查合格率</a>")
    assertContains(response, "31微克/立方米")  # numbers with their units
    assertContains(response, "区生态环境局")
    regions = _figure(response, "region-chart")
    assert {name for trace in regions["data"] for name in trace["y"]} >= {"赣榆区", "盐城市"}
    assert '<script src="' in html
    # every asset is local (a bare "cdn" check would trip over random CSRF tokens)
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert "Plotly.newPlot" not in html  # no inline scripts: charts.js draws the islands


def test_overview_compares_status_counts_with_the_previous_quarter(superuser_client, today):
    response = superuser_client.get(reverse("reports:overview"))

    assertContains(response, "较上季度（2025年第1季度）变化")
    changes = {c.status: c for c in response.context["changes"]}
    assert changes["off_track"].previous == 0
    assert changes["off_track"].current == 1
    assert changes["lagging"].delta == 0  # 合格率 became lagging, PM2.5 left lagging


def test_overview_lists_departments_with_overdue_figures(superuser_client, today):
    response = superuser_client.get(reverse("reports:overview"))

    overdue = {r.department.name: r for r in response.context["overdue"]}
    # 品字标 has no 2024 figure in 赣榆: 区市场监管局 owes it; 区工信局 reported everything
    assert "新增“品字标”企业数（2024年）" in overdue["区市场监管局"].missing
    assert "区工信局" not in overdue


def test_overview_without_progress_says_to_compute_it_first(client, district, office_user):
    client.force_login(office_user)

    response = client.get(reverse("reports:overview"))

    assertContains(response, "暂无进度数据，请先计算进度")


def test_plan_page_without_progress_lists_targets_and_says_so(client, district, office_user):
    from tests.factories import PlanFactory, TargetFactory

    plan = PlanFactory(region=district, code="fresh")
    TargetFactory(plan=plan, indicator__name="新指标合格率")
    client.force_login(office_user)

    response = client.get(reverse("reports:plan-detail", args=["fresh"]))

    assertContains(response, "新指标合格率")
    assertContains(response, "暂无进度数据，请先计算进度")
    assertNotContains(response, 'data-figure="bullet-chart"')


def test_filters_are_kept_in_the_url_and_narrow_the_data(superuser_client, seed, today):
    url = reverse("reports:overview")
    response = superuser_client.get(
        url, {"region": seed.regions["盐城"].pk, "quarter": "2025Q1", "category": "产品质量"}
    )

    assert response.context["f"].quarter == 1
    assertNotContains(response, "PM2.5年均浓度")
    assertContains(response, 'value="2025Q1" selected', html=False)
    assertContains(response, "format=csv")


def test_an_invalid_quarter_is_reported_and_the_latest_is_used(superuser_client, today):
    response = superuser_client.get(reverse("reports:overview"), {"quarter": "2025Q9"})

    assert response.status_code == 200
    assert response.context["f"].quarter == 2
    assert response.context["filters"].errors


def test_every_page_offers_its_data_as_csv_with_a_bom(superuser_client, seed, today):
    pages = {
        reverse("reports:overview"): "产品质量监督抽查合格率",
        reverse("reports:plan-list"): "赣榆区质量强区建设实施方案",
        reverse("reports:plan-detail", args=["ganyu-2021"]): "PM2.5年均浓度",
        reverse("reports:department-list"): "区生态环境局",
        reverse("reports:department-detail", args=[seed.departments["scjg"].pk]): "品字标",
        reverse("reports:indicator-list"): "工程竣工验收一次合格率",
        reverse("reports:indicator-detail", args=["product_pass_rate"]): "盐城市",
        reverse("reports:target-detail", args=[seed.targets["quality"].pk]): "进度滞后",
    }
    for url, expected in pages.items():
        response = superuser_client.get(url, {"format": "csv"})

        assert response["Content-Type"] == "text/csv; charset=utf-8", url
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff"), url
        assert expected in body, url


def test_pages_are_scoped_to_the_users_regions(ganyu_client, seed, today):
    response = ganyu_client.get(reverse("reports:plan-list"))
    assertContains(response, "赣榆区质量强区建设实施方案")
    assertNotContains(response, "盐城市质量强市建设规划")

    yancheng = reverse("reports:plan-detail", args=["yancheng-2021"])
    assert ganyu_client.get(yancheng).status_code == 404
    other = seed.targets["yc_quality"].pk
    assert ganyu_client.get(reverse("reports:target-detail", args=[other])).status_code == 404
    dep = seed.departments["yc_scjg"].pk
    assert ganyu_client.get(reverse("reports:department-detail", args=[dep])).status_code == 404
    indicator = ganyu_client.get(reverse("reports:indicator-detail", args=["product_pass_rate"]))
    assertNotContains(indicator, "盐城市")


def test_plan_page_shows_each_target_with_badge_and_bullet(superuser_client, today):
    response = superuser_client.get(reverse("reports:plan-detail", args=["ganyu-2021"]))

    assertContains(response, '<span class="badge lagging">进度滞后</span>', html=True)
    bullet = _figure(response, "bullet-chart")
    band = bullet["data"][0]
    assert len(band["y"]) == 4
    assert band["y"][0].startswith("T01")
    assert {trace["name"] for trace in bullet["data"][1:-1]} == {"进度滞后", "严重滞后", "进度正常"}


def test_closed_plan_shows_its_final_assessment(superuser_client, today):
    response = superuser_client.get(reverse("reports:plan-detail", args=["dongtou-13th"]))

    assertContains(response, "最终评估")
    assertContains(response, "文件所载完成情况")
    assertContains(response, '<span class="badge achieved">已完成</span>', html=True)
    assertContains(response, '<span class="badge not_achieved">未完成</span>', html=True)
    assertContains(response, "2020年第4季度")


def test_plan_list_groups_plans_by_city_with_status_counts(superuser_client, today):
    response = superuser_client.get(reverse("reports:plan-list"))

    assertContains(response, "洞头区“十三五”质量强区规划")
    assertContains(response, "已收官")
    figure = _figure(response, "plans-chart")
    assert {trace["name"] for trace in figure["data"]} >= {"进度滞后", "已完成", "未完成"}


def test_department_page_shows_targets_completeness_and_trend(superuser_client, seed, today):
    scjg = seed.departments["scjg"]

    response = superuser_client.get(reverse("reports:department-detail", args=[scjg.pk]))

    assertContains(response, "产品质量监督抽查合格率")
    assertContains(response, "新增“品字标”企业数")
    assertContains(response, "报送完整性")
    reporting = response.context["reporting"]
    assert reporting.overdue >= 1
    assert reporting.reported >= 1
    trend = _figure(response, "trend-chart")
    assert trend["data"][0]["x"] == ["2025Q1", "2025Q2"]


def test_indicator_page_compares_cities_target_and_latest_actual(superuser_client, today):
    response = superuser_client.get(reverse("reports:indicator-detail", args=["product_pass_rate"]))

    figure = _figure(response, "cities-chart")
    target, actual = figure["data"]
    assert target["name"] == "目标值"
    assert actual["name"] == "最新实际值"
    cities = target["x"]
    # Issue 16: each bar names region, plan and year (was the region alone), by region code
    assert [city.split("·")[0] for city in cities] == ["赣榆区", "盐城市", "洞头区"]
    assert all(city.endswith("年") for city in cities)
    assertContains(response, "96.2%")


def test_target_page_shows_actuals_path_projection_history_and_changes(
    superuser_client, seed, today
):
    target = seed.targets["quality"]

    response = superuser_client.get(reverse("reports:target-detail", args=[target.pk]))

    names = [trace["name"] for trace in _figure(response, "trajectory-chart")["data"]]
    assert names[:3] == ["规划路径", "实际值", "预测"]
    assert "目标值" in names
    assertContains(response, "产品质量监督抽查合格率达到96%以上")  # the source quote
    assertContains(response, "区市场监管局")
    assertContains(response, "统计局年报更正")  # the figure history
    assertContains(response, "2025年第1季度")  # status history
    assertContains(response, "预计难以完成")


def test_status_labels_come_from_progress_status(superuser_client, today):
    response = superuser_client.get(reverse("reports:overview"))

    for value, label in Progress.Status.choices:
        if value in ("lagging", "off_track"):
            assertContains(response, f'<span class="badge {value}">{label}</span>', html=True)


def test_long_lists_are_paged(superuser_client, seed, today):
    from tests.e2e.seed import add_targets

    add_targets(seed.plans["ganyu"], seed.departments["gxj"], seed.indicators["build"], 30)

    response = superuser_client.get(reverse("reports:plan-detail", args=["ganyu-2021"]))
    assertContains(response, "第 1 / 2 页")
    second = superuser_client.get(
        reverse("reports:plan-detail", args=["ganyu-2021"]), {"page": 2}
    )
    assertContains(second, "第 2 / 2 页")
