"""docs/progress.md "Deadline windows" (issue 15): the three deadline windows, for every kind.

Common setting of the worked cases (plan 2021-2025, t0 = 2020 Q4, tY = 2025 Q4) with the
project's 15 days' grace: the 2025 figure is due on 2026-01-15.
- window (as of 2025-12-31, or 2026-01-14): the pace status of the latest approved value,
  ``awaiting_final`` = true (待终期数据);
- overdue (as of 2026-01-15 or later, none approved): ``no_data`` / ``awaiting_final``;
- deadline value approved: the final verdict, no longer awaiting.
Monotone kinds (a cumulative total already reached, a milestone already 已完成) stay
achieved in every window. Pure tests: no database.
"""

from __future__ import annotations

import numpy as np
import pytest

from targets.progress import Settings, Status
from tests.targets.progress_builders import observation_rows, progress_row, target_rows, yearly

GRACE = Settings(stale_grace_days=15)
WINDOW, LAST_DAY, DUE, LATER = "2025-12-31", "2026-01-14", "2026-01-15", "2026-03-31"


def _milestone(*reports):
    return observation_rows(*({"year": y, "quarter": 4, "state": s} for y, s in reports))


def _criteria(*reports):
    return observation_rows(*({"year": y, "quarter": 4, "criteria_met": m} for y, m in reports))


# kind → (target, observations through 2024, the window's pace status, the 2025 figure,
#         the final verdict with it)
KINDS = {
    "level": (
        {"baseline_value": 90.0},
        yearly((2024, 95.8)),
        Status.ON_TRACK,
        yearly((2024, 95.8), (2025, 96.1)),
        Status.ACHIEVED,
    ),
    "range": (
        {"kind": "range", "comparator": "range", "value_high": 98.0, "baseline_value": 90.0},
        yearly((2024, 94.0)),
        Status.LAGGING,
        yearly((2024, 94.0), (2025, 95.0)),
        Status.NOT_ACHIEVED,
    ),
    "assigned": (
        {"kind": "assigned", "baseline_value": 90.0},
        yearly((2024, 91.0)),
        Status.OFF_TRACK,
        yearly((2024, 91.0), (2025, 97.0)),
        Status.ACHIEVED,
    ),
    "maintain": (
        {"kind": "maintain", "value": 98.0},
        yearly((2021, 98.3), (2022, 98.9), (2023, 98.1), (2024, 98.2)),
        Status.ON_TRACK,
        yearly((2021, 98.3), (2022, 98.9), (2023, 98.1), (2024, 98.2), (2025, 98.5)),
        Status.ACHIEVED,
    ),
    "annual_increment": (
        {"kind": "annual_increment", "value": 5.0},
        yearly((2021, 5.0), (2022, 5.0), (2023, 5.0), (2024, 4.0)),
        Status.OFF_TRACK,
        yearly((2021, 5.0), (2022, 5.0), (2023, 5.0), (2024, 4.0), (2025, 5.0)),
        Status.NOT_ACHIEVED,
    ),
    "cumulative_new": (
        {"kind": "cumulative_new", "value": 10.0},
        yearly((2021, 2.0), (2022, 2.0), (2023, 2.0), (2024, 2.0)),
        Status.ON_TRACK,
        yearly((2021, 2.0), (2022, 2.0), (2023, 2.0), (2024, 2.0), (2025, 2.0)),
        Status.ACHIEVED,
    ),
    "period_average": (
        {"kind": "period_average", "value": 57.5, "upper_bound": 100.0},
        yearly((2021, 58.0), (2022, 58.0), (2023, 58.0), (2024, 58.0)),
        Status.ON_TRACK,
        yearly((2021, 58.0), (2022, 58.0), (2023, 58.0), (2024, 58.0), (2025, 50.0)),
        Status.NOT_ACHIEVED,
    ),
    "direction": (
        {"kind": "direction", "comparator": "le", "value": np.nan, "baseline_value": 0.50},
        yearly((2021, 0.48), (2022, 0.47), (2023, 0.46), (2024, 0.45)),
        Status.ON_TRACK,
        yearly((2021, 0.48), (2022, 0.47), (2023, 0.46), (2024, 0.45), (2025, 0.44)),
        Status.ACHIEVED,
    ),
    "milestone": (
        {"kind": "milestone", "value": np.nan},
        _milestone((2024, "推进中")),
        Status.ON_TRACK,
        _milestone((2024, "推进中"), (2025, "推进中")),
        Status.NOT_ACHIEVED,
    ),
    "milestone_criteria": (
        {"kind": "milestone", "value": np.nan, "criteria_total": 8},
        _criteria((2024, 5)),
        Status.LAGGING,
        _criteria((2024, 5), (2025, 8)),
        Status.ACHIEVED,
    ),
}


