"""Query-count guards: no dashboard page (nor its CSV) issues more queries for more targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.e2e.seed import add_targets, build_seed
from tests.factories import make_superuser

pytestmark = pytest.mark.django_db

PAGES = [
    ("reports:overview", lambda s: []),
    ("reports:plan-list", lambda s: []),
    ("reports:plan-detail", lambda s: [s.plans["ganyu"].code]),
    ("reports:department-list", lambda s: []),
    ("reports:department-detail", lambda s: [s.departments["gxj"].pk]),
    ("reports:indicator-list", lambda s: []),
    ("reports:indicator-detail", lambda s: [s.indicators["build"].code]),
    ("reports:target-detail", lambda s: [s.targets["build"].pk]),
]


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_page_queries_do_not_grow_with_the_number_of_targets(
    client, django_assert_max_num_queries, name, args, fmt
):
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        plan, department = seed.plans["ganyu"], seed.departments["gxj"]
        add_targets(plan, department, seed.indicators["build"], 5)
        url = reverse(name, args=args(seed))
        query = {"format": "csv"} if fmt == "csv" else {}
        client.get(url, query)  # warm-up: session, content types
        with CaptureQueriesContext(connection) as with_5:
            assert client.get(url, query).status_code == 200

        add_targets(plan, department, seed.indicators["build"], 45)

        with django_assert_max_num_queries(len(with_5)):
            assert client.get(url, query).status_code == 200



def _grow_country(seed, start: int, count: int) -> None:
    """``count`` more cities, each with a plan, two lead departments, a new indicator
    category and targets with Progress rows at two quarters: the data grows in every
    dimension the rollups are keyed by (plans, regions, departments, categories)."""
    from tests.factories import DepartmentFactory, IndicatorFactory, PlanFactory, RegionFactory

    for n in range(start, start + count):
        city = RegionFactory(code=f"32{n + 10:02d}00", name=f"新增市{n}", level="city",
                             parent=seed.regions["江苏"])
        plan = PlanFactory(code=f"grow-{n}", region=city, title=f"新增市{n}质量强市规划")
        indicator = IndicatorFactory(code=f"grow_{n}", name=f"新增指标{n}", category=f"类别{n}")
        for name in ("市市场监管局", "市工信局"):
            add_targets(plan, DepartmentFactory(region=city, name=name), indicator, 2)


GROWING_PAGES = [("reports:home", lambda s: []), *PAGES]


@pytest.mark.parametrize(("name", "args"), GROWING_PAGES, ids=[n for n, _ in GROWING_PAGES])
def test_page_queries_stay_the_same_as_plans_regions_and_departments_grow(client, name, args):
    """Issue 18: exactly as many queries with 2 or 8 more cities, plans, departments and
    categories: status counts are read from the rollup tables (docs/scale.md), lists count
    their page only."""
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        url = reverse(name, args=args(seed))
        _grow_country(seed, 0, 2)
        client.get(url)  # warm-up: session, content types
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200

        _grow_country(seed, 2, 6)

        with CaptureQueriesContext(connection) as large:
            assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)


NATIONAL_PAGES: list[tuple[str, Callable[[Any], list[Any]], dict[str, str]]] = [
    *((name, args, {}) for name, args in GROWING_PAGES),
    ("reports:department-list", lambda s: [], {"all": "1"}),
    ("reports:department-list", lambda s: [], {"page": "2"}),
    ("reports:plan-list", lambda s: [], {"region": "jiangsu"}),
    ("reports:overview", lambda s: [], {"region": "jiangsu"}),
]


@pytest.mark.parametrize(
    "page", NATIONAL_PAGES, ids=[f"{n}-{'-'.join(q)}" for n, _, q in NATIONAL_PAGES]
)
def test_a_national_office_with_cut_menus_runs_as_many_queries_as_the_country_grows(
    client, monkeypatch, page
):
    """Issue 18 at the national office: no region filter (its scope is every region,
    docs/scale.md §8), filter menus cut short (``MENU_LIMIT``), departments ranked and paged
    in the database; the same number of queries with 2 or 8 more cities."""
    from accounts import roles
    from indicators.models import Region
    from reports import menus
    from tests.factories import RegionFactory, UserFactory

    name, args, query = page
    monkeypatch.setattr(menus, "MENU_LIMIT", 1)
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        nation = RegionFactory(code="100000", name="全国", level="nation")
        Region.objects.exclude(pk=nation.pk).filter(parent__isnull=True).update(parent=nation)
        client.force_login(UserFactory.with_role("national", roles.OFFICE, nation))
        query = {k: seed.regions["江苏"].pk if v == "jiangsu" else v for k, v in query.items()}
        url = reverse(name, args=args(seed))
        _grow_country(seed, 0, 2)
        client.get(url, query)  # warm-up: session, content types
        with CaptureQueriesContext(connection) as small:
            assert client.get(url, query).status_code == 200

        _grow_country(seed, 2, 6)

        with CaptureQueriesContext(connection) as large:
            assert client.get(url, query).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)


def _approve_and_miss(seed, years: range) -> None:
    """For each year, two figures approved in 2025 Q2 and two figures that fell overdue in it,
    on series the superuser sees (总览 "what changed": 新审核 and 新逾期)."""
    import datetime as dt

    from indicators.models import ReportingDue
    from tests.factories import ObservationFactory

    plan, department = seed.plans["ganyu"], seed.departments["gxj"]
    for year in years:
        for quarter, target in enumerate((seed.targets["build"], seed.targets["quality"]), 1):
            ObservationFactory(indicator=target.indicator, region=plan.region, year=year,
                               quarter=quarter, department=department,
                               approved_at=dt.datetime(2025, 5, 20, 2, tzinfo=dt.UTC))
            ReportingDue.objects.create(
                department=department, indicator=target.indicator, region=plan.region,
                year=year, quarter=quarter, due_on=dt.date(2025, 4, 10),
                state=ReportingDue.State.OVERDUE)


def test_what_changed_queries_stay_the_same_as_approved_and_overdue_figures_grow(client):
    """Issue 18: 总览's newly approved and newly overdue entries are found, counted and cut to
    the page in SQL (docs/scale.md §8): more of them, the same number of queries."""
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        url = reverse("reports:overview")
        _approve_and_miss(seed, range(2000, 2002))
        client.get(url, {"quarter": "2025Q2"})  # warm-up: session, content types
        with CaptureQueriesContext(connection) as small:
            page = client.get(url, {"quarter": "2025Q2"}).content.decode()
        assert "新审核" in page
        assert "新逾期" in page

        _approve_and_miss(seed, range(2002, 2012))

        with CaptureQueriesContext(connection) as large:
            page = client.get(url, {"quarter": "2025Q2"}).content.decode()
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)
    section = page[page.index('id="what-changed"'):]
    assert "另有" in section[:section.index("</section>")]  # 24 + 24 entries, 30 listed


def test_a_national_scope_shows_the_regions_most_behind_not_all(client):
    """Issue 18: with more regions than the chart holds (a national office sees 3,200
    counties), 总览's region chart and table keep the 30 with the largest share behind and
    say so; a scope that fits keeps every region (docs/scale.md §8)."""
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        _grow_country(seed, 0, 31)
        page = client.get(reverse("reports:overview"), {"quarter": "2025Q2"}).content.decode()
    regions = page[page.index("各地区目标状态"):page.index("各部门目标状态")]
    table = regions[regions.index("<tbody>"):regions.index("</tbody>")]
    assert table.count("<tr>") == 30
    assert "仅显示滞后占比最高的30个地区" in regions
    assert "新增市0" in table  # every new city: all 4 targets lagging, 100 % behind


def test_the_behind_index_covers_the_statuses_the_behind_list_shows():
    """The partial index ``progress_behind`` serves "targets behind" only if its condition
    names the statuses the list filters on (``targets.status.PACE_BEHIND``)."""
    from reports.selectors.progress import BEHIND_STATUSES
    from targets.models import Progress

    index = next(i for i in Progress._meta.indexes if i.name == "progress_behind")
    assert set(dict(index.condition.children)["status__in"]) == set(BEHIND_STATUSES)
