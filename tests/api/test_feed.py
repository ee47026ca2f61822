"""The public feed: what a portal sees, how it filters, pages and stays cheap."""

import pytest

from indicators.models import Observation
from tests.factories import (
    DepartmentFactory,
    ObservationFactory,
    PlanFactory,
    ProgressFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def ids(response):
    return [row["id"] for row in response.json()["results"]]


# --- Observations -----------------------------------------------------------------------------


def test_public_feed_shows_approved_figures_only(api, district, quality_rate):
    approved = ObservationFactory(indicator=quality_rate, region=district, year=2022)
    for year, status in [(2023, "draft"), (2024, "submitted"), (2021, "returned")]:
        ObservationFactory(indicator=quality_rate, region=district, year=year, status=status)

    response = api.get("/api/v1/observations/")

    assert response.status_code == 200
    assert ids(response) == [approved.pk]
    row = response.json()["results"][0]
    assert row["value"] == 93.5
    assert row["period"] == "2022"
    assert row["published"] is True
    assert row["region"] == "赣榆区"


def test_public_feed_will_not_show_a_draft_even_by_id_or_status_filter(api, district):
    draft = ObservationFactory(region=district, status=Observation.Status.DRAFT)

    assert api.get(f"/api/v1/observations/{draft.pk}/").status_code == 404
    assert ids(api.get("/api/v1/observations/?status=draft")) == []


def test_mine_needs_credentials(api):
    response = api.get("/api/v1/observations/?mine=1")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_department_sees_its_own_drafts_with_mine(api, district, scjg_user, scjg_target, gxj_user):
    draft = ObservationFactory(
        indicator=scjg_target.indicator, region=district, status="draft", comment="请核实"
    )

    api.force_authenticate(scjg_user)
    mine = api.get("/api/v1/observations/?mine=1")
    public = api.get("/api/v1/observations/")
    api.force_authenticate(gxj_user)
    other = api.get("/api/v1/observations/?mine=1")

    assert ids(mine) == [draft.pk]
    assert mine.json()["results"][0]["status"] == "draft"
    assert mine.json()["results"][0]["comment"] == "请核实"
    assert ids(public) == []
    assert ids(other) == []


def test_observation_filters_by_period_indicator_and_plan(api, district, scjg_target, other_city):
    indicator = scjg_target.indicator
    q1 = ObservationFactory(indicator=indicator, region=district, year=2024, quarter=1)
    ObservationFactory(indicator=indicator, region=district, year=2024, quarter=2)
    ObservationFactory(indicator=indicator, region=other_city, year=2024, quarter=1)

    assert ids(api.get("/api/v1/observations/?period=2024Q1&region=赣榆区")) == [q1.pk]
    assert ids(api.get("/api/v1/observations/?plan=ganyu-2025&quarter=1")) == [q1.pk]
    assert len(ids(api.get("/api/v1/observations/?indicator=quality_rate"))) == 3
    bad = api.get("/api/v1/observations/?period=2024Q9")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "period"


# --- Targets (issue #3) -----------------------------------------------------------------------


def test_targets_list_carries_what_the_plan_says(api, scjg_target):
    response = api.get("/api/v1/targets/")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["id"] == scjg_target.pk
    assert row["region"] == "赣榆区"
    assert row["plan"] == "ganyu-2025"
    assert row["indicator"] == "quality_rate"
    assert row["unit"] == "%"
    assert row["kind"] == "level"
    assert row["comparator"] == "ge"
    assert row["value"] == 96
    assert row["value_high"] is None
    assert row["deadline_year"] == 2025
    assert row["baseline_value"] == 90
    assert row["baseline_year"] == 2020
    assert row["aspirational"] is False
    assert row["lead_departments"] == ["区市场监管局"]
    assert row["participating_departments"] == ["区工信局"]
    assert row["source_clause"] == "一、(二)"
    assert row["source_quote"].startswith("产品质量监督抽查合格率")


def test_targets_filter_by_region_plan_indicator_department_and_kind(
    api, scjg_target, gxj_target, other_city
):
    elsewhere = TargetFactory(plan=PlanFactory(code="yancheng", region=other_city))

    def get(query: str) -> list[int]:
        response = api.get(f"/api/v1/targets/?{query}")
        assert response.status_code == 200, response.json()
        return ids(response)

    assert get("region=赣榆区") == [scjg_target.pk, gxj_target.pk]
    assert get("region=320900") == [elsewhere.pk]
    assert get("plan=yancheng") == [elsewhere.pk]
    assert get("indicator=enterprise_count") == [gxj_target.pk]
    assert get("department=区工信局") == [scjg_target.pk, gxj_target.pk]  # leads or takes part
    assert get("lead_department=区工信局") == [gxj_target.pk]
    assert get("kind=cumulative_new") == [gxj_target.pk]
    assert get("kind=level&region=赣榆区") == [scjg_target.pk]


def test_targets_page_up_to_1000_in_id_order(api, district):
    plan = PlanFactory(region=district)
    created = [TargetFactory(plan=plan).pk for _ in range(5)]

    first = api.get("/api/v1/targets/?page_size=2")
    big = api.get("/api/v1/targets/?page_size=5000")

    assert ids(first) == created[:2]
    assert first.json()["count"] == 5
    assert "page=2" in first.json()["next"]
    assert ids(big) == created


def test_unknown_filter_value_is_a_400_naming_the_field(api):
    response = api.get("/api/v1/targets/?kind=wishful")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "kind"
    assert error["code"] == "invalid_choice"
    assert error["message"]


# --- Plans and reference lists ---------------------------------------------------------------


def test_plans_list_with_their_target_counts(api, scjg_target, gxj_target):
    row = api.get("/api/v1/plans/?region=赣榆区").json()["results"][0]

    assert row["code"] == "ganyu-2025"
    assert row["target_count"] == 2
    assert row["status_label"] == "执行中"


def test_reference_lists_regions_departments_indicators(api, scjg, gxj, quality_rate):
    regions = api.get("/api/v1/regions/?level=district").json()["results"]
    departments = api.get("/api/v1/departments/?region=320707").json()["results"]
    indicators = api.get("/api/v1/indicators/?department=区市场监管局").json()["results"]

    assert [r["name"] for r in regions] == ["赣榆区"]
    assert regions[0]["parent"] == "320700"
    assert {d["name"] for d in departments} == {"区市场监管局", "区工信局"}
    assert indicators == []  # scjg leads nothing yet


# --- Progress ---------------------------------------------------------------------------------


def test_progress_defaults_to_the_latest_quarter(api, scjg_target):
    ProgressFactory(target=scjg_target, year=2025, quarter=3, status="lagging")
    latest = ProgressFactory(
        target=scjg_target, year=2025, quarter=4, status="on_track", current_value=93.5,
        completion_ratio=0.583, elapsed_share=0.5, expected_value=93.0, projected_value=96.4,
        projected_to_meet=True,
    )

    response = api.get("/api/v1/progress/")

    assert ids(response) == [latest.pk]
    row = response.json()["results"][0]
    assert row["target"] == scjg_target.pk
    assert row["quarter"] == "2025Q4"
    assert row["status"] == "on_track"
    assert row["status_label"] == "进度正常"
    assert row["current_value"] == 93.5
    assert row["completion_ratio"] == 0.583
    assert row["elapsed_share"] == 0.5
    assert row["expected_value"] == 93.0
    assert row["projected_value"] == 96.4
    assert row["projected_to_meet"] is True
    assert row["lead_departments"] == ["区市场监管局"]


def test_progress_rows_carry_awaiting_final_and_the_reason(api, scjg_target, gxj_target):
    # Issue 15: 待终期数据 and why a row is 数据不足 travel with the feed's progress rows.
    ProgressFactory(target=scjg_target, year=2025, quarter=4, status="on_track",
                    awaiting_final=True)
    ProgressFactory(target=gxj_target, year=2025, quarter=4, status="insufficient_data",
                    reason="no_baseline")

    rows = {r["target"]: r for r in api.get("/api/v1/progress/?quarter=2025Q4").json()["results"]}

    assert rows[scjg_target.pk]["awaiting_final"] is True
    assert rows[gxj_target.pk]["awaiting_final"] is False
    assert rows[gxj_target.pk]["reason"] == "no_baseline"


def test_progress_by_quarter_and_filters(api, scjg_target, gxj_target):
    q3 = ProgressFactory(target=scjg_target, year=2025, quarter=3, status="lagging")
    ProgressFactory(target=scjg_target, year=2025, quarter=4, status="on_track")
    gxj_q3 = ProgressFactory(target=gxj_target, year=2025, quarter=3, status="off_track")

    assert ids(api.get("/api/v1/progress/?quarter=2025Q3")) == [q3.pk, gxj_q3.pk]
    assert ids(api.get("/api/v1/progress/?quarter=2025Q3&status=off_track")) == [gxj_q3.pk]
    assert ids(api.get("/api/v1/progress/?quarter=2025Q3&lead_department=区工信局")) == [gxj_q3.pk]
    assert ids(api.get("/api/v1/progress/?quarter=2025Q3&indicator=quality_rate")) == [q3.pk]
    assert ids(api.get("/api/v1/progress/?quarter=2025Q3&kind=cumulative_new")) == [gxj_q3.pk]
    assert len(ids(api.get("/api/v1/progress/?quarter=all&plan=ganyu-2025"))) == 3


def test_progress_refuses_a_malformed_quarter_in_chinese(api):
    response = api.get("/api/v1/progress/?quarter=2025Q5")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "quarter", "code": "invalid_quarter",
         "message": "季度“2025Q5”格式不正确，季度应为1至4。"}
    ]


