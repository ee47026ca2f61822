"""QualityTrack's pure progress engine (pandas/numpy/stdlib only; import-linter enforced).

``compute_progress(targets, observations, as_of=...)`` turns a frame of targets and a frame
of approved observations into one progress row per target. The vocabulary (``Status``,
``Kind``, ``Comparator``, ``MilestoneState``) and the column contracts live in ``schema``;
``targets.models`` mirrors them. Rules: docs/progress.md.

Readings of the specification where it leaves a choice:

- ``eq`` is judged as ``ge`` (PROGRESS: "=100%" on a rate is "≥ 100"). The two-sided
  band "控制在2%-3%之间" has no input representation and is not modelled; ``range``
  always means "the low end decides, the high end is the stretch".
- ``assigned`` with a value is judged as a ``level`` target. Any kind except
  ``direction`` and ``milestone`` with no value is ``unassigned``.
- Baseline: the document's value; else an approved value for the base period itself
  (Q4 of the base year); else, with two or more in-plan values, the earliest one, whose
  period becomes t0 (docs/progress.md "Worked cases", case 2a).
- "At or past the deadline" means the as-of quarter has reached tY's quarter, so a closed
  plan evaluated on 2020-12-31 is final (表1).
- Staleness counts due period ends (period end + ``stale_grace_days`` ≤ as-of, up to
  tY) after the data time: one → ``stale``; two → ``no_data``/``stale``, except for
  targets that cannot fall back (a done milestone, a reached cumulative total).
- Flows: an annual row replaces the quarterly rows of its year; every quarter from t0 to
  the data time must be covered, else ``no_data``/``missing_period`` (not zero).
  ``annual_increment`` rows (strict rule) report the data-time year: r = F/N, e = W_k,
  q = F/(N·W_k); a reached current year is ``achieved`` (worked case 9), an unmet closed
  year makes the row ``off_track`` until the deadline. Stock reporting is not modelled.
- ``period_average`` uses the plan's years (not a baseline_year) as its window;
  ``pace``/``completion_ratio`` hold q_pa, ``gap`` is mean - T.
- ``direction`` and ``milestone`` rows leave r/q empty (milestones with sub-criteria
  fill them). Projections are made for level-type kinds, maintain, direction and
  cumulative_new (the running total); not for annual_increment or period_average.
- Duplicate observations for one period: an annual value wins over a Q4 value; other
  duplicates are resolved deterministically (sorted on every column), so the input order
  never matters.
"""

from .engine import compute_progress
from .schema import (
    MILESTONE_LABELS,
    OBSERVATION_COLUMNS,
    PROGRESS_COLUMNS,
    PROGRESS_DTYPES,
    STATUS_LABELS,
    TARGET_COLUMNS,
    Comparator,
    Kind,
    MilestoneState,
    Reason,
    Settings,
    Status,
)

__all__ = [
    "MILESTONE_LABELS",
    "OBSERVATION_COLUMNS",
    "PROGRESS_COLUMNS",
    "PROGRESS_DTYPES",
    "STATUS_LABELS",
    "TARGET_COLUMNS",
    "Comparator",
    "Kind",
    "MilestoneState",
    "Reason",
    "Settings",
    "Status",
    "compute_progress",
]
