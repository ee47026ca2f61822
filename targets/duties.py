"""Who reports what, answered for the indicators layer (``indicators.duties``, issue 13).

indicators may not read plans or targets, yet its entry pages, reminders, permissions, API
filters and approval list must know which department reports which indicator, for which
region and years. ``targets/apps.py`` registers ``TargetDuties`` there at app-ready time; the
rules below (which plan states owe figures, the base year of a target without a baseline)
are the targets layer's, spelled with its own choices (docs/lifecycle.md, "Baselines";
docs/architecture.md, "Who owns which rule").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import F, QuerySet

from indicators.calendar import QUARTERLY, Period, years_of
from indicators.duties import Assignment
from indicators.models import Department

from .models import Plan, Target

#: Plan states whose targets owe figures: 执行中 every year of the period, 终期评估 only what
#: the final assessment still needs (docs/lifecycle.md). A draft is the office's alone.
OWING_STATES = (Plan.Status.IN_FORCE, Plan.Status.FINAL_REVIEW)

_Lead = Target.lead_departments.through


def base_year(baseline_year: int | None, plan_base_year: int | None, start_year: int) -> int:
    """y0 as the engine takes it: the target's base year, the plan's, else start - 1."""
    if baseline_year:
        return baseline_year
    return plan_base_year if plan_base_year is not None else start_year - 1


class TargetDuties:
    """``indicators.duties.ReportingDuties`` over ``Plan`` and ``Target``."""

    def department_assignments(
        self, department: Department, indicator_ids: Iterable[int] | None = None
    ) -> dict[int, Assignment]:
        targets = (
            Target.objects.filter(
                lead_departments=department, plan__region_id=department.region_id,
                cancelled=False,
            )
            .exclude(plan__status=Plan.Status.DRAFT)  # the office's, not yet the reporter's
            .select_related("plan", "indicator")
            .order_by("indicator__category", "indicator__code", "pk")
        )
        if indicator_ids is not None:  # one figure's check needs its own targets only
            targets = targets.filter(indicator_id__in=list(indicator_ids))
        result: dict[int, Assignment] = {}
        for target in targets:
            item = result.setdefault(target.indicator_id, Assignment(indicator=target.indicator))
            plan = target.plan
            plan_years = years_of([(plan.start_year, plan.end_year)])
            item.all_years |= plan_years
            if plan.status == Plan.Status.IN_FORCE:
                item.years |= plan_years
            elif plan.status == Plan.Status.FINAL_REVIEW:  # only what the final assessment needs
                item.years.add(target.deadline_year or plan.end_year)
            if target.baseline_value is None and plan.status in OWING_STATES:
                # 基期值 (docs/lifecycle.md "Baselines"): the base-year figure may be entered.
                item.all_years.add(base_year(target.baseline_year, plan.base_year, plan.start_year))
            goal = target.goal_display
            if goal and goal not in item.goals:
                item.goals.append(goal)
        return result

    def assignments_by_department(
        self, department_ids: Iterable[int]
    ) -> dict[int, dict[int, tuple[str, set[int]]]]:
        """One query. An ended plan's old periods no longer fill the overdue lists."""
        rows = _Lead.objects.filter(
            department_id__in=list(department_ids),
            target__plan__region_id=F("department__region_id"),
            target__plan__status__in=OWING_STATES,
            target__cancelled=False,
        ).values_list(
            "department_id",
            "target__indicator_id",
            "target__indicator__frequency",
            "target__plan__start_year",
            "target__plan__end_year",
            "target__plan__status",
            "target__deadline_year",
        )
        result: dict[int, dict[int, tuple[str, set[int]]]] = defaultdict(dict)
        for department_id, indicator_id, frequency, start, end, status, deadline in rows:
            _, years = result[department_id].setdefault(indicator_id, (frequency, set()))
            if status == Plan.Status.IN_FORCE:
                years.update(range(start, end + 1))
            else:
                years.add(deadline or end)
        return result

    def baselines_due_by_department(
        self, department_ids: Iterable[int]
    ) -> dict[int, dict[int, Period]]:
        """Due at once: the engine uses the approved base-year figure as b. One query. An
        annual indicator owes the year, a quarterly one its Q4."""
        rows = _Lead.objects.filter(
            department_id__in=list(department_ids),
            target__plan__region_id=F("department__region_id"),
            target__plan__status__in=OWING_STATES,
            target__cancelled=False,
            target__baseline_value__isnull=True,
            target__value__isnull=False,
        ).values_list(
            "department_id",
            "target__indicator_id",
            "target__indicator__frequency",
            "target__baseline_year",
            "target__plan__base_year",
            "target__plan__start_year",
        )
        result: dict[int, dict[int, Period]] = defaultdict(dict)
        for department_id, indicator_id, frequency, baseline_year, plan_base, start in rows:
            year = base_year(baseline_year, plan_base, start)
            period = Period(year, 4) if frequency == QUARTERLY else Period(year)
            result[department_id].setdefault(indicator_id, period)
        return result

    def led_indicator_ids(self, department: Department) -> set[int]:
        return set(
            Target.objects.filter(
                lead_departments=department, plan__region_id=department.region_id
            ).values_list("indicator_id", flat=True)
        )

    def targets_by_series(
        self, indicator_ids: Iterable[int], region_ids: Iterable[int]
    ) -> dict[tuple[int, int], Sequence[Any]]:
        result: dict[tuple[int, int], list[Target]] = defaultdict(list)
        for target in (
            Target.objects.filter(
                indicator_id__in=list(indicator_ids), plan__region_id__in=list(region_ids),
                cancelled=False,
            )
            .select_related("plan", "indicator")
            .order_by("-plan__start_year", "plan__code", "code")
        ):
            result[(target.indicator_id, target.plan.region_id)].append(target)
        return dict(result)

    def leading_department_ids(self) -> QuerySet[Any]:
        return _Lead.objects.values("department_id")

    def lead_departments_by_series(self) -> Iterable[tuple[int, int, int]]:
        return (
            _Lead.objects.filter(
                target__cancelled=False, target__plan__region_id=F("department__region_id")
            )
            .values_list("target__indicator_id", "department__region_id", "department_id")
            .distinct()
        )

    def plan_indicator_ids(self, plan_code: str) -> QuerySet[Any]:
        return Target.objects.filter(plan__code=plan_code).values("indicator_id")

    def plan_region_ids(self, plan_code: str) -> QuerySet[Any]:
        return Plan.objects.filter(code=plan_code).values("region_id")

    def indicator_ids_led_by(self, department_name: str) -> QuerySet[Any]:
        return Target.objects.filter(lead_departments__name=department_name).values(
            "indicator_id"
        )
