"""Dashboard pages (总览, 城市/规划, 部门, 指标, 目标). Thin: filter → selectors → figures → render.

Every page except home needs a login and is scoped to the regions the user may see
(``visible_region_ids``). Filters live in the URL (a GET form); ``?format=csv`` returns the
page's underlying rows as UTF-8 CSV with a BOM (so Excel opens it in Chinese). Figures are
built in ``reports.figures`` and shipped as ``json_script`` data islands; no inline script.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from indicators.models import Department, Indicator
from indicators.permissions import visible_region_ids
from targets.models import Plan, Progress, Target
from targets.selectors import plan_list as select_plans
from targets.selectors import target_list

from . import figures
from . import selectors as sel
from .forms import DashboardFilterForm
from .templatetags.dashboard import format_number

LABELS = {key: str(label) for key, label in Progress.Status.choices}
#: The department-by-status chart keeps the departments with most targets behind.
DEPARTMENT_CHART_LIMIT = 30


def home(request: HttpRequest) -> HttpResponse:
    """The loaded plans with their target counts per city, straight from the database."""
    plans = list(select_plans())
    ctx = {"plans": plans, "total_targets": sum(plan.target_count for plan in plans)}
    return render(request, "reports/home.html", ctx)


# --- helpers --------------------------------------------------------------------------------


def _filters(
    request: HttpRequest, fields: Iterable[str] = ("region", "plan", "department", "category",
                                                   "status", "quarter")
) -> tuple[DashboardFilterForm, sel.DashboardFilters]:
    form = DashboardFilterForm(
        request.GET or None, visible_region_ids=visible_region_ids(request.user), fields=fields
    )
    return form, form.filters()


def _page(request: HttpRequest, items: Any, per_page: int, param: str = "page") -> Page:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """UTF-8 with a BOM, so that Excel on a Chinese Windows reads it right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _leads(target: Target) -> str:
    return "、".join(d.name for d in target.lead_departments.all())


def _goal(target: Target) -> str:
    return target.goal_display


def _n(value: object) -> str:
    text = format_number(value, 4)
    return "" if text == "—" else text.replace(",", "")


def _progress_csv_row(target: Target, row: Progress | None) -> list[object]:
    return [
        target.plan.region.name, target.plan.title, target.code, target.indicator.name,
        _goal(target), target.unit, _leads(target),
        LABELS.get(row.status, "") if row else "",
        _n(row.current_value) if row else "", _n(row.expected_value) if row else "",
        _n(row.gap) if row else "", _n(row.pace) if row else "",
        target.final_assessment,
    ]


PROGRESS_CSV_HEADER = [
    "地区", "规划", "编号", "指标", "目标", "单位", "牵头单位", "状态", "当前值", "应达值",
    "差距", "进度比", "文件所载完成情况",
]


def _display_ratio(target: Target) -> float | None:
    """The bar's length: r where the engine could compute it (PROGRESS.md "Display").

    Without a baseline r is undefined (a plan that gives only the goal), yet the office
    still wants to see how far the value has come: an achieved target shows a full bar, any
    other the plain share of the goal (c/T for ≥, T/c for ≤), for display only.
    """
    row = target.row  # type: ignore[attr-defined]
    if row is None:
        return None
    if row.completion_ratio is not None:
        return row.completion_ratio
    if row.status == "achieved":
        return 1.0
    if row.current_value is None or target.value is None or not target.value:
        return None
    value, current = float(target.value), float(row.current_value)
    if target.comparator in ("le", "lt"):
        return value / current if current else None
    return current / value


def _bullet_rows(targets: Sequence[Target]) -> pd.DataFrame:
    def hover(t: Target) -> str:
        row = t.row  # type: ignore[attr-defined]
        parts = [f"目标 {_goal(t)}"]
        if t.baseline_value is not None:
            parts.insert(0, f"基期 {format_number(t.baseline_value)}{t.unit}")
        if row is not None:
            parts.append(f"应达 {format_number(row.expected_value)}{t.unit}")
            parts.append(f"当前 {format_number(row.current_value)}{t.unit}")
        return " · ".join(parts)

    return pd.DataFrame(
        {
            "label": [f"{t.code} {figures.short_label(t.indicator.name)}" for t in targets],
            "status": [t.row.status if t.row else None for t in targets],  # type: ignore[attr-defined]
            "completion_ratio": [_display_ratio(t) for t in targets],
            "expected_ratio": [t.row.elapsed_share if t.row else None for t in targets],  # type: ignore[attr-defined]
            "hover": [hover(t) for t in targets],
        }
    )


