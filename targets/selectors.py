"""Reads of plans, targets and progress that pages, the PDF and the API share.

Pages never recompute: they read the Progress rows the engine stored (one per target per
quarter) and aggregate them in the database, so the number of queries does not grow with
the number of targets (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from indicators.calendar import QUARTERLY, Period, latest_ended_period, previous_period

from . import status
from .models import (
    DepartmentRollup,
    Plan,
    PlanRollup,
    Progress,
    QuarterRollup,
    Target,
    TargetTally,
)

#: Statuses that count as "good" in a score, behind, and out of every denominator: the sets
#: are ``targets.status``'s (the one owner), under the names the pages and the PDF import.
GOOD_STATUSES = status.GOOD
BEHIND_STATUSES = status.BEHIND
UNASSESSABLE_STATUSES = status.UNASSESSABLE
STATUS_ORDER = [choice.value for choice in Progress.Status]


def plan_list(
    *, region_ids: Iterable[int] | None = None, include_drafts: bool = False
) -> QuerySet[Plan]:
    """Every plan with its region and its number of targets, for the home page and lists.

    A draft (草稿, an onboarded plan under review: docs/onboarding.md) is left out unless
    ``include_drafts``: dashboards, the feed and reporters never see one.
    """
    plans = Plan.objects.select_related("region", "region__parent").annotate(
        target_count=plan_target_count()
    )
    if not include_drafts:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    if region_ids is not None:
        plans = plans.filter(region_id__in=list(region_ids))
    return plans.order_by("region__code", "-status", "start_year")


def target_list(
    *,
    plan: Plan | None = None,
    region_ids: Iterable[int] | None = None,
    include_drafts: bool = False,
) -> QuerySet[Target]:
    """Targets with what their pages show; a draft plan's only with ``include_drafts``."""
    targets = Target.objects.select_related(
        "indicator", "plan", "plan__region"
    ).prefetch_related("lead_departments", "participating_departments")
    if not include_drafts:
        targets = targets.exclude(plan__status=Plan.Status.DRAFT)
    if plan is not None:
        targets = targets.filter(plan=plan)
    if region_ids is not None:
        targets = targets.filter(plan__region_id__in=list(region_ids))
    return targets.order_by("plan_id", "pk")


def parse_quarter(text: str) -> tuple[int, int]:
    """'2025Q4' → (2025, 4); raises ValueError with a Chinese message otherwise."""
    cleaned = text.strip().upper()
    try:
        year, quarter = cleaned.split("Q")
        parsed = int(year), int(quarter)
    except ValueError:
        raise ValueError(f"季度“{text}”格式不正确，应为如 2025Q4 的形式。") from None
    if not 1 <= parsed[1] <= 4:
        raise ValueError(f"季度“{text}”格式不正确，季度应为1至4。")
    return parsed


def progress_latest_quarter() -> tuple[int, int] | None:
    """The latest quarter for which progress has been computed, or None (one index read)."""
    return (
        Progress.objects.order_by("-year", "-quarter").values_list("year", "quarter").first()
    )


def progress_default_quarter(today: date | None = None) -> tuple[int, int] | None:
    """The quarter a dashboard opens on: the latest computed quarter whose figures are due,
    i.e. that has ended (indicators.calendar), not the running quarter in which nothing is due
    yet (issue 15); the latest computed one if none has ended. One query."""
    day = today or timezone.localdate()
    ended = latest_ended_period(QUARTERLY, day)
    due = (
        Progress.objects.filter(
            Q(year__lt=ended.year) | Q(year=ended.year, quarter__lte=ended.quarter)
        )
        .order_by("-year", "-quarter").values_list("year", "quarter").first()
    )
    return due or progress_latest_quarter()


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """The quarter before (2025, 1) is (2024, 4) (``indicators.calendar``'s arithmetic)."""
    before = previous_period(Period(year, quarter))
    return before.year, before.quarter or 4