@pytest.mark.parametrize("as_of", [WINDOW, LAST_DAY])
@pytest.mark.parametrize("kind", list(KINDS))
def test_before_the_deadline_figure_is_due_the_row_keeps_its_pace_status(kind, as_of):
    target, before, pace_status, _, _ = KINDS[kind]

    row = progress_row(target_rows(target), before, as_of, settings=GRACE)

    assert row["status"] == pace_status
    assert bool(row["awaiting_final"]) is True
    assert np.isnan(row["projected_value"]) or row["status"] != Status.NO_DATA


@pytest.mark.parametrize("as_of", [DUE, LATER])
@pytest.mark.parametrize("kind", list(KINDS))
def test_once_the_deadline_figure_is_overdue_the_row_awaits_it(kind, as_of):
    target, before, _, _, _ = KINDS[kind]

    row = progress_row(target_rows(target), before, as_of, settings=GRACE)

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "awaiting_final"
    assert bool(row["awaiting_final"]) is True
    assert np.isnan(row["projected_value"])


@pytest.mark.parametrize("as_of", [WINDOW, DUE, LATER])
@pytest.mark.parametrize("kind", list(KINDS))
def test_an_approved_deadline_figure_gives_the_final_verdict_in_every_window(kind, as_of):
    target, _, _, final, verdict = KINDS[kind]

    row = progress_row(target_rows(target), final, as_of, settings=GRACE)

    assert row["status"] == verdict
    assert bool(row["awaiting_final"]) is False


def test_case_11a_prime_is_the_pace_of_2024s_value_awaiting_the_final_one():
    row = progress_row(
        target_rows(baseline_value=90.0), yearly((2024, 95.8)), WINDOW, settings=GRACE
    )

    assert row["elapsed_share"] == pytest.approx(0.8)
    assert row["completion_ratio"] == pytest.approx(0.966667, abs=1e-6)
    assert row["pace"] == pytest.approx(1.208333, abs=1e-6)
    assert row["status"] == Status.ON_TRACK
    assert row["awaiting_final"]
    assert not row["stale"]


@pytest.mark.parametrize("as_of", ["2025-09-30", WINDOW, DUE, LATER])
def test_a_cumulative_total_already_reached_stays_achieved(as_of):  # 赣州 T014
    row = progress_row(
        target_rows(kind="cumulative_new", value=10.0),
        yearly((2021, 3.0), (2022, 3.0), (2023, 4.0)),
        as_of,
        settings=GRACE,
    )

    assert row["status"] == Status.ACHIEVED
    assert not row["awaiting_final"]


@pytest.mark.parametrize("as_of", ["2025-09-30", WINDOW, DUE, LATER])
def test_a_milestone_already_done_stays_achieved(as_of):
    row = progress_row(
        target_rows(kind="milestone", value=np.nan),
        _milestone((2022, "推进中"), (2023, "已完成")),
        as_of,
        settings=GRACE,
    )

    assert row["status"] == Status.ACHIEVED
    assert not row["awaiting_final"]


def test_a_milestone_past_its_deadline_without_a_deadline_report_is_not_judged_missed():
    # 赣州 T027, 湛江 T031: no report for the deadline year is 待填报, not 未完成.
    row = progress_row(
        target_rows(kind="milestone", value=np.nan),
        _milestone((2023, "推进中")),
        "2026-12-31",
        settings=GRACE,
    )

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "awaiting_final"
    assert row["awaiting_final"]


def test_quarterly_figures_have_the_same_window():
    targets = target_rows(baseline_value=90.0, frequency="quarterly")
    through_q3 = observation_rows((2025, 3, 95.8))

    window = progress_row(targets, through_q3, WINDOW, settings=GRACE)
    overdue = progress_row(targets, through_q3, DUE, settings=GRACE)

    assert window["status"] == Status.ON_TRACK
    assert window["awaiting_final"]
    assert overdue["status"] == Status.NO_DATA
    assert overdue["reason"] == "awaiting_final"


def test_before_the_deadline_nothing_awaits_the_final_figure():
    row = progress_row(target_rows(baseline_value=90.0), yearly((2024, 95.8)), "2025-09-30")

    assert not row["awaiting_final"]
