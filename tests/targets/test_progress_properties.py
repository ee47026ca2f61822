"""Property tests of the pure progress engine (hypothesis; no database, no Django).

The worked cases (test_progress_cases.py) pin single points; these check laws that must hold
for every input:

- the result never depends on the order of the observation rows (duplicates included);
- a target's row does not depend on the other targets computed with it (batch = alone);
- improving the current value never worsens a level target's status, for ≥ and ≤ targets
  (status order: not_achieved / insufficient_data / off_track < lagging < on_track <
  achieved);
- a ≤ target is the mirror of its ≥ twin: negating values, target, baseline and natural
  bounds gives the same status, reason, ratios and flags (level, maintain, period average,
  direction);
- rescaling every value by a power of two (a change of unit, exact in binary floating point)
  changes no status and no ratio;
- maintain: a further met period never worsens the status;
- random valid input of every kind never raises, and the output is well-formed: one row per
  target in input order, the declared dtypes, known statuses and reasons, r and q NaN or
  finite, elapsed shares in [0, 1], periods met ≤ periods total, cancelled → not_applicable,
  a value-less target (not direction/milestone) → unassigned, and not_achieved only once
  the deadline quarter is reached.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from targets.progress import (
    PROGRESS_COLUMNS,
    PROGRESS_DTYPES,
    Kind,
    Reason,
    Status,
    compute_progress,
)

from .progress_builders import observation_rows, target_rows

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

FAST = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

RANK = {
    Status.NO_DATA: -1,
    Status.NOT_ACHIEVED: 0,
    Status.INSUFFICIENT_DATA: 0,
    Status.OFF_TRACK: 0,
    Status.LAGGING: 1,
    Status.ON_TRACK: 2,
    Status.ACHIEVED: 3,
}
MIRROR = {"ge": "le", "le": "ge", "gt": "lt", "lt": "gt", "eq": "le"}
COMPARED = [
    "status",
    "reason",
    "moving_away",
    "stale",
    "provisional",
    "unattainable",
    "periods_met",
    "periods_total",
    "data_year",
    "data_quarter",
]
RATIOS = ["completion_ratio", "pace", "elapsed_share"]


# --- strategies -----------------------------------------------------------------------------

# Figures as departments report them: two decimals.
figure = st.integers(min_value=0, max_value=20_000).map(lambda x: x / 100)
as_of_dates = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2027, 12, 31))


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


@st.composite
def level_case(draw: st.DrawFn, comparator: str = "ge") -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """One level target 2021-2025 (base 2020) with annual values of some years."""
    years = draw(st.sets(st.integers(2021, 2026), min_size=1, max_size=6))
    values = {y: draw(figure) for y in sorted(years)}
    target = draw(figure.filter(lambda v: v > 0))
    baseline = draw(st.none() | figure)
    targets = target_rows(
        {"comparator": comparator, "value": target, "baseline_value": _nan(baseline)}
    )
    observations = observation_rows(*((y, None, v) for y, v in values.items()))
    return targets, observations, draw(as_of_dates)


def mirrored(
    targets: pd.DataFrame, observations: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ≤ twin of a ≥ target (and back): every number negated, bounds swapped."""
    t, o = targets.copy(), observations.copy()
    t["comparator"] = t["comparator"].map(lambda c: MIRROR.get(c, c))
    for column in ("value", "value_high", "baseline_value"):
        t[column] = -t[column].astype(float)
    t["lower_bound"], t["upper_bound"] = (
        -targets["upper_bound"].astype(float),
        -targets["lower_bound"].astype(float),
    )
    o["value"] = -o["value"].astype(float)
    return t, o


def scaled(targets: pd.DataFrame, observations: pd.DataFrame, factor: float):
    t, o = targets.copy(), observations.copy()
    for column in ("value", "value_high", "baseline_value", "lower_bound", "upper_bound"):
        t[column] = t[column].astype(float) * factor
    o["value"] = o["value"].astype(float) * factor
    return t, o


