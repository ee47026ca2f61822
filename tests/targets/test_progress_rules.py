"""Rules of docs/progress.md beyond its worked cases: precedence, staleness, flows, edge kinds.

Pure tests: no database, no Django.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from targets.progress import Settings, Status, compute_progress
from tests.targets.progress_builders import observation_rows, progress_row, target_rows, yearly

pytestmark: list[pytest.MarkDecorator] = []

Q1_2024 = "2024-03-31"


# --- precedence -------------------------------------------------------------------------


def test_assigned_target_without_value_is_unassigned():
    row = progress_row(target_rows(kind="assigned", value=np.nan), yearly((2023, 5.0)), Q1_2024)

    assert row["status"] == Status.UNASSIGNED
    assert row["reason"] == "no_value"


def test_assigned_target_with_value_behaves_as_a_level():
    row = progress_row(
        target_rows(kind="assigned", value=96.0, baseline_value=90.0), yearly((2023, 93.6)), Q1_2024
    )

    assert row["status"] == Status.ON_TRACK
    assert row["pace"] == 1.0


def test_cancelled_target_is_not_applicable_before_anything_else():
    row = progress_row(
        target_rows(kind="assigned", value=np.nan, cancelled=True), yearly(), Q1_2024
    )

    assert row["status"] == Status.NOT_APPLICABLE
    assert row["reason"] == "cancelled"


def test_thresholds_come_from_settings():
    targets, observations = target_rows(baseline_value=90.0), yearly((2023, 93.0))

    default = progress_row(targets, observations, Q1_2024)
    relaxed = progress_row(targets, observations, Q1_2024, settings=Settings(on_track=0.8))

    assert default["pace"] == pytest.approx(0.833333)
    assert (default["status"], relaxed["status"]) == (Status.LAGGING, Status.ON_TRACK)


# --- time, staleness, provisional -------------------------------------------------------


def test_level_is_stale_after_one_missed_period_and_no_data_after_two():
    targets, observations = target_rows(baseline_value=90.0), yearly((2022, 93.0))

    late = progress_row(targets, observations, Q1_2024)
    gone = progress_row(targets, observations, "2025-03-31")

    assert bool(late["stale"]) is True
    assert late["status"] == Status.ON_TRACK
    assert gone["status"] == Status.NO_DATA
    assert gone["reason"] == "stale"


def test_staleness_waits_for_the_grace_days_after_a_period_ends():
    targets = target_rows(baseline_value=90.0, frequency="quarterly")
    observations = observation_rows((2023, 2, 93.0))

    within_grace = progress_row(targets, observations, "2023-10-15")
    after_grace = progress_row(targets, observations, "2023-11-15")

    assert not within_grace["stale"]
    assert bool(after_grace["stale"]) is True


def test_achieved_cumulative_target_does_not_fall_back_to_no_data_when_reports_stop():
    row = progress_row(
        target_rows(kind="cumulative_new", value=3.0), yearly((2021, 4.0)), "2025-03-31"
    )

    assert row["status"] == Status.ACHIEVED
    assert bool(row["stale"]) is True


def test_first_year_of_data_is_provisional():
    row = progress_row(
        target_rows(baseline_value=90.0, frequency="quarterly"),
        observation_rows((2021, 2, 91.0)),
        "2021-06-30",
    )

    assert bool(row["provisional"]) is True
    assert row["elapsed_share"] == pytest.approx(0.1)


def test_values_of_periods_not_ended_by_the_as_of_date_are_ignored():
    row = progress_row(
        target_rows(baseline_value=90.0), yearly((2023, 93.6), (2024, 99.0)), Q1_2024
    )

    assert row["current_value"] == 93.6


def test_target_baseline_year_sets_its_t0():
    row = progress_row(
        target_rows(baseline_value=90.0, baseline_year=2021), yearly((2023, 93.0)), Q1_2024
    )

    assert row["elapsed_share"] == 0.5
    assert row["pace"] == pytest.approx(1.0)


def test_target_without_deadline_year_runs_to_the_plan_end():
    row = progress_row(
        target_rows(baseline_value=90.0, deadline_year=None), yearly((2023, 93.6)), Q1_2024
    )

    assert row["elapsed_share"] == pytest.approx(0.6)


def test_annual_value_wins_over_a_q4_value_for_the_same_year():
    observations = observation_rows((2023, 4, 91.0), (2023, None, 93.6))

    row = progress_row(target_rows(baseline_value=90.0), observations, Q1_2024)

    assert row["current_value"] == 93.6


def test_base_year_observation_serves_as_the_baseline():
    row = progress_row(target_rows(), yearly((2020, 90.0), (2023, 93.6)), Q1_2024)

    assert row["completion_ratio"] == pytest.approx(0.6)
    assert row["elapsed_share"] == pytest.approx(0.6)


# --- comparators ------------------------------------------------------------------------


def test_equal_to_100_on_a_rate_is_judged_as_at_least_100():
    targets = target_rows(comparator="eq", value=100.0, baseline_value=98.0, upper_bound=100.0)

    assert progress_row(targets, yearly((2023, 100.0)), Q1_2024)["status"] == Status.ACHIEVED
    assert progress_row(targets, yearly((2023, 99.9)), Q1_2024)["status"] != Status.ACHIEVED


def test_strictly_greater_is_not_met_by_the_number_itself():
    targets = target_rows(comparator="gt", value=96.0, baseline_value=90.0)

    assert progress_row(targets, yearly((2023, 96.0)), Q1_2024)["status"] != Status.ACHIEVED
    assert progress_row(targets, yearly((2023, 96.1)), Q1_2024)["status"] == Status.ACHIEVED


def test_rate_at_100_with_baseline_100_is_off_track_when_it_slips():
    targets = target_rows(value=100.0, baseline_value=100.0, upper_bound=100.0)

    kept = progress_row(targets, yearly((2023, 100.0)), Q1_2024)
    slipped = progress_row(targets, yearly((2023, 99.0)), Q1_2024)

    assert kept["status"] == Status.ACHIEVED
    assert slipped["status"] == Status.OFF_TRACK
    assert bool(slipped["moving_away"]) is True


def test_near_limit_tolerance_is_off_by_default_and_applies_at_natural_limits():
    targets = target_rows(value=100.0, baseline_value=98.0, upper_bound=100.0)
    observations = yearly((2023, 99.5))

    strict = progress_row(targets, observations, Q1_2024)
    tolerant = progress_row(
        targets, observations, Q1_2024, settings=Settings(near_limit_tolerance=1.0)
    )

    assert strict["status"] != Status.ACHIEVED
    assert tolerant["status"] == Status.ACHIEVED


def test_ensure_aspire_range_marks_the_stretch_when_reached():
    row = progress_row(
        target_rows(kind="range", comparator="range", value=95.0, value_high=98.0),
        yearly((2025, 98.0)),
        "2026-03-31",
    )

    assert row["status"] == Status.ACHIEVED
    assert bool(row["exceeds_stretch"]) is True


# --- projection -------------------------------------------------------------------------


def test_projection_needs_two_points():
    no_baseline = progress_row(target_rows(), yearly((2022, 94.0)), Q1_2024)
    with_baseline = progress_row(target_rows(baseline_value=90.0), yearly((2022, 94.0)), Q1_2024)

    assert np.isnan(no_baseline["projected_value"])
    assert pd.isna(no_baseline["projected_to_meet"])
    assert with_baseline["projected_value"] == pytest.approx(100.0)
    assert bool(with_baseline["projected_to_meet"]) is True


def test_projection_weights_recent_years_more():
    row = progress_row(
        target_rows(baseline_value=90.0), yearly((2021, 94.0), (2022, 92.0), (2023, 93.0)), Q1_2024
    )

    # weights 1, 2, 3, 4 over t = 0..3 → slope 0.4, intercept 91.8; at t = 5 → 93.8
    assert row["projected_value"] == pytest.approx(93.8)
    assert bool(row["projected_to_meet"]) is False


# --- maintain ---------------------------------------------------------------------------


def test_maintain_quarterly_counts_quarters():
    observations = observation_rows((2021, 1, 98.5), (2021, 2, 97.0), (2021, 3, 98.1))

    row = progress_row(
        target_rows(kind="maintain", value=98.0, frequency="quarterly"), observations, "2021-09-30"
    )

    assert row["status"] == Status.LAGGING
    assert (row["periods_met"], row["periods_total"]) == (2, 3)


def test_maintain_with_a_missing_year_has_no_final_verdict():
    observations = yearly((2021, 99.0), (2022, 99.0), (2024, 99.0), (2025, 99.0))

    row = progress_row(target_rows(kind="maintain", value=98.0), observations, "2026-03-31")

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "missing_period"


def test_maintain_reads_an_annual_indicators_quarterly_value_as_provisional():
    observations = observation_rows((2021, None, 98.5), (2022, 2, 98.7))

    row = progress_row(target_rows(kind="maintain", value=98.0), observations, "2022-06-30")

    assert row["status"] == Status.ON_TRACK
    assert (row["periods_met"], row["periods_total"]) == (1, 1)
    assert bool(row["provisional"]) is True


# --- flows ------------------------------------------------------------------------------


def test_flow_with_a_missing_quarter_has_no_data():
    observations = observation_rows((2021, 1, 1.0), (2021, 3, 1.0))

    row = progress_row(
        target_rows(kind="cumulative_new", value=8.0, frequency="quarterly"),
        observations,
        "2021-09-30",
    )

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "missing_period"


def test_flow_annual_value_replaces_the_quarterly_values_of_its_year():
    observations = observation_rows(
        (2021, 1, 1.0), (2021, 2, 1.0), (2021, None, 3.0), (2022, 1, 1.0)
    )

    row = progress_row(
        target_rows(kind="cumulative_new", value=10.0, frequency="quarterly"),
        observations,
        "2022-03-31",
    )

    assert row["current_value"] == 4.0
    assert row["elapsed_share"] == pytest.approx(0.25)


def test_annual_increment_cumulative_rule_lets_a_year_be_made_up():
    observations = yearly((2021, 3.0), (2022, 8.0))
    targets = target_rows(kind="annual_increment", value=5.0)

    strict = progress_row(targets, observations, "2023-03-31")
    cumulative = progress_row(
        targets, observations, "2023-03-31", settings=Settings(annual_rule="cumulative")
    )

    assert strict["status"] == Status.OFF_TRACK
    assert cumulative["status"] == Status.ON_TRACK
    assert cumulative["current_value"] == 11.0


def test_annual_increment_after_deadline_without_final_year_awaits_it():
    row = progress_row(
        target_rows(kind="annual_increment", value=5.0),
        yearly((2021, 5.0), (2022, 5.0), (2023, 5.0), (2024, 5.0)),
        "2026-03-31",
    )

    assert row["status"] == Status.NO_DATA
    assert row["reason"] == "awaiting_final"


# --- period average, direction, milestone -----------------------------------------------


def test_period_average_is_achieved_early_only_when_guaranteed():
    observations = yearly((2021, 90.0), (2022, 90.0), (2023, 90.0))

    row = progress_row(
        target_rows(kind="period_average", value=50.0, lower_bound=0.0, upper_bound=100.0),
        observations,
        Q1_2024,
    )

    assert row["needed_average"] == pytest.approx(-10.0)
    assert row["status"] == Status.ACHIEVED


def test_period_average_at_most_mirrors_the_need():
    observations = yearly((2021, 32.0), (2022, 30.0), (2023, 29.0))

    row = progress_row(
        target_rows(kind="period_average", comparator="le", value=30.0, lower_bound=0.0),
        observations,
        Q1_2024,
    )

    assert row["needed_average"] == pytest.approx(29.5)
    assert row["status"] == Status.ON_TRACK


def test_direction_with_baseline_and_one_value_uses_it_as_both_changes():
    row = progress_row(
        target_rows(kind="direction", comparator="ge", value=np.nan, baseline_value=10.0),
        yearly((2021, 11.0)),
        "2022-03-31",
    )

    assert row["status"] == Status.ON_TRACK


def test_direction_with_one_value_and_no_baseline_is_insufficient():
    row = progress_row(
        target_rows(kind="direction", value=np.nan), yearly((2021, 11.0)), "2022-03-31"
    )

    assert row["status"] == Status.INSUFFICIENT_DATA


def test_direction_stagnation_band_comes_from_settings():
    observations = yearly((2020, 10.0), (2021, 10.1), (2022, 10.2))
    targets = target_rows(kind="direction", value=np.nan)

    default = progress_row(targets, observations, "2023-03-31")
    banded = progress_row(
        targets, observations, "2023-03-31", settings=Settings(direction_epsilon=0.5)
    )

    assert (default["status"], banded["status"]) == (Status.ON_TRACK, Status.OFF_TRACK)


def test_milestone_not_started_late_is_off_track_only_with_the_setting():
    targets = target_rows(kind="milestone", value=np.nan)
    observations = observation_rows({"year": 2024, "quarter": 4, "state": "not_started"})

    default = progress_row(targets, observations, "2025-03-31")
    strict = progress_row(
        targets, observations, "2025-03-31", settings=Settings(milestone_off_track_share=0.75)
    )

    assert (default["status"], strict["status"]) == (Status.LAGGING, Status.OFF_TRACK)


def test_done_milestone_stays_achieved_when_reports_stop():
    row = progress_row(
        target_rows(kind="milestone", value=np.nan),
        observation_rows({"year": 2021, "quarter": 4, "state": "已完成"}),
        "2025-03-31",
    )

    assert row["status"] == Status.ACHIEVED


def test_milestone_in_progress_is_on_track():
    row = progress_row(
        target_rows(kind="milestone", value=np.nan),
        observation_rows({"year": 2024, "quarter": 4, "state": "推进中"}),
        "2025-03-31",
    )

    assert row["status"] == Status.ON_TRACK


# --- inputs -----------------------------------------------------------------------------


def test_decimal_and_none_values_from_the_orm_are_accepted():
    targets = target_rows(baseline_value=90.0).astype(object)
    targets["value"] = [Decimal("96.0000")]
    targets["baseline_value"] = [Decimal("90.0000")]
    targets["baseline_year"] = [None]
    observations = yearly((2023, 93.6)).astype(object)
    observations["value"] = [Decimal("93.6000")]

    row = progress_row(targets, observations, Q1_2024)

    assert row["status"] == Status.ON_TRACK


def test_unknown_kind_is_rejected_by_name():
    with pytest.raises(ValueError, match="unknown kind value"):
        compute_progress(target_rows(kind="vibes"), yearly(), as_of=pd.Timestamp(Q1_2024))


def test_as_of_accepts_a_plain_date():
    import datetime as dt

    progress = compute_progress(
        target_rows(baseline_value=90.0), yearly((2023, 93.6)), as_of=dt.date(2024, 3, 31)
    )

    assert progress.loc[0, "status"] == Status.ON_TRACK


def test_duplicate_period_values_are_resolved_whatever_their_order():
    observations = observation_rows((2023, 2, 93.0), (2023, 2, 92.0), (2022, None, 91.0))
    targets = target_rows(baseline_value=90.0, frequency="quarterly")

    forward = progress_row(targets, observations, "2023-06-30")
    backward = progress_row(targets, observations.iloc[::-1].reset_index(drop=True), "2023-06-30")

    assert forward["current_value"] == backward["current_value"]
    pd.testing.assert_series_equal(forward, backward)


def test_projection_is_not_made_after_the_deadline():
    row = progress_row(
        target_rows(baseline_value=90.0), yearly((2024, 95.0), (2025, 96.5)), "2026-03-31"
    )

    assert row["status"] == Status.ACHIEVED
    assert np.isnan(row["projected_value"])
    assert pd.isna(row["projected_to_meet"])
