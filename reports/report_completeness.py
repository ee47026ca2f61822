"""Reporting completeness and overdue figures for the quarterly report.

Built on ``indicators.selectors`` so that the report, the data-entry pages and the reminder
mails agree on what a department owes: ``assignments_by_department`` (the indicators a
department leads in its own region under in-force plans, and the years they cover) and
``due_items`` (the closed periods still without a submitted or approved figure). This
module only picks the report's periods and counts. Pure reads; a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from indicators.calendar import Period
from indicators.models import Department, Indicator, Observation
from indicators.selectors import REPORTED, assignments_by_department, due_items

from .report_format import percent


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
    if frequency == Indicator.Frequency.QUARTERLY:
        return Period(year, quarter)
    return Period(year) if quarter == 4 else Period(year - 1)


@dataclass
class CompletenessRow:
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
    department: str
    region: str
    indicator: str
    period: str
    deadline: dt.date


def reporting_completeness(
    *, department_ids: Iterable[int], year: int, quarter: int, full_names: bool = False
) -> tuple[list[CompletenessRow], list[OverdueItem]]:
    """Per department: figures due for the report's periods vs reported; and every overdue one.

    Completeness counts, for each indicator the department leads whose plans cover the due
    period (``due_period``), whether a figure was submitted or approved. The overdue list is
    what ``due_items`` finds closed and unreported the day after the report's deadline.
    Worst reporting rate first.
    """
    departments = list(
        Department.objects.filter(pk__in=list(department_ids)).select_related("region")
        .order_by("region__code", "name")
    )
    def name(department: Department) -> str:  # 赣榆区住建局 across regions, else 区住建局
        return str(department) if full_names else department.name

    assignments = assignments_by_department(d.pk for d in departments)
    observed = {
        (region_id, indicator_id, Period(obs_year, obs_quarter)): status
        for region_id, indicator_id, obs_year, obs_quarter, status in Observation.objects.filter(
            region_id__in={d.region_id for d in departments},
            indicator_id__in={i for per in assignments.values() for i in per},
            year__in=[year - 1, year],
        ).values_list("region_id", "indicator_id", "year", "quarter", "status")
    }
    rows = []
    for department in departments:
        row = CompletenessRow(name(department), department.region.name)
        for indicator_id, (frequency, years) in assignments.get(department.pk, {}).items():
            period = due_period(frequency, year, quarter)
            if period.year not in years:
                continue
            status = observed.get((department.region_id, indicator_id, period), "")
            row.due += 1
            row.reported += status in REPORTED
            row.approved += status == Observation.Status.APPROVED
        if row.due:
            rows.append(row)
    rows.sort(key=lambda r: (r.rate if r.rate is not None else 1.0, r.region, r.department))

    closing = report_date(year, quarter) + dt.timedelta(days=1)
    summaries = due_items(departments=departments, today=closing)
    items = sorted(
        ((department, item) for department in departments
         for item in summaries[department.pk].overdue),
        key=lambda pair: (pair[0].region.code, pair[0].name, pair[1].period.sort_key(),
                          pair[1].indicator_name),
    )
    overdue = [
        OverdueItem(name(department), department.region.name, item.indicator_name,
                    item.period.label, item.deadline)
        for department, item in items
    ]
    return rows, overdue
