"""Observations per target: the time grid, the one join, and per-target reductions.

Time is counted in quarters, ``qi = 4·year + quarter`` (an annual value is dated Q4), so a
base year ``y0`` ends at ``qi = 4·y0 + 4`` and every year end is a multiple of four.

``join_observations`` attaches to every target the approved observations of its
(indicator, region) that fall in the target's window, as flat numpy arrays sorted by
(target position, quarter). It is one factorize, one sort and two ``searchsorted`` calls,
so it scales to millions of rows. The ``group_*`` helpers reduce such sorted arrays to one
value per target without a Python loop over targets. No Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .schema import Observed

_QI_BITS = 14  # quarter indices stay below 2**14 (years < 4096)


def quarter_index(day: dt.date | pd.Timestamp) -> int:
    """Index of the latest quarter that has *ended* on or before ``day``."""
    stamp = pd.Timestamp(day)
    quarter = (stamp.month - 1) // 3 + 1
    quarter_end = (pd.Timestamp(stamp.year, 3 * quarter, 1) + pd.offsets.MonthEnd(0)).date()
    index = 4 * stamp.year + quarter
    return index if stamp.date() >= quarter_end else index - 1  # type: ignore[no-any-return]


def year_of(qi: np.ndarray) -> np.ndarray:
    return (qi - 1) // 4


def quarter_of(qi: np.ndarray) -> np.ndarray:
    return (qi - 1) % 4 + 1


@dataclass(frozen=True)
class Joined:
    """Observations attached to targets, sorted by (``tpos``, ``qi``); one row per period."""

    tpos: np.ndarray  # position of the target in the targets frame
    qi: np.ndarray
    annual: np.ndarray  # bool: an annual value (quarter NA), dated Q4
    value: np.ndarray
    source: np.ndarray  # row number in the observations
    observed: Observed

    @property
    def year(self) -> np.ndarray:
        return year_of(self.qi)

    @property
    def criteria(self) -> np.ndarray:
        return self.observed.criteria_met[self.source]  # type: ignore[no-any-return]

    @property
    def state(self) -> np.ndarray:
        """Milestone state codes 0/1/2 or NaN (decoded here, for these rows only)."""
        return self.observed.state_codes(self.source)

    def take(self, rows: np.ndarray | slice) -> Joined:
        return Joined(
            self.tpos[rows],
            self.qi[rows],
            self.annual[rows],
            self.value[rows],
            self.source[rows],
            self.observed,
        )


def _dedupe(observations: Observed, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by (key, period) keeping one row per period, whatever the input order.

    Returns the sorted composite keys and the kept row numbers. An annual value and a Q4
    value share a period; the annual one wins (it is the year's official figure). Other
    duplicates should not exist among approved figures; if they do, a sort on every
    column makes the pick deterministic (only the duplicated rows pay for it).
    """
    annual = np.isnan(observations.quarter)
    qi = 4 * observations.year + np.where(annual, 4, observations.quarter).astype(np.int64)
    if len(qi) and (qi.min() < 0 or qi.max() >= 2**_QI_BITS):
        raise ValueError("observations.year out of range")
    composite = (key << _QI_BITS) + qi
    # Stable: observations loaded in (indicator, region, year, quarter) order sort in
    # near-linear time.
    order = np.argsort(composite, kind="stable")
    sorted_keys = composite[order]
    new_period = sorted_keys[1:] != sorted_keys[:-1]
    if not new_period.all():
        same = ~new_period
        involved = np.r_[same, False] | np.r_[False, same]
        rows = order[involved]
        ties = np.lexsort(
            (
                observations.criteria_met[rows],
                observations.state_codes(rows),
                observations.value[rows],
                annual[rows],
                composite[rows],
            )
        )
        order[involved] = rows[ties]  # same keys in the same places, so ``new_period`` holds
    keep = np.r_[new_period, True] if len(order) else np.zeros(0, bool)
    return sorted_keys[keep], order[keep]


