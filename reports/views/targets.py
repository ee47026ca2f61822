"""目标: one target's progress history, actuals, change log and trajectory chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.audit import get_in_scope_or_404
from indicators.permissions import is_office, region_filter_ids
from targets.models import Plan, Progress, Target
from targets.selectors import target_list
from targets.wording import gap_phrase

from .. import figures
from .. import selectors as sel
from .common import LABELS, _csv, _n, _page, _wants_csv, dashboard_view


@dashboard_view
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_in_scope_or_404(
        request, target_list(region_ids=region_filter_ids(request.user)), pk=pk
    )
    history = sel.target_history(target)
    if _wants_csv(request):
        return _csv(f"target-{target.pk}",
                    ["季度", "状态", "数据期", "当前值", "应达值", "差距", "差距说明", "完成率",
                     "时间进度", "进度比", "预测值", "预计可完成", "单位"],
                    ([p.quarter_label, LABELS.get(p.status, p.status),
                      f"{p.data_year or ''}{'Q' + str(p.data_quarter) if p.data_quarter else ''}",
                      _n(p.current_value), _n(p.expected_value), _n(p.gap),
                      gap_phrase(p.gap, p.status, target.unit or target.indicator.unit),
                      _n(p.completion_ratio), _n(p.elapsed_share), _n(p.pace),
                      _n(p.projected_value),
                      {True: "是", False: "否"}.get(p.projected_to_meet, ""), target.unit]  # type: ignore[arg-type]
                     for p in history))
    actuals = sel.target_actuals(target)
    latest = history[-1] if history else None
    earlier = _predecessor_target(target)
    ctx = {
        "active": "plans", "target": target, "history": list(reversed(history)),
        "can_adjust": is_office(request.user),  # 调整 (docs/onboarding.md §6)
        "latest": latest, "actuals": actuals,
        "changes": _page(request, sel.target_changes(target), 20),
        "chart": _trajectory(target, actuals, latest, earlier),
        "earlier": earlier,
        "closed": target.plan.status == Plan.Status.CLOSED,
    }
    return render(request, "reports/target_detail.html", ctx)


def _predecessor_target(target: Target) -> Target | None:
    """The same indicator's target in the predecessor plan (docs/lifecycle.md "Successors")."""
    predecessor = target.plan.predecessor
    if predecessor is None:
        return None
    return (
        predecessor.targets.filter(indicator_id=target.indicator_id).select_related("plan")
        .order_by("-deadline_year", "pk").first()
    )


def _path(target: Target) -> Any:
    if target.value is None or target.baseline_value is None:
        return None
    start = sel.period_end(target.baseline_year or target.plan.t0_year, None)
    end = sel.period_end(target.deadline_year or target.plan.end_year, None)
    return (start, float(target.baseline_value)), (end, float(target.value))


def _trajectory(
    target: Target, actuals: Sequence[Any], latest: Progress | None,
    earlier: Target | None = None,
) -> Any:
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
        earlier_path=_path(earlier) if earlier is not None else None,
    )
    return figures.figure_json(fig)
