"""Worked cases 1-12 (docs/progress.md "Worked cases"), each sub-case asserted here.

Pure tests: no database, no Django. Common setting: base year 2020 (t0 = 2020 Q4),
deadline 2025 (tY = 2025 Q4), annual values dated Q4, bands 0.95 / 0.60.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from targets.progress import Settings, Status, compute_progress
from tests.targets.progress_builders import observation_rows, progress_row, target_rows, yearly

pytestmark: list[pytest.MarkDecorator] = []

Q1_2024 = "2024-03-31"

# --- Case 1: level ≥, pace at data time -------------------------------------------------


def test_level_pace_is_measured_at_data_time_not_at_the_as_of_date():  # 1a
    row = progress_row(target_rows(baseline_value=90.0), yearly((2023, 93.6)), Q1_2024)

    assert row["elapsed_share"] == pytest.approx(0.6)
    assert row["elapsed_share_asof"] == pytest.approx(0.65)
    assert row["completion_ratio"] == pytest.approx(0.6)
    assert row["pace"] == 1.0
    assert row["status"] == Status.ON_TRACK
    assert (row["data_year"], row["data_quarter"]) == (2023, 4)
    assert not row["stale"]


@pytest.mark.parametrize(
    ("value", "ratio", "pace", "status", "moving_away"),
    [
        (92.9, 0.483333, 0.805556, Status.LAGGING, False),  # 1b
        (91.0, 0.166667, 0.277778, Status.OFF_TRACK, False),  # 1c
        (89.5, -0.083333, -0.138889, Status.OFF_TRACK, True),  # 1d
    ],
)
def test_level_pace_falls_into_the_lagging_and_off_track_bands(
    value, ratio, pace, status, moving_away
):
    row = progress_row(target_rows(baseline_value=90.0), yearly((2023, value)), Q1_2024)

    assert row["completion_ratio"] == pytest.approx(ratio, abs=1e-6)
    assert row["pace"] == pytest.approx(pace, abs=1e-6)
    assert row["status"] == status
    assert bool(row["moving_away"]) is moving_away


def test_level_pace_of_0_95_after_float_noise_is_on_track():  # 1e
    row = progress_row(
        target_rows(baseline_value=90.0, frequency="quarterly"),
        observation_rows((2023, 2, 92.85)),
        "2023-06-30",
    )

    assert row["elapsed_share"] == 0.5
    assert row["completion_ratio"] == pytest.approx(0.475)
    assert row["pace"] == 0.95
    assert row["status"] == Status.ON_TRACK


# --- Case 2: level ≥ without baseline ---------------------------------------------------


def test_level_without_baseline_moves_t0_to_the_first_value():  # 2a
    row = progress_row(target_rows(), yearly((2021, 91.0), (2023, 93.4)), Q1_2024)

    assert row["elapsed_share"] == 0.5
    assert row["completion_ratio"] == pytest.approx(0.48)
    assert row["pace"] == pytest.approx(0.96)
    assert row["status"] == Status.ON_TRACK


def test_level_without_baseline_and_one_missing_value_is_insufficient_data():  # 2b
    row = progress_row(target_rows(), yearly((2022, 94.0)), Q1_2024)

    assert row["status"] == Status.INSUFFICIENT_DATA
    assert row["reason"] == "no_baseline"
    # Issue 16 turned the sign: gap = s·(c - T), so 2 short of a ≥ 96 target is -2 (差 2).
    assert row["gap"] == pytest.approx(-2.0)
    assert np.isnan(row["completion_ratio"])


def test_level_without_baseline_and_one_meeting_value_is_achieved():  # 2c
    row = progress_row(target_rows(), yearly((2022, 96.5)), Q1_2024)

    assert row["status"] == Status.ACHIEVED


# --- Case 3: at most, baseline already meets --------------------------------------------


def test_at_most_with_baseline_already_meeting_is_achieved_without_ratio():  # 3, 2023 = 23
    row = progress_row(
        target_rows(comparator="le", value=25.0, baseline_value=24.0),
        yearly((2023, 23.0)),
        Q1_2024,
    )

    assert row["status"] == Status.ACHIEVED
    assert np.isnan(row["completion_ratio"])


def test_at_most_with_baseline_already_meeting_is_off_track_on_a_breach():  # 3, 2024 = 26
    row = progress_row(
        target_rows(comparator="le", value=25.0, baseline_value=24.0),
        yearly((2023, 23.0), (2024, 26.0)),
        "2025-03-31",
    )

    assert row["status"] == Status.OFF_TRACK
    assert bool(row["moving_away"]) is True
    assert np.isnan(row["completion_ratio"])
    assert row["reason"] == "baseline_met"


def test_at_most_is_achieved_at_the_deadline_despite_an_earlier_breach():  # 3, 2025 = 25.0
    row = progress_row(
        target_rows(comparator="le", value=25.0, baseline_value=24.0),
        yearly((2023, 23.0), (2024, 26.0), (2025, 25.0)),
        "2026-03-31",
    )

    assert row["status"] == Status.ACHIEVED


# --- Case 4: maintain -------------------------------------------------------------------

MAINTAIN_SERIES = [(2021, 98.3), (2022, 98.9), (2023, 97.9), (2024, 98.2), (2025, 98.5)]


@pytest.mark.parametrize(
    ("years", "as_of", "status", "met", "total"),
    [
        (2, "2023-03-31", Status.ON_TRACK, 2, 2),  # 4a
        (3, "2024-03-31", Status.OFF_TRACK, 2, 3),  # 4b
        (4, "2025-03-31", Status.LAGGING, 3, 4),  # 4c
        (5, "2026-03-31", Status.NOT_ACHIEVED, 4, 5),  # 4d
    ],
)
def test_maintain_judges_every_period_and_counts_periods_met(years, as_of, status, met, total):
    row = progress_row(
        target_rows(kind="maintain", value=98.0), yearly(*MAINTAIN_SERIES[:years]), as_of
    )

    assert row["status"] == status
    assert (row["periods_met"], row["periods_total"]) == (met, total)


def test_maintain_is_achieved_at_the_deadline_when_every_period_met():  # 4d variant
    series = [(year, 98.0 if year == 2023 else value) for year, value in MAINTAIN_SERIES]

    row = progress_row(target_rows(kind="maintain", value=98.0), yearly(*series), "2026-03-31")

    assert row["status"] == Status.ACHIEVED
    assert (row["periods_met"], row["periods_total"]) == (5, 5)


# --- Case 5: rate near 100 %, capping and projection ------------------------------------


def test_rate_near_100_projects_clipped_to_the_natural_bound():  # 5
    row = progress_row(
        target_rows(value=99.5, baseline_value=98.0, upper_bound=100.0, lower_bound=0.0),
        yearly((2021, 98.6), (2022, 99.2)),
        "2023-03-31",
    )

    assert row["elapsed_share"] == pytest.approx(0.4)
    assert row["completion_ratio"] == pytest.approx(0.8)
    assert row["pace"] == pytest.approx(2.0)
    assert row["status"] == Status.ON_TRACK
    assert not row["provisional"]
    assert row["projected_value"] == 100.0
    assert row["projected_to_meet"] is True or row["projected_to_meet"] == True  # noqa: E712


def test_rate_near_100_keeps_the_raw_ratio_above_one_when_achieved():  # 5, + 2023
    row = progress_row(
        target_rows(value=99.5, baseline_value=98.0, upper_bound=100.0),
        yearly((2021, 98.6), (2022, 99.2), (2023, 99.8)),
        Q1_2024,
    )

    assert row["status"] == Status.ACHIEVED
    assert row["completion_ratio"] == pytest.approx(1.2)


# --- Case 6: cumulative new with a range ------------------------------------------------


def test_cumulative_range_lags_below_the_low_end():  # 6a
    row = progress_row(
        target_rows(kind="cumulative_new", comparator="range", value=2.0, value_high=3.0),
        yearly((2021, 0.0), (2022, 1.0), (2023, 0.0)),
        Q1_2024,
    )

    assert row["current_value"] == 1.0
    assert row["elapsed_share"] == pytest.approx(0.6)
    assert row["completion_ratio"] == pytest.approx(0.5)
    assert row["pace"] == pytest.approx(0.833333)
    assert row["status"] == Status.LAGGING


def test_cumulative_range_is_achieved_and_exceeds_stretch_at_the_high_end():  # 6b
    row = progress_row(
        target_rows(kind="cumulative_new", comparator="range", value=2.0, value_high=3.0),
        yearly((2021, 1.0), (2022, 0.0), (2023, 2.0)),
        Q1_2024,
    )

    assert row["status"] == Status.ACHIEVED
    assert bool(row["exceeds_stretch"]) is True
    assert row["completion_ratio"] == pytest.approx(1.5)


# --- Case 7: annual increment, once-a-year awards ---------------------------------------

AWARDS_BEFORE = [(2021, None, 5.0), (2022, None, 6.0), (2023, None, 5.0)]
AWARDS_2024 = [(2024, 1, 0.0), (2024, 2, 0.0), (2024, 3, 0.0)]


def _awards(profile: str = "annual"):
    return target_rows(kind="annual_increment", value=5.0, frequency="quarterly", profile=profile)


def test_annual_increment_once_a_year_is_on_track_before_q4():  # 7a
    row = progress_row(_awards(), observation_rows(*AWARDS_BEFORE, *AWARDS_2024), "2024-09-30")

    assert row["expected_value"] == 0.0
    assert row["status"] == Status.ON_TRACK


def test_annual_increment_uniform_profile_raises_the_false_alarm():  # 7a, uniform
    row = progress_row(
        _awards("uniform"), observation_rows(*AWARDS_BEFORE, *AWARDS_2024), "2024-09-30"
    )

    assert row["expected_value"] == pytest.approx(3.75)
    assert row["pace"] == 0.0
    assert row["status"] == Status.OFF_TRACK


def test_annual_increment_closed_year_missed_is_off_track():  # 7b
    row = progress_row(
        _awards(), observation_rows(*AWARDS_BEFORE, *AWARDS_2024, (2024, 4, 4.0)), "2024-12-31"
    )

    assert row["status"] == Status.OFF_TRACK
    assert (row["periods_met"], row["periods_total"]) == (3, 4)


@pytest.mark.parametrize(
    ("rule", "status"), [("strict", Status.NOT_ACHIEVED), ("cumulative", Status.ACHIEVED)]
)
def test_annual_increment_at_the_deadline_follows_the_annual_rule(rule, status):  # 7c
    observations = observation_rows(
        *AWARDS_BEFORE,
        *AWARDS_2024,
        (2024, 4, 4.0),
        (2025, 1, 0.0),
        (2025, 2, 0.0),
        (2025, 3, 0.0),
        (2025, 4, 5.0),
    )

    row = progress_row(_awards(), observations, "2026-03-31", settings=Settings(annual_rule=rule))

    assert row["status"] == status
    assert (row["periods_met"], row["periods_total"]) == (4, 5)


# --- Case 8: period average -------------------------------------------------------------


def _average(**overrides):
    return target_rows(
        kind="period_average", value=57.5, upper_bound=100.0, lower_bound=0.0, **overrides
    )


def test_period_average_without_baseline_is_on_track_when_need_is_covered():  # 8a
    row = progress_row(_average(), yearly((2021, 55.0), (2022, 60.0), (2023, 58.0)), Q1_2024)

    assert row["needed_average"] == pytest.approx(57.25)
    assert row["gap"] == pytest.approx(57.666667 - 57.5, abs=1e-6)
    assert row["status"] == Status.ON_TRACK


def test_period_average_with_baseline_lags_on_its_average_pace():  # 8b
    row = progress_row(
        _average(baseline_value=50.0), yearly((2021, 53.0), (2022, 56.0), (2023, 57.0)), Q1_2024
    )

    assert row["pace"] == pytest.approx(0.711111, abs=1e-6)
    assert row["needed_average"] == pytest.approx(60.75)
    assert row["status"] == Status.LAGGING


def test_period_average_that_can_no_longer_be_met_is_unattainable():  # 8c
    row = progress_row(
        _average(baseline_value=18.0), yearly((2021, 20.0), (2022, 22.0), (2023, 25.0)), Q1_2024
    )

    assert row["needed_average"] == pytest.approx(110.25)
    assert row["status"] == Status.OFF_TRACK
    assert bool(row["unattainable"]) is True


def test_period_average_unattainable_becomes_not_achieved_at_the_deadline():  # 8c, deadline
    series = yearly((2021, 20.0), (2022, 22.0), (2023, 25.0), (2024, 100.0), (2025, 100.0))

    row = progress_row(_average(baseline_value=18.0), series, "2026-03-31")

    assert row["status"] == Status.NOT_ACHIEVED
    assert not row["unattainable"]


# --- Case 9: direction only -------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "status", "moving_away"),
    [
        ((0.50, 0.48, 0.47, 0.46), Status.ON_TRACK, False),  # 9a
        ((0.50, 0.48, 0.47, 0.48), Status.LAGGING, False),  # 9b
        ((0.50, 0.51, 0.52, 0.51), Status.OFF_TRACK, True),  # 9c
        ((0.50, 0.51, 0.52, 0.53), Status.OFF_TRACK, True),  # 9d
    ],
)
def test_direction_uses_average_and_last_change(series, status, moving_away):
    observations = yearly(*zip(range(2020, 2024), series, strict=True))

    row = progress_row(
        target_rows(kind="direction", comparator="le", value=np.nan), observations, Q1_2024
    )

    assert row["status"] == status
    assert bool(row["moving_away"]) is moving_away


@pytest.mark.parametrize(
    ("final", "status"), [(0.45, Status.ACHIEVED), (0.50, Status.NOT_ACHIEVED)]
)
def test_direction_at_the_deadline_needs_net_improvement(final, status):  # 9e
    observations = yearly(
        (2020, 0.50), (2021, 0.48), (2022, 0.47), (2023, 0.46), (2024, 0.47), (2025, final)
    )

    row = progress_row(
        target_rows(kind="direction", comparator="le", value=np.nan), observations, "2026-03-31"
    )

    assert row["status"] == status


# --- Case 10: milestone with sub-criteria -----------------------------------------------


def _criteria(met: int, year: int = 2023):
    return observation_rows(
        {"year": year, "quarter": 4, "state": "in_progress", "criteria_met": met}
    )


@pytest.mark.parametrize(
    ("met", "ratio", "pace", "status"),
    [(3, 0.375, 0.625, Status.LAGGING), (5, 0.625, 1.041667, Status.ON_TRACK)],
)
def test_milestone_sub_criteria_are_paced_like_a_ratio(met, ratio, pace, status):  # 10
    row = progress_row(
        target_rows(kind="milestone", value=np.nan, criteria_total=8), _criteria(met), Q1_2024
    )

    assert row["elapsed_share"] == pytest.approx(0.6)
    assert row["completion_ratio"] == pytest.approx(ratio)
    assert row["pace"] == pytest.approx(pace)
    assert row["status"] == status


@pytest.mark.parametrize(("met", "status"), [(7, Status.NOT_ACHIEVED), (8, Status.ACHIEVED)])
def test_milestone_sub_criteria_after_the_deadline_need_all_met(met, status):  # 10
    row = progress_row(
        target_rows(kind="milestone", value=np.nan, criteria_total=8),
        _criteria(met, year=2025),
        "2026-03-31",
    )

    assert row["status"] == status


@pytest.mark.parametrize(
    ("year", "as_of", "status"),
    [(2023, "2024-03-31", Status.LAGGING), (2022, "2023-03-31", Status.ON_TRACK)],
)
def test_milestone_not_started_lags_only_after_half_time(year, as_of, status):  # 10 state-only
    row = progress_row(
        target_rows(kind="milestone", value=np.nan),
        observation_rows({"year": year, "quarter": 4, "state": "未启动"}),
        as_of,
    )

    assert row["status"] == status


# --- Case 11: after the deadline, and no data -------------------------------------------


def test_level_after_deadline_without_final_value_awaits_it():  # 11a
    row = progress_row(target_rows(baseline_value=90.0), yearly((2024, 95.8)), "2026-03-31")

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "awaiting_final"
    assert np.isnan(row["projected_value"])
    assert pd.isna(row["projected_to_meet"])


def test_level_after_deadline_with_final_value_is_achieved():  # 11b
    row = progress_row(
        target_rows(baseline_value=90.0), yearly((2024, 95.8), (2025, 96.1)), "2026-03-31"
    )

    assert row["status"] == Status.ACHIEVED


def test_level_after_deadline_ignores_values_of_later_years():  # 11c
    row = progress_row(
        target_rows(baseline_value=90.0),
        yearly((2024, 95.8), (2025, 96.1), (2026, 95.0)),
        "2027-03-31",
    )

    assert row["status"] == Status.ACHIEVED
    assert row["current_value"] == 96.1


def test_level_without_values_after_the_base_year_has_no_data():  # 11d
    row = progress_row(target_rows(baseline_value=90.0), yearly((2020, 90.0)), "2022-06-30")

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "no_observation"


# --- Case 12: 确保 / 力争 and binding targets in the rollup -------------------------------


def test_department_rollup_counts_ensure_aspire_and_binding_targets():  # 12
    targets = target_rows(
        {
            "target_id": 1,
            "indicator_id": 1,
            "kind": "range",
            "comparator": "range",
            "value": 95.0,
            "value_high": 98.0,
            "binding": True,
        },
        {
            "target_id": 2,
            "indicator_id": 2,
            "kind": "cumulative_new",
            "value": 3.0,
            "aspirational": True,
        },
        {"target_id": 3, "indicator_id": 3, "comparator": "le", "value": 25.0, "binding": True},
    )
    observations = pd.concat(
        [
            yearly((2025, 96.0)),
            observation_rows(
                *(
                    (y, None, v)
                    for y, v in [(2021, 0.0), (2022, 1.0), (2023, 0.0), (2024, 1.0), (2025, 0.0)]
                ),
                indicator_id=2,
            ),
            observation_rows((2025, None, 27.0), indicator_id=3),
        ],
        ignore_index=True,
    )

    progress = compute_progress(targets, observations, as_of=pd.Timestamp("2026-03-31"))

    assert progress["status"].tolist() == [
        Status.ACHIEVED,
        Status.NOT_ACHIEVED,
        Status.NOT_ACHIEVED,
    ]
    assert progress["exceeds_stretch"].tolist() == [False, False, False]
    assert progress["aspirational"].tolist() == [False, True, False]
    good = progress["status"].isin([Status.ACHIEVED, Status.ON_TRACK])
    assessable = progress[~progress["aspirational"]]
    assert good[assessable.index].sum() / len(assessable) == 0.5
    assert good.sum() / len(progress) == pytest.approx(1 / 3)
    binding_missed = progress["binding"] & progress["status"].eq(Status.NOT_ACHIEVED)
    assert binding_missed.sum() == 1
