"""Issue 18: the dashboards' filter menus are bounded, and a scope that covers every region
filters nothing (docs/scale.md §8), while what each user may see stays exactly the same."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts import roles
from indicators.permissions import region_filter_ids
from reports import menus
from tests.e2e.seed import build_seed
from tests.factories import PlanFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _menu(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start:html.index("</select>", start)]


def test_an_office_over_every_region_filters_nothing_and_a_city_office_its_own():
    seed = build_seed()
    top = RegionFactory(code="100000", name="全国", level="nation")
    from indicators.models import Region

    Region.objects.exclude(pk=top.pk).filter(parent__isnull=True).update(parent=top)
    national = UserFactory.with_role("national", roles.OFFICE, top)
    local = UserFactory.with_role("local", roles.OFFICE, seed.regions["赣榆"])

    assert region_filter_ids(national) is None
    assert region_filter_ids(local) == [seed.regions["赣榆"].pk]


def test_an_office_over_one_of_two_roots_still_filters_by_its_regions():
    seed = build_seed()  # 江苏 and 浙江 are both roots
    jiangsu = UserFactory.with_role("js", roles.OFFICE, seed.regions["江苏"])

    ids = region_filter_ids(jiangsu)

    assert ids is not None
    assert seed.regions["赣榆"].pk in ids
    assert seed.regions["洞头"].pk not in ids


def test_a_national_office_sees_the_same_plans_as_the_superuser(client):
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        top = RegionFactory(code="100000", name="全国", level="nation")
        from indicators.models import Region

        Region.objects.exclude(pk=top.pk).filter(parent__isnull=True).update(parent=top)
        client.force_login(UserFactory.with_role("national", roles.OFFICE, top))
        response = client.get(reverse("reports:plan-list"))
    for plan in seed.plans.values():
        assertContains(response, plan.title)


def test_a_long_menu_lists_its_first_options_the_chosen_one_and_a_note(client, monkeypatch):
    monkeypatch.setattr(menus, "MENU_LIMIT", 2)
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(UserFactory.with_role("js", roles.OFFICE, seed.regions["江苏"]))
        last = seed.regions["盐城"]  # 320000, 320700, 320707, 320900: the fourth
        response = client.get(reverse("reports:plan-list"), {"region": last.pk})
    menu = _menu(response.content.decode(), "region")
    assert menu.count("<option") == 1 + 1 + 2 + 1  # 全部地区, the chosen, two, the note
    assert f'<option value="{last.pk}" selected>盐城市</option>' in menu
    assert '<option value="more" disabled>' in menu
    assertNotContains(response, seed.plans["ganyu"].title)  # the filter still applies


def test_a_cut_plan_menu_lists_the_chosen_regions_plans(client, monkeypatch):
    monkeypatch.setattr(menus, "MENU_LIMIT", 1)
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        PlanFactory(code="yc-extra", region=seed.regions["盐城"], title="盐城第二规划")
        client.force_login(UserFactory.with_role("js", roles.OFFICE, seed.regions["江苏"]))
        response = client.get(reverse("reports:overview"), {"region": seed.regions["盐城"].pk})
    menu = _menu(response.content.decode(), "plan")
    assert "盐城" in menu  # two plans there, one listed, then the note
    assert "赣榆" not in menu
    assert '<option value="more" disabled>' in menu
    assert menu.count("<option") == 1 + 1 + 1


def test_menus_within_the_limit_render_as_djangos_select():
    from django import forms

    choices = [("", "全部<地区>"), (1, "A&B"), (2, 'q"x')]
    for value in ("", "2"):
        assert (menus.MenuSelect(choices=choices).render("region", value, {"id": "id_region"})
                == forms.Select(choices=choices).render("region", value, {"id": "id_region"}))



@pytest.mark.parametrize("show_all", [False, True])
def test_departments_ranked_in_the_database_as_the_csv_ranks_them(show_all):
    from django.core.paginator import Paginator

    from reports import selectors as sel
    from reports.selectors.filters import DashboardFilters
    from reports.views.departments import rank_departments
    from targets.selectors import progress_default_quarter
    from tests.e2e.seed import add_targets

    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        add_targets(seed.plans["ganyu"], seed.departments["sthj"], seed.indicators["build"], 3)
        year, quarter = progress_default_quarter()
        f = DashboardFilters(year=year, quarter=quarter)
        rollups = {r.key: r for r in sel.status_by_department(f)}
        everyone = list(sel.department_list(f))
        expected = rank_departments(
            everyone if show_all else [d for d in everyone if d.lead_count], rollups
        )

        paginator = Paginator(sel.RankedDepartments(f, show_all=show_all), 2)
        ranked = [d for n in paginator.page_range for d in paginator.page(n)]

    assert [d.pk for d in ranked] == [d.pk for d in expected]
    assert len({rollups[d.pk].behind_share for d in ranked if d.pk in rollups}) > 1
