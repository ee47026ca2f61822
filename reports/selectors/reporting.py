"""Reporting completeness and overdue figures per lead department: the one owner.

The dashboards (总览, 部门, what changed) and the quarterly report's data code read them
here, from ``indicators.ReportingDue``: one row per figure a department owes, with its due
date and whether it is in, kept by the data-entry layer as figures change and as the
calendar passes due dates (docs/monitoring.md "Reporting completeness and overdue"). What is
owed and what counts as reported are that layer's rules (``indicators.selectors``,
``indicators.calendar``); this module only counts, with a fixed number of bounded queries
whatever the number of figures: no observation is read.

``reporting_by_department`` takes the day the counting is done (``as_of``: a figure is
overdue once its due date is before it) and, for the quarterly report, the ``period`` whose
figures are due (``due_period``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, Collate, RowNumber

from core.paging import PagedSequence
from indicators.calendar import ANNUAL, QUARTERLY, Period
from indicators.models import UNREPORTED, Department, ReportingDue
from targets.wording import percent

#: How many overdue figures a page names per department (the rest are counted).
MISSING_SHOWN = 30

State = ReportingDue.State


# --- The report's periods ---------------------------------------------------------------------


def quarter_end(year: int, quarter: int) -> dt.date:
    return Period(year, quarter).end


def report_date(year: int, quarter: int) -> dt.date:
    """The day the quarter's reporting closes (its deadline): the report's 成文日期."""
    return Period(year, quarter).deadline(settings.REPORTING_GRACE_DAYS)


def due_period(frequency: str, year: int, quarter: int) -> Period:
    """The period of ``frequency`` whose reporting closes on the report date.

    A quarterly figure is due for the report's own quarter; an annual one closes with the
    year, so in Q4 the report's year is due, in Q1 to Q3 the year before.
    """
    if frequency == QUARTERLY:
        return Period(year, quarter)
    return Period(year) if quarter == 4 else Period(year - 1)


# --- What a department owes -------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFigure:
    """One figure still not submitted after its due date."""

    indicator: str
    period: Period
    due_on: dt.date

    def __str__(self) -> str:
        return f"{self.indicator}（{self.period.label}）"


@dataclass
class Reporting:
    """A lead department's reporting as of a day, and of one period when one is asked for."""

    department: Department
    closed: int = 0  # figures whose due date has passed
    overdue: int = 0  # of those, still neither submitted nor approved
    figures: list[OverdueFigure] = field(default_factory=list)  # newest first, maybe cut
    due: int = 0  # with a period: the figures due for it
    due_reported: int = 0  # … of those submitted or approved
    due_approved: int = 0  # … of those approved

    @property
    def missing(self) -> list[str]:
        return [str(figure) for figure in self.figures]

    @property
    def reported(self) -> int:
        return self.closed - self.overdue

    @property
    def completeness(self) -> float | None:
        return self.reported / self.closed if self.closed else None


def reporting_by_department(
    departments: QuerySet[Department] | Iterable[Department],
    *,
    as_of: dt.date,
    period: Period | None = None,
    shown: int | None = MISSING_SHOWN,
) -> list[Reporting]:
    """Per department: closed and overdue figures as of ``as_of``; with ``period``, the
    figures due for the quarterly report of that quarter. Most overdue first.

    Departments that owe nothing yet are left out. ``shown`` overdue figures are named per
    department, newest first (None: all). Three queries, four with a period, over the
    departments' own rows only.
    """
    if isinstance(departments, QuerySet):
        departments = departments.select_related("region")
    by_pk = {d.pk: d for d in departments}
    result = {pk: Reporting(department) for pk, department in by_pk.items()}
    for pk, closed, overdue in _closed_counts(by_pk, as_of):
        result[pk].closed, result[pk].overdue = closed, overdue
    for pk, figures in _overdue_figures(by_pk, as_of=as_of, shown=shown).items():
        result[pk].figures = figures
    if period is not None:
        for pk, due, reported, approved in _due_counts(by_pk, period):
            row = result[pk]
            row.due, row.due_reported, row.due_approved = due, reported, approved
    rows = [r for r in result.values() if r.closed or r.due]
    return sorted(rows, key=lambda r: (-r.overdue, r.department.region.code, r.department.name))


def _closed_counts(
    department_ids: Iterable[int], as_of: dt.date
) -> Iterable[tuple[int, int, int]]:
    return (
        ReportingDue.objects.filter(department_id__in=list(department_ids), due_on__lt=as_of)
        .values("department_id").order_by("department_id")
        .annotate(closed=Count("*"), overdue=Count("due_on", filter=Q(state__in=UNREPORTED)))
        .values_list("department_id", "closed", "overdue")
    )


def _due_counts(department_ids: Iterable[int], period: Period) -> Iterable[tuple[int, ...]]:
    quarterly = due_period(QUARTERLY, period.year, period.quarter or 4)
    annual = due_period(ANNUAL, period.year, period.quarter or 4)
    due = Q(year=quarterly.year, quarter=quarterly.quarter) | Q(
        year=annual.year, quarter__isnull=True
    )
    reported = Q(state__in=(State.SUBMITTED, State.APPROVED))
    return (
        ReportingDue.objects.filter(due, department_id__in=list(department_ids))
        .values("department_id").order_by("department_id")
        .annotate(due=Count("*"), reported=Count("due_on", filter=reported),
                  approved=Count("due_on", filter=Q(state=State.APPROVED)))
        .values_list("department_id", "due", "reported", "approved")
    )


