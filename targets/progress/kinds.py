"""Value-type kinds: level (≥ ≤, range, assigned), maintain, direction, period average.

One vectorised function per kind. Each receives the time ``Grid``, the joined observations
and the boolean mask of its targets, computes full-length numpy arrays and writes them into
the shared result with ``put``. Rules and worked cases: docs/progress.md. Flow kinds
(annual_increment, cumulative_new) are in ``flows.py``, milestones in ``milestones.py``.
No Django, no loops over targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .current import (
    Joined,
    group_count,
    group_first,
    group_last,
    group_second_last,
    group_sum,
)
from .projection import project, with_baseline, yearly_points
from .schema import Reason, Status
from .status import (
    Grid,
    bands,
    elapsed,
    meets,
    pace,
    put,
    reaches,
    rounded,
    select,
)

_WINDOW = 20  # direction: at most the last five years (Destatis), in quarters


def _rows(joined: Joined, keep: np.ndarray) -> Joined:
    return joined.take(np.flatnonzero(keep))


def observed_baseline(grid: Grid, joined: Joined, mask: np.ndarray) -> np.ndarray:
    """The approved value for the baseline period itself (Q4 of the base year), if any."""
    at_t0 = mask[joined.tpos] & ~np.isnan(joined.value) & (joined.qi == grid.t0[joined.tpos])
    rows = _rows(joined, at_t0)
    return group_last(rows.tpos, rows.value, grid.n)


@dataclass(frozen=True)
class ValueSeries:
    """The values of one target after t0, its baseline and its yearly points."""

    post: Joined  # rows with t0 < qi ≤ cut
    count: np.ndarray  # number of post-t0 values
    current: np.ndarray  # c: the latest post-t0 value
    current_qi: np.ndarray  # its period (data time)
    baseline: np.ndarray  # b: given, observed at t0, or the earliest value (moved t0)
    t0: np.ndarray  # effective t0
    known: np.ndarray  # bool: b given or observed at t0
    moved: np.ndarray  # bool: no baseline, ≥ 2 values → b and t0 from the earliest value
    single: np.ndarray  # bool: no baseline and exactly one value
    points: tuple[np.ndarray, np.ndarray, np.ndarray]  # yearly points incl. (t0, b)


def value_series(grid: Grid, joined: Joined, mask: np.ndarray) -> ValueSeries:
    """Current value and baseline per target (docs/progress.md "Kinds": no baseline moves t0)."""
    n = grid.n
    values = mask[joined.tpos] & ~np.isnan(joined.value)
    post = _rows(joined, values & (joined.qi > grid.t0[joined.tpos]))
    count = group_count(post.tpos, n)
    first_value = group_first(post.tpos, post.value, n)
    first_qi = group_first(post.tpos, post.qi.astype(np.float64), n)
    observed = observed_baseline(grid, joined, mask)
    given = ~np.isnan(grid.baseline)
    known = given | ~np.isnan(observed)
    moved = ~known & (count >= 2)
    baseline = np.where(given, grid.baseline, observed)
    baseline = np.where(moved, first_value, baseline)
    points = with_baseline(
        yearly_points(post.tpos, post.qi, post.value), known & (count > 0), grid.t0, baseline
    )
    return ValueSeries(
        post=post,
        count=count,
        current=group_last(post.tpos, post.value, n),
        current_qi=group_last(post.tpos, post.qi.astype(np.float64), n),
        baseline=baseline,
        t0=np.where(moved, first_qi, grid.t0.astype(np.float64)),
        known=known,
        moved=moved,
        single=~known & (count == 1),
        points=points,
    )


def _projection(grid: Grid, series: ValueSeries) -> np.ndarray:
    projected = project(series.points, grid.deadline, grid.n, grid.lower, grid.upper)
    return np.where(grid.final, np.nan, projected)


def _as_flag(condition: np.ndarray, defined: np.ndarray) -> np.ndarray:
    return np.where(defined, condition.astype(np.float64), np.nan)


def level(grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """Level ≥ / ≤ (also ``range`` on its low end and ``assigned`` once its value is set)."""
    s = value_series(grid, joined, mask)
    target, sign, cmp = grid.value, grid.sign, grid.comparator
    c, b = s.current, s.baseline
    met = meets(c, target, cmp, grid.tolerance)
    with_b = s.known | s.moved
    with np.errstate(invalid="ignore", divide="ignore"):
        degenerate = with_b & ~(rounded(sign * (target - b)) > 0)  # b already meets T
        ratio = np.where(with_b & ~degenerate, (c - b) / (target - b), np.nan)
        share = elapsed(s.current_qi, s.t0, grid.deadline)
        expected = np.where(with_b, b + share * (target - b), np.nan)
    none = s.count == 0
    awaiting = grid.final & (s.current_qi != grid.deadline)
    status = select(
        [none | awaiting, grid.final & met, grid.final, met, degenerate, s.single],
        [
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            Status.ACHIEVED,
            Status.OFF_TRACK,
            Status.INSUFFICIENT_DATA,
        ],
        bands(pace(ratio, share), grid.settings),
    )
    reason = select(
        [awaiting, none, degenerate & ~met, s.single & ~met & ~grid.final],
        [Reason.AWAITING_FINAL, Reason.NO_OBSERVATION, Reason.BASELINE_MET, Reason.NO_BASELINE],
        None,
    )
    projected = _projection(grid, s)
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=c,
        data_qi=s.current_qi,
        t0=s.t0,
        completion_ratio=ratio,
        pace=pace(ratio, share),
        expected_value=expected,
        measured=c,
        moving_away=(np.round(ratio, 6) < 0) | (degenerate & ~met & ~none),
        exceeds_stretch=~np.isnan(grid.value_high) & reaches(c, grid.value_high, sign) & ~awaiting,
        projected_value=projected,
        projected_to_meet=_as_flag(
            meets(projected, target, cmp, grid.tolerance), ~np.isnan(projected)
        ),
    )


def maintain(grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """保持: every closed period meets the comparator; k/n periods met."""
    n = grid.n
    s = value_series(grid, joined, mask)
    p = s.post
    target, cmp = grid.value, grid.comparator
    # A period is a quarter for quarterly indicators and a year (its Q4 value) otherwise;
    # an annual indicator's in-year quarterly value is only a provisional reading.
    closes = (grid.period[p.tpos] == 1) | (p.qi % 4 == 0)
    met_rows = meets(p.value, target[p.tpos], cmp[p.tpos], grid.tolerance[p.tpos])
    met = group_count(p.tpos[closes & met_rows], n)
    seen = group_count(p.tpos[closes], n)
    has_final = group_count(p.tpos[closes & (p.qi == grid.deadline[p.tpos])], n) > 0
    total = (grid.deadline - grid.t0) // grid.period
    latest_met = meets(s.current, target, cmp, grid.tolerance)
    final, none = grid.final, s.count == 0
    status, reason = _maintain_status(
        final=final, none=none, has_final=has_final, seen=seen, total=total, met=met,
        latest_met=latest_met,
    )
    periods = np.where(final, total, seen).astype(np.float64)
    projected = _projection(grid, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(periods > 0, met / periods, np.nan)
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=s.current,
        data_qi=s.current_qi,
        completion_ratio=ratio,
        expected_value=target,
        measured=s.current,
        periods_met=met.astype(np.float64),
        periods_total=periods,
        exceeds_stretch=~np.isnan(grid.value_high) & reaches(s.current, grid.value_high, grid.sign),
        provisional=(grid.period == 4) & (s.current_qi % 4 != 0) & ~none & ~final,
        projected_value=projected,
        projected_to_meet=_as_flag(
            meets(projected, target, cmp, grid.tolerance), ~np.isnan(projected)
        ),
    )


def _maintain_status(
    *,
    final: np.ndarray,
    none: np.ndarray,
    has_final: np.ndarray,
    seen: np.ndarray,
    total: np.ndarray,
    met: np.ndarray,
    latest_met: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """保持's status and reason, first match wins: no data, every closed period met at the
    end, the latest value off the line, every period so far met, else lagging."""
    status = select(
        [
            none & ~final,
            final & ~has_final,
            final & (seen < total),
            final & (met == total),
            final,
            ~latest_met,
            met == seen,
        ],
        [
            Status.NO_DATA,
            Status.NO_DATA,
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            Status.OFF_TRACK,
            Status.ON_TRACK,
        ],
        Status.LAGGING,
    )
    reason = select(
        [none & ~final, final & ~has_final, final & (seen < total)],
        [Reason.NO_OBSERVATION, Reason.AWAITING_FINAL, Reason.MISSING_PERIOD],
        None,
    )
    return status, reason


def direction(grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """提升 / 下降: Destatis' average change A and last change L over yearly values."""
    n = grid.n
    s = value_series(grid, joined, mask)
    tpos, qi, value = s.points
    sign, eps = grid.sign, grid.settings.direction_epsilon
    count = group_count(tpos, n)
    last_qi = group_last(tpos, qi.astype(np.float64), n)
    c = group_last(tpos, value, n)
    window = qi >= last_qi[tpos] - _WINDOW
    start = group_first(tpos[window], value[window], n)
    start_qi = group_first(tpos[window], qi[window].astype(np.float64), n)
    previous = group_second_last(tpos, value, n)
    previous_qi = group_second_last(tpos, qi.astype(np.float64), n)
    only_last = group_count(tpos[window], n) < 2
    start = np.where(only_last, previous, start)
    start_qi = np.where(only_last, previous_qi, start_qi)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = rounded(sign * (c - start) / ((last_qi - start_qi) / 4.0))
        last = rounded(sign * (c - previous))
        net = rounded(sign * (c - s.baseline))
    none = s.count == 0
    awaiting = grid.final & (s.current_qi != grid.deadline)
    status, reason = _direction_status(
        final=grid.final, none=none, awaiting=awaiting, count=count, net=net, average=average,
        last=last, eps=eps,
    )
    projected = _projection(grid, s)
    with np.errstate(invalid="ignore"):
        projected_net = rounded(sign * (projected - s.baseline))
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=s.current,
        data_qi=s.current_qi,
        t0=s.t0,
        moving_away=np.where(grid.final, net < 0, average < 0),
        projected_value=projected,
        projected_to_meet=_as_flag(projected_net > eps, ~np.isnan(projected_net)),
    )


