"""The reporting calendar: which periods exist, when they end, when they close.

Pure (stdlib only, no ORM), so the rules are testable without a database. An indicator's
frequency (quarterly / annual) and the years of the plans that track it decide its periods.
A period becomes *due* the day after it ends (actuals are reported after the period, never
before: a figure for a period that has not ended is "in the future") and *closes*
``grace_days`` after its end (settings.REPORTING_GRACE_DAYS). A closed period without a
submitted or approved figure is *overdue*.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

QUARTERLY = "quarterly"
ANNUAL = "annual"

#: The years a period given in a URL or a file may name (docs/reliability.md, part B, row 13).
MIN_YEAR, MAX_YEAR = 1900, 2999
_SLUG = re.compile(r"^(?P<year>\d{4})(?:[Qq](?P<quarter>[1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a quarter (``quarter`` 1 to 4) or a whole year (``quarter`` None)."""

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1-4, not {self.quarter}")

    # Sorting puts an annual period after its quarters (None sorts as 5).
    def sort_key(self) -> tuple[int, int]:
        return (self.year, self.quarter or 5)

    @classmethod
    def containing(cls, day: datetime.date, frequency: str = QUARTERLY) -> Period:
        """The quarter (or, for ``ANNUAL``, the year) that ``day`` falls in.

        The one place that turns a month into a quarter (docs/architecture.md, "Who owns
        which rule"); the pure engine keeps its own quarter index (it may not import this).
        """
        if frequency == ANNUAL:
            return cls(day.year)
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, slug: str) -> Period:
        """'2024Q1' → quarter 1 of 2024; '2024' → the year 2024. ValueError otherwise."""
        match = _SLUG.match(slug.strip())
        if match is None:
            raise ValueError(
                _("报告期“%(slug)s”格式不正确，应为如 2024Q1 或 2024 的形式。") % {"slug": slug}
            )
        quarter, year = match["quarter"], int(match["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            # 9999 would overflow the date arithmetic of deadlines (a 500): no such period.
            raise ValueError(
                _("报告期“%(slug)s”超出范围（%(min)d—%(max)d年）。")
                % {"slug": slug, "min": MIN_YEAR, "max": MAX_YEAR}
            )
        return cls(year, int(quarter) if quarter else None)

    @property
    def slug(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        if self.quarter:
            return _("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)d年") % {"year": self.year}

    @property
    def frequency(self) -> str:
        return QUARTERLY if self.quarter else ANNUAL

    @property
    def start(self) -> datetime.date:
        month = 3 * (self.quarter - 1) + 1 if self.quarter else 1
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        month = 3 * self.quarter if self.quarter else 12
        return datetime.date(self.year, month, _calendar.monthrange(self.year, month)[1])

    def deadline(self, grace_days: int) -> datetime.date:
        """The last day on which a figure for this period is on time."""
        return self.end + datetime.timedelta(days=grace_days)

    def has_ended(self, today: datetime.date) -> bool:
        return self.end < today

    def state(self, today: datetime.date, grace_days: int) -> str:
        """'future' (not ended), 'open' (ended, within the grace days) or 'closed'."""
        if not self.has_ended(today):
            return "future"
        return "open" if today <= self.deadline(grace_days) else "closed"

    def __str__(self) -> str:
        return self.label


def periods_in_years(frequency: str, years: Iterable[int]) -> list[Period]:
    """Every period of ``frequency`` in the given years, in order."""
    quarters: tuple[int | None, ...] = (1, 2, 3, 4) if frequency == QUARTERLY else (None,)
    return [Period(year, quarter) for year in sorted(set(years)) for quarter in quarters]


def ended_periods(frequency: str, years: Iterable[int], today: datetime.date) -> list[Period]:
    """The periods of those years that have ended by ``today`` (i.e. may be reported)."""
    return [p for p in periods_in_years(frequency, years) if p.has_ended(today)]


def latest_ended_period(frequency: str, today: datetime.date) -> Period:
    """The most recent period of ``frequency`` that ended before ``today``."""
    return previous_period(Period.containing(today, frequency))


def years_of(ranges: Iterable[tuple[int, int]]) -> set[int]:
    """The union of inclusive (start, end) year ranges, e.g. the periods of several plans."""
    return {year for start, end in ranges for year in range(start, end + 1)}


def previous_period(period: Period) -> Period:
    if period.quarter is None:
        return Period(period.year - 1)
    return (
        Period(period.year, period.quarter - 1)
        if period.quarter > 1
        else Period(period.year - 1, 4)
    )


def recent_periods(latest: Period, count: int) -> list[Period]:
    """``latest`` and the ``count - 1`` periods before it, newest first."""
    periods = [latest]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return periods