# --- 总览 -----------------------------------------------------------------------------------


@login_required
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
    regions = sel.status_by_region(rows)
    departments = sel.status_by_department(rows)
    worst = sorted(departments, key=lambda r: -(r.counts.get("lagging", 0)
                                                + r.counts.get("off_track", 0)))
    shown_departments = sorted(worst[:DEPARTMENT_CHART_LIMIT], key=lambda r: (r.region, r.name))
    previous, changes = sel.status_change(f)
    lead_departments = Department.objects.filter(led_targets__isnull=False).distinct()
    if f.region_ids is not None:
        lead_departments = lead_departments.filter(region_id__in=f.region_ids)
    if f.department is not None:
        lead_departments = lead_departments.filter(pk=f.department.pk)
    overdue = [
        r for r in sel.reporting_by_department(lead_departments, today=timezone.localdate())
        if r.overdue
    ]
    ctx.update(
        regions=regions,
        region_chart=figures.figure_json(
            figures.status_bars(sel.rollup_frame(regions), LABELS)) if regions else None,
        department_chart=figures.figure_json(figures.status_bars(
            sel.rollup_frame(shown_departments, with_region=True), LABELS))
        if departments else None,
        departments_clipped=len(departments) > DEPARTMENT_CHART_LIMIT,
        behind=_page(request, sel.behind_targets(rows), 20),
        previous_label=f"{previous[0]}年第{previous[1]}季度",
        changes=changes,
        overdue=_page(request, overdue, 15, "overdue_page"),
    )
    return render(request, "reports/overview.html", ctx)


# --- 城市/规划 -------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "quarter"))
    plans = select_plans(region_ids=f.region_ids)
    counts = sel.plan_status_counts(plans.values_list("pk", flat=True), year=f.year,
                                    quarter=f.quarter)
    if _wants_csv(request):
        return _csv("plans", ["地区", "规划", "文号", "规划期", "状态", "目标数",
                              *LABELS.values()],
                    ([p.region.name, p.title, p.doc_number, f"{p.start_year}-{p.end_year}",
                      p.get_status_display(), p.target_count,
                      *[counts.get(p.pk, {}).get(s, 0) for s in LABELS]] for p in plans))
    page = _page(request, plans, 50)
    for plan in page:
        plan.counts = counts.get(plan.pk, {})  # type: ignore[attr-defined]
    frame = pd.DataFrame(
        [[p.counts.get(s, 0) for s in LABELS] for p in page],  # type: ignore[attr-defined]
        index=[f"{p.region.name}·{figures.short_label(p.title, 14)}" for p in page],
        columns=list(LABELS),
    )
    chart = figures.status_bars(frame, LABELS) if len(frame) and frame.to_numpy().sum() else None
    ctx = {"filters": form, "f": f, "active": "plans", "page": page,
           "chart": figures.figure_json(chart) if chart else None}
    return render(request, "reports/plan_list.html", ctx)


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(
        select_plans(region_ids=visible_region_ids(request.user)), code=code
    )
    closed = plan.status == Plan.Status.CLOSED
    # a closed plan shows its final assessment: no quarter (nor status at a quarter) to pick
    form, f = _filters(request, ("department", "category") if closed
                       else ("department", "category", "status", "quarter"))
    targets = sel.targets_for(f, plan=plan)
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)
        return _csv(f"plan-{plan.code}", PROGRESS_CSV_HEADER,
                    (_progress_csv_row(t, t.row) for t in rows))  # type: ignore[attr-defined]
    page = _page(request, targets, 25)
    page.object_list = sel.attach_progress(page.object_list, year=f.year, quarter=f.quarter)
    counts = sel.plan_status_counts([plan.pk], year=f.year, quarter=f.quarter).get(plan.pk, {})
    with_progress = any(t.row for t in page.object_list)  # type: ignore[attr-defined]
    chart = figures.bullets(_bullet_rows(page.object_list), LABELS) if with_progress else None
    ctx = {
        "filters": form, "f": f, "active": "plans", "plan": plan, "page": page,
        "closed": closed, "counts": [(s, LABELS[s], n) for s, n in counts.items() if n],
        "chart": figures.figure_json(chart) if chart else None,
    }
    return render(request, "reports/plan_detail.html", ctx)