def _direction_status(
    *,
    final: np.ndarray,
    none: np.ndarray,
    awaiting: np.ndarray,
    count: np.ndarray,
    net: np.ndarray,
    average: np.ndarray,
    last: np.ndarray,
    eps: float,
) -> tuple[np.ndarray, np.ndarray]:
    """提升 / 下降's status and reason, first match wins: no final value yet, the net change
    at the end, too few values, then the average and the last change."""
    status = select(
        [
            none | awaiting,
            final & (net > eps),
            final,
            count < 2,
            (average > eps) & (last > 0),
            average > eps,
        ],
        [
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            Status.INSUFFICIENT_DATA,
            Status.ON_TRACK,
            Status.LAGGING,
        ],
        Status.OFF_TRACK,
    )
    reason = select(
        [awaiting, none, count < 2],
        [Reason.AWAITING_FINAL, Reason.NO_OBSERVATION, Reason.NO_BASELINE],
        None,
    )
    return status, reason


def period_average(
    grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]
) -> None:
    """均值 over the plan years: the mean so far and the average the remaining years need."""
    n = grid.n
    target, sign, cmp = grid.value, grid.sign, grid.comparator
    yearly = (
        mask[joined.tpos]
        & ~np.isnan(joined.value)
        & (joined.qi > grid.t0_plan[joined.tpos])
        & (joined.qi % 4 == 0)
    )
    p = _rows(joined, yearly)
    k = group_count(p.tpos, n)
    total = group_sum(p.tpos, p.value, n)
    c = group_last(p.tpos, p.value, n)
    c_qi = group_last(p.tpos, p.qi.astype(np.float64), n)
    years_met = group_count(p.tpos[meets(p.value, target[p.tpos], cmp[p.tpos])], n)
    has_final = group_count(p.tpos[p.qi == grid.deadline[p.tpos]], n) > 0
    years = (grid.deadline - grid.t0_plan) // 4
    baseline = np.where(
        np.isnan(grid.baseline), observed_baseline(grid, joined, mask), grid.baseline
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, total / k, np.nan)
        need = np.where(k < years, (years * target - total) / (years - k), np.nan)
        valid_b = rounded(sign * (target - baseline)) > 0
        ratio = np.where(valid_b & (k > 0), (mean - baseline) / (target - baseline), np.nan)
        good_limit = np.where(sign > 0, grid.lower, grid.upper)
        bad_limit = np.where(sign > 0, grid.upper, grid.lower)
        early = reaches(good_limit, need, sign)  # the rest cannot fail: guaranteed
        unattainable = rounded(sign * (need - bad_limit)) > 0
    q = np.round(ratio, 6)
    final = grid.final
    status, reason = _period_average_status(
        grid, final=final, has_final=has_final, k=k, years=years, mean=mean, early=early,
        unattainable=unattainable, c=c, need=need, valid_b=valid_b, q=q,
    )
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=c,
        data_qi=c_qi,
        t0=grid.t0_plan.astype(np.float64),
        period=4.0,
        completion_ratio=ratio,
        pace=q,
        expected_value=target,
        measured=mean,
        needed_average=need,
        moving_away=q < 0,
        unattainable=unattainable & ~final,
        exceeds_stretch=~np.isnan(grid.value_high) & reaches(mean, grid.value_high, sign),
        periods_met=years_met.astype(np.float64),
        periods_total=k.astype(np.float64),
    )


def _period_average_status(
    grid: Grid,
    *,
    final: np.ndarray,
    has_final: np.ndarray,
    k: np.ndarray,
    years: np.ndarray,
    mean: np.ndarray,
    early: np.ndarray,
    unattainable: np.ndarray,
    c: np.ndarray,
    need: np.ndarray,
    valid_b: np.ndarray,
    q: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """均值's status and reason, first match wins: every year in at the end, the mean against
    the target; before, guaranteed, unattainable, the latest year against what is needed,
    then the pace bands."""
    target, sign, cmp = grid.value, grid.sign, grid.comparator
    status = select(
        [
            final & ~has_final,
            final & (k < years),
            final & meets(mean, target, cmp, grid.tolerance),
            final,
            k == 0,
            early,
            unattainable,
            reaches(c, need, sign),
            valid_b,
        ],
        [
            Status.NO_DATA,
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.OFF_TRACK,
            Status.ON_TRACK,
            bands(q, grid.settings),
        ],
        Status.LAGGING,
    )
    reason = select(
        [final & ~has_final, final & (k < years), k == 0],
        [Reason.AWAITING_FINAL, Reason.MISSING_PERIOD, Reason.NO_OBSERVATION],
        None,
    )
    return status, reason
