"""Progress engine: targets x approved observations x as-of date → one row per target.

Pure and vectorised: pandas/numpy/stdlib only, no I/O, no Django. It builds the quarter
grid of every target, attaches the observations in one sorted join, lets each kind module
fill in its rows (loops run over the kinds, never over targets), then applies the rules
common to all kinds: elapsed shares, provisional and stale flags, and the status
precedence not_applicable → unassigned → no_data → (the kind's verdict). Rules:
docs/progress.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from . import flows, kinds, milestones
from .current import Joined, join_observations, quarter_index, quarter_of, year_of
from .schema import (
    PROGRESS_COLUMNS,
    PROGRESS_DTYPES,
    Kind,
    Reason,
    Settings,
    Status,
    normalise_observations,
    normalise_targets,
)
from .status import LE, LT, Grid, blank, elapsed, missed_periods

KindFunction = Callable[[Grid, Joined, np.ndarray, dict[str, np.ndarray]], None]

# Each function handles the kinds listed with it (one call per group, not per target).
KIND_FUNCTIONS: tuple[tuple[KindFunction, tuple[Kind, ...]], ...] = (
    # range: the low end decides; assigned: once the higher level has set the value
    (kinds.level, (Kind.LEVEL, Kind.RANGE, Kind.ASSIGNED)),
    (kinds.maintain, (Kind.MAINTAIN,)),
    (kinds.direction, (Kind.DIRECTION,)),
    (kinds.period_average, (Kind.PERIOD_AVERAGE,)),
    (milestones.milestone, (Kind.MILESTONE,)),
    (flows.annual_increment, (Kind.ANNUAL_INCREMENT,)),
    (flows.cumulative_new, (Kind.CUMULATIVE_NEW,)),
)
_KIND_CODES = {kind: code for code, kind in enumerate(Kind)}
_GROUP_OF_KIND = np.array(
    [next(g for g, (_, ks) in enumerate(KIND_FUNCTIONS) if kind in ks) for kind in Kind]
)
_NEEDS_NO_VALUE = (_KIND_CODES[Kind.DIRECTION], _KIND_CODES[Kind.MILESTONE])


def compute_progress(
    targets: pd.DataFrame,
    observations: pd.DataFrame,
    *,
    as_of: dt.date | pd.Timestamp,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One progress row per target (``PROGRESS_COLUMNS``), in the order of ``targets``.

    ``targets`` has ``TARGET_COLUMNS``; ``observations`` has ``OBSERVATION_COLUMNS`` and
    holds approved figures only (the caller filters). Neither frame is modified.
    """
    settings = settings or Settings()
    frame = normalise_targets(targets)
    observed = normalise_observations(observations)
    if frame.empty:
        return _empty()
    # Targets are processed grouped by kind function, so that each group's joined
    # observations are one contiguous slice; the original order is restored at the end.
    group = _GROUP_OF_KIND[frame["kind_code"].to_numpy()]
    order = np.argsort(group, kind="stable")
    frame = frame.take(order).reset_index(drop=True)
    grid = _grid(frame, as_of=as_of, settings=settings)
    joined = join_observations(frame, observed, lo=np.minimum(grid.t0, grid.t0_plan), hi=grid.cut)
    grid, waiting = _deadline_window(grid, joined)
    out = blank(grid)
    bounds = np.searchsorted(group[order], np.arange(len(KIND_FUNCTIONS) + 1))
    for index, (compute, _) in enumerate(KIND_FUNCTIONS):
        first, last = bounds[index], bounds[index + 1]
        if first == last:
            continue
        rows = np.zeros(grid.n, bool)
        rows[first:last] = True
        lo, hi = np.searchsorted(joined.tpos, [first, last])
        compute(grid, joined.take(slice(lo, hi)), rows, out)
    restore = np.empty_like(order)
    restore[order] = np.arange(len(order))
    return _finish(frame, grid, out, restore, waiting)


