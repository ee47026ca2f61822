"""Rollups the dashboards, the PDF and the API share."""

import pytest

from targets.models import Progress
from targets.selectors import (
    parse_quarter,
    progress_for_quarter,
    progress_latest_quarter,
    rollup_by_department,
    rollup_by_region,
    status_counts,
)
from tests.factories import PlanFactory, ProgressFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_parse_quarter_reads_2025q4_and_refuses_nonsense():
    assert parse_quarter("2025Q4") == (2025, 4)
    with pytest.raises(ValueError, match="格式不正确"):
        parse_quarter("2025Q5")


def test_department_rollup_scores_achieved_and_on_track_over_assessable(district, scjg, gxj):
    plan = PlanFactory(region=district)
    statuses = ["achieved", "on_track", "lagging", "no_data"]
    for status in statuses:
        ProgressFactory(target=TargetFactory(plan=plan, leads=[scjg]), status=status)
    ProgressFactory(target=TargetFactory(plan=plan, leads=[gxj]), status="off_track")
    ProgressFactory(
        target=TargetFactory(plan=plan, leads=[scjg], aspirational=True), status="not_achieved"
    )

    rollups = {r.name: r for r in rollup_by_department(progress_for_quarter(year=2025, quarter=4))}

    assert rollups["区市场监管局"].counts["achieved"] == 1
    assert rollups["区市场监管局"].assessable == 3  # no_data and the 力争-only target are out
    assert rollups["区市场监管局"].score == pytest.approx(2 / 3)
    assert rollups["区工信局"].score == 0
    assert progress_latest_quarter() == (2025, 4)


def test_region_rollup_and_status_counts_take_constant_queries(
    district, other_city, django_assert_max_num_queries
):
    for region in (district, other_city):
        plan = PlanFactory(region=region)
        for _ in range(5):
            ProgressFactory(target=TargetFactory(plan=plan), status=Progress.Status.ON_TRACK)

    with django_assert_max_num_queries(2):
        rollups = rollup_by_region(progress_for_quarter(year=2025, quarter=4))
        counts = status_counts(progress_for_quarter(year=2025, quarter=4))

    assert {r.name for r in rollups} == {"赣榆区", "盐城市"}
    assert counts["on_track"] == 10
