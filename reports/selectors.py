"""Dashboard reads: the frames and querysets the 总览/城市/部门/指标/目标 pages show.

Built on ``targets.selectors`` (Progress rows of one quarter, rollups) and plain ``values()``
queries. Every function here runs a fixed number of queries whatever the number of targets
(DESIGN §8): pages read the stored Progress rows and aggregate in the database; they never
recompute progress. Nothing here knows about requests or templates; scoping arrives as
region ids (``None`` = every region) already intersected with what the user may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from indicators.calendar import ended_periods
from indicators.models import Department, Indicator, Observation, ObservationChange, Region
from indicators.selectors import assignments_by_department, due_items
from targets.models import Plan, Progress, Target
from targets.selectors import (
    STATUS_ORDER,
    Rollup,
    progress_for_quarter,
    rollup_by_department,
    rollup_by_region,
    status_counts,
    target_list,
)

BEHIND_STATUSES = (Progress.Status.LAGGING, Progress.Status.OFF_TRACK)


@dataclass(frozen=True)
class DashboardFilters:
    """What the filter form selected, already scoped to the user's visible regions."""

    region_ids: list[int] | None = None
    plan: Plan | None = None
    department: Department | None = None
    category: str = ""
    status: str = ""
    year: int | None = None
    quarter: int | None = None

    @property
    def has_quarter(self) -> bool:
        return self.year is not None and self.quarter is not None

    @property
    def quarter_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.has_quarter else ""


def scoped_region_ids(
    visible: list[int] | None, selected: Region | None
) -> list[int] | None:
    """The selected region and its sub-regions, within what the user may see."""
    if selected is None:
        return visible
    subtree = selected.descendant_ids()
    if visible is None:
        return subtree
    allowed = set(visible)
    return [pk for pk in subtree if pk in allowed]


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def quarter_choices() -> list[tuple[int, int]]:
    """Every quarter with computed progress, newest first (one query)."""
    return list(
        Progress.objects.order_by("-year", "-quarter").values_list("year", "quarter").distinct()
    )


def category_choices() -> list[str]:
    return list(
        Indicator.objects.order_by("category").values_list("category", flat=True).distinct()
    )


# --- Progress rows of a quarter -------------------------------------------------------------


def progress_rows(
    f: DashboardFilters, *, year: int | None = None, quarter: int | None = None
) -> QuerySet[Progress]:
    """The Progress rows of one quarter (default: the filters' quarter) under the filters."""
    rows = progress_for_quarter(
        year=year if year is not None else f.year,  # type: ignore[arg-type]
        quarter=quarter if quarter is not None else f.quarter,  # type: ignore[arg-type]
        region_ids=f.region_ids,
        plan_ids=[f.plan.pk] if f.plan else None,
        department_id=f.department.pk if f.department else None,
    )
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
    frame["quarter_label"] = (
        frame["year"].astype(str) + "Q" + frame["quarter"].astype(str)
    )
    return frame.reset_index(drop=True)


# --- Plans, departments, indicators ---------------------------------------------------------


def plan_status_counts(
    plan_ids: Iterable[int], *, year: int | None, quarter: int | None
) -> dict[int, dict[str, int]]:
    """Per plan: status counts at the quarter (in-force) or the final status (closed).

    A closed plan's final assessment is each target's last Progress row, whatever the
    quarter shown (two queries in all).
    """
    plan_ids = list(plan_ids)
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUS_ORDER, 0))
    if year is not None and quarter is not None:
        for row in (
            Progress.objects.filter(
                year=year, quarter=quarter, target__plan_id__in=plan_ids,
                target__plan__status=Plan.Status.IN_FORCE,
            )
            .order_by()
            .values("target__plan_id", "status")
            .annotate(n=Count("pk"))
        ):
            result[row["target__plan_id"]][row["status"]] = row["n"]
    for row in (
        with_last_status(
            Target.objects.filter(plan_id__in=plan_ids, plan__status=Plan.Status.CLOSED)
        )
        .order_by()
        .values("plan_id", "last_status")
        .annotate(n=Count("pk"))
    ):
        if row["last_status"]:
            result[row["plan_id"]][row["last_status"]] = row["n"]
    return dict(result)


def with_last_status(targets: QuerySet[Target]) -> QuerySet[Target]:
    """Annotate each target with the status and quarter of its last Progress row."""
    last = Progress.objects.filter(target=OuterRef("pk")).order_by("-year", "-quarter")
    return targets.annotate(
        last_status=Subquery(last.values("status")[:1]),
        last_year=Subquery(last.values("year")[:1]),
        last_quarter=Subquery(last.values("quarter")[:1]),
    )


def targets_for(
    f: DashboardFilters,
    *,
    plan: Plan | None = None,
    department: Department | None = None,
    indicator: Indicator | None = None,
) -> QuerySet[Target]:
    """Targets under the filters (status at the filters' quarter), leads prefetched."""
    targets = target_list(plan=plan, region_ids=f.region_ids)
    department = department or f.department
    if department is not None:
        targets = targets.filter(lead_departments=department)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    if f.plan is not None and plan is None:
        targets = targets.filter(plan=f.plan)
    if f.category:
        targets = targets.filter(indicator__category=f.category)
    if f.status and f.has_quarter:
        targets = targets.filter(
            progress__year=f.year, progress__quarter=f.quarter, progress__status=f.status
        )
    return targets


