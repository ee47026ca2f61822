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

_QI_BITS = 14  # quarter indices stay below 2**14 (years < 4096)


def quarter_index(day: dt.date | pd.Timestamp) -> int:
    """Index of the latest quarter that has *ended* on or before ``day``."""
    stamp = pd.Timestamp(day)
    quarter = (stamp.month - 1) // 3 + 1
    quarter_end = (pd.Timestamp(stamp.year, 3 * quarter, 1) + pd.offsets.MonthEnd(0)).date()
    index = 4 * stamp.year + quarter
    return index if stamp.date() >= quarter_end else index - 1


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
    state: np.ndarray  # float milestone state code 0/1/2 or NaN
    criteria: np.ndarray  # float sub-criteria met, or NaN

    @property
    def year(self) -> np.ndarray:
        return year_of(self.qi)

    def take(self, rows: np.ndarray) -> Joined:
        return Joined(
            self.tpos[rows], self.qi[rows], self.annual[rows], self.value[rows],
            self.state[rows], self.criteria[rows],
        )


def _dedupe(observations: pd.DataFrame, key: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """One row per (key, period), whatever the input order.

    An annual value and a Q4 value share a period; the annual one wins (it is the year's
    official figure). Exact duplicates of a quarterly period should not exist among
    approved figures; if they do, the sort makes the pick deterministic.
    """
    quarter = observations["quarter"].to_numpy()
    annual = np.isnan(quarter)
    qi = 4 * observations["year"].to_numpy() + np.where(annual, 4, quarter).astype(np.int64)
    if len(qi) and (qi.min() < 0 or qi.max() >= 2**_QI_BITS):
        raise ValueError("observations.year out of range")
    composite = (key << _QI_BITS) + qi
    value = observations["value"].to_numpy()
    state = observations["state"].to_numpy()
    criteria = observations["criteria_met"].to_numpy()
    order = np.lexsort((criteria, state, value, annual, composite))
    composite = composite[order]
    keep = np.r_[composite[1:] != composite[:-1], True] if len(order) else np.zeros(0, bool)
    rows = order[keep]
    frame = pd.DataFrame(
        {
            "qi": qi[rows],
            "annual": annual[rows],
            "value": value[rows],
            "state": state[rows],
            "criteria": criteria[rows],
        }
    )
    return composite[keep], frame


def join_observations(
    targets: pd.DataFrame, observations: pd.DataFrame, lo: np.ndarray, hi: np.ndarray
) -> Joined:
    """Observations of each target's (indicator, region) with ``lo ≤ qi ≤ hi``."""
    t_key = (targets["indicator_id"].to_numpy() << 32) + targets["region_id"].to_numpy()
    o_key = (observations["indicator_id"].to_numpy() << 32) + observations["region_id"].to_numpy()
    codes, _ = pd.factorize(np.concatenate([o_key, t_key]))
    o_code, t_code = codes[: len(o_key)].astype(np.int64), codes[len(o_key) :].astype(np.int64)
    composite, obs = _dedupe(observations, o_code)
    start = np.searchsorted(composite, (t_code << _QI_BITS) + lo, side="left")
    stop = np.searchsorted(composite, (t_code << _QI_BITS) + hi, side="right")
    counts = np.maximum(stop - start, 0)
    tpos = np.repeat(np.arange(len(targets), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    rows = np.arange(counts.sum(), dtype=np.int64) - np.repeat(offsets - start, counts)
    return Joined(
        tpos=tpos,
        qi=obs["qi"].to_numpy()[rows],
        annual=obs["annual"].to_numpy()[rows],
        value=obs["value"].to_numpy()[rows],
        state=obs["state"].to_numpy()[rows],
        criteria=obs["criteria"].to_numpy()[rows],
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
    return np.r_[change, True]
