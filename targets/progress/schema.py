"""The engine's vocabulary and column contracts: enums, settings, input/output columns.

Everything another layer needs to talk to the engine lives here as plain Python
(``enum.StrEnum``, a frozen dataclass, tuples of column names); ``targets.models`` mirrors
the enums as ``TextChoices``. ``normalise_targets`` / ``normalise_observations`` check the
columns and cast the dtypes once, so the rest of the engine can work on numpy arrays.
Nothing here may import Django.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd


class Kind(enum.StrEnum):
    """Target kinds (docs/progress.md "Kinds")."""

    LEVEL = "level"
    MAINTAIN = "maintain"
    ANNUAL_INCREMENT = "annual_increment"
    CUMULATIVE_NEW = "cumulative_new"
    PERIOD_AVERAGE = "period_average"
    DIRECTION = "direction"
    MILESTONE = "milestone"
    RANGE = "range"
    ASSIGNED = "assigned"


class Comparator(enum.StrEnum):
    """How a value is judged against the target value (以上/以下 are inclusive, 民法典 1259).

    ``eq`` is judged as ``ge``: "=100%" on a rate is "≥ 100", and a plan that writes
    "达到X" means at least X. ``range`` means: the low end (``value``) decides, the high end
    (``value_high``) is the stretch. For ``direction`` targets ``ge`` means 提升 and ``le``
    means 下降.
    """

    GE = "ge"
    LE = "le"
    GT = "gt"
    LT = "lt"
    EQ = "eq"
    RANGE = "range"


class Status(enum.StrEnum):
    """Progress statuses in order of precedence (first match wins)."""

    NOT_APPLICABLE = "not_applicable"
    UNASSIGNED = "unassigned"
    NO_DATA = "no_data"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    INSUFFICIENT_DATA = "insufficient_data"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_APPLICABLE: "不再考核",
    Status.UNASSIGNED: "待下达",
    Status.NO_DATA: "待填报",
    Status.ACHIEVED: "已完成",
    Status.NOT_ACHIEVED: "未完成",
    Status.INSUFFICIENT_DATA: "数据不足",
    Status.ON_TRACK: "进度正常",
    Status.LAGGING: "进度滞后",
    Status.OFF_TRACK: "严重滞后",
}


class MilestoneState(enum.StrEnum):
    """State of a qualitative milestone as reported in ``observations.state``."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return MILESTONE_LABELS[self]


MILESTONE_LABELS: dict[MilestoneState, str] = {
    MilestoneState.NOT_STARTED: "未启动",
    MilestoneState.IN_PROGRESS: "推进中",
    MilestoneState.DONE: "已完成",
}


class Reason(enum.StrEnum):
    """Why a row has its status, where the status alone does not say (``reason`` column)."""

    CANCELLED = "cancelled"  # not_applicable
    NO_VALUE = "no_value"  # unassigned: the higher level has not set the value yet
    NO_OBSERVATION = "no_observation"  # no_data: nothing approved after t0
    STALE = "stale"  # no_data: two or more due periods missed
    MISSING_PERIOD = "missing_period"  # no_data: a due period in between has no value
    AWAITING_FINAL = "awaiting_final"  # no_data: past the deadline, deadline period missing
    NO_BASELINE = "no_baseline"  # insufficient_data: one value, no baseline
    BASELINE_MET = "baseline_met"  # level: the baseline already met the target
    AWAITING_ANNUAL = "awaiting_annual"  # flows: nothing due yet this year (待年度评定)


@dataclass(frozen=True)
class Settings:
    """Tunable thresholds; the defaults are the published ones (docs/progress.md
    "Common definitions")."""

    on_track: float = 0.95  # q ≥ on_track → on_track (Eurostat / Open SDG)
    lagging: float = 0.60  # lagging ≤ q < on_track → lagging
    annual_rule: Literal["strict", "cumulative"] = "strict"  # annual_increment at the deadline
    direction_epsilon: float = 0.0  # stagnation band for direction targets, per year
    milestone_off_track_share: float | None = None  # 未启动 at e ≥ this → off_track
    stale_grace_days: int = 30  # days after a period's end before it counts as due
    near_limit_tolerance: float = 0.0  # slack for targets at a natural limit (0 or 100)

    def __post_init__(self) -> None:
        if self.annual_rule not in ("strict", "cumulative"):
            raise ValueError(
                f"annual_rule must be 'strict' or 'cumulative', not {self.annual_rule!r}"
            )
        if not self.lagging <= self.on_track:
            raise ValueError("lagging threshold must not exceed on_track threshold")