# --- Cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 20])
def test_list_queries_do_not_grow_with_rows(api, district, rows, django_assert_max_num_queries):
    plan = PlanFactory(region=district)
    departments = [DepartmentFactory(region=district) for _ in range(3)]
    for _ in range(rows):
        target = TargetFactory(plan=plan, leads=departments[:2])
        target.participating_departments.set(departments[2:])
        ProgressFactory(target=target)
        ObservationFactory(indicator=target.indicator, region=district)

    for url, limit in [
        ("/api/v1/targets/", 6),
        ("/api/v1/progress/", 6),
        ("/api/v1/observations/", 5),
        ("/api/v1/plans/", 5),
        ("/api/v1/regions/", 3),
        ("/api/v1/departments/", 3),
        ("/api/v1/indicators/", 3),
    ]:
        with django_assert_max_num_queries(limit):
            response = api.get(url)
        assert response.status_code == 200
        assert response.json()["count"] >= 1


def test_errors_are_json_with_a_chinese_message(api):
    response = api.get("/api/v1/targets/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"field": None, "code": "not_found", "message": "未找到该记录。"}]
    }



def test_a_malformed_id_is_a_json_404_too(api):
    response = api.get("/api/v1/targets/1.5e-3/")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_progress_of_a_closed_plan_defaults_to_its_final_quarter(api, scjg_target, district):
    from targets.models import Plan
    from tests.factories import PlanFactory, TargetFactory

    closed = PlanFactory(region=district, start_year=2016, end_year=2020, base_year=2015,
                         status=Plan.Status.CLOSED)
    old_target = TargetFactory(plan=closed, deadline_year=2020, baseline_year=2015)
    final = ProgressFactory(target=old_target, year=2020, quarter=4, status="achieved")
    ProgressFactory(target=old_target, year=2020, quarter=3, status="on_track")
    current = ProgressFactory(target=scjg_target, year=2025, quarter=4, status="on_track")

    response = api.get("/api/v1/progress/")

    assert sorted(ids(response)) == sorted([final.pk, current.pk])