def _deadline_window(grid: Grid, joined: Joined) -> tuple[Grid, np.ndarray]:
    """Window 2 of docs/progress.md "Deadline windows".

    Past tY but before the deadline figure is due (as-of earlier than the end of period
    ``Y`` plus the grace days, i.e. ``qi(as_of - grace) < qi(tY)``) and with no approved
    figure for the deadline period yet, a target is judged by the pace rules as on the
    day before tY: its ``final`` flag is cleared and the row is marked ``awaiting_final``.
    Once the figure is overdue (or approved) ``final`` stays and the deadline period alone
    decides. Returns the adjusted grid and the mask of targets in the window.
    """
    at_deadline = joined.qi == grid.deadline[joined.tpos]
    has_final = np.bincount(joined.tpos[at_deadline], minlength=grid.n) > 0
    waiting = grid.final & ~has_final & (grid.due < grid.deadline)
    if not waiting.any():
        return grid, waiting
    return replace(grid, final=grid.final & ~waiting), waiting


def _grid(frame: pd.DataFrame, *, as_of: dt.date | pd.Timestamp, settings: Settings) -> Grid:
    def years(column: str, fallback: pd.Series) -> np.ndarray:
        return frame[column].fillna(fallback).to_numpy(dtype=np.int64)  # type: ignore[no-any-return]

    base_year = years("plan_base_year", frame["plan_start_year"] - 1)
    t0_year = years("baseline_year", pd.Series(base_year, index=frame.index))
    deadline = 4 * years("deadline_year", frame["plan_end_year"]) + 4
    as_of_qi = quarter_index(as_of)
    due_qi = quarter_index(pd.Timestamp(as_of) - pd.Timedelta(days=settings.stale_grace_days))
    comparator = frame["comparator_code"].to_numpy()
    value = frame["value"].to_numpy()
    lower, upper = frame["lower_bound"].to_numpy(), frame["upper_bound"].to_numpy()
    at_limit = (value == lower) | (value == upper) | (value == 0) | (value == 100)
    return Grid(
        n=len(frame),
        kind=frame["kind_code"].to_numpy(),
        comparator=comparator,
        sign=np.where((comparator == LE) | (comparator == LT), -1.0, 1.0),
        value=value,
        value_high=frame["value_high"].to_numpy(),
        baseline=frame["baseline_value"].to_numpy(),
        t0=4 * t0_year + 4,
        t0_plan=4 * base_year + 4,
        deadline=deadline,
        cut=np.minimum(as_of_qi, deadline),
        final=as_of_qi >= deadline,
        period=np.where(frame["frequency_code"].to_numpy() == 0, 1, 4),
        lower=lower,
        upper=upper,
        annual_profile=frame["profile_code"].to_numpy() == 1,
        criteria_total=frame["criteria_total"].astype("float64").to_numpy(),
        tolerance=np.where(at_limit, settings.near_limit_tolerance, 0.0),
        as_of=as_of_qi,
        due=due_qi,
        settings=settings,
    )


def _finish(
    frame: pd.DataFrame,
    grid: Grid,
    out: dict[str, np.ndarray],
    restore: np.ndarray,
    waiting: np.ndarray,
) -> pd.DataFrame:
    """Rules common to every kind, then the status precedence, then the output frame."""
    data_qi = out["data_qi"]
    has_data = ~np.isnan(data_qi)
    period = np.where(np.isnan(out["period"]), grid.period, out["period"])
    stale = has_data & ~grid.final & (missed_periods(grid, data_qi, period) >= 1)
    status, reason, unassigned, cancelled = _precedence(frame, grid, out, period, stale)
    # 待终期数据: the deadline figure is still to come, either not yet due (the window) or
    # overdue; a monotone kind already achieved (terminal) no longer waits for anything.
    awaiting_final = (waiting | (reason == Reason.AWAITING_FINAL)) & ~(
        out["terminal"] & (status == Status.ACHIEVED)
    ) & ~cancelled & ~unassigned
    columns = _columns(frame, grid, out, status, reason, stale, awaiting_final)
    result = pd.DataFrame({name: columns[name][restore] for name in PROGRESS_COLUMNS})
    return result.astype(PROGRESS_DTYPES)