# --- 部门 -----------------------------------------------------------------------------------


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "plan", "category", "quarter"))
    departments = sel.department_list(f)
    rollups = (
        {r.key: r for r in sel.status_by_department(sel.progress_rows(f))} if f.has_quarter else {}
    )
    if _wants_csv(request):
        return _csv("departments", ["地区", "部门", "牵头目标", "评分", *LABELS.values()],
                    ([d.region.name, d.name, d.lead_count,
                      _n(rollups[d.pk].score) if d.pk in rollups else "",
                      *[rollups[d.pk].counts.get(s, 0) if d.pk in rollups else 0
                        for s in LABELS]] for d in departments))
    page = _page(request, departments, 30)
    for department in page:
        department.rollup = rollups.get(department.pk)  # type: ignore[attr-defined]
    shown = [d.rollup for d in page if d.rollup]  # type: ignore[attr-defined]
    chart = (
        figures.status_bars(sel.rollup_frame(shown, with_region=True), LABELS) if shown else None
    )
    ctx = {"filters": form, "f": f, "active": "departments", "page": page,
           "chart": figures.figure_json(chart) if chart else None}
    return render(request, "reports/department_list.html", ctx)


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = visible_region_ids(request.user)
    departments = Department.objects.select_related("region")
    if visible is not None:
        departments = departments.filter(region_id__in=visible)
    department = get_object_or_404(departments, pk=pk)
    form, f = _filters(request, ("plan", "category", "status", "quarter"))
    targets = sel.targets_for(f, department=department)
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)
        return _csv(f"department-{department.pk}", PROGRESS_CSV_HEADER,
                    (_progress_csv_row(t, t.row) for t in rows))  # type: ignore[attr-defined]
    page = _page(request, targets, 25)
    page.object_list = sel.attach_progress(page.object_list, year=f.year, quarter=f.quarter)
    history = Progress.objects.filter(target__lead_departments=department)
    if f.plan is not None:
        history = history.filter(target__plan=f.plan)
    if f.category:
        history = history.filter(target__indicator__category=f.category)
    trend = sel.status_trend(history)
    reporting = sel.reporting_by_department(
        Department.objects.filter(pk=department.pk), today=timezone.localdate()
    )
    counts = (
        sel.status_counts(sel.progress_rows(replace(f, department=department)))
        if f.has_quarter else {}
    )
    ctx = {
        "filters": form, "f": f, "active": "departments", "department": department,
        "page": page, "reporting": reporting[0] if reporting else None,
        "counts": [(s, LABELS[s], n) for s, n in counts.items() if n],
        "chart": figures.figure_json(figures.status_trend(trend, LABELS))
        if not trend.empty else None,
    }
    return render(request, "reports/department_detail.html", ctx)


# --- 指标 -----------------------------------------------------------------------------------


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "plan", "category"))
    indicators = sel.indicator_list(f)
    if _wants_csv(request):
        return _csv("indicators", ["类别", "代码", "指标", "单位", "目标数", "地区数"],
                    ([i.category, i.code, i.name, i.unit, i.target_count, i.region_count]
                     for i in indicators))
    ctx = {"filters": form, "f": f, "active": "indicators", "page": _page(request, indicators, 50)}
    return render(request, "reports/indicator_list.html", ctx)


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    form, f = _filters(request, ("region", "plan", "status", "quarter"))
    targets = sel.targets_for(f, indicator=indicator).order_by("plan__region__code", "plan_id",
                                                                "pk")
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)
        latest = sel.latest_actuals(indicator, {t.plan.region_id for t in rows})
        header = [*PROGRESS_CSV_HEADER, "最新实际值", "实际值期别"]
        return _csv(f"indicator-{indicator.code}", header,
                    ([*_progress_csv_row(t, t.row),  # type: ignore[attr-defined]
                      _n(latest[t.plan.region_id].value) if t.plan.region_id in latest else "",
                      latest[t.plan.region_id].period_label if t.plan.region_id in latest else ""]
                     for t in rows))
    page = _page(request, targets, 30)
    page.object_list = sel.attach_progress(page.object_list, year=f.year, quarter=f.quarter)
    latest = sel.latest_actuals(indicator, {t.plan.region_id for t in page.object_list})
    for target in page.object_list:
        target.latest = latest.get(target.plan.region_id)  # type: ignore[attr-defined]
    chart = _cross_city_chart(page.object_list, indicator)
    ctx = {"filters": form, "f": f, "active": "indicators", "indicator": indicator,
           "page": page, "chart": figures.figure_json(chart) if chart else None}
    return render(request, "reports/indicator_detail.html", ctx)