def progress_for_quarter(
    *,
    year: int,
    quarter: int,
    region_ids: Iterable[int] | None = None,
    plan_ids: Iterable[int] | None = None,
    department_id: int | None = None,
) -> QuerySet[Progress]:
    """Progress rows of one quarter with what a table shows, in one query."""
    rows = Progress.objects.filter(year=year, quarter=quarter).select_related(
        "target", "target__indicator", "target__plan", "target__plan__region"
    )
    if region_ids is not None:
        rows = rows.filter(target__plan__region_id__in=list(region_ids))
    if plan_ids is not None:
        rows = rows.filter(target__plan_id__in=list(plan_ids))
    if department_id is not None:
        rows = rows.filter(target__lead_departments=department_id)
    return rows.order_by("target__plan_id", "target_id")


def progress_latest(rows: QuerySet[Progress]) -> QuerySet[Progress]:
    """Each target's latest verdict: the latest computed quarter for plans in force, the last
    quarter of its period for a closed plan (its final assessment). Two index lookups, no
    per-row subquery, so it stays cheap at national scale."""
    return progress_latest_at(rows, progress_latest_quarter())


def progress_latest_at(
    rows: QuerySet[Progress], latest: tuple[int, int] | None
) -> QuerySet[Progress]:
    """``progress_latest`` with the latest computed quarter already looked up."""
    if latest is None:
        return rows.none()
    year, quarter = latest
    return rows.filter(
        Q(
            target__plan__status__in=(Plan.Status.IN_FORCE, Plan.Status.FINAL_REVIEW),
            year=year, quarter=quarter,
        )
        | Q(target__plan__status=Plan.Status.CLOSED, year=F("target__plan__end_year"), quarter=4)
    )


def progress_latest_periods(latest: tuple[int, int]) -> list[tuple[int, int]]:
    """The quarters whose rows ``progress_latest_at`` can return, ascending: ``latest`` and the
    last quarter of each closed plan's period (one query over plans)."""
    ends = (Plan.objects.filter(status=Plan.Status.CLOSED).order_by()
            .values_list("end_year", flat=True).distinct())
    return sorted({latest, *((year, 4) for year in ends)})


def progress_published() -> QuerySet[Progress]:
    """Progress of in-force and closed plans, for the public feed (approved data only)."""
    return Progress.objects.select_related(
        "target", "target__indicator", "target__plan", "target__plan__region"
    ).order_by("target_id", "year", "quarter")


@dataclass
class Rollup:
    """Status counts of a group of targets (a department or a region) at one quarter."""

    key: int
    name: str
    region: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    assessable: int = 0
    good: int = 0
    binding_behind: int = 0
    # The score by class (docs/monitoring.md "Scores"): 确保类 (firm) and 力争类 (stretch)
    # targets apart, each with its count, so a score never hides what it leaves out.
    firm_assessable: int = 0
    firm_good: int = 0
    stretch_assessable: int = 0
    stretch_good: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def all_good(self) -> int:
        """Achieved or on track, whatever the class: what the status chart shows."""
        return sum(self.counts.get(s, 0) for s in GOOD_STATUSES)

    @property
    def firm_score(self) -> float | None:
        return self.firm_good / self.firm_assessable if self.firm_assessable else None

    @property
    def stretch_score(self) -> float | None:
        return self.stretch_good / self.stretch_assessable if self.stretch_assessable else None

    @property
    def behind(self) -> int:
        """Targets behind: lagging, off track or not achieved."""
        return sum(self.counts.get(s, 0) for s in BEHIND_STATUSES)

    @property
    def behind_share(self) -> float | None:
        """Share of the department's (region's) targets that are behind: the ranking key."""
        return self.behind / self.total if self.total else None

    @property
    def score(self) -> float | None:
        """Share achieved or on track among assessable targets (None when none is)."""
        return self.good / self.assessable if self.assessable else None


