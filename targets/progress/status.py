"""Shared judgement rules: the comparator test, the pace bands, elapsed shares, staleness.

Every kind module calls these, so a rule such as "以上 includes the number" or "q of
exactly 0.95 is on track" has exactly one implementation. All functions are vectorised
over numpy arrays (one element per target). No Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import Comparator, Settings, Status

# Comparator codes as produced by schema.normalise_targets (index in tuple(Comparator)).
GE, LE, GT, LT, EQ, RANGE = (list(Comparator).index(c) for c in Comparator)

_DIGITS = 9  # float noise guard for value comparisons (values carry ≤ 4 decimals)
PACE_DIGITS = 6  # q and r are rounded to 6 places before any comparison (case 1e)


@dataclass(frozen=True)
class Grid:
    """Per-target time grid and target parameters as numpy arrays (one element per target)."""

    n: int
    kind: np.ndarray  # int code, index in tuple(Kind)
    comparator: np.ndarray  # int code
    sign: np.ndarray  # +1 for ≥/>/range (提升), -1 for ≤/< (下降)
    value: np.ndarray  # T (the low end of a range)
    value_high: np.ndarray  # the stretch / 力争 value
    baseline: np.ndarray  # b as given in the document, NaN if none
    t0: np.ndarray  # qi of the baseline date: Q4 of baseline_year, else of the plan's y0
    t0_plan: np.ndarray  # qi of Q4 of the plan's y0 (period averages use the plan years)
    deadline: np.ndarray  # qi of tY (Q4 of the deadline year)
    cut: np.ndarray  # min(as-of quarter, tY)
    final: np.ndarray  # bool: as-of at or past tY; only the deadline period decides
    period: np.ndarray  # reporting period in quarters: 1 quarterly, 4 annual
    lower: np.ndarray
    upper: np.ndarray
    annual_profile: np.ndarray  # bool: cumulative profile (0, 0, 0, 1) instead of uniform
    criteria_total: np.ndarray  # float M or NaN
    tolerance: np.ndarray  # near-limit tolerance per target (0 unless at a natural limit)
    as_of: int  # qi of the latest quarter ended on or before the as-of date
    due: int  # qi of the latest quarter ended on or before as-of - grace days
    settings: Settings


def rounded(x: np.ndarray, digits: int = _DIGITS) -> np.ndarray:
    return np.round(x, digits)


def meets(
    x: np.ndarray, target: np.ndarray, comparator: np.ndarray, tolerance: np.ndarray | float = 0.0
) -> np.ndarray:
    """Whether ``x`` satisfies the comparator against ``target`` (NaN never does).

    ge/eq/range: x ≥ T; gt: x > T; le: x ≤ T; lt: x < T. ``tolerance`` widens the inclusive
    comparisons (EUSTAT's near-limit rule; zero by default).
    """
    with np.errstate(invalid="ignore"):
        diff = rounded(x - target)
        at_least = diff >= -tolerance
        return np.select(  # type: ignore[no-any-return]
            [comparator == GT, comparator == LE, comparator == LT],
            [diff > 0, diff <= tolerance, diff < 0],
            default=at_least,
        ) & ~np.isnan(diff)


def reaches(x: np.ndarray, target: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Inclusive test in the target's direction: s·(x - target) ≥ 0 (NaN → False)."""
    with np.errstate(invalid="ignore"):
        diff = rounded(sign * (x - target))
        return (diff >= 0) & ~np.isnan(diff)  # type: ignore[no-any-return]


def pace(ratio: np.ndarray, share: np.ndarray) -> np.ndarray:
    """q = r / e rounded to 6 places; NaN when e is zero or unknown."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(share > 0, ratio / share, np.nan)
    return np.round(q, PACE_DIGITS)


def bands(q: np.ndarray, settings: Settings) -> np.ndarray:
    """on_track for q ≥ 0.95, lagging for 0.60 ≤ q < 0.95, off_track below (and for NaN)."""
    on_track = q >= round(settings.on_track, PACE_DIGITS)
    lagging = q >= round(settings.lagging, PACE_DIGITS)
    return np.select(
        [on_track, lagging], [Status.ON_TRACK, Status.LAGGING], default=Status.OFF_TRACK
    ).astype(object)


def elapsed(at: np.ndarray, t0: np.ndarray, deadline: np.ndarray) -> np.ndarray:
    """e = clamp((qi(at) - qi(t0)) / (qi(tY) - qi(t0)), 0, 1); NaN where ``at`` is NaN."""
    span = np.maximum(deadline - t0, 1)
    return np.clip((at - t0) / span, 0.0, 1.0)  # type: ignore[no-any-return]


def missed_periods(grid: Grid, data_qi: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Due reporting periods after the data time (period ends ≤ as-of - grace, ≤ tY).

    Period ends are multiples of ``period`` on the quarter grid (year ends are multiples
    of four), so counting them is a floor division.
    """
    due = np.minimum(grid.due, grid.deadline)
    with np.errstate(invalid="ignore"):
        missed = np.floor(due / period) - np.floor(data_qi / period)
    return np.where(np.isnan(missed), 0, np.maximum(missed, 0)).astype(np.int64)


def select(conditions: list[np.ndarray], choices: list[object], default: object) -> np.ndarray:
    """``np.select`` for statuses and reasons: an object array, first match wins."""
    if isinstance(default, np.ndarray):
        out = default.astype(object)
    else:
        out = np.full(len(conditions[0]), default, dtype=object)
    for condition, choice in zip(reversed(conditions), reversed(choices), strict=True):
        if isinstance(choice, np.ndarray):
            out = np.where(condition, choice, out)
        else:
            out[condition] = choice
    return out


# --- the per-target result every kind fills in ------------------------------------------

FLOAT_FIELDS = (
    "current_value",
    "data_qi",  # quarter index of the data time (NaN: no data)
    "t0",  # effective t0 (a moved baseline date for level targets without baseline)
    "elapsed_share",  # NaN: derive from data_qi and t0
    "completion_ratio",
    "pace",
    "expected_value",
    "gap",  # by the engine (docs/progress.md "Gap, one sign everywhere")
    "measured",  # the value the kind compares: c, the year's flow, the running total, the mean
    "goal",  # what it must reach: T (default), N per year, N over the plan, M criteria
    "periods_met",
    "periods_total",
    "needed_average",
    "projected_value",
    "projected_to_meet",  # 1.0 / 0.0 / NaN
    "period",  # reporting period in quarters for staleness; NaN: the target's frequency
)
BOOL_FIELDS = ("moving_away", "exceeds_stretch", "unattainable", "terminal", "provisional")


def blank(grid: Grid) -> dict[str, np.ndarray]:
    """An empty result: NaN numbers, False flags, no status; ``t0`` is the target's t0."""
    out: dict[str, np.ndarray] = {name: np.full(grid.n, np.nan) for name in FLOAT_FIELDS}
    out.update({name: np.zeros(grid.n, bool) for name in BOOL_FIELDS})
    out["status"] = np.full(grid.n, None, dtype=object)
    out["reason"] = np.full(grid.n, None, dtype=object)
    out["t0"] = grid.t0.astype(np.float64)
    out["goal"] = grid.value.astype(np.float64)
    return out


def put(out: dict[str, np.ndarray], rows: np.ndarray, **columns: np.ndarray | float | bool) -> None:
    """Write full-length ``columns`` into ``out`` on the ``rows`` of one kind."""
    for name, column in columns.items():
        if name not in out:
            raise KeyError(name)
        out[name][rows] = column[rows] if isinstance(column, np.ndarray) else column