def _cross_city_chart(targets: Sequence[Target], indicator: Indicator) -> Any:
    numeric = [t for t in targets if t.value is not None or t.latest is not None]  # type: ignore[attr-defined]
    if not numeric:
        return None
    regions = [t.plan.region.name for t in numeric]
    frame = pd.DataFrame({
        "city": [
            name if regions.count(name) == 1 else f"{name}·{t.code}"
            for name, t in zip(regions, numeric, strict=True)
        ],
        "target": [float(t.value) if t.value is not None else None for t in numeric],
        "actual": [float(t.latest.value) if t.latest and t.latest.value is not None else None  # type: ignore[attr-defined]
                   for t in numeric],
        "actual_label": [t.latest.period_label if t.latest else "" for t in numeric],  # type: ignore[attr-defined]
    })
    return figures.target_vs_actual(frame, unit=indicator.unit)


# --- 目标 -----------------------------------------------------------------------------------


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(target_list(region_ids=visible_region_ids(request.user)), pk=pk)
    history = sel.target_history(target)
    if _wants_csv(request):
        return _csv(f"target-{target.pk}",
                    ["季度", "状态", "数据期", "当前值", "应达值", "差距", "完成率", "时间进度",
                     "进度比", "预测值", "预计可完成", "单位"],
                    ([p.quarter_label, LABELS.get(p.status, p.status),
                      f"{p.data_year or ''}{'Q' + str(p.data_quarter) if p.data_quarter else ''}",
                      _n(p.current_value), _n(p.expected_value), _n(p.gap),
                      _n(p.completion_ratio), _n(p.elapsed_share), _n(p.pace),
                      _n(p.projected_value),
                      {True: "是", False: "否"}.get(p.projected_to_meet, ""), target.unit]
                     for p in history))
    actuals = sel.target_actuals(target)
    latest = history[-1] if history else None
    ctx = {
        "active": "plans", "target": target, "history": list(reversed(history)),
        "latest": latest, "actuals": actuals,
        "changes": _page(request, sel.target_changes(target), 20),
        "chart": _trajectory(target, actuals, latest),
        "closed": target.plan.status == Plan.Status.CLOSED,
    }
    return render(request, "reports/target_detail.html", ctx)


def _trajectory(target: Target, actuals: Sequence[Any], latest: Progress | None) -> Any:
    frame = sel.actuals_frame(actuals)
    deadline = sel.period_end(target.deadline_year or target.plan.end_year, None)
    goal = (deadline, float(target.value)) if target.value is not None else None
    baseline = None
    if target.baseline_value is not None:
        year = target.baseline_year or target.plan.t0_year
        baseline = (sel.period_end(year, None), float(target.baseline_value))
    projection = expected = None
    if latest is not None and latest.projected_value is not None:
        projection = (deadline, latest.projected_value)
    if latest is not None and latest.expected_value is not None and latest.data_year:
        expected = (sel.period_end(latest.data_year, latest.data_quarter), latest.expected_value)
    if frame["value"].dropna().empty and goal is None:
        return None
    fig = figures.trajectory(
        frame, unit=target.unit, baseline=baseline, goal=goal,
        goal_high=float(target.value_high) if target.value_high is not None else None,
        projection=projection, expected_now=expected,
    )
    return figures.figure_json(fig)