def _precedence(
    frame: pd.DataFrame,
    grid: Grid,
    out: dict[str, np.ndarray],
    period: np.ndarray,
    stale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kind's verdict overridden, later wins: not_applicable → unassigned → no_data
    (docs/progress.md). Returns status, reason, and the unassigned and cancelled masks."""
    status, reason = out["status"], out["reason"]
    missed = missed_periods(grid, out["data_qi"], period)
    gone_stale = stale & (missed >= 2) & ~out["terminal"] & (status != Status.NO_DATA)
    unassigned = np.isnan(grid.value) & ~np.isin(grid.kind, _NEEDS_NO_VALUE)
    cancelled = frame["cancelled"].to_numpy()
    for override, new_status, new_reason in (
        (gone_stale, Status.NO_DATA, Reason.STALE),
        (unassigned, Status.UNASSIGNED, Reason.NO_VALUE),
        (cancelled, Status.NOT_APPLICABLE, Reason.CANCELLED),
    ):
        status = np.where(override, new_status, status)
        reason = np.where(override, new_reason, reason)
    return status, reason, unassigned, cancelled


def _columns(
    frame: pd.DataFrame,
    grid: Grid,
    out: dict[str, np.ndarray],
    status: np.ndarray,
    reason: np.ndarray,
    stale: np.ndarray,
    awaiting_final: np.ndarray,
) -> dict[str, Any]:
    """Every output column, in the engine's (sorted) row order."""
    data_qi, t0 = out["data_qi"], out["t0"]
    has_data = ~np.isnan(data_qi)
    share = np.where(
        np.isnan(out["elapsed_share"]), elapsed(data_qi, t0, grid.deadline), out["elapsed_share"]
    )
    with np.errstate(invalid="ignore"):
        provisional = out["provisional"] | (has_data & (data_qi - t0 < 4))
    to_meet = out["projected_to_meet"]
    return {
        "target_id": frame["target_id"].to_numpy(),
        "status": _text(status),
        "reason": _text(reason),
        # No figure, no current value: a flow kind's empty sum is not "0家" (issue 16).
        "current_value": np.where(has_data, out["current_value"], np.nan),
        "data_year": pd.array(np.where(has_data, year_of(data_qi), np.nan)).astype("Int64"),
        "data_quarter": pd.array(np.where(has_data, quarter_of(data_qi), np.nan)).astype("Int64"),
        "completion_ratio": out["completion_ratio"],
        "elapsed_share": share,
        "elapsed_share_asof": elapsed(np.full(grid.n, float(grid.as_of)), t0, grid.deadline),
        "pace": out["pace"],
        "expected_value": out["expected_value"],
        "gap": signed_gap(grid, out, status),
        "moving_away": out["moving_away"],
        "stale": stale,
        "provisional": provisional,
        "exceeds_stretch": out["exceeds_stretch"],
        "unattainable": out["unattainable"],
        "periods_met": pd.array(out["periods_met"]).astype("Int64"),
        "periods_total": pd.array(out["periods_total"]).astype("Int64"),
        "needed_average": out["needed_average"],
        "projected_value": out["projected_value"],
        "projected_to_meet": pd.array(
            np.where(np.isnan(to_meet), None, to_meet == 1), dtype="boolean"
        ),
        "awaiting_final": awaiting_final,
        "aspirational": frame["aspirational"].to_numpy(),
        "binding": frame["binding"].to_numpy(),
    }


_PACE = (Status.ON_TRACK, Status.LAGGING, Status.OFF_TRACK)
_NO_GAP = (Status.NO_DATA, Status.UNASSIGNED, Status.NOT_APPLICABLE)


def signed_gap(grid: Grid, out: dict[str, np.ndarray], status: np.ndarray) -> np.ndarray:
    """``gap = s·(c - reference)``, one sign for every kind.

    docs/progress.md "Gap, one sign everywhere".

    Positive is ahead of / beyond the reference, negative behind / short of it. The reference
    is the expected value for the pace statuses (for 保持 and 均值 that is T itself) and the
    goal for achieved, not achieved and insufficient data. No data (and a target without a
    value or cancelled) has no gap: NaN, shown as 「—」, never 0.
    """
    pace_row = np.isin(status, _PACE)
    reference = np.where(pace_row, out["expected_value"], out["goal"])
    with np.errstate(invalid="ignore"):
        gap = grid.sign * (out["measured"] - reference)
    gap = np.where(np.isin(status, _NO_GAP), np.nan, gap)
    return np.round(gap, 9) + 0.0  # float noise off, and no -0.0


def _text(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Object array of StrEnum members / None → a ``string`` array of plain values / NA."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    plain = np.array([str(u) for u in uniques] + [None], dtype=object)
    return pd.array(plain[codes], dtype="string")


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=PROGRESS_DTYPES[c]) for c in PROGRESS_COLUMNS})