def _rollup(rows: QuerySet[Progress], group: str, label: str, region: str | None) -> list[Rollup]:
    exclude_aspirational = settings.ROLLUP_EXCLUDE_ASPIRATIONAL
    assessable = ~Q(status__in=UNASSESSABLE_STATUSES)
    if exclude_aspirational:
        assessable &= Q(target__aspirational=False)
    values = [group, label] + ([region] if region else [])
    aggregates = {
        f"n_{status}": Count("pk", filter=Q(status=status)) for status in STATUS_ORDER
    }
    aggregates["assessable"] = Count("pk", filter=assessable)
    aggregates["good"] = Count("pk", filter=assessable & Q(status__in=GOOD_STATUSES))
    firm = ~Q(status__in=UNASSESSABLE_STATUSES) & Q(target__aspirational=False)
    stretch = ~Q(status__in=UNASSESSABLE_STATUSES) & Q(target__aspirational=True)
    aggregates["firm_assessable"] = Count("pk", filter=firm)
    aggregates["firm_good"] = Count("pk", filter=firm & Q(status__in=GOOD_STATUSES))
    aggregates["stretch_assessable"] = Count("pk", filter=stretch)
    aggregates["stretch_good"] = Count("pk", filter=stretch & Q(status__in=GOOD_STATUSES))
    aggregates["binding_behind"] = Count(
        "pk",
        filter=Q(target__binding=Target.Binding.BINDING) & Q(status__in=BEHIND_STATUSES),
    )
    result = []
    for row in rows.values(*values).annotate(**aggregates).order_by(label):
        if row[group] is None:
            continue
        result.append(
            Rollup(
                key=row[group],
                name=row[label],
                region=row[region] if region else "",
                counts={status: row[f"n_{status}"] for status in STATUS_ORDER},
                assessable=row["assessable"],
                good=row["good"],
                binding_behind=row["binding_behind"],
                firm_assessable=row["firm_assessable"],
                firm_good=row["firm_good"],
                stretch_assessable=row["stretch_assessable"],
                stretch_good=row["stretch_good"],
            )
        )
    return result


def rollup_by_department(rows: QuerySet[Progress]) -> list[Rollup]:
    """Status counts of the targets each department leads (docs/progress.md), one query."""
    return _rollup(
        rows.order_by(),
        "target__lead_departments",
        "target__lead_departments__name",
        "target__lead_departments__region__name",
    )


def rollup_by_region(rows: QuerySet[Progress]) -> list[Rollup]:
    """Status counts of each region's plans, one query."""
    return _rollup(rows.order_by(), "target__plan__region", "target__plan__region__name", None)


def status_counts(rows: QuerySet[Progress]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


# ---------------------------------------------------------------------------------------
# Reads of the rollup tables (targets/rollups.py, docs/scale.md "Rollup tables"): the same
# numbers as counting Progress, from a few small rows.


def plan_target_count() -> Coalesce:
    """A plan's number of targets, from ``TargetTally`` (one index probe per plan)."""
    tally = TargetTally.objects.filter(plan=OuterRef("pk"), department_id=0).values("n")[:1]
    return Coalesce(Subquery(tally, output_field=IntegerField()), 0)


def department_lead_count() -> Coalesce:
    """How many targets a department leads, in every plan, from ``TargetTally``."""
    led = (
        TargetTally.objects.filter(department_id=OuterRef("pk"))
        .order_by().values("department_id").annotate(total=Sum("n")).values("total")
    )
    return Coalesce(Subquery(led, output_field=IntegerField()), 0)


def target_total(*, region_ids: Iterable[int] | None = None) -> int:
    """Targets of the published plans (of ``region_ids``), one query on the tallies."""
    tallies = TargetTally.objects.filter(department_id=0).exclude(plan__status=Plan.Status.DRAFT)
    if region_ids is not None:
        tallies = tallies.filter(plan__region_id__in=list(region_ids))
    return tallies.aggregate(total=Sum("n"))["total"] or 0


def rollup_rows(
    *,
    year: int | None,
    quarter: int | None,
    region_ids: Iterable[int] | None = None,
    plan_ids: Iterable[int] | None = None,
    department_ids: Iterable[int] | None = None,
    plan_states: Iterable[str] | None = None,
    category: str = "",
    status: str = "",
    by_department: bool = False,
) -> QuerySet:
    """The rollup rows standing for the Progress rows of these filters, as
    ``progress_for_quarter`` (+ plan state, category and status) would select them.

    Department rows when a department is filtered or the counts go by department (a target
    with two lead departments is then counted once for each, as the Progress join does);
    plan rows otherwise. ``year=None`` keeps every quarter (a trend).
    """
    model = DepartmentRollup if by_department or department_ids is not None else PlanRollup
    rows = model.objects.filter(n__gt=0)
    if year is not None:
        rows = rows.filter(year=year, quarter=quarter)  # type: ignore[misc]
    if region_ids is not None:
        rows = rows.filter(plan__region_id__in=list(region_ids))
    if plan_ids is not None:
        rows = rows.filter(plan_id__in=list(plan_ids))
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))  # type: ignore[misc]
    if plan_states is not None:
        rows = rows.filter(plan__status__in=list(plan_states))
    if category:
        rows = rows.filter(category=category)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by()


