"""Flow kinds: annual_increment (每年新增 N) and cumulative_new (新增 N over the plan).

A flow row is a count for its period: a quarterly row is that quarter's count, an annual
row the year's count (where a year has an annual row, its quarterly rows are ignored).
Missing periods are missing, not zero: every quarter from t0 to the data time must be
covered, or the row is ``no_data`` (``missing_period``). The expected share of the way
follows the cumulative quarterly profile W = (0.25, 0.5, 0.75, 1) or, for events announced
once a year, (0, 0, 0, 1). Vectorised over (target, year) runs; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .current import (
    Joined,
    group_count,
    group_first,
    group_last,
    group_sum,
    last_of_run,
    quarter_of,
)
from .projection import project, with_baseline
from .schema import Reason, Status
from .status import Grid, bands, meets, pace, put, reaches, select


@dataclass(frozen=True)
class FlowTotals:
    count: np.ndarray  # flow rows per target
    total: np.ndarray  # S: sum of flows after t0 up to the data time
    data_qi: np.ndarray
    complete: np.ndarray  # bool: every quarter from t0 to the data time is covered
    year_total: np.ndarray  # F of the data-time year
    closed_met: np.ndarray  # closed years whose flow met N
    closed: np.ndarray  # closed years
    closed_high: np.ndarray  # closed years whose flow reached the stretch value
    share: np.ndarray  # profile share of the data-time year, W_k (1 when closed)
    plan_share: np.ndarray  # profile share of the whole period t0 → tY
    years: np.ndarray  # n: plan years after t0
    points: tuple[np.ndarray, np.ndarray, np.ndarray]  # cumulative S at each year's end


def flow_totals(grid: Grid, joined: Joined, mask: np.ndarray) -> FlowTotals:
    n = grid.n
    keep = mask[joined.tpos] & ~np.isnan(joined.value) & (joined.qi > grid.t0[joined.tpos])
    rows = joined.take(np.flatnonzero(keep))
    year = rows.year
    # Runs of (target, year); drop quarterly rows of a year that has an annual value.
    if len(year):
        run = np.cumsum(np.r_[True, last_of_run(rows.tpos, year)[:-1]]) - 1
        annual_run = np.bincount(run, weights=rows.annual.astype(np.float64)) > 0
        rows = rows.take(np.flatnonzero(rows.annual | ~annual_run[run]))
        year = rows.year

    weight = np.where(rows.annual, 4.0, 1.0)  # quarters covered by the row
    count = group_count(rows.tpos, n)
    total = group_sum(rows.tpos, rows.value, n)
    data_qi = group_last(rows.tpos, rows.qi.astype(np.float64), n)
    complete = group_sum(rows.tpos, weight, n) == data_qi - grid.t0

    ends = np.flatnonzero(last_of_run(rows.tpos, year))
    starts = np.r_[0, ends[:-1] + 1] if len(ends) else ends
    run_tpos, run_qi = rows.tpos[ends], rows.qi[ends]
    run_sum = np.add.reduceat(rows.value, starts) if len(ends) else np.zeros(0)
    run_closed = run_qi % 4 == 0
    run_met = meets(
        run_sum, grid.value[run_tpos], grid.comparator[run_tpos], grid.tolerance[run_tpos]
    )
    run_high = reaches(run_sum, grid.value_high[run_tpos], grid.sign[run_tpos])
    cumulative = np.cumsum(run_sum)
    before = group_first(run_tpos, cumulative - run_sum, n)
    run_cumulative = cumulative - before[run_tpos] if len(ends) else run_sum

    quarter = quarter_of(data_qi)
    profile = np.where(grid.annual_profile, np.where(quarter == 4, 1.0, 0.0), quarter / 4.0)
    share = np.where(quarter == 4, 1.0, profile)
    years = (grid.deadline - grid.t0) // 4
    full_years = np.floor((data_qi - grid.t0) / 4.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        plan_share = (full_years + np.where(quarter == 4, 0.0, profile)) / np.maximum(years, 1)
    return FlowTotals(
        count=count,
        total=total,
        data_qi=data_qi,
        complete=complete,
        year_total=group_last(run_tpos, run_sum, n),
        closed_met=group_count(run_tpos[run_closed & run_met], n),
        closed=group_count(run_tpos[run_closed], n),
        closed_high=group_count(run_tpos[run_closed & run_high], n),
        share=share,
        plan_share=plan_share,
        years=years,
        points=(run_tpos, run_qi, run_cumulative),
    )


def _no_data(
    grid: Grid, f: FlowTotals, reached: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(no_data condition, reason) shared by both flow kinds.

    ``reached``: a running total that already meets its goal is monotone and stays
    achieved whatever is still to be reported (docs/progress.md "Deadline windows",
    monotone kinds).
    """
    none = f.count == 0
    held = np.zeros(grid.n, bool) if reached is None else reached
    awaiting = grid.final & (f.data_qi != grid.deadline) & ~held
    missing = ~f.complete & ~none & ~held
    reason = select(
        [awaiting, none, missing],
        [Reason.AWAITING_FINAL, Reason.NO_OBSERVATION, Reason.MISSING_PERIOD],
        None,
    )
    return none | awaiting | missing, reason


