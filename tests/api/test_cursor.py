"""Cursor paging of the feed (issue 18 item 2, docs/scale.md): every row exactly once, the same
number of queries on every page however much data there is, and a 304 that builds no page."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.models import Plan, Progress
from tests.factories import PlanFactory, ProgressFactory, TargetFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)
TUESDAY = datetime(2025, 3, 4, 9, 0, tzinfo=SHANGHAI)


def _progress_rows(plan, indicator, count, moment):
    with time_machine.travel(moment, tick=False):
        return [
            ProgressFactory(target=TargetFactory(plan=plan, indicator=indicator)).pk
            for _ in range(count)
        ]


def _walk(api, url, params, *, between_pages=None):
    """Follow ``next`` from the first cursor page to the end; every page's ids and bodies."""
    pages = []
    response = api.get(url, {**params, "cursor": ""})
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body)
        if between_pages:
            between_pages(pages)
        if not body["next"]:
            return pages
        response = api.get(body["next"])


def _ids(pages):
    return [row["id"] for page in pages for row in page["results"]]


def test_cursor_pages_by_id_cover_every_row_once_without_a_count(api, plan, quality_rate):
    created = _progress_rows(plan, quality_rate, 7, MONDAY)

    pages = _walk(api, "/api/v1/progress/", {"page_size": 3})

    assert _ids(pages) == created
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert "count" not in pages[0]  # no COUNT(*) per page
    assert "cursor=" in pages[0]["next"]
    assert "page=" not in pages[0]["next"]
    assert pages[-1]["next"] is None


def test_with_updated_since_pages_follow_the_change_time_and_miss_nothing(
    api, plan, quality_rate
):
    """A row recomputed while a mirror is half way through moves behind the end of the walk:
    it comes again (a mirror upserts by id) and nothing is skipped."""
    old = _progress_rows(plan, quality_rate, 3, MONDAY)
    fresh = _progress_rows(plan, quality_rate, 5, TUESDAY)
    recomputed: list[int] = []

    def recompute_a_row_already_read(pages: list[dict]) -> None:
        if len(pages) == 1:
            recomputed.append(pages[0]["results"][0]["id"])
            Progress.objects.filter(pk=recomputed[0]).update(
                computed_at=TUESDAY + timedelta(hours=1), status="lagging"
            )

    walked = _walk(api, "/api/v1/progress/",
                   {"updated_since": TUESDAY.isoformat(), "page_size": 2},
                   between_pages=recompute_a_row_already_read)

    ids = _ids(walked)
    assert set(ids) == set(fresh)  # nothing older than updated_since, nothing missed
    assert sorted(ids) == sorted([*fresh, recomputed[0]])  # the recomputed row came again
    assert ids[-1] == recomputed[0]
    assert [row["status"] for row in walked[-1]["results"]][-1] == "lagging"
    assert walked[0]["deleted"] == []
    assert all(page["deleted"] == [] for page in walked[1:])
    assert not set(ids) & set(old)


def test_tombstones_come_on_the_first_cursor_page_only(api, plan, quality_rate):
    with time_machine.travel(MONDAY, tick=False):
        gone = TargetFactory(plan=plan, indicator=quality_rate, code="T900")
    _progress_rows(plan, quality_rate, 3, TUESDAY)
    with time_machine.travel(TUESDAY, tick=False):
        gone_id = gone.pk
        gone.delete()

    pages = _walk(api, "/api/v1/progress/", {"updated_since": TUESDAY.isoformat(),
                                              "page_size": 2})

    assert [d["id"] for d in pages[0]["deleted"]] == [gone_id]
    assert all(page["deleted"] == [] for page in pages[1:])


def test_every_cursor_page_costs_the_same_queries_as_the_data_grows(api, plan, quality_rate):
    """The data grows fourfold; the first and the deepest page cost the same queries."""

    def queries_per_page() -> list[int]:
        counts = []
        response = None
        for _ in range(50):
            url = response.json()["next"] if response else "/api/v1/progress/?cursor=&page_size=5"
            with CaptureQueriesContext(connection) as captured:
                response = api.get(url)
            assert response.status_code == 200
            counts.append(len(captured))
            if not response.json()["next"]:
                return counts
        raise AssertionError("the walk did not end")

    _progress_rows(plan, quality_rate, 10, MONDAY)
    small = queries_per_page()
    _progress_rows(plan, quality_rate, 30, MONDAY)
    large = queries_per_page()

    assert len(large) == 8
    assert len(set(small + large)) == 1, (small, large)
    with CaptureQueriesContext(connection) as captured:
        api.get("/api/v1/progress/", {"cursor": "", "page_size": 5,
                                      "updated_since": MONDAY.isoformat()})
    # + the tombstones of the sync's first page, minus the closed plans' last quarters, which only
    # the latest-verdict list (no updated_since) reads to page quarter by quarter
    assert len(captured) == large[0] + 1 - 1