@st.composite
def signed_case(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """A ≥-type target of a kind with a ≤ mirror: level, maintain, period average, direction."""
    kind = draw(st.sampled_from(["level", "maintain", "period_average", "direction"]))
    comparator = draw(st.sampled_from(["ge", "gt"])) if kind == "level" else "ge"
    frequency = draw(st.sampled_from(["annual", "quarterly"])) if kind == "level" else "annual"
    if frequency == "annual":
        periods = [(y, None) for y in range(2020, 2027)]
    else:
        periods = [(y, q) for y in range(2020, 2027) for q in (1, 2, 3, 4)]  # type: ignore[misc]
    chosen = draw(st.sets(st.sampled_from(periods), min_size=0, max_size=8))
    rows = [(y, q, draw(figure)) for y, q in sorted(chosen, key=lambda p: (p[0], p[1] or 0))]
    bounded = draw(st.booleans())
    targets = target_rows(
        {
            "kind": kind,
            "comparator": comparator,
            "value": draw(figure),
            "baseline_value": _nan(draw(st.none() | figure)),
            "deadline_year": None if kind == "maintain" else 2025,
            "frequency": frequency,
            "lower_bound": 0.0 if bounded else np.nan,
            "upper_bound": 200.0 if bounded else np.nan,
        }
    )
    return targets, observation_rows(*rows), draw(as_of_dates)


@st.composite
def any_targets(draw: st.DrawFn, max_targets: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random valid targets of every kind and observations, duplicates and strays included."""
    n = draw(st.integers(1, max_targets))
    rows: list[dict[str, Any]] = []
    for i in range(n):
        kind = draw(st.sampled_from([k.value for k in Kind]))
        start = draw(st.integers(2018, 2023))
        end = draw(st.integers(start, start + 5))
        value = draw(st.none() | figure)
        high = draw(st.none() | figure) if kind == "range" else None
        if value is not None and high is not None and high < value:
            value, high = high, value
        rows.append(
            {
                "target_id": i + 1,
                "indicator_id": draw(st.integers(1, 3)),
                "region_id": draw(st.integers(1, 2)),
                "kind": kind,
                "comparator": "range"
                if kind == "range"
                else draw(st.sampled_from(["ge", "le", "gt", "lt", "eq"])),
                "value": _nan(value),
                "value_high": _nan(high),
                "deadline_year": draw(st.none() | st.integers(start, end)),
                "baseline_value": _nan(draw(st.none() | figure)),
                "baseline_year": draw(st.none() | st.just(start - 1)),
                "plan_start_year": start,
                "plan_end_year": end,
                "plan_base_year": draw(st.none() | st.just(start - 1)),
                "frequency": draw(st.sampled_from(["annual", "quarterly"])),
                "lower_bound": draw(st.sampled_from([np.nan, 0.0])),
                "upper_bound": draw(st.sampled_from([np.nan, 100.0])),
                "profile": draw(st.sampled_from(["uniform", "annual"])),
                "aspirational": draw(st.booleans()),
                "binding": draw(st.booleans()),
                "cancelled": draw(st.booleans()) and draw(st.booleans()),
                "criteria_total": draw(st.none() | st.integers(1, 8)),
            }
        )
    observations = [
        {
            "indicator_id": draw(st.integers(1, 3)),
            "region_id": draw(st.integers(1, 2)),
            "year": draw(st.integers(2016, 2029)),
            "quarter": draw(st.none() | st.integers(1, 4)),
            "value": _nan(draw(st.none() | figure)),
            "state": draw(
                st.none() | st.sampled_from(["not_started", "in_progress", "done", "推进中"])
            ),
            "criteria_met": draw(st.none() | st.integers(0, 9)),
        }
        for _ in range(draw(st.integers(0, 25)))
    ]
    return target_rows(*rows), _observations(observations)


def _observations(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if rows:
        return observation_rows(*rows)
    return observation_rows()


def progress(
    targets: pd.DataFrame, observations: pd.DataFrame, as_of: Any, **kw: Any
) -> pd.DataFrame:
    return compute_progress(targets, observations, as_of=pd.Timestamp(as_of), **kw)


def assert_same_rows(left: pd.Series | pd.DataFrame, right: pd.Series | pd.DataFrame) -> None:
    for column in COMPARED:
        assert list(pd.Series(left[column]).astype(object).fillna("NA")) == list(
            pd.Series(right[column]).astype(object).fillna("NA")
        ), column
    for column in RATIOS:
        np.testing.assert_allclose(
            pd.Series(left[column]).to_numpy(float),
            pd.Series(right[column]).to_numpy(float),
            rtol=1e-9,
            atol=1e-12,
            err_msg=column,
        )


# --- properties -----------------------------------------------------------------------------


@FAST
@given(case=any_targets(), data=st.data(), as_of=as_of_dates)
def test_result_does_not_depend_on_the_order_of_observations(case, data, as_of):
    targets, observations = case
    order = data.draw(st.permutations(range(len(observations))))
    shuffled = observations.iloc[list(order)].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        progress(targets, observations, as_of), progress(targets, shuffled, as_of)
    )


@settings(FAST, max_examples=30)
@given(case=any_targets(max_targets=4), as_of=as_of_dates)
def test_a_targets_row_does_not_depend_on_the_batch(case, as_of):
    targets, observations = case
    together = progress(targets, observations, as_of)
    for i in range(len(targets)):
        alone = progress(targets.iloc[[i]].reset_index(drop=True), observations, as_of)
        pd.testing.assert_frame_equal(
            alone.reset_index(drop=True), together.iloc[[i]].reset_index(drop=True)
        )


@FAST
@given(
    comparator=st.sampled_from(["ge", "le"]),
    case=st.data(),
    delta=st.integers(min_value=1, max_value=5_000).map(lambda x: x / 100),
)
def test_improving_the_current_value_never_worsens_a_level_status(comparator, case, delta):
    targets, observations, as_of = case.draw(level_case(comparator))
    before = progress(targets, observations, as_of).iloc[0]
    assume(not pd.isna(before["data_year"]))
    better = observations.copy()
    current = better["year"] == before["data_year"]
    step = delta if comparator == "ge" else -delta
    better.loc[current, "value"] = better.loc[current, "value"].astype(float) + step
    after = progress(targets, better, as_of).iloc[0]
    assert RANK[Status(after["status"])] >= RANK[Status(before["status"])], (
        before["status"],
        after["status"],
    )


@FAST
@given(case=signed_case())
def test_an_at_most_target_mirrors_its_at_least_twin(case):
    targets, observations, as_of = case
    plain = progress(targets, observations, as_of)
    mirror = progress(*mirrored(targets, observations), as_of)
    assert_same_rows(plain, mirror)
    np.testing.assert_allclose(
        plain["current_value"].to_numpy(float), -mirror["current_value"].to_numpy(float)
    )


@FAST
@given(case=signed_case(), power=st.integers(-4, 6))
def test_a_change_of_unit_changes_no_status(case, power):
    targets, observations, as_of = case
    plain = progress(targets, observations, as_of)
    rescaled = progress(*scaled(targets, observations, 2.0**power), as_of)
    assert_same_rows(plain, rescaled)


@FAST
@given(
    comparator=st.sampled_from(["ge", "le"]),
    values=st.lists(figure, min_size=0, max_size=4),
    target=figure,
    data=st.data(),
    margin=st.integers(0, 1_000).map(lambda x: x / 100),
)
def test_maintain_a_further_met_period_never_worsens(comparator, values, target, data, margin):
    years = list(range(2021, 2021 + len(values)))
    next_year = 2021 + len(values)
    as_of = data.draw(
        st.dates(min_value=dt.date(next_year, 12, 31), max_value=dt.date(2027, 12, 31))
    )
    targets = target_rows(
        {"kind": "maintain", "comparator": comparator, "value": target, "deadline_year": None}
    )
    before_rows = [(y, None, v) for y, v in zip(years, values, strict=True)]
    met = target + margin if comparator == "ge" else max(target - margin, 0.0)
    before = progress(targets, observation_rows(*before_rows), as_of).iloc[0]
    after = progress(targets, observation_rows(*before_rows, (next_year, None, met)), as_of).iloc[0]
    if next_year == 2025 and as_of < dt.date(2026, 1, 31):
        # Issue 15 / docs/progress.md "Deadline windows": before the 2025 figure is due (30 days'
        # grace by default) the row keeps its pace status, awaiting the final figure; the
        # figure then gives the final verdict, which a pace status does not bound.
        assert before["awaiting_final"]
        assert not after["awaiting_final"]
        assert after["status"] in (Status.ACHIEVED, Status.NOT_ACHIEVED)
        return
    assert RANK[Status(after["status"])] >= RANK[Status(before["status"])], (
        before["status"],
        after["status"],
    )


@FAST
@given(case=any_targets(), as_of=as_of_dates)
def test_random_valid_input_gives_a_well_formed_result(case, as_of):
    targets, observations = case
    result = progress(targets, observations, as_of)

    assert list(result.columns) == list(PROGRESS_COLUMNS)
    assert {c: str(t) for c, t in result.dtypes.items()} == PROGRESS_DTYPES
    assert list(result["target_id"]) == list(targets["target_id"])
    assert set(result["status"]) <= {s.value for s in Status}
    assert set(result["reason"].dropna()) <= {r.value for r in Reason}
    for column in ("completion_ratio", "pace", "gap", "expected_value", "current_value"):
        values = result[column].to_numpy(float)
        assert not np.isinf(values).any(), column
    for column in ("elapsed_share", "elapsed_share_asof"):
        shares = result[column].dropna()
        assert ((shares >= 0) & (shares <= 1)).all(), column
    counted = result.dropna(subset=["periods_met", "periods_total"])
    assert (counted["periods_met"] <= counted["periods_total"]).all()

    cancelled = targets["cancelled"].to_numpy(bool)
    assert (result.loc[cancelled, "status"] == Status.NOT_APPLICABLE).all()
    valueless = (
        targets["value"].isna().to_numpy()
        & ~targets["kind"].isin([Kind.DIRECTION, Kind.MILESTONE]).to_numpy()
        & ~cancelled
    )
    assert (result.loc[valueless, "status"] == Status.UNASSIGNED).all()

    as_of_qi = 4 * as_of.year + (as_of.month - 1) // 3 + 1
    deadline = targets["deadline_year"].fillna(targets["plan_end_year"]).astype(int)
    before_deadline = (as_of_qi < 4 * deadline + 4).to_numpy()
    assert not (result.loc[before_deadline, "status"] == Status.NOT_ACHIEVED).any()
