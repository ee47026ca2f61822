"""Overdue and soon-due figures, read from ``ReportingDue`` for the 已逾期 page and the reminders.

What each lead department owes is kept in ``indicators.ReportingDue`` (docs/monitoring.md
"Reporting completeness and overdue"; written only by ``services/reporting.py``), so these
reads never walk the observations: counts are grouped in the database, lists are paged (or
cut per department) in SQL, and a figure's own status (草稿, 已退回) is read for the shown rows
only. Each read is a fixed number of queries whatever the number of departments or figures
(issue 18). A figure is overdue once its due date is before the day asked about; a row not
yet in counts whether or not the daily sweep has marked it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, OrderBy, Q, QuerySet, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, Collate, RowNumber

from core.paging import PagedSequence

from ..calendar import Period
from ..models import UNREPORTED, Department, Observation, ReportingDue
from . import DueItem, baseline_items

__all__ = [
    "DepartmentOverdue",
    "OverdueByDepartment",
    "OverdueFigures",
    "due_soon",
    "overdue_by_department",
    "overdue_rows",
]


def overdue_rows(
    *, as_of: datetime.date, region_ids: Iterable[int] | None = None,
    department_ids: Iterable[int] | None = None,
) -> QuerySet[ReportingDue]:
    """The figures not yet in whose due date is before ``as_of``, in a scope.

    ``region_ids`` None: every region. The rows' region is their department's own.
    """
    rows = ReportingDue.objects.filter(state__in=UNREPORTED, due_on__lt=as_of)
    if region_ids is not None:
        rows = rows.filter(region_id__in=list(region_ids))
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    return rows


def _newest_first() -> list[OrderBy]:
    """As ``due_items`` sorts overdue figures: newest period first (a year after its Q4
    ends, so before it), then indicator names in code-point order, as Python compares."""
    name = F("indicator__name")
    collated = Collate(name, "C") if connection.vendor == "postgresql" else name
    return [F("year").desc(), Coalesce("quarter", Value(5)).desc(), collated.asc()]


def _figure_statuses(rows: Iterable[ReportingDue]) -> dict[tuple[int, int, int, int | None], str]:
    """The entered figure's status (draft or returned) for these rows; one query."""
    keys = {(r.region_id, r.indicator_id, r.year, r.quarter) for r in rows}
    if not keys:
        return {}
    match = Q()
    for region_id, indicator_id, year, quarter in keys:
        match |= Q(region_id=region_id, indicator_id=indicator_id, year=year, quarter=quarter)
    return {
        (r, i, y, q): status for r, i, y, q, status in Observation.objects.filter(match)
        .values_list("region_id", "indicator_id", "year", "quarter", "status")
    }


def _items(rows: list[ReportingDue], departments: Mapping[int, Department] | None = None,
           statuses: bool = True) -> list[DueItem]:
    """Rows as the ``DueItem``s the pages and reminders show (deadline = due date)."""
    status = _figure_statuses(rows) if statuses else {}
    return [
        DueItem(
            departments[r.department_id] if departments is not None else r.department,
            r.indicator_id, r.indicator.name, Period(r.year, r.quarter), r.due_on,
            status.get((r.region_id, r.indicator_id, r.year, r.quarter), ""),
        )
        for r in rows
    ]


class OverdueFigures(PagedSequence[DueItem]):
    """Overdue figures for ``Paginator``: by department (region code, name), each newest
    first. A page is a COUNT, the page's rows, and their figures' statuses."""

    def __init__(self, rows: QuerySet[ReportingDue]) -> None:
        self.rows = rows.select_related("department__region", "indicator").order_by(
            "department__region__code", "department__name", "department_id",
            *_newest_first(), "pk",
        )

    def total(self) -> int:
        return self.rows.count()

    def page(self, index: slice) -> list[DueItem]:
        return _items(list(self.rows[index]))


@dataclass(frozen=True)
class DepartmentOverdue:
    department: Department
    count: int


class OverdueByDepartment(PagedSequence[DepartmentOverdue]):
    """Departments with overdue figures for ``Paginator``, most overdue first (then region
    code and name). A page is a COUNT of the grouped rows and one grouped page."""

    def __init__(self, rows: QuerySet[ReportingDue]) -> None:
        self.ranking = (
            rows.values("department_id").annotate(n=Count("*"))
            .order_by("-n", "department__region__code", "department__name", "department_id")
        )

    def total(self) -> int:
        return self.ranking.count()

    def page(self, index: slice) -> list[DepartmentOverdue]:
        page = [(row["department_id"], row["n"]) for row in self.ranking[index]]
        by_pk = Department.objects.select_related("region").in_bulk([pk for pk, _n in page])
        return [DepartmentOverdue(by_pk[pk], n) for pk, n in page]


def overdue_by_department(
    departments: Mapping[int, Department], *, as_of: datetime.date, shown: int
) -> dict[int, tuple[int, list[DueItem]]]:
    """Per late department of ``departments``: how many figures are overdue, and the
    ``shown`` newest of them. Two queries over the rows not yet in, whatever their number."""
    rows = overdue_rows(as_of=as_of)
    counts = dict(
        rows.values("department_id").order_by("department_id").annotate(n=Count("*"))
        .values_list("department_id", "n")
    )
    newest = _newest_first()
    ranked = rows.select_related("indicator").annotate(
        rank=Window(RowNumber(), partition_by=[F("department_id")], order_by=newest)
    ).filter(rank__lte=shown).order_by("department_id", *newest)
    items: dict[int, list[DueItem]] = defaultdict(list)
    for row in ranked:
        if row.department_id in departments:
            items[row.department_id] += _items([row], departments, statuses=False)
    return {pk: (n, items[pk]) for pk, n in counts.items() if pk in departments}


def due_soon(
    departments: Mapping[int, Department], *, today: datetime.date, within_days: int
) -> dict[int, list[DueItem]]:
    """Per department, what is open (ended, not past its due date) and not yet in, due
    within ``within_days``, with the 基期值 still owed; by period, then indicator name.

    The rows come from ``ReportingDue`` (one query over those due in the window), the base-year
    figures from ``baseline_items``.
    """
    window = ReportingDue.objects.filter(
        state__in=UNREPORTED, due_on__gte=today,
        due_on__lte=today + datetime.timedelta(days=within_days),
    ).select_related("indicator").order_by("department_id", "pk")
    result: dict[int, list[DueItem]] = defaultdict(list)
    for pk, items in baseline_items(list(departments.values()), today).items():
        result[pk] += [i for i in items if (i.deadline - today).days <= within_days]
    for row in window:
        if row.department_id in departments and Period(row.year, row.quarter).has_ended(today):
            result[row.department_id] += _items([row], departments, statuses=False)
    for items in result.values():
        items.sort(key=lambda i: (i.period.sort_key(), i.indicator_name))
    return {pk: items for pk, items in result.items() if items}
