"""Qualitative milestones: 未启动 / 推进中 / 已完成, or m of M sub-criteria met.

With sub-criteria the milestone is paced like a ratio (r = m/M, q = r/e, Open SDG's binary
rule "all conditions" for achievement); without, 时间过半、任务未启动 is lagging. A done
milestone is terminal: it does not fall back to no_data when reports stop. No Django.
"""

from __future__ import annotations

import numpy as np

from .current import Joined, group_last
from .schema import Reason, Status
from .status import Grid, bands, elapsed, pace, put, rounded, select


def milestone(grid: Grid, joined: Joined, mask: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """未启动 / 推进中 / 已完成, or m of M sub-criteria met (r = m/M, q = r/e)."""
    n = grid.n
    codes, met = joined.state, joined.criteria  # decoded once for this kind's rows
    reported = (
        mask[joined.tpos] & (joined.qi > grid.t0[joined.tpos]) & ~(np.isnan(codes) & np.isnan(met))
    )
    rows = np.flatnonzero(reported)
    tpos = joined.tpos[rows]
    state = group_last(tpos, codes[rows], n)
    criteria = group_last(tpos, met[rows], n)
    data_qi = group_last(tpos, joined.qi[rows].astype(np.float64), n)
    total = grid.criteria_total
    with np.errstate(invalid="ignore", divide="ignore"):
        counted = (total > 0) & ~np.isnan(criteria)
        ratio = np.where(counted, criteria / total, np.nan)
        done = (state == 2) | (counted & (rounded(criteria - total) >= 0))
    share = elapsed(data_qi, grid.t0, grid.deadline)
    share6 = np.round(share, 6)
    off_share = grid.settings.milestone_off_track_share
    not_started = (state == 0) & ~counted
    off = not_started & (share6 >= off_share) if off_share is not None else np.zeros(n, bool)
    none, final = np.isnan(data_qi), grid.final
    # Past the deadline only a report for the deadline period can say 未完成; without one
    # the common rule applies (no_data, awaiting_final), unless it is already 已完成.
    unreported = final & ~none & ~done & (data_qi != grid.deadline)
    status = select(
        [none, done, unreported, final, counted, off, not_started & (share6 >= 0.5)],
        [
            Status.NO_DATA,
            Status.ACHIEVED,
            Status.NO_DATA,
            Status.NOT_ACHIEVED,
            bands(pace(ratio, share), grid.settings),
            Status.OFF_TRACK,
            Status.LAGGING,
        ],
        Status.ON_TRACK,
    )
    reason = select(
        [(none & final) | unreported, none], [Reason.AWAITING_FINAL, Reason.NO_OBSERVATION], None
    )
    expected = total * share
    put(
        out,
        mask,
        status=status,
        reason=reason,
        current_value=np.where(counted, criteria, np.nan),
        data_qi=data_qi,
        completion_ratio=ratio,
        pace=pace(ratio, share),
        expected_value=np.where(counted, expected, np.nan),
        measured=np.where(counted, criteria, np.nan),
        goal=total,
        terminal=done,
    )
