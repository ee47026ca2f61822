"""What changed since the previous quarter: status changes, newly overdue, newly approved.

docs/monitoring.md "What changed". For the filters' quarter Q (the window runs from the end
of Q-1 to the end of Q, or to today while Q is running):

* the targets whose status differs from Q-1 (from → to), with the figure behind the new
  status and the lead departments;
* the reports that became overdue in the window (their deadline, period end + grace days,
  fell inside it) and are still not submitted;
* the figures approved in the window.

Worst first: worsened statuses (the bigger the fall the earlier), newly overdue, newly
approved, then improvements. Every entry names the target it concerns so the page can link
to it. A fixed number of queries whatever the number of targets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from indicators.calendar import Period
from indicators.models import UNREPORTED, Observation, ReportingDue
from targets.models import Progress, Target
from targets.selectors import previous_quarter
from targets.wording import number

from .filters import DashboardFilters
from .progress import progress_rows

_M = TypeVar("_M", bound=Model)

#: Better statuses rank higher; a change's severity is the fall in rank (negative: a rise).
RANK = {
    Progress.Status.ACHIEVED: 6,
    Progress.Status.ON_TRACK: 5,
    Progress.Status.INSUFFICIENT_DATA: 4,
    Progress.Status.LAGGING: 3,
    Progress.Status.NO_DATA: 2.5,
    Progress.Status.OFF_TRACK: 2,
    Progress.Status.NOT_ACHIEVED: 1,
}
#: Order of the kinds of entry after the worsened statuses.
KIND_ORDER = {"worse": 0, "overdue": 1, "approved": 2, "better": 3, "same": 4}
LABELS = dict(Progress.Status.choices)


@dataclass(frozen=True)
class Change:
    """One line of the what-changed list."""

    kind: str  # worse | better | same (status changed, same rank) | overdue | approved
    target: Target
    leads: str
    before: str = ""  # status codes (for status changes)
    after: str = ""
    figure: str = ""  # the figure behind it: "2026年第三季度 93.5%"
    severity: float = 0.0

    @property
    def before_label(self) -> str:
        return str(LABELS.get(self.before, self.before or "—"))

    @property
    def after_label(self) -> str:
        return str(LABELS.get(self.after, self.after or "—"))


def _period_text(year: int | None, quarter: int | None) -> str:
    if not year:
        return ""
    return f"{year}年第{quarter}季度" if quarter else f"{year}年"


def _leads(target: Target) -> str:
    return "、".join(d.name for d in target.lead_departments.all()) or "未明确"


def window(f: DashboardFilters, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(start, end] of the filters' quarter: from the end of Q-1 to the end of Q or today."""
    today = today or timezone.localdate()
    prev = previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    return Period(*prev).end, min(Period(f.year, f.quarter).end, today)  # type: ignore[arg-type]


def what_changed(
    f: DashboardFilters, *, today: dt.date | None = None, limit: int | None = None
) -> list[Change]:
    """Every change in the filters' scope, worst first (see the module docstring)."""
    return what_changed_page(f, today=today, limit=limit)[0]


def what_changed_page(
    f: DashboardFilters, *, today: dt.date | None = None, limit: int | None = None
) -> tuple[list[Change], int]:
    """The first ``limit`` changes (all without a limit), worst first, and how many there are.

    A newly overdue or approved figure stands for its series (indicator, region) and names
    the series' first target in scope (by plan, then target). Status changes and newly
    overdue figures are found, ordered, counted and cut to the page in the database (the
    overdue ones find their series' first target by a correlated lookup each); approved
    figures are matched to the series as a set (``_approved_entries``). Only the entries
    shown become model instances (docs/scale.md §8).
    """
    if not f.has_quarter:
        return [], 0
    start, end = window(f, today)
    prev = previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    rows, n_changed = _status_page(_status_changes(f, prev), limit)
    overdue, n_overdue = _overdue_entries(_overdue(f, start, end), limit)
    approved, n_approved = _approved_entries(f, start, end, limit)
    total = n_changed + n_overdue + n_approved
    want = total if limit is None else min(limit, total)
    worse = [_status_entry(row) for row in rows if row.kind_order == 0]  # type: ignore[attr-defined]
    others = [_status_entry(row) for row in rows if row.kind_order != 0]  # type: ignore[attr-defined]
    # Newly overdue come before newly approved (KIND_ORDER): each list is already in order.
    keyed = (overdue + approved)[:want]
    targets = _targets({entry[1] for entry in keyed})
    middle = [Change(kind, targets[target_id], leads if leads is not None
                     else _leads(targets[target_id]), figure=figure(targets[target_id]))
              for kind, target_id, leads, figure in keyed]
    return (worse + middle + others)[:want], total


