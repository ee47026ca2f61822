"""The progress engine against worked cases of docs/progress.md, plus its public contract.

Pure tests: no database, no Django. Common setting: base year 2020 (t0 = 2020 Q4),
deadline 2025, bands 0.95 / 0.60. Worked cases 1-12 are in
``test_progress_cases.py``; further rules in ``test_progress_rules.py``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from targets.progress import (
    OBSERVATION_COLUMNS,
    PROGRESS_COLUMNS,
    TARGET_COLUMNS,
    Comparator,
    Kind,
    MilestoneState,
    Settings,
    Status,
    compute_progress,
)
from tests.targets.progress_builders import observation_rows, progress_row, target_rows, yearly

pytestmark: list[pytest.MarkDecorator] = []

MID_2023 = "2023-06-30"


# --- vocabulary -------------------------------------------------------------------------


def test_status_values_and_labels_are_the_published_vocabulary():
    assert [s.value for s in Status] == [
        "not_applicable",
        "unassigned",
        "no_data",
        "achieved",
        "not_achieved",
        "insufficient_data",
        "on_track",
        "lagging",
        "off_track",
    ]
    assert [s.label for s in Status] == [
        "不再考核",
        "待下达",
        "待填报",
        "已完成",
        "未完成",
        "数据不足",
        "进度正常",
        "进度滞后",
        "严重滞后",
    ]


def test_kind_comparator_and_milestone_state_values_are_strings():
    assert [k.value for k in Kind] == [
        "level",
        "maintain",
        "annual_increment",
        "cumulative_new",
        "period_average",
        "direction",
        "milestone",
        "range",
        "assigned",
    ]
    assert [c.value for c in Comparator] == ["ge", "le", "gt", "lt", "eq", "range"]
    assert [m.value for m in MilestoneState] == ["not_started", "in_progress", "done"]
    assert [m.label for m in MilestoneState] == ["未启动", "推进中", "已完成"]
    # what a page, a CSV or the API prints for a kind is its value, not "Kind.LEVEL"
    assert f"{Kind.LEVEL}" == "level"


def test_settings_defaults_are_the_published_thresholds():
    settings = Settings()

    assert (settings.on_track, settings.lagging) == (0.95, 0.60)
    assert settings.annual_rule == "strict"
    assert settings.direction_epsilon == 0.0
    assert settings.milestone_off_track_share is None
    assert settings.stale_grace_days == 30
    assert settings.near_limit_tolerance == 0.0
    with pytest.raises(ValueError, match="annual_rule"):
        Settings(annual_rule="loose")


# --- worked cases (docs/progress.md) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ratio", "pace", "status"),
    [
        (93.5, 0.583333, 1.166667, Status.ON_TRACK),  # case 1
        (92.4, 0.4, 0.8, Status.LAGGING),  # case 2
        (91.5, 0.25, 0.5, Status.OFF_TRACK),  # case 3
    ],
)
def test_level_at_least_is_banded_by_pace_at_mid_term(value, ratio, pace, status):
    row = progress_row(
        target_rows(baseline_value=90.0, frequency="quarterly"),
        observation_rows((2023, 2, value)),
        MID_2023,
    )

    assert row["elapsed_share"] == 0.5
    assert row["completion_ratio"] == pytest.approx(ratio, abs=1e-6)
    assert row["pace"] == pytest.approx(pace, abs=1e-6)
    assert row["status"] == status


def test_level_at_least_is_achieved_when_the_value_meets_the_target():  # case 4
    row = progress_row(
        target_rows(baseline_value=90.0, frequency="quarterly"),
        observation_rows((2023, 2, 96.2)),
        MID_2023,
    )

    assert row["status"] == Status.ACHIEVED


def test_level_at_most_lags_when_pm25_falls_too_slowly():  # case 5
    row = progress_row(
        target_rows(comparator="le", value=25.0, baseline_value=30.0),
        yearly((2023, 28.0)),
        "2024-03-31",
    )

    assert row["elapsed_share"] == pytest.approx(0.6)
    assert row["completion_ratio"] == pytest.approx(0.4)
    assert row["pace"] == pytest.approx(0.666667)
    assert row["status"] == Status.LAGGING


def test_level_at_most_is_off_track_and_moving_away_when_worse_than_baseline():  # case 6
    row = progress_row(
        target_rows(comparator="le", value=25.0, baseline_value=30.0),
        yearly((2023, 31.0)),
        "2024-03-31",
    )

    assert row["status"] == Status.OFF_TRACK
    assert bool(row["moving_away"]) is True


def test_level_past_deadline_is_judged_on_the_final_value_only():  # case 7
    targets = target_rows(baseline_value=90.0)

    missed = progress_row(targets, yearly((2024, 97.0), (2025, 95.5)), "2026-03-31")
    awaiting = progress_row(targets, yearly((2024, 97.0)), "2026-03-31")

    assert missed["status"] == Status.NOT_ACHIEVED
    assert awaiting["status"] == Status.NO_DATA
    assert awaiting["reason"] == "awaiting_final"


def test_maintain_follows_each_period_to_the_deadline():  # case 8
    targets = target_rows(kind="maintain", value=98.0)
    series = [(2021, 98.3), (2022, 98.9), (2023, 97.9), (2024, 98.2), (2025, 98.5)]

    statuses = [
        progress_row(targets, yearly(*series[:2]), "2023-03-31")["status"],
        progress_row(targets, yearly(*series[:3]), "2024-03-31")["status"],
        progress_row(targets, yearly(*series[:4]), "2025-03-31")["status"],
        progress_row(targets, yearly(*series), "2026-03-31")["status"],
    ]

    assert statuses == [Status.ON_TRACK, Status.OFF_TRACK, Status.LAGGING, Status.NOT_ACHIEVED]


@pytest.mark.parametrize(
    ("second_quarter", "pace", "status"),
    [(1.0, 0.8, Status.LAGGING), (2.0, 1.2, Status.ON_TRACK), (4.0, 2.0, Status.ACHIEVED)],
)
def test_annual_increment_paces_the_year_along_the_uniform_profile(second_quarter, pace, status):
    # case 9: 5 a year; data to 2024 Q2 with Q1 = 1 → expected 2.5
    observations = observation_rows(
        (2021, None, 5.0),
        (2022, None, 5.0),
        (2023, None, 5.0),
        (2024, 1, 1.0),
        (2024, 2, second_quarter),
    )

    row = progress_row(
        target_rows(kind="annual_increment", value=5.0, frequency="quarterly"),
        observations,
        "2024-06-30",
    )

    assert row["expected_value"] == pytest.approx(2.5)
    assert row["pace"] == pytest.approx(pace)
    assert row["status"] == status


def test_annual_increment_with_once_a_year_profile_is_not_due_before_q4():  # case 9
    observations = observation_rows(
        (2021, None, 5.0),
        (2022, None, 5.0),
        (2023, None, 5.0),
        (2024, 1, 0.0),
        (2024, 2, 0.0),
        (2024, 3, 0.0),
    )

    row = progress_row(
        target_rows(kind="annual_increment", value=5.0, frequency="quarterly", profile="annual"),
        observations,
        "2024-09-30",
    )

    assert row["status"] == Status.ON_TRACK
    assert row["reason"] == "awaiting_annual"


def test_cumulative_new_is_on_track_at_a_pace_just_above_095():  # case 10
    row = progress_row(
        target_rows(kind="cumulative_new", value=7.0),
        yearly((2021, 1.0), (2022, 1.0), (2023, 2.0)),
        "2024-03-31",
    )

    assert row["current_value"] == 4.0
    assert row["completion_ratio"] == pytest.approx(0.571429, abs=1e-6)
    assert row["pace"] == pytest.approx(0.952381)
    assert row["status"] == Status.ON_TRACK


def test_period_average_is_on_track_when_the_latest_level_covers_the_need():  # case 11
    row = progress_row(
        target_rows(kind="period_average", value=57.5, upper_bound=100.0),
        yearly((2021, 55.0), (2022, 60.0), (2023, 58.0)),
        "2024-03-31",
    )

    assert row["needed_average"] == pytest.approx(57.25)
    assert row["status"] == Status.ON_TRACK


def test_milestone_states_give_lagging_achieved_and_not_achieved():  # case 12
    targets = target_rows(kind="milestone", value=np.nan, comparator="ge")

    def state_at(year: int, state: str, as_of: str) -> str:
        observations = observation_rows({"year": year, "quarter": 4, "state": state})
        return progress_row(targets, observations, as_of)["status"]

    assert state_at(2023, "not_started", "2024-03-31") == Status.LAGGING
    assert state_at(2023, "done", "2024-03-31") == Status.ACHIEVED
    assert state_at(2025, "in_progress", "2026-03-31") == Status.NOT_ACHIEVED


def test_closed_plan_final_table_marks_completed_missed_and_cancelled():  # case 13 (表1)
    plan = {
        "plan_start_year": 2016,
        "plan_end_year": 2020,
        "plan_base_year": 2015,
        "deadline_year": 2020,
    }
    targets = target_rows(
        {"target_id": 1, "indicator_id": 1, "value": 24.0},  # 标准化试点项目 24 → 21
        {"target_id": 2, "indicator_id": 2, "value": 12.0},  # 区长质量奖 12 → 13
        {"target_id": 3, "indicator_id": 3, "value": 5.0, "cancelled": True},  # 政策调整
        {"target_id": 4, "indicator_id": 4, "value": 100.0, "comparator": "eq"},
        **plan,
    )
    observations = pd.concat(
        [
            observation_rows((2020, None, 21.0), indicator_id=1),
            observation_rows((2020, None, 13.0), indicator_id=2),
            observation_rows((2020, None, 100.0), indicator_id=4),
        ]
    )

    progress = compute_progress(targets, observations, as_of=pd.Timestamp("2020-12-31"))

    assert progress["status"].tolist() == [
        Status.NOT_ACHIEVED,
        Status.ACHIEVED,
        Status.NOT_APPLICABLE,
        Status.ACHIEVED,
    ]


def test_level_without_baseline_needs_two_values_and_moves_t0():  # case 14
    targets = target_rows()

    single = progress_row(targets, yearly((2022, 94.0)), "2024-03-31")
    moved = progress_row(targets, yearly((2021, 91.0), (2023, 93.4)), "2024-03-31")

    assert single["status"] == Status.INSUFFICIENT_DATA
    assert moved["elapsed_share"] == 0.5
    assert moved["completion_ratio"] == pytest.approx(0.48)
    assert moved["pace"] == pytest.approx(0.96)
    assert moved["status"] == Status.ON_TRACK


def test_level_pace_of_exactly_095_is_on_track_not_lagging():  # case 15
    row = progress_row(
        target_rows(baseline_value=90.0, frequency="quarterly"),
        observation_rows((2023, 2, 92.85)),
        MID_2023,
    )

    assert row["pace"] == 0.95
    assert row["status"] == Status.ON_TRACK


# --- contract ---------------------------------------------------------------------------


def test_empty_targets_give_an_empty_frame_with_the_progress_columns():
    targets = pd.DataFrame(columns=list(TARGET_COLUMNS))
    observations = pd.DataFrame(columns=list(OBSERVATION_COLUMNS))

    progress = compute_progress(targets, observations, as_of=pd.Timestamp("2024-03-31"))

    assert progress.empty
    assert list(progress.columns) == list(PROGRESS_COLUMNS)
    assert str(progress["projected_to_meet"].dtype) == "boolean"


def test_targets_without_observations_are_all_no_data():
    targets = target_rows({"target_id": 1}, {"target_id": 2, "kind": "cumulative_new"})

    progress = compute_progress(
        targets, pd.DataFrame(columns=list(OBSERVATION_COLUMNS)), as_of=pd.Timestamp("2024-03-31")
    )

    assert progress["status"].tolist() == [Status.NO_DATA, Status.NO_DATA]
    assert progress["reason"].tolist() == ["no_observation", "no_observation"]


def test_output_has_one_row_per_target_in_input_order_with_the_contract_dtypes():
    targets = target_rows(
        {"target_id": 30},
        {"target_id": 10, "kind": "maintain"},
        {"target_id": 20, "kind": "cumulative_new", "value": 3.0},
    )

    progress = compute_progress(targets, yearly((2022, 97.0)), as_of=pd.Timestamp("2023-03-31"))

    assert progress["target_id"].tolist() == [30, 10, 20]
    assert list(progress.columns) == list(PROGRESS_COLUMNS)
    assert str(progress["data_year"].dtype) == "Int64"
    assert str(progress["periods_met"].dtype) == "Int64"
    assert progress["moving_away"].dtype == bool


def test_observation_order_does_not_change_the_result():
    targets = target_rows(
        {"target_id": 1, "baseline_value": 90.0},
        {
            "target_id": 2,
            "kind": "annual_increment",
            "value": 5.0,
            "indicator_id": 2,
            "frequency": "quarterly",
        },
        {"target_id": 3, "kind": "direction", "comparator": "le", "indicator_id": 3},
    )
    observations = pd.concat(
        [
            yearly((2021, 91.0), (2022, 92.0), (2023, 94.0)),
            observation_rows(
                (2021, None, 5.0), (2022, None, 4.0), (2023, 1, 2.0), (2023, 2, 1.0), indicator_id=2
            ),
            observation_rows(
                (2020, None, 0.5), (2021, None, 0.49), (2022, None, 0.5), indicator_id=3
            ),
        ],
        ignore_index=True,
    )
    shuffled = observations.sample(frac=1.0, random_state=7).reset_index(drop=True)

    first = compute_progress(targets, observations, as_of=pd.Timestamp("2023-06-30"))
    second = compute_progress(targets, shuffled, as_of=pd.Timestamp("2023-06-30"))

    pd.testing.assert_frame_equal(first, second)


def test_inputs_are_not_modified():
    targets = target_rows(baseline_value=90.0)
    observations = yearly((2022, 93.0))
    before = (targets.copy(), observations.copy())

    compute_progress(targets, observations, as_of=pd.Timestamp("2023-03-31"))

    pd.testing.assert_frame_equal(targets, before[0])
    pd.testing.assert_frame_equal(observations, before[1])


def test_missing_input_columns_are_named_in_the_error():
    targets = target_rows().drop(columns=["comparator", "deadline_year"])

    with pytest.raises(ValueError, match="comparator, deadline_year"):
        compute_progress(targets, yearly(), as_of=pd.Timestamp("2023-03-31"))


def test_engine_computes_two_thousand_mixed_targets_in_one_call():
    rng = np.random.default_rng(42)
    n = 2000
    kinds = np.array(
        [
            "level",
            "maintain",
            "annual_increment",
            "cumulative_new",
            "period_average",
            "direction",
            "milestone",
            "range",
            "assigned",
        ]
    )
    kind = kinds[np.arange(n) % len(kinds)]
    targets = target_rows(
        *(
            {
                "target_id": i + 1,
                "indicator_id": i % 700 + 1,
                "region_id": i % 3 + 1,
                "kind": kind[i],
                "value": float(rng.integers(5, 100)) if kind[i] != "assigned" or i % 2 else np.nan,
                "baseline_value": np.nan if i % 4 == 0 else 50.0,
                "criteria_total": 8 if kind[i] == "milestone" else None,
                "frequency": "quarterly" if i % 2 else "annual",
                "cancelled": i % 97 == 0,
            }
            for i in range(n)
        )
    )
    records = [
        {
            "indicator_id": ind,
            "region_id": reg,
            "year": year,
            "quarter": quarter,
            "value": float(rng.integers(0, 100)),
            "state": "in_progress",
            "criteria_met": int(rng.integers(0, 9)),
        }
        for ind in range(1, 701)
        for reg in (1, 2, 3)
        for year in range(2020, 2025)
        for quarter in (1, 2, 3, 4)
    ]
    observations = observation_rows(*records)

    progress = compute_progress(targets, observations, as_of=pd.Timestamp("2024-06-30"))

    assert len(progress) == n
    assert progress["target_id"].tolist() == list(range(1, n + 1))
    assert progress["status"].notna().all()
    assert set(progress["status"]) <= {s.value for s in Status}
    assert (progress.loc[targets["cancelled"].to_numpy(), "status"] == Status.NOT_APPLICABLE).all()


def test_engine_imports_no_django():
    code = (
        "import sys, targets.progress as p; "
        "assert not [m for m in sys.modules if m.split('.')[0] in "
        "('django', 'rest_framework', 'celery', 'indicators', 'reports')], sys.modules.keys(); "
        "assert 'targets.models' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
