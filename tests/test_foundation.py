"""The foundation: settings, the home page from the database, the layout, the admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from tests.factories import PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_first_and_times_shown_in_shanghai_time(client):
    response = client.get(reverse("reports:home"))

    assertContains(response, '<html lang="zh-hans">')
    midnight_utc = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    assert f"{timezone.localtime(midnight_utc):%Y-%m-%d %H:%M}" == "2025-01-01 08:00"


def test_home_page_lists_plans_with_their_target_counts(client, district):
    plan = PlanFactory(region=district, title="“品质赣榆”建设行动方案(2025-2027年)")
    TargetFactory.create_batch(3, plan=plan)

    response = client.get(reverse("reports:home"))

    assertContains(response, "“品质赣榆”建设行动方案(2025-2027年)")
    assertContains(response, "赣榆区")
    assertContains(response, "3 项")


def test_home_page_says_so_when_nothing_is_loaded(client):
    response = client.get(reverse("reports:home"))

    assertContains(response, "尚未导入任何规划")


def test_layout_navigation_is_in_chinese(client, office_user):
    client.force_login(office_user)

    response = client.get(reverse("reports:home"))

    for label in ["总览", "城市", "部门", "指标", "数据填报", "报告", "API"]:
        assertContains(response, label)


def test_plotly_is_served_locally_not_from_a_cdn(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/plotly/plotly.min.js")


def test_admin_lists_every_model(admin_client):
    for name in ["region", "department", "indicator", "observation"]:
        assert admin_client.get(f"/admin/indicators/{name}/").status_code == 200
    for name in ["plan", "target", "progress", "reward"]:
        assert admin_client.get(f"/admin/targets/{name}/?q=合格率").status_code == 200
    assert admin_client.get("/admin/reports/reportrun/").status_code == 200


def test_database_refuses_a_range_whose_high_end_is_below_its_low_end(district):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(plan=PlanFactory(region=district), value=3, value_high=2)


def test_database_refuses_a_second_figure_for_the_same_period(district):
    from django.db import IntegrityError, transaction

    from tests.factories import IndicatorFactory, ObservationFactory

    indicator = IndicatorFactory()
    ObservationFactory(indicator=indicator, region=district, year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservationFactory(indicator=indicator, region=district, year=2024)


def test_login_page_is_in_chinese(client):
    assertContains(client.get(reverse("login")), "用户名")


def test_office_sees_approvals_and_tokens_in_the_navigation(client, office_user):
    client.force_login(office_user)

    response = client.get(reverse("reports:home"))

    assertContains(response, reverse("indicators:approvals"))
    assertContains(response, reverse("accounts:token-list"))


def test_a_reporter_does_not_see_the_office_entries(client, scjg_user):
    from pytest_django.asserts import assertNotContains

    client.force_login(scjg_user)

    response = client.get(reverse("reports:home"))

    assertNotContains(response, reverse("accounts:token-list"))
