"""Progress rows of one quarter under the filters, and their status counts for the 总览 charts.

Rows (for tables and CSV) come from ``targets.selectors.progress_for_quarter``. Counts — by
region, by department, by status, against the quarter before, over time — come from the
rollup tables (``targets.selectors.rollup_rows``, docs/scale.md "Rollup tables"): the same
numbers as counting those rows, read from a few small rows whatever the number of targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from django.db.models import F, QuerySet, Sum

from targets import status
from targets.models import Plan, Progress
from targets.selectors import (
    STATUS_ORDER,
    Rollup,
    previous_quarter,
    progress_for_quarter,
    rollup_rows,
    rollup_status_counts,
    rollups_by_department,
    rollups_by_region,
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


def status_rollups(
    f: DashboardFilters,
    *,
    year: int | None = None,
    quarter: int | None = None,
    states: tuple[str, ...] | None = (Plan.Status.IN_FORCE,),
    by_department: bool = False,
) -> QuerySet:
    """The rollup rows standing for ``progress_rows(f, …)``: same filters, same defaults."""
    return rollup_rows(
        year=year if year is not None else f.year,
        quarter=quarter if quarter is not None else f.quarter,
        region_ids=f.region_ids,
        plan_ids=[f.plan.pk] if f.plan else None,
        department_ids=[f.department.pk] if f.department else None,
        plan_states=states if f.plan is None else None,
        category=f.category,
        status=f.status,
        by_department=by_department,
    )


def status_by_region(f: DashboardFilters) -> list[Rollup]:
    """Status counts per region of ``progress_rows(f)``, one query on the rollups."""
    return rollups_by_region(status_rollups(f))


def status_by_department(
    f: DashboardFilters, *, department_ids: Sequence[int] | None = None
) -> list[Rollup]:
    """Status counts per lead department of ``progress_rows(f)`` (of ``department_ids``
    only, e.g. a page's), one query on the rollups."""
    rows = status_rollups(f, by_department=True)
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    return rollups_by_department(rows)


def status_counts(f: DashboardFilters, **kwargs: object) -> dict[str, int]:
    """Targets per status of ``progress_rows(f, **kwargs)``, one query on the rollups."""
    return rollup_status_counts(status_rollups(f, **kwargs))  # type: ignore[arg-type]


def behind_count(f: DashboardFilters) -> int:
    """How many rows ``behind_targets(progress_rows(f))`` lists, from the rollups: the
    paginator's count without counting Progress."""
    counts = status_counts(f)
    return sum(counts.get(s, 0) for s in BEHIND_STATUSES)


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
    now = status_counts(f)
    before = status_counts(f, year=prev[0], quarter=prev[1])
    labels = dict(Progress.Status.choices)
    changes = [
        StatusChange(s, str(labels[s]), before.get(s, 0), now.get(s, 0))
        for s in STATUS_ORDER
        if before.get(s, 0) or now.get(s, 0)
    ]
    return prev, changes


def status_trend(rows: QuerySet) -> pd.DataFrame:
    """Counts per quarter and status over every quarter: columns quarter, status, n.

    ``rows``: rollup rows of every quarter (``rollup_rows(year=None, …)``)."""
    records = list(
        rows.order_by().values("year", "quarter", "status").annotate(total=Sum("n"))
        .filter(total__gt=0).values_list("year", "quarter", "status", "total")
    )
    frame = pd.DataFrame.from_records(records, columns=["year", "quarter", "status", "n"])
    frame = frame.sort_values(["year", "quarter"], kind="stable")
    frame["quarter_label"] = (  # 2025Q4: the same in either language
        frame["year"].astype(str) + "Q" + frame["quarter"].astype(str)
    )
    return frame.reset_index(drop=True)
