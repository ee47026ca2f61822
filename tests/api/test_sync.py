"""Mirroring the feed: updated_since, tombstones, and conditional GET (ETag / 304)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feed.models import Tombstone
from indicators.services import observation_approve, observation_correct
from tests.factories import ObservationFactory, ProgressFactory, TargetFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)
TUESDAY = datetime(2025, 3, 4, 9, 0, tzinfo=SHANGHAI)
WEDNESDAY = datetime(2025, 3, 5, 9, 0, tzinfo=SHANGHAI)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def since(api, url, moment, **params):
    response = api.get(url, {"updated_since": moment.isoformat(), **params})
    assert response.status_code == 200, response.json()
    return response


def test_updated_since_returns_exactly_the_changed_targets(api, plan):
    with time_machine.travel(MONDAY, tick=False):
        untouched, edited = TargetFactory(plan=plan), TargetFactory(plan=plan)
    with time_machine.travel(TUESDAY, tick=False):
        edited.value = 97
        edited.save()
        added = TargetFactory(plan=plan)

    # Scoped to this test's plan: rows another test left committed (pass 2 runs real worker
    # processes on PostgreSQL) carry today's change time and would otherwise come back too.
    response = since(api, "/api/v1/targets/", TUESDAY, plan="ganyu-2025")

    assert ids(response) == [edited.pk, added.pk]
    assert [d for d in response.json()["deleted"] if d["natural_key"].startswith("ganyu-2025/")
            ] == []
    assert untouched.pk in ids(since(api, "/api/v1/targets/", MONDAY, plan="ganyu-2025"))


def test_deleted_targets_come_back_as_tombstones(api, plan):
    with time_machine.travel(MONDAY, tick=False):
        kept, gone = TargetFactory(plan=plan, code="T001"), TargetFactory(plan=plan, code="T002")
    with time_machine.travel(TUESDAY, tick=False):
        gone_id = gone.pk
        gone.delete()

    response = since(api, "/api/v1/targets/", TUESDAY)

    assert ids(response) == []
    assert response.json()["deleted"] == [
        {"id": gone_id, "natural_key": "ganyu-2025/T002", "reason": "deleted",
         "deleted_at": "2025-03-04T09:00:00+08:00"}
    ]
    assert since(api, "/api/v1/targets/", WEDNESDAY).json()["deleted"] == []
    assert "deleted" not in api.get("/api/v1/targets/").json()  # only for incremental syncs
    assert kept.pk in ids(api.get("/api/v1/targets/"))


def test_deleting_a_plan_leaves_tombstones_for_it_and_its_targets(api, plan):
    target = TargetFactory(plan=plan, code="T009")
    target_id, plan_id = target.pk, plan.pk

    plan.delete()

    assert set(Tombstone.objects.values_list("model", "object_id", "natural_key")) == {
        ("targets.plan", plan_id, "ganyu-2025"),
        ("targets.target", target_id, "ganyu-2025/T009"),
    }
    assert [d["id"] for d in since(api, "/api/v1/plans/", MONDAY).json()["deleted"]] == [plan_id]


def test_a_corrected_figure_stays_in_the_feed_until_the_correction_is_approved(
    api, district, scjg, scjg_user, office_user, scjg_target
):
    """Issue 12 row 3 (replaces "leaves the feed as a tombstone"): a correction is a proposal,
    so the approved value stays published, with no tombstone, until the office approves it."""
    with time_machine.travel(MONDAY, tick=False):
        figure = ObservationFactory(
            indicator=scjg_target.indicator, region=district, department=scjg, year=2024,
            value=Decimal("93.5"),
        )
    with time_machine.travel(TUESDAY, tick=False):
        figure = observation_correct(
            observation=figure, by=scjg_user, value=Decimal("94.1"), reason="录入错误"
        )

    corrected = since(api, "/api/v1/observations/", TUESDAY).json()

    assert [row["value"] for row in corrected["results"]] == [93.5]  # still the approved value
    assert corrected["deleted"] == []

    with time_machine.travel(WEDNESDAY, tick=False):
        observation_approve(observation=figure, by=office_user)

    approved = since(api, "/api/v1/observations/", WEDNESDAY).json()
    assert [row["value"] for row in approved["results"]] == [94.1]
    assert approved["deleted"] == []


def test_progress_syncs_on_its_computation_time(api, scjg_target, gxj_target):
    with time_machine.travel(MONDAY, tick=False):
        ProgressFactory(target=scjg_target)
    with time_machine.travel(TUESDAY, tick=False):
        fresh = ProgressFactory(target=gxj_target)

    assert ids(since(api, "/api/v1/progress/", TUESDAY)) == [fresh.pk]


def test_a_bad_timestamp_is_a_400_naming_updated_since(api):
    response = api.get("/api/v1/targets/?updated_since=yesterday")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "updated_since"


def test_an_unchanged_list_answers_304_to_its_etag(api, plan):
    target = TargetFactory(plan=plan)
    first = api.get("/api/v1/targets/?region=赣榆区")
    etag = first["ETag"]

    again = api.get("/api/v1/targets/?region=赣榆区", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert first["X-Sync-Time"]

    target.value = 98
    target.save()
    changed = api.get("/api/v1/targets/?region=赣榆区", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_etag_differs_by_query_and_format(api, plan):
    TargetFactory(plan=plan)
    etag = api.get("/api/v1/targets/")["ETag"]

    assert api.get("/api/v1/targets/?format=csv", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api.get("/api/v1/targets/?page_size=5", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since_answers_304(api, plan):
    with time_machine.travel(MONDAY, tick=False):
        TargetFactory(plan=plan)
    last_modified = api.get("/api/v1/targets/")["Last-Modified"]

    assert last_modified == "Mon, 03 Mar 2025 01:00:00 GMT"
    response = api.get("/api/v1/targets/", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304


def test_reference_lists_and_details_answer_304_by_content(api, scjg, plan):
    for url in ["/api/v1/departments/", f"/api/v1/plans/{plan.pk}/"]:
        etag = api.get(url)["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    etag = api.get("/api/v1/departments/")["ETag"]
    scjg.short_name = "市场监管"
    scjg.save()
    assert api.get("/api/v1/departments/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_new_lead_department_counts_as_a_change_of_the_target(api, plan, scjg, gxj):
    with time_machine.travel(MONDAY, tick=False):
        target, other = TargetFactory(plan=plan, leads=[scjg]), TargetFactory(plan=plan)
    with time_machine.travel(TUESDAY, tick=False):
        target.lead_departments.add(gxj)
        gxj.supported_targets.add(other)

    rows = since(api, "/api/v1/targets/", TUESDAY).json()["results"]

    assert [row["id"] for row in rows] == [target.pk, other.pk]
    assert rows[0]["lead_departments"] == ["区工信局", "区市场监管局"]


def test_a_recompute_moves_only_the_progress_rows_that_changed(
    api, district, scjg, scjg_target, gxj_target
):
    """Issue 12 row 16: a recompute (here of everything, as the nightly run does) leaves the
    computed_at of unchanged rows alone, on SQLite as on PostgreSQL, so a mirror syncing with
    updated_since receives only what changed."""
    from targets.models import Progress
    from targets.services import progress_recompute

    with time_machine.travel(MONDAY, tick=False):
        progress_recompute(as_of=MONDAY.date(), all_quarters=True)
    before = dict(Progress.objects.values_list("pk", "computed_at"))
    with time_machine.travel(TUESDAY, tick=False):
        ObservationFactory(indicator=scjg_target.indicator, region=district, department=scjg,
                           year=2024, value=Decimal("97"))
        progress_recompute(as_of=MONDAY.date(), all_quarters=True)

    response = api.get("/api/v1/progress/", {"updated_since": TUESDAY.isoformat(),
                                             "quarter": "all", "page_size": 1000})
    changed = response.json()["results"]
    assert changed, "the approved figure changed some progress rows"
    assert {row["target"] for row in changed} == {scjg_target.pk}
    untouched = Progress.objects.filter(target=gxj_target)
    assert untouched.exists()
    assert all(row.computed_at == before[row.pk] for row in untouched)
