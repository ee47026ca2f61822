"""Reporting by lead department: overdue figures and completeness as of a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from indicators.calendar import ended_periods
from indicators.models import Department
from indicators.selectors import assignments_by_department, due_items


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
