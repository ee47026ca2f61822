"""What indicators must know about targets, provided from above (issue 13).

``indicators`` is the lowest layer (import-linter: onboarding > reports > targets >
indicators): it may neither import ``targets`` nor read its tables through ORM lookups or
spell its choice values (``tests/indicators/test_layering.py`` greps for them). Yet the entry
pages, the reminders, the permissions, the API filters and the approval list need to know
which department reports which indicator for which region and years. This module states that need
as a protocol, ``ReportingDuties``; the targets app registers its answer at app-ready time
(``targets/apps.py`` → ``targets/duties.py``), and ``duties()`` returns it.

So a plan's states, a target's deadline and baseline rules are read where they are owned,
and this layer only ever sees indicator, region and department ids, the ``Assignment`` it
defines here, and opaque target objects to show (docs/architecture.md, "Who owns which rule").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .calendar import Period
    from .models import Department, Indicator

__all__ = ["Assignment", "ReportingDuties", "duties", "register"]


@dataclass
class Assignment:
    """One indicator a department leads: the years its in-force plans cover, and their goals."""

    indicator: Indicator
    years: set[int] = field(default_factory=set)  # in-force plans: these periods are due
    all_years: set[int] = field(default_factory=set)  # any plan: these periods may be entered
    goals: list[str] = field(default_factory=list)


class ReportingDuties(Protocol):
    """Who reports what, answered by the layer that owns plans and targets.

    Every method keeps its query count fixed (one query, or a lazy subquery to use in
    ``__in``), whatever the number of targets.
    """

    def department_assignments(
        self, department: Department, indicator_ids: Iterable[int] | None = None
    ) -> dict[int, Assignment]:
        """Indicator id → Assignment for the live targets ``department`` leads in its region
        (of those indicators only, when given)."""

    def assignments_by_department(
        self, department_ids: Iterable[int]
    ) -> dict[int, dict[int, tuple[str, set[int]]]]:
        """dept → indicator → (frequency, years due), for plans in force or in final review."""

    def baselines_due_by_department(
        self, department_ids: Iterable[int]
    ) -> dict[int, dict[int, Period]]:
        """dept → indicator → the base-year period owed by targets without a baseline."""

    def led_indicator_ids(self, department: Department) -> set[int]:
        """Indicators of targets ``department`` leads in its own region (any plan status)."""

    def targets_by_series(
        self, indicator_ids: Iterable[int], region_ids: Iterable[int]
    ) -> dict[tuple[int, int], Sequence[Any]]:
        """(indicator id, region id) → the live targets a figure there feeds, to show."""

    def leading_department_ids(self) -> QuerySet[Any]:
        """Subquery: ids of the departments that lead any target."""

    def lead_departments_by_series(self) -> Iterable[tuple[int, int, int]]:
        """(indicator id, region id, department id) of every live target in its plan's region."""

    def plan_indicator_ids(self, plan_code: str) -> QuerySet[Any]:
        """Subquery: ids of the indicators of plan ``plan_code``'s targets."""

    def plan_region_ids(self, plan_code: str) -> QuerySet[Any]:
        """Subquery: id of plan ``plan_code``'s region."""

    def indicator_ids_led_by(self, department_name: str) -> QuerySet[Any]:
        """Subquery: ids of the indicators of targets led by departments of that name."""


_registered: ReportingDuties | None = None


def register(provider: ReportingDuties) -> None:
    """Called once from the targets app's ``ready()``; a second call replaces the first."""
    global _registered
    _registered = provider


def duties() -> ReportingDuties:
    """The registered provider; without the targets app installed nothing is owed."""
    if _registered is None:
        raise ImproperlyConfigured(
            "indicators.duties: no provider registered (is the targets app installed?)"
        )
    return _registered
