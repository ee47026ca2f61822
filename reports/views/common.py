"""Shared by the dashboard pages: the filter form, paging, CSV export and row/figure helpers.
``_filters`` reads the GET filter form into ``DashboardFilters``; ``_csv`` writes UTF-8 CSV
with a BOM; ``_progress_csv_row`` and ``PROGRESS_CSV_HEADER`` are the progress columns every
page exports; ``_display_ratio`` and ``_bullet_rows`` feed the bullet chart of targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import wraps
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.tabular import write_csv
from indicators.permissions import ensure_can_read_dashboards, region_filter_ids
from targets.models import Progress, Target
from targets.wording import gap_phrase

from .. import figures
from .. import selectors as sel
from ..forms import DashboardFilterForm
from ..templatetags.dashboard import format_number, num


class _StatusLabels(Mapping[str, str]):
    """Status code → label in the language of the request: read at each use, not at import
    (a dict built at import would freeze the labels in Chinese for charts and CSV)."""

    def __getitem__(self, key: str) -> str:
        return str(dict(Progress.Status.choices)[key])

    def __iter__(self) -> Iterator[str]:
        return iter(Progress.Status.values)

    def __len__(self) -> int:
        return len(Progress.Status.values)


LABELS = _StatusLabels()


def dashboard_view(view):
    """A dashboard page: signed in, a role that reads dashboards, GET (or HEAD) only."""

    @login_required
    @require_safe
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ensure_can_read_dashboards(request.user)
        return view(request, *args, **kwargs)

    return guarded


def _filters(
    request: HttpRequest, fields: Iterable[str] = ("region", "plan", "department", "category",
                                                   "status", "quarter")
) -> tuple[DashboardFilterForm, sel.DashboardFilters]:
    form = DashboardFilterForm(
        request.GET or None, visible_region_ids=region_filter_ids(request.user), fields=fields
    )
    return form, form.filters()


def _page(
    request: HttpRequest, items: Any, per_page: int, param: str = "page",
    count: int | None = None,
) -> Page:
    """One page of ``items``. ``count``, when the caller knows it (from the rollup tables),
    spares the paginator its ``COUNT(*)`` over a national table (docs/scale.md)."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, not computed
    return paginator.get_page(request.GET.get(param))


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """UTF-8 with a BOM, formula-like text neutralised: the shared ``core.tabular``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    write_csv(response, header, rows)
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
        _n(row.gap) if row else "",
        gap_phrase(row.gap, row.status, target.unit or target.indicator.unit) if row else "—",
        _n(row.pace) if row else "",
        target.final_assessment,
    ]


PROGRESS_CSV_HEADER = [
    "地区", "规划", "编号", "指标", "目标", "单位", "牵头单位", "状态", "当前值", "应达值",
    "差距", "差距说明", "进度比", "文件所载完成情况",
]


def _display_ratio(target: Target) -> float | None:
    """The bar's length: r where the engine could compute it (docs/progress.md "Display").

    Without a baseline r is undefined (a plan that gives only the goal), yet the office
    still wants to see how far the value has come: an achieved target shows a full bar, any
    other the plain share of the goal (c/T for ≥, T/c for ≤), for display only.
    """
    row = target.row  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
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
        row = t.row  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
        # in the user's language, units through indicators.units; no value reads 「—」
        parts = [_("目标 %(value)s") % {"value": _goal(t)}]
        if t.baseline_value is not None:
            parts.insert(0, _("基期 %(value)s") % {"value": num(t.baseline_value, t.unit)})
        if row is not None:
            parts.append(_("应达 %(value)s") % {"value": num(row.expected_value, t.unit)})
            parts.append(_("当前 %(value)s") % {"value": num(row.current_value, t.unit)})
        return " · ".join(parts)

    return pd.DataFrame(
        {
            "label": [f"{t.code} {figures.short_label(t.indicator.name)}" for t in targets],
            "status": [t.row.status if t.row else None for t in targets],  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
            "completion_ratio": [_display_ratio(t) for t in targets],
            "expected_ratio": [t.row.elapsed_share if t.row else None for t in targets],  # type: ignore[attr-defined]  # set by annotate() or attached by the selector
            "hover": [hover(t) for t in targets],
        }
    )


#: How many what-changed entries a page lists (the rest are counted).
WHAT_CHANGED_LIMIT = 30


def what_changed_context(f: sel.DashboardFilters) -> dict[str, Any]:
    """The what-changed list of the filters' quarter (docs/monitoring.md "What changed")."""
    if not f.has_quarter:
        return {}
    changes, total = sel.what_changed_page(f, limit=WHAT_CHANGED_LIMIT)
    prev = sel.previous_quarter(f.year, f.quarter)  # type: ignore[arg-type]
    return {
        "what_changed": changes,
        "what_changed_more": max(total - WHAT_CHANGED_LIMIT, 0),
        "what_changed_since": f"{prev[0]}年第{prev[1]}季度末",
    }