def attach_progress(
    targets: Sequence[Target], *, year: int | None, quarter: int | None
) -> list[Target]:
    """Set ``target.row`` to its Progress row at the quarter (or None); one query.

    Targets of a closed plan get their last row instead: that is their final assessment.
    """
    targets = list(targets)
    rows: dict[int, Progress] = {}
    open_ids = [t.pk for t in targets if t.plan.status != Plan.Status.CLOSED]
    closed_ids = [t.pk for t in targets if t.plan.status == Plan.Status.CLOSED]
    if year is not None and quarter is not None and open_ids:
        rows.update(
            (p.target_id, p)
            for p in Progress.objects.filter(target_id__in=open_ids, year=year, quarter=quarter)
        )
    if closed_ids:
        for p in Progress.objects.filter(target_id__in=closed_ids).order_by(
            "target_id", "year", "quarter"
        ):
            rows[p.target_id] = p  # the last one wins
    for target in targets:
        target.row = rows.get(target.pk)  # type: ignore[attr-defined]
    return targets


def department_list(
    f: DashboardFilters,
) -> QuerySet[Department]:
    departments = Department.objects.select_related("region").annotate(
        lead_count=Count("led_targets", distinct=True)
    )
    if f.region_ids is not None:
        departments = departments.filter(region_id__in=f.region_ids)
    if f.department is not None:
        departments = departments.filter(pk=f.department.pk)
    if f.plan is not None:
        departments = departments.filter(led_targets__plan=f.plan).distinct()
    return departments.order_by("region__code", "name")


def indicator_list(f: DashboardFilters) -> QuerySet[Indicator]:
    scope = Q()
    if f.region_ids is not None:
        scope &= Q(targets__plan__region_id__in=f.region_ids)
    if f.plan is not None:
        scope &= Q(targets__plan=f.plan)
    indicators = Indicator.objects.annotate(
        target_count=Count("targets", filter=scope, distinct=True),
        region_count=Count("targets__plan__region", filter=scope, distinct=True),
    )
    if f.category:
        indicators = indicators.filter(category=f.category)
    if f.region_ids is not None or f.plan is not None:
        indicators = indicators.filter(target_count__gt=0)
    return indicators.order_by("category", "code")


def latest_actuals(
    indicator: Indicator, region_ids: Iterable[int]
) -> dict[int, Observation]:
    """The latest approved figure of the indicator in each region (one query)."""
    latest: dict[int, Observation] = {}
    for obs in Observation.objects.filter(
        indicator=indicator, region_id__in=list(region_ids), status=Observation.Status.APPROVED
    ).order_by("region_id", "year", F("quarter").asc(nulls_last=True)):
        latest[obs.region_id] = obs
    return latest


# --- One target -----------------------------------------------------------------------------


def period_end(year: int, quarter: int | None) -> dt.date:
    """The last day of a period: a quarter, or the year when ``quarter`` is empty."""
    if quarter is None:
        return dt.date(year, 12, 31)
    month = quarter * 3
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def target_actuals(target: Target) -> list[Observation]:
    """Approved figures of the target's indicator in its plan's region, oldest first."""
    return list(
        Observation.objects.filter(
            indicator_id=target.indicator_id,
            region_id=target.plan.region_id,
            status=Observation.Status.APPROVED,
        )
        .select_related("department")
        .order_by("year", F("quarter").asc(nulls_last=True))
    )


def actuals_frame(observations: Sequence[Observation]) -> pd.DataFrame:
    """Observations → columns date (period end), value, label; milestones have no value."""
    return pd.DataFrame(
        {
            "date": [period_end(o.year, o.quarter) for o in observations],
            "value": [float(o.value) if o.value is not None else None for o in observations],
            "label": [o.period_label for o in observations],
        },
        columns=["date", "value", "label"],
    )


def target_history(target: Target) -> list[Progress]:
    return list(target.progress.order_by("year", "quarter"))


def target_changes(target: Target) -> QuerySet[ObservationChange]:
    """Every change to the figures behind the target (indicator x plan region), newest first."""
    return (
        ObservationChange.objects.filter(
            observation__indicator_id=target.indicator_id,
            observation__region_id=target.plan.region_id,
        )
        .select_related("observation", "by")
        .order_by("-at", "-pk")
    )


# --- Reporting: overdue and completeness ----------------------------------------------------


@dataclass
class Reporting:
    """A lead department's reporting of the figures behind its targets, as of a day.

    The rules (what is due, when a period closes, what counts as reported) are the data-entry
    layer's: ``indicators.selectors.due_items`` and ``indicators.calendar``; this only counts.
    """

    department: Department
    closed: int = 0  # periods whose reporting window has closed
    missing: list[str] = field(default_factory=list)  # closed and not submitted/approved

    @property
    def overdue(self) -> int:
        return len(self.missing)

    @property
    def reported(self) -> int:
        return self.closed - self.overdue

    @property
    def completeness(self) -> float | None:
        return self.reported / self.closed if self.closed else None


def reporting_by_department(
    departments: QuerySet[Department], *, today: dt.date
) -> list[Reporting]:
    """Overdue figures and completeness per department, most overdue first (five queries).

    Departments that owe nothing yet are left out.
    """
    departments_list = list(departments.select_related("region"))
    summaries = due_items(departments=departments_list, today=today)
    assignments = assignments_by_department(d.pk for d in departments_list)
    grace = settings.REPORTING_GRACE_DAYS
    result = []
    for department in departments_list:
        closed = sum(
            1
            for frequency, years in assignments.get(department.pk, {}).values()
            for period in ended_periods(frequency, years, today)
            if period.state(today, grace) == "closed"
        )
        if not closed:
            continue
        summary = summaries.get(department.pk)
        missing = [
            f"{item.indicator_name}（{item.period.label}）"
            for item in (summary.overdue if summary else [])
        ]
        result.append(Reporting(department, closed=closed, missing=missing))
    return sorted(
        result, key=lambda r: (-r.overdue, r.department.region.code, r.department.name)
    )