def _keys(targets: pd.DataFrame, observations: Observed) -> tuple[np.ndarray, np.ndarray]:
    """Dense integer codes for (indicator_id, region_id) of targets and observations."""
    t_ind, t_reg = targets["indicator_id"].to_numpy(), targets["region_id"].to_numpy()
    o_ind, o_reg = observations.indicator_id, observations.region_id
    top_ind = max(int(t_ind.max(initial=0)), int(o_ind.max(initial=0))) + 1
    top_reg = max(int(t_reg.max(initial=0)), int(o_reg.max(initial=0))) + 1
    low = min(
        int(t_ind.min(initial=0)),
        int(o_ind.min(initial=0)),
        int(t_reg.min(initial=0)),
        int(o_reg.min(initial=0)),
    )
    if low >= 0 and top_ind * top_reg < 2 ** (62 - _QI_BITS):
        return t_ind * top_reg + t_reg, o_ind * top_reg + o_reg  # arithmetic, no hashing
    codes, _ = pd.factorize(np.concatenate([o_ind << 32 | o_reg, t_ind << 32 | t_reg]))
    codes = codes.astype(np.int64)
    return codes[len(o_ind) :], codes[: len(o_ind)]


def _search(haystack: np.ndarray, needles: np.ndarray, side: str) -> np.ndarray:
    """``np.searchsorted`` with the needles sorted first (cache-friendly at scale)."""
    order = np.argsort(needles)
    found = np.empty(len(needles), np.int64)
    found[order] = np.searchsorted(haystack, needles[order], side=side)  # type: ignore[call-overload]
    return found


def join_observations(
    targets: pd.DataFrame, observations: Observed, lo: np.ndarray, hi: np.ndarray
) -> Joined:
    """Observations of each target's (indicator, region) with ``lo <= qi <= hi``."""
    t_key, o_key = _keys(targets, observations)
    composite, kept = _dedupe(observations, o_key)
    start = _search(composite, (t_key << _QI_BITS) + lo, "left")
    stop = _search(composite, (t_key << _QI_BITS) + hi, "right")
    counts = np.maximum(stop - start, 0)
    offsets = np.cumsum(counts) - counts
    positions = np.arange(counts.sum(), dtype=np.int64) - np.repeat(offsets - start, counts)
    rows = kept[positions]
    return Joined(
        tpos=np.repeat(np.arange(len(targets), dtype=np.int64), counts),
        qi=composite[positions] & (2**_QI_BITS - 1),
        annual=np.isnan(observations.quarter[rows]),
        value=observations.value[rows],
        source=rows,
        observed=observations,
    )


# --- reductions over arrays sorted by group ----------------------------------------------


def segments(group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a sorted group array: (group id, first row, one-past-last row) of each run."""
    if len(group) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    stops = np.r_[starts[1:], len(group)]
    return group[starts], starts, stops


def group_last(group: np.ndarray, values: np.ndarray, n: int, fill: float = np.nan) -> np.ndarray:
    ids, _, stops = segments(group)
    out = np.full(n, fill, dtype=np.float64)
    out[ids] = values[stops - 1]
    return out


def group_first(group: np.ndarray, values: np.ndarray, n: int, fill: float = np.nan) -> np.ndarray:
    ids, starts, _ = segments(group)
    out = np.full(n, fill, dtype=np.float64)
    out[ids] = values[starts]
    return out


def group_second_last(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    ids, starts, stops = segments(group)
    out = np.full(n, np.nan)
    two = stops - starts >= 2
    out[ids[two]] = values[stops[two] - 2]
    return out


def group_sum(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(group, weights=values, minlength=n).astype(np.float64)


def group_count(group: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(group, minlength=n).astype(np.int64)


def last_of_run(*keys: np.ndarray) -> np.ndarray:
    """Rows that end a run of equal keys (arrays sorted by those keys)."""
    if len(keys[0]) == 0:
        return np.zeros(0, bool)
    change = np.zeros(len(keys[0]) - 1, bool)
    for key in keys:
        change |= key[1:] != key[:-1]
    return np.r_[change, True]  # type: ignore[no-any-return]
