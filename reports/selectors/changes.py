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
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
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

    Status changes are found, ordered and counted in the database (one join of the two
    quarters' rows, changed rows only); only the entries shown become model instances
    (docs/scale.md). The approved and overdue entries are keyed by target and sorted as
    plain tuples before the few shown are read.
    """
    if not f.has_quarter:
        return [], 0
    start, end = window(f, today)
    prev = previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    changed = _status_changes(f, prev)
    by_kind = dict(changed.order_by().values_list("kind_order").annotate(n=Count("pk"))  # type: ignore[misc]
                   .values_list("kind_order", "n"))
    series = _series(f)
    approved = _approved(series, start, end)
    overdue = _overdue(f, series, start, end)
    total = sum(by_kind.values()) + len(approved) + len(overdue)
    want = total if limit is None else min(limit, total)
    rows = list(changed.select_related("target__plan", "target__indicator")
                .prefetch_related("target__lead_departments")[:want])
    worse = [_status_entry(row) for row in rows if row.kind_order == 0]  # type: ignore[attr-defined]
    others = [_status_entry(row) for row in rows if row.kind_order != 0]  # type: ignore[attr-defined]
    keyed = sorted(overdue + approved, key=lambda e: (KIND_ORDER[e[0]], e[1], e[2]))[:want]
    targets = _targets({entry[2] for entry in keyed})
    middle = [Change(kind, targets[target_id], leads if leads is not None
                     else _leads(targets[target_id]), figure=figure)
              for kind, _plan, target_id, leads, figure in keyed]
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
        .filter(earlier__isnull=False)
        .exclude(status=F("earlier__status"))
        .annotate(before=F("earlier__status"))
        .annotate(fall=ranked("earlier__status") - ranked("status"))
        .annotate(kind_order=Case(
            When(fall__gt=0, then=Value(KIND_ORDER["worse"])),
            When(fall__lt=0, then=Value(KIND_ORDER["better"])),
            default=Value(KIND_ORDER["same"]), output_field=IntegerField(),
        ))
    )
    return rows.order_by("kind_order", Abs("fall").desc(), "target__plan_id", "target_id")


def _status_entry(row: Progress) -> Change:
    target = row.target
    unit = target.unit or target.indicator.unit
    figure = (f"{_period_text(row.data_year, row.data_quarter)} "
              f"{number(row.current_value, unit)}" if row.data_year else "—")
    fall = row.fall  # type: ignore[attr-defined]
    kind = "worse" if fall > 0 else "better" if fall < 0 else "same"
    return Change(kind, target, _leads(target), row.before, row.status, figure, fall)  # type: ignore[attr-defined]


def _series(f: DashboardFilters) -> dict[tuple[int, int], tuple[int, int]]:
    """(indicator, region) → (plan id, target id) of the first target of that series under
    the filters (plain tuples: no model instances)."""
    series: dict[tuple[int, int], tuple[int, int]] = {}
    for indicator, region, plan, target in progress_rows(f).values_list(
        "target__indicator_id", "target__plan__region_id", "target__plan_id", "target_id"
    ):
        series.setdefault((indicator, region), (plan, target))
    return series


def _targets(ids: set[int]) -> dict[int, Target]:
    if not ids:
        return {}
    return {t.pk: t for t in Target.objects.filter(pk__in=ids).select_related(
        "plan", "indicator").prefetch_related("lead_departments")}


Keyed = tuple[str, int, int, "str | None", str]  # kind, plan id, target id, leads, figure


def _approved(
    by_series: dict[tuple[int, int], tuple[int, int]], start: dt.date, end: dt.date
) -> list[Keyed]:
    if not by_series:
        return []
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    figures = Observation.objects.filter(
        status=Observation.Status.APPROVED, approved_at__gte=since, approved_at__lt=until,
        indicator_id__in={i for i, _ in by_series}, region_id__in={r for _, r in by_series},
    ).order_by("-approved_at").values_list(
        "indicator_id", "region_id", "year", "quarter", "value", "state", "indicator__unit"
    )
    out: list[Keyed] = []
    states = dict(Observation._meta.get_field("state").choices or [])
    units = _target_units({target for _, target in by_series.values()})
    for indicator, region, year, quarter, value, state, indicator_unit in figures:
        key = by_series.get((indicator, region))
        if key is None:
            continue
        unit = units.get(key[1]) or indicator_unit
        shown = number(value, unit) if value is not None else (
            str(states.get(state, "")) or "—")
        out.append(("approved", key[0], key[1], None, f"{_period_text(year, quarter)} {shown}"))
    return out


def _target_units(ids: set[int]) -> dict[int, str]:
    return dict(Target.objects.filter(pk__in=ids).values_list("pk", "unit")) if ids else {}


def _overdue(
    f: DashboardFilters, by_series: dict[tuple[int, int], tuple[int, int]], start: dt.date,
    end: dt.date,
) -> list[Keyed]:
    """Figures whose due date fell inside the window and that are still not in.

    Read from ``ReportingDue``'s rows not yet in (docs/monitoring.md): one query, whatever
    the number of figures. A figure is overdue the day after its due date, so a due date on
    the window's last day is not yet overdue.
    """
    if not by_series:
        return []
    rows = ReportingDue.objects.filter(state__in=UNREPORTED, due_on__gt=start, due_on__lt=end)
    if f.region_ids is not None:
        rows = rows.filter(department__region_id__in=f.region_ids)
    if f.department is not None:
        rows = rows.filter(department_id=f.department.pk)
    if f.plan is not None:
        leads = Target.lead_departments.through.objects.filter(target__plan=f.plan)
        rows = rows.filter(department_id__in=leads.values("department_id"))
    out: list[Keyed] = []
    for region_id, indicator_id, year, quarter, department in (
        rows.order_by("department__region__code", "department__name", "department_id",
                      F("year").desc(), Coalesce("quarter", Value(5)).desc(), "indicator__name")
        .values_list("region_id", "indicator_id", "year", "quarter", "department__name")
    ):
        key = by_series.get((indicator_id, region_id))
        if key is None:
            continue
        out.append(("overdue", key[0], key[1], department, f"{Period(year, quarter).label} 未报"))
    return out
