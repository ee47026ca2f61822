"""Pure builders for progress-engine tests (no Django, no database).

``target_rows`` makes one target frame row per keyword set, defaulting to the common
setting of the worked cases (docs/progress.md): plan 2021-2025, base year 2020 (t0 = 2020 Q4),
deadline 2025, "≥ 96", annual frequency. ``observation_rows`` takes tuples
``(year, quarter, value)`` (quarter ``None`` for an annual value) or dicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from targets.progress import OBSERVATION_COLUMNS, TARGET_COLUMNS, compute_progress

TARGET_DEFAULTS: dict[str, Any] = {
    "target_id": 1,
    "indicator_id": 1,
    "region_id": 1,
    "kind": "level",
    "comparator": "ge",
    "value": 96.0,
    "value_high": np.nan,
    "deadline_year": 2025,
    "baseline_value": np.nan,
    "baseline_year": None,
    "plan_start_year": 2021,
    "plan_end_year": 2025,
    "plan_base_year": 2020,
    "frequency": "annual",
    "lower_bound": np.nan,
    "upper_bound": np.nan,
    "profile": "uniform",
    "aspirational": False,
    "binding": False,
    "cancelled": False,
    "criteria_total": None,
}


def target_rows(*rows: dict[str, Any], **common: Any) -> pd.DataFrame:
    """Targets frame: each dict overrides the defaults; ``common`` applies to all rows."""
    records = [{**TARGET_DEFAULTS, **common, **row} for row in (rows or ({},))]
    frame = pd.DataFrame.from_records(records, columns=list(TARGET_COLUMNS))
    for column in ("deadline_year", "baseline_year", "plan_base_year", "criteria_total"):
        frame[column] = frame[column].astype("Int64")
    return frame


def observation_rows(
    *rows: tuple[Any, ...] | dict[str, Any], indicator_id: int = 1, region_id: int = 1
) -> pd.DataFrame:
    """Observations frame from ``(year, quarter, value)`` tuples or full dicts."""
    records = []
    for row in rows:
        base = {
            "indicator_id": indicator_id,
            "region_id": region_id,
            "quarter": None,
            "value": np.nan,
            "state": None,
            "criteria_met": None,
        }
        if isinstance(row, dict):
            records.append({**base, **row})
        else:
            year, quarter, value = row
            records.append({**base, "year": year, "quarter": quarter, "value": value})
    frame = pd.DataFrame.from_records(records, columns=list(OBSERVATION_COLUMNS))
    frame["quarter"] = frame["quarter"].astype("Int64")
    frame["criteria_met"] = frame["criteria_met"].astype("Int64")
    return frame


def yearly(*pairs: tuple[int, float]) -> pd.DataFrame:
    """Annual observations from ``(year, value)`` pairs."""
    return observation_rows(*((year, None, value) for year, value in pairs))


def progress_row(
    targets: pd.DataFrame, observations: pd.DataFrame, as_of: str, **kwargs: Any
) -> pd.Series:
    """The single progress row of a one-target computation."""
    progress = compute_progress(targets, observations, as_of=pd.Timestamp(as_of), **kwargs)
    assert len(progress) == 1
    return progress.iloc[0]