def _status_changes(f: DashboardFilters, prev: tuple[int, int]) -> QuerySet[Progress]:
    """The rows of the filters' quarter whose status differs from the quarter before, with
    ``before``, ``fall`` (rank lost) and ``kind_order``, ordered worst first."""
    before = Q(target__progress__year=prev[0], target__progress__quarter=prev[1])
    if f.status:
        before &= Q(target__progress__status=f.status)
    rank = {status: Value(float(n)) for status, n in RANK.items()}

    def ranked(field: str) -> Case:
        return Case(*[When(**{field: s}, then=v) for s, v in rank.items()],
                    default=Value(3.0), output_field=FloatField())

    rows = (
        progress_rows(f)
        .annotate(earlier=FilteredRelation("target__progress", condition=before))
        .annotate(before=F("earlier__status"))
        # Not exclude(): it would join the earlier rows a second time.
        .filter(Q(status__lt=F("before")) | Q(status__gt=F("before")))
        .annotate(fall=ranked("earlier__status") - ranked("status"))
        .annotate(kind_order=Case(
            When(fall__gt=0, then=Value(KIND_ORDER["worse"])),
            When(fall__lt=0, then=Value(KIND_ORDER["better"])),
            default=Value(KIND_ORDER["same"]), output_field=IntegerField(),
        ))
    )
    return rows.order_by("kind_order", Abs("fall").desc(), "target__plan_id", "target_id")


def _status_page(changed: QuerySet[Progress], limit: int | None) -> tuple[list[Progress], int]:
    """The first ``limit`` status changes as rows with their targets, and how many there are.

    Two queries: the count, then the page. One query with a window count would make
    PostgreSQL join every changed row to its target before cutting the page (measured at
    national scale: 8.7 s, against 2.1 s and 2.7 s for the two).
    """
    count = changed.order_by().count()
    page = (changed.select_related("target__plan", "target__indicator")
            .prefetch_related("target__lead_departments"))
    return list(page if limit is None else page[:limit]), count


def _status_entry(row: Progress) -> Change:
    target = row.target
    unit = target.unit or target.indicator.unit
    figure = (f"{_period_text(row.data_year, row.data_quarter)} "
              f"{number(row.current_value, unit)}" if row.data_year else "—")
    fall = row.fall  # type: ignore[attr-defined]
    kind = "worse" if fall > 0 else "better" if fall < 0 else "same"
    return Change(kind, target, _leads(target), row.before, row.status, figure, fall)  # type: ignore[attr-defined]


def _first_target(f: DashboardFilters, field: str) -> Subquery:
    """The series' first target in scope (the one ``progress_rows(f)`` lists first) of the
    outer row's (indicator, region): ``field`` of it, or NULL when the scope has none.

    The region filter is left to the outer rows (``_in_scope``): here the region is the
    outer row's, so the lookup walks that region's plans by index, not the list of regions.
    """
    rows = progress_rows(replace(f, region_ids=None)).filter(
        target__indicator_id=OuterRef("indicator_id"),
        target__plan__region_id=OuterRef("region_id"),
    )
    return Subquery(rows.values(field)[:1])


def _in_scope(f: DashboardFilters, rows: QuerySet[_M]) -> QuerySet[_M]:
    """``rows`` (keyed by indicator and region) whose series has a target in scope, with
    that target's plan and id as ``first_plan`` and ``first_target``."""
    if f.region_ids is not None:
        rows = rows.filter(region_id__in=f.region_ids)
    return rows.annotate(  # type: ignore[return-value]
        first_target=_first_target(f, "target_id"),
        first_plan=_first_target(f, "target__plan_id"),
    ).filter(first_target__isnull=False)


def _targets(ids: set[int]) -> dict[int, Target]:
    if not ids:
        return {}
    return {t.pk: t for t in Target.objects.filter(pk__in=ids).select_related(
        "plan", "indicator").prefetch_related("lead_departments")}