def _running_total_status(
    grid: Grid, f: FlowTotals, goal: np.ndarray, expected: np.ndarray, no_data: np.ndarray
) -> np.ndarray:
    """Status of a running total S against ``goal`` (cumulative_new, and annual_increment
    under the "cumulative" rule): achieved as soon as S meets the goal, final at the
    deadline, paced against ``expected`` before; a "fewer is better" total cannot be paced.
    """
    reached = meets(f.total, goal, grid.comparator, grid.tolerance)
    return select(
        [no_data, grid.final & reached, grid.final, ~(grid.sign > 0), reached, expected == 0],
        [
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            np.where(reached, Status.ON_TRACK, Status.OFF_TRACK),
            Status.ACHIEVED,
            Status.ON_TRACK,
        ],
        bands(pace(f.total, expected), grid.settings),
    )


def annual_increment(
    grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]
) -> None:
    """每年新增 N: each year's flow against N; strict (every year) or cumulative (Σ ≥ N·n)."""
    f = flow_totals(grid, joined, mask)
    n_per_year, sign, final = grid.value, grid.sign, grid.final
    no_data, reason = _no_data(grid, f)
    up = sign > 0
    if grid.settings.annual_rule == "cumulative":
        goal = n_per_year * f.years
        expected = goal * f.plan_share
        current, share = f.total, f.plan_share
        status = _running_total_status(grid, f, goal, expected, no_data)
        stretch = reaches(f.total, grid.value_high * f.years, sign)
    else:
        goal = n_per_year
        expected = n_per_year * f.share
        current, share = f.year_total, f.share
        status = _every_year_status(grid, f, expected, no_data)
        stretch = np.where(
            final, f.closed_high == f.years, reaches(f.year_total, grid.value_high, sign)
        )
    reason = np.where(
        (status == Status.ON_TRACK) & (expected == 0) & up, Reason.AWAITING_ANNUAL, reason
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = current / goal
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=current,
        data_qi=f.data_qi,
        elapsed_share=np.where(np.isnan(f.data_qi), np.nan, share),
        completion_ratio=ratio,
        pace=pace(current, expected),
        expected_value=expected,
        measured=current,
        goal=goal,
        moving_away=np.round(ratio, 6) < 0,
        exceeds_stretch=~np.isnan(grid.value_high) & stretch & ~no_data,
        periods_met=f.closed_met.astype(np.float64),
        periods_total=np.where(final, f.years, f.closed).astype(np.float64),
    )


def _every_year_status(
    grid: Grid, f: FlowTotals, expected: np.ndarray, no_data: np.ndarray
) -> np.ndarray:
    """The strict rule's status, first match wins: every closed year met at the end, a
    closed year missed, this year's flow met (or, for a ceiling, kept under), pace bands."""
    up, final = grid.sign > 0, grid.final
    year_met = meets(f.year_total, grid.value, grid.comparator, grid.tolerance)
    return select(
        [
            no_data,
            final & (f.closed_met == f.years),
            final,
            f.closed > f.closed_met,
            up & year_met,
            ~up,
            expected == 0,
        ],
        [
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NOT_ACHIEVED,
            Status.OFF_TRACK,
            Status.ACHIEVED,
            np.where(year_met, Status.ON_TRACK, Status.OFF_TRACK),
            Status.ON_TRACK,
        ],
        bands(pace(f.year_total, expected), grid.settings),
    )


def cumulative_new(
    grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]
) -> None:
    """新增 N over the plan: S = Σ flows after t0; r = S/N; q = r/e (e along the profile)."""
    n = grid.n
    f = flow_totals(grid, joined, mask)
    goal, sign, cmp, final = grid.value, grid.sign, grid.comparator, grid.final
    up = sign > 0
    no_data, reason = _no_data(grid, f, up & meets(f.total, goal, cmp, grid.tolerance))
    expected = goal * f.plan_share
    status = _running_total_status(grid, f, goal, expected, no_data)
    reason = np.where(
        (status == Status.ON_TRACK) & (expected == 0) & up, Reason.AWAITING_ANNUAL, reason
    )
    # Projection of the running total S from (t0, 0); a total never falls.
    points = with_baseline(f.points, mask & (f.count > 0), grid.t0, np.zeros(n))
    projected = project(points, grid.deadline, n, np.full(n, np.nan), np.full(n, np.nan))
    projected = np.where(final, np.nan, np.maximum(projected, f.total))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = f.total / goal
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=f.total,
        data_qi=f.data_qi,
        elapsed_share=np.where(np.isnan(f.data_qi), np.nan, f.plan_share),
        completion_ratio=ratio,
        pace=pace(f.total, expected),
        expected_value=expected,
        measured=f.total,
        goal=goal,
        moving_away=np.round(ratio, 6) < 0,
        exceeds_stretch=~np.isnan(grid.value_high)
        & reaches(f.total, grid.value_high, sign)
        & ~no_data,
        terminal=up & meets(f.total, goal, cmp, grid.tolerance),
        projected_value=projected,
        projected_to_meet=np.where(
            np.isnan(projected),
            np.nan,
            meets(projected, goal, cmp, grid.tolerance).astype(np.float64),
        ),
    )