def _name_order() -> F | Collate:
    """Indicator names in code-point order on every database, as Python sorts them."""
    name = F("indicator__name")
    return Collate(name, "C") if connection.vendor == "postgresql" else name


def _overdue_figures(
    department_ids: Iterable[int], *, as_of: dt.date, shown: int | None
) -> dict[int, list[OverdueFigure]]:
    """Newest first (an annual figure before its year's Q4), then by indicator name."""
    rows = ReportingDue.objects.filter(
        department_id__in=list(department_ids), due_on__lt=as_of, state__in=UNREPORTED
    )
    newest = [F("year").desc(), Coalesce("quarter", Value(5)).desc(), _name_order().asc()]
    if shown is not None:
        rows = rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("department_id")], order_by=newest)
        ).filter(rank__lte=shown)
    result: dict[int, list[OverdueFigure]] = defaultdict(list)
    for pk, name, year, quarter, due_on in rows.order_by("department_id", *newest).values_list(
        "department_id", "indicator__name", "year", "quarter", "due_on"
    ):
        result[pk].append(OverdueFigure(name, Period(year, quarter), due_on))
    return result


# --- 总览: the departments with overdue figures, paged in the database ---------------------


class OverdueDepartments(PagedSequence[Reporting]):
    """The lead departments with overdue figures as of a day, most overdue first.

    A lazy sequence for ``Paginator``: the ranking is one grouped query over the rows not yet
    in whose due date has passed (an index-only scan of ``reportingdue_unreported``; it
    returns one id per late department), read once; a page is then
    ``reporting_by_department`` for that page's departments only.
    """

    def __init__(
        self, *, as_of: dt.date, region_ids: Iterable[int] | None = None,
        department_id: int | None = None,
    ) -> None:
        rows = ReportingDue.objects.filter(state__in=UNREPORTED, due_on__lt=as_of)
        if region_ids is not None:
            rows = rows.filter(department__region_id__in=list(region_ids))
        if department_id is not None:
            rows = rows.filter(department_id=department_id)
        self.as_of = as_of
        self._ranking = (
            rows.values("department_id")
            .annotate(overdue=Count("*"))
            .order_by("-overdue", "department__region__code", "department__name",
                      "department_id")
            .values_list("department_id", flat=True)
        )
        self._ids: list[int] | None = None

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = list(self._ranking)
        return self._ids

    def total(self) -> int:
        return len(self.ids)

    def page(self, index: slice) -> list[Reporting]:
        ids = self.ids[index]
        if not ids:
            return []
        return reporting_by_department(Department.objects.filter(pk__in=ids), as_of=self.as_of)


def overdue_departments(
    *, as_of: dt.date, region_ids: Iterable[int] | None = None, department_id: int | None = None
) -> OverdueDepartments:
    return OverdueDepartments(as_of=as_of, region_ids=region_ids, department_id=department_id)


# --- The quarterly report -------------------------------------------------------------------


@dataclass
class CompletenessRow:
    """Table 3 of the report: one lead department's figures due for the quarter."""

    department: str
    region: str
    due: int = 0
    reported: int = 0
    approved: int = 0

    @property
    def missing(self) -> int:
        return self.due - self.reported

    @property
    def rate(self) -> float | None:
        return self.reported / self.due if self.due else None

    @property
    def rate_text(self) -> str:
        return percent(self.rate)


@dataclass(frozen=True)
class OverdueItem:
    """Table 4 of the report: one figure overdue by the quarter's reporting deadline."""

    department: str
    region: str
    indicator: str
    period: str
    deadline: dt.date


def reporting_completeness(
    *, department_ids: Iterable[int], year: int, quarter: int, full_names: bool = False
) -> tuple[list[CompletenessRow], list[OverdueItem]]:
    """The report's completeness rows (worst rate first) and every overdue figure.

    ``reporting_by_department`` counted the day after the quarter's reporting deadline, for
    the quarter's due period: completeness counts the figures due for it that are submitted
    or approved; the overdue list is every figure, of any earlier period too, whose due date
    had passed by then and that is still not in.
    """
    departments = Department.objects.filter(pk__in=list(department_ids))
    closing = report_date(year, quarter) + dt.timedelta(days=1)
    reporting = reporting_by_department(
        departments, as_of=closing, period=Period(year, quarter), shown=None
    )

    def name(department: Department) -> str:  # 赣榆区住建局 across regions, else 区住建局
        return str(department) if full_names else department.name

    rows = [
        CompletenessRow(name(r.department), r.department.region.name, r.due, r.due_reported,
                        r.due_approved)
        for r in sorted(reporting, key=lambda r: (r.department.region.code, r.department.name))
        if r.due
    ]
    rows.sort(key=lambda r: (r.rate if r.rate is not None else 1.0, r.region, r.department))
    overdue = [
        OverdueItem(name(r.department), r.department.region.name, figure.indicator,
                    figure.period.label, figure.due_on)
        for r in sorted(reporting, key=lambda r: (r.department.region.code, r.department.name))
        for figure in sorted(r.figures, key=lambda f: (f.period.sort_key(), f.indicator))
    ]
    return rows, overdue