def test_a_cursor_page_answers_304_from_one_query_without_building_the_page(
    api, plan, quality_rate
):
    _progress_rows(plan, quality_rate, 5, MONDAY)
    first = api.get("/api/v1/progress/", {"cursor": "", "page_size": 2})
    second = api.get(first.json()["next"])

    with CaptureQueriesContext(connection) as captured:
        again = api.get(first.json()["next"], HTTP_IF_NONE_MATCH=second["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == second["ETag"]
    tables = " ".join(query["sql"] for query in captured)
    assert len(captured) == 2, tables  # the latest quarter, then the watermarks; no page read
    assert "JOIN" not in tables.upper()  # no page of progress rows was read
    assert second["ETag"] != first["ETag"]  # another cursor, another page

    Progress.objects.filter(pk=second.json()["results"][0]["id"]).update(
        computed_at=TUESDAY, status="off_track"
    )
    changed = api.get(first.json()["next"], HTTP_IF_NONE_MATCH=second["ETag"])
    assert changed.status_code == 200
    assert changed.json()["results"][0]["status"] == "off_track"


def test_a_plan_leaving_the_feed_changes_the_etag(api, plan, quality_rate):
    from targets.models import Plan

    _progress_rows(plan, quality_rate, 2, MONDAY)
    etag = api.get("/api/v1/progress/?cursor=")["ETag"]

    plan.status = Plan.Status.DRAFT
    plan.save()

    response = api.get("/api/v1/progress/?cursor=", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJ4Il0", "eyJpZCI6IDF9"])
def test_a_bad_cursor_is_a_400_naming_it(api, plan, quality_rate, cursor):
    _progress_rows(plan, quality_rate, 1, MONDAY)

    response = api.get("/api/v1/progress/", {"cursor": cursor})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "cursor"
    assert error["code"] == "invalid_cursor"
    assert "游标无效" in error["message"]


def test_page_numbers_still_work_for_existing_clients(api, plan, quality_rate):
    created = _progress_rows(plan, quality_rate, 5, MONDAY)

    second = api.get("/api/v1/progress/", {"page": 2, "page_size": 2}).json()

    assert second["count"] == 5
    assert [row["id"] for row in second["results"]] == created[2:4]
    assert "page=3" in second["next"]


def test_cursor_paging_works_on_every_feed_list(api, plan, quality_rate):
    targets = [TargetFactory(plan=plan, indicator=quality_rate).pk for _ in range(3)]

    for url, expected in [("/api/v1/targets/", targets)]:
        pages = _walk(api, url, {"page_size": 2})
        assert _ids(pages) == expected
        next_link = pages[0]["next"]
        assert parse_qs(urlsplit(next_link).query)["page_size"] == ["2"]
    synced = _walk(api, "/api/v1/targets/", {"page_size": 2,
                                             "updated_since": MONDAY.isoformat()})
    assert sorted(_ids(synced)) == targets


def test_the_latest_verdicts_page_quarter_by_quarter_each_row_once(api, plan, quality_rate):
    """Without ``quarter`` the list is each target's latest verdict: a closed plan's last
    quarter and the latest quarter of plans in force. The cursor reads them quarter by quarter
    (docs/scale.md §1), pages crossing from one quarter to the next, no row twice or missed,
    the same rows as the numbered pages."""
    closed_2020 = PlanFactory(code="close-2020", status=Plan.Status.CLOSED, base_year=2015,
                              start_year=2016, end_year=2020, region=plan.region)
    closed_2022 = PlanFactory(code="close-2022", status=Plan.Status.CLOSED, base_year=2020,
                              start_year=2021, end_year=2022, region=plan.region)
    with time_machine.travel(MONDAY, tick=False):
        for owner, year, quarters in [(closed_2020, 2020, (3, 4)), (closed_2022, 2022, (4,)),
                                      (plan, 2025, (1, 2))]:
            for _ in range(3):
                target = TargetFactory(plan=owner, indicator=quality_rate)
                for quarter in quarters:
                    ProgressFactory(target=target, year=year, quarter=quarter)
    latest = [(2020, 4)] * 3 + [(2022, 4)] * 3 + [(2025, 2)] * 3

    pages = _walk(api, "/api/v1/progress/", {"page_size": 2})
    rows = [row for page in pages for row in page["results"]]
    assert [tuple(map(int, row["quarter"].split("Q"))) for row in rows] == latest
    assert len(set(_ids(pages))) == len(latest)
    numbered = api.get("/api/v1/progress/", {"page_size": 100}).json()["results"]
    assert sorted(_ids(pages)) == sorted(row["id"] for row in numbered)
