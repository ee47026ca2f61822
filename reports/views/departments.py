"""部门: the lead departments with their progress rollups, and one department's targets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import get_in_scope_or_404
from indicators.models import Department
from indicators.permissions import region_filter_ids
from targets.selectors import rollup_rows

from .. import figures
from .. import selectors as sel
from .common import (
    LABELS,
    PROGRESS_CSV_HEADER,
    _csv,
    _filters,
    _n,
    _page,
    _progress_csv_row,
    _wants_csv,
    dashboard_view,
    what_changed_context,
)


def rank_departments(departments: list[Department], rollups: dict[int, Any]) -> list[Department]:
    """Worst first: the share of its targets behind, then how many, then region and name.

    docs/monitoring.md "Rankings": behind = lagging, off track or not achieved; a department
    without progress at the quarter comes last.
    """
    def key(d: Department) -> tuple[object, ...]:
        r = rollups.get(d.pk)
        share = r.behind_share if r is not None and r.behind_share is not None else -1.0
        return (-share, -(r.behind if r is not None else 0), d.region.code, d.name)

    return sorted(departments, key=key)


@dashboard_view
def department_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "plan", "category", "quarter"))
    show_all = request.GET.get("all") == "1"
    if _wants_csv(request):
        return _department_csv(f, show_all)
    # Ranked and paged in the database; rollups read for the page's departments only
    # (docs/scale.md §8).
    page = _page(request, sel.RankedDepartments(f, show_all=show_all), 30)
    rollups = (
        {r.key: r for r in sel.status_by_department(f, department_ids=[d.pk for d in page])}
        if f.has_quarter else {}
    )
    for department in page:
        department.rollup = rollups.get(department.pk)
    shown = [d.rollup for d in page if d.rollup]
    links = {f"{d.region.name}·{d.name}": reverse("reports:department-detail", args=[d.pk])
             for d in page if d.rollup}
    chart = (
        figures.status_bars(sel.rollup_frame(shown, with_region=True), LABELS, links=links)
        if shown else None
    )
    hidden = 0 if show_all else sel.department_list(f).count() - page.paginator.count
    ctx = {"filters": form, "f": f, "active": "departments", "page": page,
           "show_all": show_all, "hidden": hidden,
           "chart": figures.figure_json(chart) if chart else None}
    return render(request, "reports/department_list.html", ctx)


def _department_csv(f: sel.DashboardFilters, show_all: bool) -> HttpResponse:
    """Every department in scope (the export is the whole list), ranked as the page."""
    rollups = {r.key: r for r in sel.status_by_department(f)} if f.has_quarter else {}
    everyone = list(sel.department_list(f))
    ranked = rank_departments(everyone if show_all else [d for d in everyone if d.lead_count],  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
                              rollups)
    return _csv("departments", ["地区", "部门", "牵头目标", "滞后目标", "滞后占比",
                                "确保类已完成或正常", "确保类可评估", "力争类已完成或正常",
                                "力争类可评估", *LABELS.values()],
                ([d.region.name, d.name, d.lead_count,  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
                  *(_rollup_cells(rollups.get(d.pk))),
                  *[rollups[d.pk].counts.get(s, 0) if d.pk in rollups else 0
                    for s in LABELS]] for d in ranked))


def _rollup_cells(r: Any) -> list[object]:
    if r is None:
        return ["", "", "", "", "", ""]
    return [r.behind, _n(r.behind_share), r.firm_good, r.firm_assessable, r.stretch_good,
            r.stretch_assessable]


@dashboard_view
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = region_filter_ids(request.user)
    departments = Department.objects.select_related("region")
    if visible is not None:
        departments = departments.filter(region_id__in=visible)
    department = get_in_scope_or_404(request, departments, pk=pk)
    form, f = _filters(request, ("plan", "category", "status", "quarter"))
    targets = sel.targets_for(f, department=department)
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
        return _csv(f"department-{department.pk}", PROGRESS_CSV_HEADER,
                    (_progress_csv_row(t, t.row) for t in rows))  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    page = _page(request, targets, 25)
    page.object_list = sel.attach_progress(page.object_list, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
    # Every quarter of the targets it leads (any plan state), from the department rollups.
    history = rollup_rows(
        year=None, quarter=None, department_ids=[department.pk],
        plan_ids=[f.plan.pk] if f.plan is not None else None, category=f.category,
    )
    trend = sel.status_trend(history)
    reporting = sel.reporting_by_department([department], as_of=timezone.localdate())
    counts = (
        sel.status_counts(replace(f, department=department))
        if f.has_quarter else {}
    )
    ctx = {
        "filters": form, "f": f, "active": "departments", "department": department,
        "page": page, "reporting": reporting[0] if reporting else None,
        "counts": [(s, LABELS[s], n) for s, n in counts.items() if n],
        "chart": figures.figure_json(figures.status_trend(trend, LABELS))
        if not trend.empty else None,
        **what_changed_context(replace(f, department=department)),
    }
    return render(request, "reports/department_detail.html", ctx)
