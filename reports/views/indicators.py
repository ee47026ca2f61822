"""指标: the indicators tracked by plans, and one indicator compared across cities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from indicators.models import Indicator
from targets.models import Target

from .. import figures
from .. import selectors as sel
from .common import (
    PROGRESS_CSV_HEADER,
    _csv,
    _filters,
    _n,
    _page,
    _progress_csv_row,
    _wants_csv,
    dashboard_view,
)


@dashboard_view
def indicator_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request, ("region", "plan", "category"))
    indicators = sel.indicator_list(f)
    if _wants_csv(request):
        return _csv("indicators", ["类别", "代码", "指标", "单位", "目标数", "地区数"],
                    ([i.category, i.code, i.name, i.unit, i.target_count, i.region_count]  # type: ignore[attr-defined]
                     for i in sel.with_target_counts(indicators, f)))  # type: ignore[arg-type]
    page = _page(request, indicators, 50)
    page.object_list = sel.with_target_counts(page.object_list, f)  # type: ignore[arg-type]
    ctx = {"filters": form, "f": f, "active": "indicators", "page": page}
    return render(request, "reports/indicator_list.html", ctx)


@dashboard_view
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    form, f = _filters(request, ("region", "plan", "status", "quarter"))
    targets = sel.targets_for(f, indicator=indicator).order_by("plan__region__code", "plan_id",
                                                                "pk")
    if _wants_csv(request):
        rows = sel.attach_progress(targets, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
        latest = sel.latest_actuals(indicator, {t.plan.region_id for t in rows})
        header = [*PROGRESS_CSV_HEADER, "最新实际值", "实际值期别"]
        return _csv(f"indicator-{indicator.code}", header,
                    ([*_progress_csv_row(t, t.row),  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
                      _n(latest[t.plan.region_id].value) if t.plan.region_id in latest else "",
                      latest[t.plan.region_id].period_label if t.plan.region_id in latest else ""]
                     for t in rows))
    page = _page(request, targets, 30)
    page.object_list = sel.attach_progress(page.object_list, year=f.year, quarter=f.quarter)  # type: ignore[arg-type]
    latest = sel.latest_actuals(indicator, {t.plan.region_id for t in page.object_list})
    for target in page.object_list:
        target.latest = latest.get(target.plan.region_id)  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    chart = _cross_city_chart(page.object_list, indicator)
    ctx = {"filters": form, "f": f, "active": "indicators", "indicator": indicator,
           "page": page, "chart": figures.figure_json(chart) if chart else None}
    return render(request, "reports/indicator_detail.html", ctx)


def _cross_city_chart(targets: Sequence[Target], indicator: Indicator) -> Any:
    """Target beside latest actual, one pair of bars per target, each labelled by region,
    plan and deadline year (two plans of one city are two bars), on an axis fitted to the
    data; a click opens the target (docs/monitoring.md "Rankings and navigation")."""
    numeric = [t for t in targets if t.value is not None or t.latest is not None]  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    if not numeric:
        return None
    labels = [_bar_label(t) for t in numeric]
    labels = [label if labels.count(label) == 1 else f"{label}·{t.code}"
              for label, t in zip(labels, numeric, strict=True)]
    frame = pd.DataFrame({
        "city": labels,
        "target": [float(t.value) if t.value is not None else None for t in numeric],
        "actual": [float(t.latest.value) if t.latest and t.latest.value is not None else None  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
                   for t in numeric],
        "actual_label": [t.latest.period_label if t.latest else "" for t in numeric],  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
    })
    links = {label: reverse("reports:target-detail", args=[t.pk])
             for label, t in zip(labels, numeric, strict=True)}
    return figures.target_vs_actual(frame, unit=indicator.unit, links=links)


def _bar_label(target: Target) -> str:
    """赣榆区·品质赣榆建设行动…·2027年: region, plan (short) and the target's year."""
    year = target.deadline_year or target.plan.end_year
    plan = figures.short_label(target.plan.title.strip("“”\"《》"), 12)
    return f"{target.plan.region.name}·{plan}·{year}年"
