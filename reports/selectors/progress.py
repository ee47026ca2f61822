"""Progress rows of one quarter under the filters, and their rollups for the 总览 charts. Rows
come from ``targets.selectors.progress_for_quarter``; they are counted by region, by
department and by status, compared with the quarter before, and turned into chart frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, F, QuerySet

from targets import status
from targets.models import Plan, Progress
from targets.selectors import (
    STATUS_ORDER,
    Rollup,
    previous_quarter,
    progress_for_quarter,
    rollup_by_department,
    rollup_by_region,
    status_counts,
)

from .filters import DashboardFilters

#: Lagging and off track (behind on pace, still in time): ``targets.status.PACE_BEHIND``.
BEHIND_STATUSES = status.PACE_BEHIND


def progress_rows(
    f: DashboardFilters,
    *,
    year: int | None = None,
    quarter: int | None = None,
    states: tuple[str, ...] | None = (Plan.Status.IN_FORCE,),
) -> QuerySet[Progress]:
    """The Progress rows of one quarter (default: the filters' quarter) under the filters.

    Dashboards count in-force plans by default; plans in 终期评估 have their own section
    (``states=(FINAL_REVIEW,)``), and a plan picked in the filters is shown whatever its state
    (docs/lifecycle.md)."""
    rows = progress_for_quarter(
        year=year if year is not None else f.year,  # type: ignore[arg-type]
        quarter=quarter if quarter is not None else f.quarter,  # type: ignore[arg-type]
        region_ids=f.region_ids,
        plan_ids=[f.plan.pk] if f.plan else None,
        department_id=f.department.pk if f.department else None,
    )
    if states is not None and f.plan is None:
        rows = rows.filter(target__plan__status__in=states)
    if f.category:
        rows = rows.filter(target__indicator__category=f.category)
    if f.status:
        rows = rows.filter(status=f.status)
    return rows


def rollup_frame(rollups: Sequence[Rollup], *, with_region: bool = False) -> pd.DataFrame:
    """Rollups → a frame of counts: one row per group (its display name), one column a status."""
    index = [
        f"{r.region}·{r.name}" if with_region and r.region else r.name for r in rollups
    ]
    return pd.DataFrame(
        [[r.counts.get(s, 0) for s in STATUS_ORDER] for r in rollups],
        index=pd.Index(index, name="group"),
        columns=list(STATUS_ORDER),
        dtype="int64",
    )


def status_by_region(rows: QuerySet[Progress]) -> list[Rollup]:
    return rollup_by_region(rows)


def status_by_department(rows: QuerySet[Progress]) -> list[Rollup]:
    return rollup_by_department(rows)


def behind_targets(rows: QuerySet[Progress]) -> QuerySet[Progress]:
    """Lagging and off-track rows, worst pace first (no pace last), with their leads."""
    return (
        rows.filter(status__in=BEHIND_STATUSES)
        .prefetch_related("target__lead_departments")
        .order_by(F("pace").asc(nulls_last=True), "gap", "target_id")
    )


@dataclass
class StatusChange:
    status: str
    label: str
    previous: int
    current: int

    @property
    def delta(self) -> int:
        return self.current - self.previous


def status_change(f: DashboardFilters) -> tuple[tuple[int, int], list[StatusChange]]:
    """Status counts of the filters' quarter against the quarter before (two queries)."""
    prev = previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    now = status_counts(progress_rows(f))
    before = status_counts(progress_rows(f, year=prev[0], quarter=prev[1]))
    labels = dict(Progress.Status.choices)
    changes = [
        StatusChange(s, str(labels[s]), before.get(s, 0), now.get(s, 0))
        for s in STATUS_ORDER
        if before.get(s, 0) or now.get(s, 0)
    ]
    return prev, changes


def status_trend(rows: QuerySet[Progress]) -> pd.DataFrame:
    """Counts per quarter and status over every quarter: columns quarter, status, n."""
    records = list(
        rows.order_by().values("year", "quarter", "status").annotate(n=Count("pk", distinct=True))
    )
    frame = pd.DataFrame.from_records(records, columns=["year", "quarter", "status", "n"])
    frame = frame.sort_values(["year", "quarter"], kind="stable")
    frame["quarter_label"] = (  # 2025Q4: the same in either language
        frame["year"].astype(str) + "Q" + frame["quarter"].astype(str)
    )
    return frame.reset_index(drop=True)
