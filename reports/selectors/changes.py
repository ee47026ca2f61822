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

from django.db.models import QuerySet
from django.utils import timezone

from indicators.models import Department, Observation
from indicators.selectors import due_items
from targets.models import Progress, Target
from targets.selectors import previous_quarter
from targets.services import quarter_end
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
    return quarter_end(*prev), min(quarter_end(f.year, f.quarter), today)  # type: ignore[arg-type]


def what_changed(
    f: DashboardFilters, *, today: dt.date | None = None, limit: int | None = None
) -> list[Change]:
    """Every change in the filters' scope, worst first (see the module docstring)."""
    if not f.has_quarter:
        return []
    start, end = window(f, today)
    prev = previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    now_rows = list(
        progress_rows(f).select_related("target__plan").prefetch_related(
            "target__lead_departments")
    )
    before = dict(progress_rows(f, year=prev[0], quarter=prev[1]).values_list(
        "target_id", "status"))
    changes: list[Change] = []
    by_series: dict[tuple[int, int], Target] = {}
    for row in now_rows:
        target = row.target
        by_series.setdefault((target.indicator_id, target.plan.region_id), target)
        old = before.get(target.pk)
        if old is None or old == row.status:
            continue
        fall = RANK.get(old, 3) - RANK.get(row.status, 3)
        unit = target.unit or target.indicator.unit
        figure = (f"{_period_text(row.data_year, row.data_quarter)} "
                  f"{number(row.current_value, unit)}" if row.data_year else "—")
        kind = "worse" if fall > 0 else "better" if fall < 0 else "same"
        changes.append(Change(kind, target, _leads(target), old, row.status, figure, fall))
    changes += _approved(by_series, start, end)
    changes += _overdue(f, by_series, start, end)
    changes.sort(key=lambda c: (KIND_ORDER[c.kind], -abs(c.severity), c.target.plan_id,
                                c.target.pk))
    return changes[:limit] if limit else changes


def _approved(
    by_series: dict[tuple[int, int], Target], start: dt.date, end: dt.date
) -> list[Change]:
    if not by_series:
        return []
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    figures = Observation.objects.filter(
        status=Observation.Status.APPROVED, approved_at__gte=since, approved_at__lt=until,
        indicator_id__in={i for i, _ in by_series}, region_id__in={r for _, r in by_series},
    ).select_related("indicator").order_by("-approved_at")
    out = []
    for figure in figures:
        target = by_series.get((figure.indicator_id, figure.region_id))
        if target is None:
            continue
        unit = target.unit or figure.indicator.unit
        shown = (number(figure.value, unit) if figure.value is not None
                 else figure.get_state_display() or "—")
        text = f"{_period_text(figure.year, figure.quarter)} {shown}"
        out.append(Change("approved", target, _leads(target), figure=text))
    return out


def _overdue(
    f: DashboardFilters, by_series: dict[tuple[int, int], Target], start: dt.date, end: dt.date
) -> list[Change]:
    departments: QuerySet[Department] = Department.objects.filter(led_targets__isnull=False)
    if f.region_ids is not None:
        departments = departments.filter(region_id__in=f.region_ids)
    if f.department is not None:
        departments = departments.filter(pk=f.department.pk)
    if f.plan is not None:
        departments = departments.filter(led_targets__plan=f.plan)
    out = []
    summaries = due_items(departments=departments.distinct(), today=end)
    for summary in summaries.values():
        for item in summary.overdue:
            if not start < item.deadline <= end:
                continue
            target = by_series.get((item.indicator_id, item.department.region_id))
            if target is None:
                continue
            out.append(Change("overdue", target, item.department.name,
                              figure=f"{item.period.label} 未报"))
    return out
