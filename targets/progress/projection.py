"""Projection to the deadline: recency-weighted least squares over yearly points.

ESCAP's "time-weighted linear regression … gives more importance to more recent data":
weights ``w_i = 1 + (t_i - t_first)`` in years; with two points this is the line through
them. The result is clipped to the indicator's natural bounds (a rate never above 100).
It is information only and never sets a status. Vectorised with ``np.bincount``; no Django.
"""

from __future__ import annotations

import numpy as np

from .current import group_count, group_first, group_sum, last_of_run, year_of


def yearly_points(
    tpos: np.ndarray, qi: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The latest value of each (target, year) from rows sorted by (tpos, qi)."""
    keep = last_of_run(tpos, year_of(qi))
    return tpos[keep], qi[keep], value[keep]


def with_baseline(
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    has_baseline: np.ndarray,
    t0: np.ndarray,
    baseline: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prepend the baseline (t0, b) to each target's points; stays sorted by (tpos, qi)."""
    which = np.flatnonzero(has_baseline)
    tpos = np.concatenate([which, points[0]])
    qi = np.concatenate([t0[which].astype(np.int64), points[1]])
    value = np.concatenate([baseline[which], points[2]])
    order = np.argsort(tpos, kind="stable")  # baselines come first within a target
    return tpos[order], qi[order], value[order]


def project(
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    at: np.ndarray,
    n: int,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    """Weighted linear trend of each target's points evaluated at quarter ``at``.

    NaN for targets with fewer than two points. Coordinates are shifted to the first point
    (time in years, value relative to the first value) to keep the sums well conditioned.
    """
    tpos, qi, value = points
    first_qi = group_first(tpos, qi.astype(np.float64), n)
    first_value = group_first(tpos, value, n)
    x = (qi - first_qi[tpos]) / 4.0
    y = value - first_value[tpos]
    w = 1.0 + x
    sw, swx, swy = group_sum(tpos, w, n), group_sum(tpos, w * x, n), group_sum(tpos, w * y, n)
    swxx, swxy = group_sum(tpos, w * x * x, n), group_sum(tpos, w * x * y, n)
    count = group_count(tpos, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = sw * swxx - swx * swx
        slope = (sw * swxy - swx * swy) / denominator
        intercept = (swy - slope * swx) / sw
        projected = first_value + intercept + slope * (at - first_qi) / 4.0
    projected = np.where((count >= 2) & (denominator > 0), projected, np.nan)
    projected = np.where(np.isnan(lower), projected, np.maximum(projected, lower))
    return np.where(np.isnan(upper), projected, np.minimum(projected, upper))
