"""The plan, department and indicator lists and the targets under the filters, with progress.
Status counts per plan (in force: at the quarter; closed: the final assessment), targets with
their Progress row attached, departments with their lead counts, indicators with target and
region counts, and each region's latest approved figure of an indicator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connections
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast

from indicators.models import Department, Indicator, Observation
from targets.models import Plan, Progress, Target, TargetTally
from targets.selectors import BEHIND_STATUSES as TARGET_BEHIND
from targets.selectors import STATUS_ORDER, department_lead_count, rollup_rows, target_list

from .filters import DashboardFilters
from .progress import status_rollups


def plan_status_counts(
    plan_ids: Iterable[int], *, year: int | None, quarter: int | None
) -> dict[int, dict[str, int]]:
    """Per plan: status counts at the quarter (in-force) or the final status (closed).

    In-force and 终期评估 plans are read from the rollup rows (docs/scale.md). A closed plan's
    final assessment is each target's last Progress row, whatever the quarter shown. Two
    queries in all; pass the plans of one page, not every plan.
    """
    plan_ids = list(plan_ids)
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUS_ORDER, 0))
    if year is not None and quarter is not None:
        for plan_id, status, total in (
            rollup_rows(
                year=year, quarter=quarter, plan_ids=plan_ids,
                plan_states=(Plan.Status.IN_FORCE, Plan.Status.FINAL_REVIEW),
            )
            .values("plan_id", "status")
            .annotate(total=Sum("n"))
            .values_list("plan_id", "status", "total")
        ):
            result[plan_id][status] += total
    for row in (
        with_last_status(  # type: ignore[misc]
            Target.objects.filter(plan_id__in=plan_ids, plan__status=Plan.Status.CLOSED)
        )
        .order_by()
        .values("plan_id", "last_status")
        .annotate(n=Count("pk"))
    ):
        if row["last_status"]:
            result[row["plan_id"]][row["last_status"]] = row["n"]
    return dict(result)


def with_last_status(targets: QuerySet[Target]) -> QuerySet[Target]:
    """Annotate each target with the status and quarter of its last Progress row."""
    last = Progress.objects.filter(target=OuterRef("pk")).order_by("-year", "-quarter")
    return targets.annotate(
        last_status=Subquery(last.values("status")[:1]),
        last_year=Subquery(last.values("year")[:1]),
        last_quarter=Subquery(last.values("quarter")[:1]),
    )


def targets_for(
    f: DashboardFilters,
    *,
    plan: Plan | None = None,
    department: Department | None = None,
    indicator: Indicator | None = None,
) -> QuerySet[Target]:
    """Targets under the filters (status at the filters' quarter), leads prefetched."""
    targets = target_list(plan=plan, region_ids=f.region_ids)
    department = department or f.department
    if department is not None:
        targets = targets.filter(lead_departments=department)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    if f.plan is not None and plan is None:
        targets = targets.filter(plan=f.plan)
    if f.category:
        targets = targets.filter(indicator__category=f.category)
    if f.status and f.has_quarter:
        targets = targets.filter(  # type: ignore[misc]
            progress__year=f.year, progress__quarter=f.quarter, progress__status=f.status
        )
    return targets


def attach_progress(
    targets: Sequence[Target], *, year: int | None, quarter: int | None
) -> list[Target]:
    """Set ``target.row`` to its Progress row at the quarter (or None); one query.

    Targets of a closed plan get their last row instead: that is their final assessment.
    """
    targets = list(targets)
    rows: dict[int, Progress] = {}
    open_ids = [t.pk for t in targets if t.plan.status != Plan.Status.CLOSED]
    closed_ids = [t.pk for t in targets if t.plan.status == Plan.Status.CLOSED]
    if year is not None and quarter is not None and open_ids:
        rows.update(
            (p.target_id, p)
            for p in Progress.objects.filter(target_id__in=open_ids, year=year, quarter=quarter)
        )
    if closed_ids:
        for p in Progress.objects.filter(target_id__in=closed_ids).order_by(
            "target_id", "year", "quarter"
        ):
            rows[p.target_id] = p  # the last one wins
    for target in targets:
        target.row = rows.get(target.pk)  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    return targets


def department_list(
    f: DashboardFilters,
) -> QuerySet[Department]:
    """Departments in scope with ``lead_count``, the targets each leads in every plan (from
    ``TargetTally``: no count over the targets)."""
    departments = Department.objects.select_related("region").annotate(
        lead_count=department_lead_count()
    )
    if f.region_ids is not None:
        departments = departments.filter(region_id__in=f.region_ids)
    if f.department is not None:
        departments = departments.filter(pk=f.department.pk)
    if f.plan is not None:
        departments = departments.filter(pk__in=TargetTally.objects.filter(
            plan=f.plan, n__gt=0).exclude(department_id=0).values("department_id"))
    return departments.order_by("region__code", "name")


class RankedDepartments:
    """``department_list`` worst first, ranked in the database and read a page at a time
    (give it to a paginator): the share of its led targets behind at the filters' quarter
    (from the department rollups, as ``Rollup.behind_share``), then how many, then region
    code and name; a department without progress there comes last (docs/monitoring.md
    "Rankings"). Without ``show_all`` only departments that lead targets.

    ``count()`` is one query; a page is two: the ids of the page (the departments in scope
    left-joined to their rollup sums grouped once, docs/scale.md §8) and those departments.
    """

    def __init__(self, f: DashboardFilters, *, show_all: bool) -> None:
        self.f = f
        self.departments = department_list(f)
        if not show_all:
            self.departments = self.departments.filter(lead_count__gt=0)  # type: ignore[misc]  # annotated by department_list

    def count(self) -> int:
        return self.departments.count()

    def _page_ids(self, offset: int, limit: int) -> list[int]:
        keys = self.departments.order_by().values(
            dep=F("pk"), dep_code=F("region__code"), dep_name=F("name"))
        sql, params = keys.query.sql_with_params()
        order = "d.dep_code, d.dep_name, d.dep"
        joined, more = "", ()
        if self.f.has_quarter:
            groups = (
                status_rollups(self.f, by_department=True).values(g_dep=F("department_id"))
                .annotate(g_total=Sum("n"),
                          g_behind=Sum("n", filter=Q(status__in=TARGET_BEHIND), default=0))
                .annotate(g_share=Cast("g_behind", FloatField()) / Cast("g_total", FloatField()))
                .values("g_dep", "g_behind", "g_share")
            )
            group_sql, more = groups.query.sql_with_params()
            joined = f" LEFT JOIN ({group_sql}) g ON g.g_dep = d.dep"
            order = ("COALESCE(g.g_share, -1.0) DESC, COALESCE(g.g_behind, 0) DESC, " + order)
        # every piece is Django's own SQL; values are bound parameters
        with connections[self.departments.db].cursor() as cursor:
            cursor.execute(f"SELECT d.dep FROM ({sql}) d{joined} ORDER BY {order} "
                           "LIMIT %s OFFSET %s", (*params, *more, limit, offset))
            return [row[0] for row in cursor.fetchall()]

    def __getitem__(self, window: slice) -> list[Department]:
        start = window.start or 0
        ids = self._page_ids(start, window.stop - start)
        found = self.departments.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def _indicator_scope(f: DashboardFilters) -> Q:
    """The targets an indicator's counts cover under the filters (region, plan)."""
    scope = Q()
    if f.region_ids is not None:
        scope &= Q(plan__region_id__in=f.region_ids)
    if f.plan is not None:
        scope &= Q(plan=f.plan)
    return scope


def indicator_list(f: DashboardFilters) -> QuerySet[Indicator]:
    """The indicators under the filters, without counts (``with_target_counts`` adds them to
    a page): an indicator with no target in a region or plan filtered on is left out."""
    indicators = Indicator.objects.all()
    if f.category:
        indicators = indicators.filter(category=f.category)
    if f.region_ids is not None or f.plan is not None:
        indicators = indicators.filter(Exists(
            Target.objects.filter(_indicator_scope(f), indicator=OuterRef("pk"))
        ))
    return indicators.order_by("category", "code")


def with_target_counts(
    indicators: Sequence[Indicator], f: DashboardFilters
) -> list[Indicator]:
    """Set ``target_count`` and ``region_count`` (distinct plan regions) on each indicator
    of a page, for the targets under the filters: one aggregate over those indicators'
    targets only (the index on target's indicator and plan)."""
    indicators = list(indicators)
    counts = {
        row["indicator_id"]: row
        for row in Target.objects.filter(
            _indicator_scope(f), indicator_id__in=[i.pk for i in indicators]
        ).order_by().values("indicator_id").annotate(
            targets=Count("pk"), regions=Count("plan__region", distinct=True)
        )
    }
    for indicator in indicators:
        row = counts.get(indicator.pk, {})  # type: ignore[var-annotated]
        indicator.target_count = row.get("targets", 0)  # type: ignore[attr-defined]
        indicator.region_count = row.get("regions", 0)  # type: ignore[attr-defined]
    return indicators


def latest_actuals(
    indicator: Indicator, region_ids: Iterable[int]
) -> dict[int, Observation]:
    """The latest approved figure of the indicator in each region (one query)."""
    latest: dict[int, Observation] = {}
    for obs in Observation.objects.filter(
        indicator=indicator, region_id__in=list(region_ids), status=Observation.Status.APPROVED
    ).order_by("region_id", "year", F("quarter").asc(nulls_last=True)):
        latest[obs.region_id] = obs
    return latest
