"""Each role lands on its work, sees only what it may open, and the 系统 page (docs/roles.md).

The landing tests log in through the real password form (the second factor then keeps the
landing page as its ``next``); the navigation tests read the links a role is shown and open
each of them as that role: none may answer 403.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts import roles
from reports.models import ReportRun
from targets.models import RecomputeRequest
from tests.factories import PASSWORD, IndicatorFactory, PlanFactory, UserFactory
from tests.otp import code
from web.models import Heartbeat

pytestmark = pytest.mark.django_db

LANDING = {
    "office_user": reverse("reports:overview"),
    "leader_user": reverse("reports:overview"),
    "scjg_user": reverse("indicators:due"),
    "auditor_user": reverse("indicators:audit-log"),
    "security_user": reverse("accounts:account-list"),
    "sysadmin_user": reverse("system"),
}

NAVIGATION = {
    "office_user": ["总览", "城市", "部门", "指标", "数据填报", "审核", "报告", "API", "API令牌"],
    "leader_user": ["总览", "城市", "部门", "指标", "数据填报", "报告", "API"],
    "scjg_user": ["总览", "城市", "部门", "指标", "数据填报", "API"],
    "auditor_user": ["审计日志"],
    "security_user": ["账号管理"],
    "sysadmin_user": ["系统"],
}

NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def nav_links(html: str) -> list[tuple[str, str]]:
    match = NAV.search(html)
    return LINK.findall(match.group(1)) if match else []


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", list(LANDING))
def test_each_role_lands_on_its_work_after_the_password(request, client, persona):
    user = request.getfixturevalue(persona)

    answer = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert answer.status_code == 302
    assert answer["Location"] == LANDING[persona]


def test_a_next_page_still_wins_over_the_landing(client, scjg_user):
    answer = client.post(reverse("login"), {"username": "scjg", "password": PASSWORD,
                                            "next": reverse("reports:plan-list")})

    assert answer["Location"] == reverse("reports:plan-list")


def test_the_sysadmin_arrives_on_the_system_page_through_the_second_factor(client,
                                                                           sysadmin_user):
    landing = client.post(reverse("login"), {"username": "sysadmin", "password": PASSWORD})
    enrol = client.get(landing["Location"], follow=True)  # → 绑定验证器, next kept
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=sysadmin_user)
    setup_url = enrol.redirect_chain[-1][0]
    done = client.post(setup_url, {"otp_token": code(device)}, follow=True)

    assert done.redirect_chain[-1][0] == reverse("system")
    assertContains(done, "<h1>系统</h1>", html=False)


@pytest.mark.parametrize("persona", list(NAVIGATION))
def test_the_navigation_shows_only_what_the_role_may_open(request, persona):
    user = request.getfixturevalue(persona)
    client = signed_in(user)

    links = nav_links(client.get(reverse("reports:home")).content.decode())

    assert [label.strip() for _url, label in links] == NAVIGATION[persona]
    for url, label in links:
        assert client.get(url).status_code == 200, f"{persona}: {label} {url}"


def test_the_reporter_gets_no_reports_link_because_reports_answer_403(scjg_user):
    client = signed_in(scjg_user)

    assert client.get(reverse("reports:report-list")).status_code == 403
    due = client.get(reverse("indicators:due"))

    assertNotContains(due, f'href="{reverse("reports:report-list")}"')


def test_anonymous_visitors_see_the_dashboards_entries_leading_to_the_login(client):
    links = nav_links(client.get(reverse("reports:home")).content.decode())

    assert [label.strip() for _url, label in links] == [
        "总览", "城市", "部门", "指标", "数据填报", "报告", "API"]


@pytest.mark.parametrize("persona", ["auditor_user", "security_user", "sysadmin_user"])
def test_home_lists_no_plans_to_roles_that_may_not_open_them(request, district, persona):
    plan = PlanFactory(region=district, title="赣榆区质量强区建设规划")
    client = signed_in(request.getfixturevalue(persona))

    home = client.get(reverse("reports:home"))

    assertNotContains(home, plan.title)
    assertNotContains(home, reverse("reports:plan-detail", kwargs={"code": plan.code}))
    assertContains(home, f'href="{LANDING[persona]}"')
    assert client.get(reverse("reports:plan-detail", kwargs={"code": plan.code})).status_code == 403


def test_home_still_lists_the_plans_for_the_office(district, office_user):
    plan = PlanFactory(region=district, title="赣榆区质量强区建设规划")

    assertContains(signed_in(office_user).get(reverse("reports:home")), plan.title)


def test_the_current_page_is_highlighted_in_the_navigation(office_user):
    page = signed_in(office_user).get(reverse("indicators:approvals"))

    assertContains(page, 'aria-current="page" class="active">审核</a>')
    assertContains(page, "<summary>菜单 · 审核</summary>")


def test_the_navigation_folds_into_a_menu_without_a_cdn(office_user):
    html = signed_in(office_user).get(reverse("reports:overview")).content.decode()

    assert '<details class="navmenu" open>' in html
    assert 'src="/static/js/nav.js"' in html
    assert "//cdn" not in html


# --- 系统 -------------------------------------------------------------------------------------


def test_only_the_sysadmin_opens_the_system_page(office_user, auditor_user, security_user,
                                                  scjg_user, sysadmin_user):
    for user in (office_user, auditor_user, security_user, scjg_user):
        assert signed_in(user).get(reverse("system")).status_code == 403, user.username
    assert signed_in(sysadmin_user).get(reverse("system")).status_code == 200


def test_the_system_page_shows_settings_versions_and_background_health(
    settings, sysadmin_user, district, office_user
):
    import django

    settings.REPORTING_GRACE_DAYS = 15
    settings.AUDIT_RETENTION_DAYS = 186
    settings.PROGRESS_ON_TRACK, settings.PROGRESS_LAGGING = 0.95, 0.6
    settings.REMINDER_WEBHOOK_URL = "https://oapi.dingtalk.com/robot/send?access_token=SECRET9"
    RecomputeRequest.objects.create(indicator=IndicatorFactory(), region=district)
    ReportRun.objects.create(scope=ReportRun.Scope.REGION, region=district, year=2025,
                             quarter=2, requested_by=office_user)

    page = signed_in(sysadmin_user).get(reverse("system"))
    text = re.sub(r"<[^>]+>", " ", page.content.decode())
    text = re.sub(r"\s+", " ", text)

    for shown in ("填报宽限期（报告期结束后） 15天", "审计日志保留 186天",
                  "进度正常（进度比 q 不低于） 0.95", "0.6", f"Django {django.get_version()}",
                  "Python 3.11", "Celery", "工作进程心跳", "进度重算待办（outbox） 1条",
                  "待生成的报告 1份", "最近一次全量重算（每晚2:00）",
                  "提醒 Webhook https://oapi.dingtalk.com"):
        assert shown in text, shown
    assert re.search(r"数据库 (PostgreSQL|SQLite) \d+\.\d+", text)
    assert "SECRET9" not in text  # a robot URL's access token is a secret


def test_the_worker_heartbeat_turns_stale_when_beat_stops(settings, sysadmin_user):
    from web.tasks import heartbeat

    settings.CELERY_BROKER_URL = "redis://:pw@127.0.0.1:6379/8"
    client = signed_in(sysadmin_user)
    assertContains(client.get(reverse("system")), "从未收到")

    heartbeat.delay()
    fresh = client.get(reverse("system"))
    Heartbeat.objects.filter(name="worker").update(
        at=timezone.now() - datetime.timedelta(minutes=10))
    stale = client.get(reverse("system"))

    assertContains(fresh, "秒前")
    assertNotContains(fresh, "⚠")
    assertContains(stale, "⚠ 10分钟前")
    assertContains(stale, "超过3分钟没有心跳")
    assertNotContains(stale, ":pw@")


def test_a_full_recompute_leaves_its_time_on_the_system_page(sysadmin_user):
    from targets.tasks import recompute_progress

    recompute_progress.delay(as_of="2025-07-10")
    recompute_progress.delay(as_of="2025-07-10", indicator_ids=[1])  # a partial one: not nightly

    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["recompute_all"]
    page = signed_in(sysadmin_user).get(reverse("system"))
    assertNotContains(page, "尚无记录")


def test_every_role_of_the_design_has_a_landing_page():
    from web.navigation import LANDING as ROLE_LANDING

    assert {role for role, _url in ROLE_LANDING} == set(roles.ROLES)


def test_an_account_without_role_lands_on_home(district):
    from web.navigation import landing_url

    assert landing_url(UserFactory(username="nobody")) == reverse("reports:home")


# --- English follows the switch (charts, quarter labels, units, statuses) ---------------------


def _figure(response, chart_id):
    import json

    html = response.content.decode()
    start = html.index(f'id="{chart_id}"')
    return json.loads(html[html.index(">", start) + 1: html.index("</script>", start)])


@pytest.fixture
def progress_world(district, scjg):
    from tests.factories import ProgressFactory, TargetFactory

    plan = PlanFactory(region=district, code="ganyu-2021")
    target = TargetFactory(plan=plan, indicator=IndicatorFactory(unit="家"), value=12,
                           unit="家", leads=[scjg])
    ProgressFactory(target=target, year=2025, quarter=2, status="lagging", current_value=7)
    return target


def test_charts_and_quarter_labels_follow_the_english_switch(settings, office_user,
                                                             progress_world):
    client = signed_in(office_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("reports:overview"), {"quarter": "2025Q2"})

    chart = _figure(page, "region-chart")
    assert [trace["name"] for trace in chart["data"]] == ["Lagging"]
    assert chart["layout"]["xaxis"]["title"]["text"] == "Targets"
    assert "targets" in chart["data"][0]["hovertemplate"]
    assertContains(page, "2025 Q2")
    assertNotContains(page, "2025年第2季度")


def test_the_same_page_stays_chinese_by_default(office_user, progress_world):
    page = signed_in(office_user).get(reverse("reports:overview"), {"quarter": "2025Q2"})

    chart = _figure(page, "region-chart")
    assert [trace["name"] for trace in chart["data"]] == ["进度滞后"]
    assert chart["layout"]["xaxis"]["title"]["text"] == "目标数（项）"
    assertContains(page, "2025年第2季度")


def test_units_keep_symbols_and_translate_words():
    from django.utils import translation

    from indicators.units import with_unit
    from reports.templatetags.dashboard import num, signed

    with translation.override("en"):
        assert num(12, "家") == "12 firms"
        assert num(5, "个") == "5"
        assert num(93.5, "%") == "93.5%"
        assert signed(-1.5, "亿元") == "\u22121.5 ×100 million yuan"
        assert with_unit("35", "微克/立方米") == "35 μg/m³"
        assert with_unit("3", "未知单位") == "3 未知单位"  # unknown words stay as written
    with translation.override("zh-hans"):
        assert num(12, "家") == "12家"
        assert num(5, "个") == "5个"


def test_a_target_trajectory_speaks_english(progress_world):
    import datetime as dt

    import pandas as pd
    from django.utils import translation

    from reports import figures

    actuals = pd.DataFrame({"date": [dt.date(2024, 12, 31)], "value": [7.0],
                            "label": ["2024"]})
    with translation.override("en"):
        fig = figures.trajectory(actuals, unit="家", baseline=(dt.date(2020, 12, 31), 2.0),
                                 goal=(dt.date(2025, 12, 31), 12.0))
    names = [trace.name for trace in fig.data]
    assert names == ["Planned path", "Actual", "Target value"]
    assert fig.layout.yaxis.title.text == "firms"
    assert fig.layout.xaxis.ticktext[0] == "2020"
    assert fig.data[0].hovertemplate == "%{x|%Y}<br>Planned path: %{y} firms<extra></extra>"