#: kind, target id, leads (None: the target's), the figure text given the target.
Keyed = tuple[str, int, "str | None", Callable[[Target], str]]


def _counted(rows: QuerySet, fields: tuple[str, ...], limit: int | None) -> tuple[list, int]:
    """The first ``limit`` rows' ``fields`` (all without a limit) and how many rows there are,
    in one query: the count is a window over the same scan."""
    page = rows.annotate(matched=Window(Count("pk"))).values_list(*fields, "matched")
    got = list(page if limit is None else page[:max(limit, 1)][:limit])
    return [row[:-1] for row in got], (got[0][-1] if got else 0)


def _approved_entries(
    f: DashboardFilters, start: dt.date, end: dt.date, limit: int | None
) -> tuple[list[Keyed], int]:
    """The first ``limit`` figures approved in the window whose series is in scope, by their
    series' first target and newest approval first, and how many there are.

    The figures are read through the partial index of approved figures
    (``observation_approved``): none, no further query. Only when there are some is the
    scope's series read, as plain tuples, to key them (docs/scale.md §8): a quarter's
    approvals are as many as the series, and matching them as a set costs less than looking
    up each figure's series in the database.
    """
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    figures = list(Observation.objects.filter(
        status=Observation.Status.APPROVED, approved_at__gte=since, approved_at__lt=until,
    ).order_by("-approved_at", "pk").values_list(
        "indicator_id", "region_id", "year", "quarter", "value", "state", "indicator__unit"))
    if not figures:
        return [], 0
    series = _series(f)
    states = dict(Observation._meta.get_field("state").choices or [])

    def text(year: int, quarter: int | None, value: Decimal | None, state: str,
             indicator_unit: str) -> Callable[[Target], str]:
        def shown(target: Target) -> str:
            figure = number(value, target.unit or indicator_unit) if value is not None else (
                str(states.get(state, "")) or "—")
            return f"{_period_text(year, quarter)} {figure}"
        return shown

    keyed = sorted(  # stable: newest approval first within a target
        ((key, row) for row in figures if (key := series.get((row[0], row[1]))) is not None),
        key=lambda entry: entry[0])
    return [("approved", key[1], None, text(*row[2:]))
            for key, row in (keyed if limit is None else keyed[:limit])], len(keyed)


def _series(f: DashboardFilters) -> dict[tuple[int, int], tuple[int, int]]:
    """(indicator, region) → (plan id, target id) of the first target of that series under
    the filters (plain tuples: no model instances)."""
    series: dict[tuple[int, int], tuple[int, int]] = {}
    for indicator, region, plan, target in progress_rows(f).values_list(
        "target__indicator_id", "target__plan__region_id", "target__plan_id", "target_id"
    ):
        series.setdefault((indicator, region), (plan, target))
    return series


def _overdue(f: DashboardFilters, start: dt.date, end: dt.date) -> QuerySet[ReportingDue]:
    """Figures whose due date fell inside the window and that are still not in, whose
    series is in scope, in the order they are listed.

    Read from ``ReportingDue``'s rows not yet in (docs/monitoring.md), through its partial
    index ``reportingdue_unreported``. A figure is overdue the day after its due date, so a
    due date on the window's last day is not yet overdue.
    """
    rows = ReportingDue.objects.filter(state__in=UNREPORTED, due_on__gt=start, due_on__lt=end)
    if f.region_ids is not None:
        rows = rows.filter(department__region_id__in=f.region_ids)
    if f.department is not None:
        rows = rows.filter(department_id=f.department.pk)
    if f.plan is not None:
        leads = Target.lead_departments.through.objects.filter(target__plan=f.plan)
        rows = rows.filter(department_id__in=leads.values("department_id"))
    return _in_scope(f, rows).order_by(  # type: ignore[misc]
        "first_plan", "first_target", "department__region__code", "department__name",
        "department_id", F("year").desc(), Coalesce("quarter", Value(5)).desc(),
        "indicator__name", "pk")


def _overdue_entries(rows: QuerySet[ReportingDue], limit: int | None) -> tuple[list[Keyed], int]:
    def text(year: int, quarter: int | None) -> Callable[[Target], str]:
        return lambda _target: f"{Period(year, quarter).label} 未报"

    page, count = _counted(rows, ("first_target", "year", "quarter", "department__name"), limit)
    return [("overdue", target, department, text(year, quarter))
            for target, year, quarter, department in page], count