def _add_to(rollup: Rollup, status: str, n: int, aspirational: int, binding: int) -> None:
    """Add n targets of one status (``aspirational`` of them 力争, ``binding`` 约束性) to the
    counts and scores exactly as ``_rollup`` counts Progress rows."""
    rollup.counts[status] = rollup.counts.get(status, 0) + n
    if status not in UNASSESSABLE_STATUSES:
        firm = n - aspirational
        counted = firm if settings.ROLLUP_EXCLUDE_ASPIRATIONAL else n
        rollup.firm_assessable += firm
        rollup.stretch_assessable += aspirational
        rollup.assessable += counted
        if status in GOOD_STATUSES:
            rollup.firm_good += firm
            rollup.stretch_good += aspirational
            rollup.good += counted
    if status in BEHIND_STATUSES:
        rollup.binding_behind += binding


def _rollups_from(rows: QuerySet, group: str, label: str, region: str | None) -> list[Rollup]:
    values = [group, label, "status"] + ([region] if region else [])
    result: dict[int, Rollup] = {}
    for row in rows.values(*values).annotate(
        total=Sum("n"), stretch=Sum("aspirational"), firm_binding=Sum("binding")
    ):
        rollup = result.get(row[group])
        if rollup is None:
            rollup = result[row[group]] = Rollup(
                key=row[group], name=row[label], region=row[region] if region else "",
                counts=dict.fromkeys(STATUS_ORDER, 0),
            )
        _add_to(rollup, row["status"], row["total"], row["stretch"], row["firm_binding"])
    return sorted(result.values(), key=lambda r: (r.name, r.key))


def rollups_by_department(rows: QuerySet) -> list[Rollup]:
    """Status counts of the targets each department leads (docs/progress.md), one query on the
    department rollup rows of ``rollup_rows(by_department=True)``."""
    return _rollups_from(rows, "department_id", "department__name", "department__region__name")


def rollups_by_region(rows: QuerySet) -> list[Rollup]:
    """Status counts of each region's plans, one query on rollup rows."""
    return _rollups_from(rows, "plan__region_id", "plan__region__name", None)


def rollup_status_counts(rows: QuerySet) -> dict[str, int]:
    """Targets per status (every status a key), one query on rollup rows."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for code, total in rows.values("status").annotate(total=Sum("n")).values_list(
        "status", "total"
    ):
        counts[code] += total
    return counts


def rollup_quarters() -> list[tuple[int, int]]:
    """Every quarter with computed progress, newest first: one read of ``QuarterRollup``."""
    return list(
        QuarterRollup.objects.order_by("-year", "-quarter")
        .values_list("year", "quarter")
    )
