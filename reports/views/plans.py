"""城市/规划: the plans list with their status counts, and one plan's targets with progress.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import get_in_scope_or_404
from indicators.permissions import is_office, region_filter_ids
from targets.models import Plan
from targets.selectors import plan_list as select_plans

from .. import figures
from .. import selectors as sel
from .common import (
    LABELS,
    PROGRESS_CSV_HEADER,
    _bullet_rows,
    _csv,
    _filters,
    _page,
    _progress_csv_row,
    _wants_csv,
    dashboard_view,
    what_changed_context,
)


@dashboard_view
def plan_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "quarter"))
    plans = select_plans(region_ids=f.region_ids)
    if _wants_csv(request):
        counts = sel.plan_status_counts(plans.values_list("pk", flat=True), year=f.year,
                                        quarter=f.quarter)
        return _csv("plans", ["地区", "规划", "文号", "规划期", "状态", "目标数",
                              *LABELS.values()],
                    ([p.region.name, p.title, p.doc_number, f"{p.start_year}-{p.end_year}",
                      p.get_status_display(), p.target_count,  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
                      *[counts.get(p.pk, {}).get(s, 0) for s in LABELS]] for p in plans))
    page = _page(request, plans, 50)
    # The counts of this page's plans only (rollup rows; docs/scale.md).
    counts = sel.plan_status_counts([p.pk for p in page], year=f.year, quarter=f.quarter)
    for plan in page:
        plan.counts = counts.get(plan.pk, {})
    frame = pd.DataFrame(
        [[p.counts.get(s, 0) for s in LABELS] for p in page],
        index=[f"{p.region.name}·{figures.short_label(p.title, 14)}" for p in page],
        columns=list(LABELS),
    )
    query = f"?quarter={f.year}Q{f.quarter}" if f.has_quarter else ""
    links = {label: reverse("reports:plan-detail", args=[p.code]) + query
             for label, p in zip(frame.index, page, strict=True)}
    chart = (figures.status_bars(frame, LABELS, links=links)
             if len(frame) and frame.to_numpy().sum() else None)
    ctx = {"filters": form, "f": f, "active": "plans", "page": page,
           "chart": figures.figure_json(chart) if chart else None,
           "can_onboard": is_office(request.user)}  # 录入新规划 (docs/onboarding.md)
    return render(request, "reports/plan_list.html", ctx)


@dashboard_view
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_in_scope_or_404(
        request, select_plans(region_ids=region_filter_ids(request.user)), code=code
    )
    closed = plan.status == Plan.Status.CLOSED
    # a closed plan shows its final assessment: no quarter (nor status at a quarter) to pick
    form, f = _filters(request, ("department", "category") if closed
                       else ("department", "category", "status", "quarter"))
    targets = sel.targets_for(f, plan=plan)
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
        return _csv(f"plan-{plan.code}", PROGRESS_CSV_HEADER,
                    (_progress_csv_row(t, t.row) for t in rows))  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    # The chart shows every target of the plan, not only this page of the table; a click on
    # a bar opens the target (docs/monitoring.md "Rankings and navigation"). One plan's
    # targets (150 at most in the national data) are read once, and the table pages them.
    every = sel.attach_progress(targets, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
    page = _page(request, every, 25)
    counts = sel.plan_status_counts([plan.pk], year=f.year, quarter=f.quarter).get(plan.pk, {})
    with_progress = any(t.row for t in every)  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    rows = _bullet_rows(every)
    links = {label: reverse("reports:target-detail", args=[t.pk])
             for label, t in zip(rows["label"], every, strict=True)}
    chart = figures.bullets(rows, LABELS, links=links) if with_progress else None
    ctx = {
        "filters": form, "f": f, "active": "plans", "plan": plan, "page": page,
        "closed": closed, "counts": [(s, LABELS[s], n) for s, n in counts.items() if n],
        "chart": figures.figure_json(chart) if chart else None,
        **({} if closed else what_changed_context(replace(f, plan=plan))),
    }
    return render(request, "reports/plan_detail.html", ctx)
