"""The home page (the loaded plans) and 总览, the overview of progress at one quarter. The
overview rolls progress up by region and by department, lists the targets behind and the
status changes since the previous quarter, and the departments overdue with their figures.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from indicators.calendar import Period
from indicators.permissions import can_read_dashboards
from targets.models import Plan
from targets.selectors import Rollup, target_total
from targets.selectors import plan_list as select_plans

from .. import figures
from .. import selectors as sel
from .common import (
    LABELS,
    PROGRESS_CSV_HEADER,
    _csv,
    _filters,
    _page,
    _progress_csv_row,
    _wants_csv,
    dashboard_view,
    what_changed_context,
)

#: The department-by-status chart keeps the departments with most targets behind.
DEPARTMENT_CHART_LIMIT = 30
#: The region chart and table keep this many regions, those with most targets behind, when
#: the scope has more (a national office sees 3,200 counties: docs/scale.md §8).
REGION_CHART_LIMIT = 30
#: Plans in 终期评估 per page of 总览.
REVIEW_PAGE_SIZE = 20
#: Plans per page of the home page.
HOME_PAGE_SIZE = 100


def home(request: HttpRequest) -> HttpResponse:
    """The loaded plans with their target counts per city, a page at a time; the counts come
    from the target tallies (docs/scale.md "Rollup tables").

    Roles that do not read the dashboards (审计员, 系统管理员, 安全管理员) would find every plan
    link answering 403: they get a pointer to their own work instead (docs/roles.md).
    """
    if request.user.is_authenticated and not can_read_dashboards(request.user):
        return render(request, "reports/home.html", {"plans": [], "own_work": True})
    page = _page(request, select_plans(), HOME_PAGE_SIZE)
    ctx = {"plans": page.object_list, "page": page, "plan_count": page.paginator.count,
           "total_targets": target_total()}
    return render(request, "reports/home.html", ctx)



def _worst_first(rollups: list[Rollup]) -> list[Rollup]:
    """Worst first: the share of targets behind, then their number (docs/monitoring.md)."""
    return sorted(rollups, key=lambda r: (-(r.behind_share or 0), -r.behind, r.region, r.name))


@dashboard_view
def overview(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request)
    ctx: dict[str, Any] = {"filters": form, "f": f, "active": "overview"}
    if not f.has_quarter:
        return render(request, "reports/overview.html", ctx)
    rows = sel.progress_rows(f)
    if _wants_csv(request):
        rows = rows.prefetch_related("target__lead_departments")
        return _csv(f"overview-{f.year}Q{f.quarter}", ["季度", *PROGRESS_CSV_HEADER],
                    ([f.quarter_label, *_progress_csv_row(r.target, r)] for r in rows))
    all_regions = sel.status_by_region(f)
    # Every region in its order while they fit, else the worst (docs/monitoring.md).
    regions = (all_regions if len(all_regions) <= REGION_CHART_LIMIT
               else _worst_first(all_regions)[:REGION_CHART_LIMIT])
    departments = sel.status_by_department(f)
    shown_departments = _worst_first(departments)[:DEPARTMENT_CHART_LIMIT]
    query = f"?quarter={f.year}Q{f.quarter}" if f.has_quarter else ""
    department_links = {f"{r.region}·{r.name}" if r.region else r.name:
                        reverse("reports:department-detail", args=[r.key]) + query
                        for r in shown_departments}
    region_links = {r.name: reverse("reports:plan-list") + f"?region={r.key}" for r in regions}
    previous, changes = sel.status_change(f)
    # Ranked and paged in the database from ReportingDue (docs/monitoring.md).
    overdue = sel.overdue_departments(
        as_of=timezone.localdate(), region_ids=f.region_ids,
        department_id=f.department.pk if f.department is not None else None,
    )
    review_plans = _page(
        request, select_plans(region_ids=f.region_ids).filter(status=Plan.Status.FINAL_REVIEW),
        REVIEW_PAGE_SIZE, "review_page",
    )
    review_counts = sel.plan_status_counts([p.pk for p in review_plans], year=f.year,
                                           quarter=f.quarter)
    for plan in review_plans:
        plan.counts = review_counts.get(plan.pk, {})
    ctx.update(
        review_plans=review_plans if review_plans.object_list else None,
        review_total=sum(sel.status_counts(f, states=(Plan.Status.FINAL_REVIEW,)).values())
        if review_plans else 0,
        regions=regions,
        region_chart=figures.figure_json(
            figures.status_bars(sel.rollup_frame(regions), LABELS, links=region_links))
        if regions else None,
        department_chart=figures.figure_json(figures.status_bars(
            sel.rollup_frame(shown_departments, with_region=True), LABELS,
            links=department_links))
        if departments else None,
        departments_clipped=len(departments) > DEPARTMENT_CHART_LIMIT,
        regions_clipped=len(all_regions) > REGION_CHART_LIMIT,
        behind=_page(request, sel.behind_targets(rows), 20, count=sel.behind_count(f)),
        previous_label=Period(previous[0], previous[1]).label,
        changes=changes,
        overdue=_page(request, overdue, 15, "overdue_page"),
        **what_changed_context(f),
    )
    return render(request, "reports/overview.html", ctx)