TARGET_COLUMNS: tuple[str, ...] = (
    "target_id",
    "indicator_id",
    "region_id",
    "kind",
    "comparator",
    "value",
    "value_high",
    "deadline_year",
    "baseline_value",
    "baseline_year",
    "plan_start_year",
    "plan_end_year",
    "plan_base_year",
    "frequency",
    "lower_bound",
    "upper_bound",
    "profile",
    "aspirational",
    "binding",
    "cancelled",
    "criteria_total",
)

OBSERVATION_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "region_id",
    "year",
    "quarter",
    "value",
    "state",
    "criteria_met",
)

PROGRESS_COLUMNS: tuple[str, ...] = (
    "target_id",
    "status",
    "reason",
    "current_value",
    "data_year",
    "data_quarter",
    "completion_ratio",
    "elapsed_share",
    "elapsed_share_asof",
    "pace",
    "expected_value",
    "gap",
    "moving_away",
    "stale",
    "provisional",
    "exceeds_stretch",
    "unattainable",
    "periods_met",
    "periods_total",
    "needed_average",
    "projected_value",
    "projected_to_meet",
    "awaiting_final",
    "aspirational",
    "binding",
)

PROGRESS_DTYPES: dict[str, str] = {
    "target_id": "int64",
    "status": "string",
    "reason": "string",
    "current_value": "float64",
    "data_year": "Int64",
    "data_quarter": "Int64",
    "completion_ratio": "float64",
    "elapsed_share": "float64",
    "elapsed_share_asof": "float64",
    "pace": "float64",
    "expected_value": "float64",
    "gap": "float64",
    "moving_away": "bool",
    "stale": "bool",
    "provisional": "bool",
    "exceeds_stretch": "bool",
    "unattainable": "bool",
    "periods_met": "Int64",
    "periods_total": "Int64",
    "needed_average": "float64",
    "projected_value": "float64",
    "projected_to_meet": "boolean",
    "awaiting_final": "bool",
    "aspirational": "bool",
    "binding": "bool",
}

# Columns that may be left out of the input frames (they are filled with NA).
_OPTIONAL_TARGET = {"criteria_total"}
_OPTIONAL_OBSERVATION = {"state", "criteria_met"}

_INT = ("target_id", "indicator_id", "region_id", "plan_start_year", "plan_end_year")
_NULLABLE_INT = ("deadline_year", "baseline_year", "plan_base_year", "criteria_total")
_FLOAT = ("value", "value_high", "baseline_value", "lower_bound", "upper_bound")
_BOOL = ("aspirational", "binding", "cancelled")

# Spellings accepted in ``observations.state`` besides the enum values.
STATE_CODES: dict[str, int] = {
    MilestoneState.NOT_STARTED: 0,
    "未启动": 0,
    MilestoneState.IN_PROGRESS: 1,
    "推进中": 1,
    MilestoneState.DONE: 2,
    "已完成": 2,
    "已建成": 2,
}

FREQUENCIES = ("quarterly", "annual")
PROFILES = ("uniform", "annual")


def _require(
    frame: pd.DataFrame, columns: tuple[str, ...], optional: set[str], name: str
) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns and c not in optional]
    if missing:
        raise ValueError(f"{name} frame lacks column(s): {', '.join(missing)}")
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in columns:
        out[column] = frame[column].to_numpy() if column in frame.columns else pd.NA
    return out


def _float(series: pd.Series) -> np.ndarray:
    """Any numeric-ish column (ints, Int64, floats, Decimal objects, None) as float64."""
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)  # type: ignore[no-any-return]


def _required_int(series: pd.Series, name: str) -> np.ndarray:
    values = _float(series)
    if np.isnan(values).any():
        raise ValueError(f"{name} must not be empty")
    return values.astype(np.int64)


def _codes(
    series: pd.Series, mapping: dict[str, int], name: str, default: int | None
) -> np.ndarray:
    """Map a text column to integer codes via ``mapping`` (one lookup per distinct value).

    NA becomes ``default``; with ``default=None`` NA and unknown values become NaN,
    otherwise an unknown value is an error naming it.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    found = [mapping.get(str(u)) for u in uniques]
    if default is not None and None in found:
        bad = sorted(str(u) for u, f in zip(uniques, found, strict=True) if f is None)
        raise ValueError(f"unknown {name} value(s): {', '.join(bad)}")
    na = np.nan if default is None else default
    lookup = np.array([np.nan if f is None else f for f in found] + [na], dtype=np.float64)
    return lookup[codes]  # type: ignore[no-any-return]  # the NA sentinel -1 picks the last entry


def _index(values: tuple[str, ...]) -> dict[str, int]:
    return {str(v): i for i, v in enumerate(values)}


def normalise_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Check the target columns and cast them; adds integer codes for the text columns."""
    frame = _require(targets, TARGET_COLUMNS, _OPTIONAL_TARGET, "targets")
    for column in _INT:
        frame[column] = _required_int(frame[column], f"targets.{column}")
    for column in _NULLABLE_INT:
        frame[column] = pd.array(_float(frame[column])).astype("Int64")
    for column in _FLOAT:
        frame[column] = _float(frame[column])
    for column in _BOOL:
        frame[column] = frame[column].fillna(False).astype(bool)
    codes = {
        "kind_code": ("kind", _index(tuple(Kind)), 0),
        "comparator_code": ("comparator", _index(tuple(Comparator)), 0),
        "frequency_code": ("frequency", _index(FREQUENCIES), FREQUENCIES.index("annual")),
        "profile_code": ("profile", _index(PROFILES), 0),
    }
    for code, (column, mapping, default) in codes.items():
        frame[code] = _codes(frame[column], mapping, column, default).astype(np.int64)
    return frame


@dataclass(frozen=True)
class Observed:
    """Approved observations as numpy arrays (one element per observation)."""

    indicator_id: np.ndarray
    region_id: np.ndarray
    year: np.ndarray
    quarter: np.ndarray  # float; NaN for an annual value
    value: np.ndarray  # float; NaN for milestone-state rows
    criteria_met: np.ndarray  # float; NaN when absent
    state: pd.Series | None  # raw text, decoded lazily for milestone rows only

    def __len__(self) -> int:
        return len(self.year)

    def state_codes(self, rows: np.ndarray) -> np.ndarray:
        """Milestone state codes 0/1/2 (NaN when absent or unrecognised) of ``rows``."""
        if self.state is None:
            return np.full(len(rows), np.nan)
        return _codes(self.state.take(rows), STATE_CODES, "state", None)


def normalise_observations(observations: pd.DataFrame) -> Observed:
    """Check the observation columns and cast them to numpy arrays."""
    missing = [
        c
        for c in OBSERVATION_COLUMNS
        if c not in observations.columns and c not in _OPTIONAL_OBSERVATION
    ]
    if missing:
        raise ValueError(f"observations frame lacks column(s): {', '.join(missing)}")
    quarter = _float(observations["quarter"])
    if not np.isin(quarter[~np.isnan(quarter)], (1, 2, 3, 4)).all():
        raise ValueError("observations.quarter must be 1-4 or empty")
    has = observations.columns
    return Observed(
        indicator_id=_required_int(observations["indicator_id"], "observations.indicator_id"),
        region_id=_required_int(observations["region_id"], "observations.region_id"),
        year=_required_int(observations["year"], "observations.year"),
        quarter=quarter,
        value=_float(observations["value"]),
        criteria_met=(
            _float(observations["criteria_met"])
            if "criteria_met" in has
            else np.full(len(observations), np.nan)
        ),
        state=observations["state"].reset_index(drop=True) if "state" in has else None,
    )
