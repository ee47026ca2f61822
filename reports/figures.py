"""Plotly figure builders: frames and plain values in, ``go.Figure`` out.

Pure: no ORM, no request, so every builder is unit-tested on ``fig.data`` without a
database; beside the status vocabulary (``targets.status``) the only Django import is
gettext, so titles, axes, legends and hovers follow the language switch (docs/roles.md,
"English"), and units go through ``indicators.units``.
Pages ship ``figure_json(fig)`` as a ``json_script`` data island that
``reports/static/reports/js/charts.js`` draws with the vendored plotly.js (never a CDN).

Status is never told by colour alone: every status has its colour (``targets.status``,
the same as the badges in qualitytrack.css) *and* a bar pattern or marker symbol, and its
label in the legend.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from indicators.units import unit_label, with_unit
from targets.status import STYLES as STATUS_STYLES

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

#: Colour, bar pattern (so a stacked bar reads without colour vision, WCAG 1.4.1) and marker
#: symbol of each status, best first: ``targets.status`` owns them (the badges, the PDF).
STATUS_COLOURS: dict[str, str] = {code: style.colour for code, style in STATUS_STYLES.items()}
STATUS_PATTERNS: dict[str, str] = {code: style.pattern for code, style in STATUS_STYLES.items()}
STATUS_SYMBOLS: dict[str, str] = {code: style.symbol for code, style in STATUS_STYLES.items()}
NEUTRAL = "#52606d"
TARGET_COLOUR = "#0b5cad"
#: Bars beyond this share of the way to the target are drawn clipped (hover tells the truth).
BULLET_CLIP = 200.0


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON data for ``json_script`` (numpy arrays become lists)."""
    return json.loads(fig.to_json())


def _layout(fig: go.Figure, *, height: int, **extra: Any) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13},
        height=height,
        # the legend sits in the top margin, under the mode bar, so they never overlap
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0,
                "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
        **extra,
    )
    return fig


def with_links(fig: go.Figure, links: Mapping[str, str] | None) -> go.Figure:
    """Where a click on a bar leads: ``{bar label: URL}`` in ``layout.meta.links``.

    charts.js opens the URL of the clicked bar's label; a stacked status bar adds its
    status (``trace.meta``) as ``status=`` so the list opens filtered (docs/monitoring.md).
    """
    if links:
        fig.update_layout(meta={"links": dict(links)})
    return fig


def _numbers(values: object) -> list[float | None]:
    """Numbers for a trace; missing ones (None, NaN) become None, i.e. JSON null: a gap."""
    series = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
    return [None if pd.isna(v) else float(v) for v in series]


def short_label(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_bars(
    counts: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    horizontal: bool = True,
    axis_title: str | None = None,
    links: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars of status counts: one bar per row of ``counts`` (its index is the name).

    ``counts`` has one integer column per status code; statuses that are zero everywhere are
    left out, the rest keep the order of the columns (the order of Progress.Status).
    """
    fig = go.Figure()
    axis_title = axis_title or _("目标数（项）")
    names = [str(name) for name in counts.index]
    for status in counts.columns:
        values = counts[status].astype(int).tolist()
        if not any(values):
            continue
        label = labels.get(status, status)
        bar: dict[str, Any] = {
            "name": label,
            "marker": {
                "color": STATUS_COLOURS.get(status, NEUTRAL),
                "pattern": {"shape": STATUS_PATTERNS.get(status, ""), "fgcolor": "#ffffff"},
            },
            "customdata": [label] * len(values),
            "meta": status,  # charts.js: a click opens the list filtered by this status
        }
        if horizontal:
            bar.update(
                y=names, x=values, orientation="h",
                hovertemplate=_("%{y}<br>%{customdata}：%{x} 项") + "<extra></extra>",
            )
        else:
            bar.update(
                x=names, y=values,
                hovertemplate=_("%{x}<br>%{customdata}：%{y} 项") + "<extra></extra>",
            )
        fig.add_trace(go.Bar(**bar))
    rows = len(names)
    height = max(240, 140 + 28 * rows) if horizontal else 380
    _layout(fig, height=height, barmode="stack")
    largest = int(counts.sum(axis=1).max()) if len(counts) else 0
    # counts are whole targets: no 0.5 ticks on a short axis
    value_axis = {"title": {"text": axis_title}, "rangemode": "tozero", "tickformat": ",d",
                  "dtick": 1 if largest <= 8 else None}
    if horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(autorange="reversed", automargin=True, ticksuffix=" ")
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(type="category", automargin=True)
    return with_links(fig, links)


def status_trend(frame: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Status counts over the quarters: ``frame`` has columns quarter_label, status, n."""
    if frame.empty:
        return status_bars(pd.DataFrame(), labels, horizontal=False)
    counts = frame.pivot_table(
        index="quarter_label", columns="status", values="n", aggfunc="sum", fill_value=0,
        sort=False,
    )
    ordered = [s for s in STATUS_COLOURS if s in counts.columns]
    counts = counts.reindex(columns=ordered, fill_value=0)
    return status_bars(counts, labels, horizontal=False)


def bullets(
    rows: pd.DataFrame, labels: Mapping[str, str], *, links: Mapping[str, str] | None = None
) -> go.Figure:
    """A bullet chart per target, all on one scale: baseline = 0 %, target = 100 %.

    ``rows`` columns: ``label`` (unique per row), ``status``, ``completion_ratio`` (r),
    ``expected_ratio`` (e, where the target should be now) and ``hover`` (the real values
    with their units). The grey band is the way from baseline to target, the coloured bar
    the way made (r; one trace per status, named in the legend), the black tick the way
    expected now (e), the dashed line the target.
    """
    names = rows["label"].astype(str).tolist()
    made = pd.to_numeric(rows["completion_ratio"], errors="coerce") * 100
    expected = pd.to_numeric(rows["expected_ratio"], errors="coerce") * 100
    shown = made.clip(lower=-BULLET_CLIP / 2, upper=BULLET_CLIP)
    statuses = rows["status"].fillna("no_data").astype(str).tolist()
    hover = rows["hover"].astype(str).tolist()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=_("基期→目标"), y=names, x=[100.0] * len(names), orientation="h",
            marker={"color": "#e4e7eb"}, width=0.75, hoverinfo="skip", showlegend=False,
        )
    )
    made_x = shown.fillna(0).tolist()
    for status in dict.fromkeys(statuses):  # one trace per status: the legend names them
        rows_of = [i for i, s in enumerate(statuses) if s == status]
        label = labels.get(status, status)
        fig.add_trace(
            go.Bar(
                name=label, y=[names[i] for i in rows_of], x=[made_x[i] for i in rows_of],
                orientation="h", width=0.35, legendgroup=status,
                marker={
                    "color": STATUS_COLOURS.get(status, NEUTRAL),
                    "pattern": {"shape": STATUS_PATTERNS.get(status, ""), "fgcolor": "#ffffff"},
                },
                customdata=[[label, hover[i]] for i in rows_of],
                hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            name=_("应达进度"), y=names, x=_numbers(expected), mode="markers",
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#1f2933"}},
            hovertemplate=_("%{y}<br>应达进度：%{x:.0f}%") + "<extra></extra>",
        )
    )
    fig.add_vline(x=100, line={"dash": "dash", "color": TARGET_COLOUR, "width": 2})
    low = min(0.0, float(shown.min()) if shown.notna().any() else 0.0)
    high = max(110.0, float(shown.max()) if shown.notna().any() else 0.0)
    _layout(fig, height=max(240, 124 + 34 * len(names)), barmode="overlay", bargap=0.3)
    fig.update_xaxes(
        range=[low - 5, high + 5], ticksuffix="%", zeroline=True, zerolinecolor="#9aa5b1",
        title={"text": _("完成进度（基期 = 0%，目标 = 100%）")},
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_layout(showlegend=True)
    return with_links(fig, links)


def _year(pattern: str | None = None) -> str:
    """The hover's first line: the point's date as the language writes it (2025年 / 2025)."""
    return "%{x|" + (pattern or _("%Y年")) + "}<br>"


def _date(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def trajectory(
    actuals: pd.DataFrame,
    *,
    unit: str,
    baseline: tuple[dt.date, float] | None,
    goal: tuple[dt.date, float] | None,
    goal_high: float | None = None,
    projection: tuple[dt.date, float] | None = None,
    expected_now: tuple[dt.date, float] | None = None,
    earlier_path: tuple[tuple[dt.date, float], tuple[dt.date, float]] | None = None,
) -> go.Figure:
    """One target over time: the actuals against the straight path from baseline to target.

    ``actuals`` columns: ``date`` (period end), ``value``, ``label`` (the period as read).
    The path runs from (baseline date, baseline) to (deadline, target); the projection from
    the last actual to the deadline. Pieces that are None are left out.
    """
    suffix = with_unit("", unit)  # 家 / " firms"; the hover text in the user's language
    data = actuals.dropna(subset=["value"])
    fig = go.Figure()
    for trace in (
        *_earlier_path_trace(earlier_path, unit),
        *_plan_path_trace(baseline, goal, suffix),
        *_actuals_trace(data, suffix),
        *_projection_trace(data, projection, suffix),
        *_expected_now_trace(expected_now, suffix),
        *_goal_traces(goal, goal_high, suffix),
    ):
        fig.add_trace(trace)
    _layout(fig, height=380, hovermode="closest")
    _year_end_axis(fig)
    fig.update_yaxes(title={"text": unit_label(unit) or _("数值")}, automargin=True)
    return fig


def _earlier_path_trace(
    earlier_path: tuple[tuple[dt.date, float], tuple[dt.date, float]] | None, unit: str
) -> list[go.Scatter]:
    """The predecessor plan's path, on the same time axis."""
    if earlier_path is None:
        return []
    (start, start_value), (end, end_value) = earlier_path
    return [go.Scatter(
        name="上期规划路径", x=[_date(start), _date(end)], y=[start_value, end_value],
        mode="lines+markers", line={"dash": "dot", "color": "#c3cad3", "width": 2},
        marker={"symbol": "square-open", "size": 8},
        hovertemplate=f"%{{x|%Y年}}<br>上期规划路径：%{{y}}{unit}<extra></extra>",
    )]


def _plan_path_trace(
    baseline: tuple[dt.date, float] | None, goal: tuple[dt.date, float] | None, suffix: str
) -> list[go.Scatter]:
    """The straight path from the baseline to the target."""
    if baseline is None or goal is None:
        return []
    return [go.Scatter(
        name=_("规划路径"), x=[_date(baseline[0]), _date(goal[0])],
        y=[baseline[1], goal[1]], mode="lines+markers",
        line={"dash": "dash", "color": "#9aa5b1", "width": 2},
        marker={"symbol": "diamond-open", "size": 9},
        hovertemplate=_year() + _("规划路径：%{y}") + suffix + "<extra></extra>",
    )]


def _actuals_trace(data: pd.DataFrame, suffix: str) -> list[go.Scatter]:
    """The approved figures, period by period."""
    if data.empty:
        return []
    return [go.Scatter(
        name=_("实际值"), x=[_date(d) for d in data["date"]], y=data["value"].tolist(),
        mode="lines+markers", line={"color": NEUTRAL, "width": 3},
        marker={"symbol": "circle", "size": 9},
        customdata=data["label"].tolist(),
        hovertemplate=_("%{customdata}<br>实际值：%{y}") + suffix + "<extra></extra>",
    )]


def _projection_trace(
    data: pd.DataFrame, projection: tuple[dt.date, float] | None, suffix: str
) -> list[go.Scatter]:
    """From the last actual to where the trend reaches by the deadline."""
    if projection is None or data.empty:
        return []
    last = data.iloc[-1]
    return [go.Scatter(
        name=_("预测"), x=[_date(last["date"]), _date(projection[0])],
        y=[float(last["value"]), projection[1]], mode="lines+markers",
        line={"dash": "dot", "color": "#7b1fa2", "width": 2},
        marker={"symbol": "triangle-right", "size": 10},
        hovertemplate=_year() + _("预测：%{y:.2f}") + suffix + "<extra></extra>",
    )]


def _expected_now_trace(
    expected_now: tuple[dt.date, float] | None, suffix: str
) -> list[go.Scatter]:
    """Where the target should be now: a tick on the path."""
    if expected_now is None:
        return []
    return [go.Scatter(
        name=_("当前应达"), x=[_date(expected_now[0])], y=[expected_now[1]], mode="markers",
        marker={"symbol": "line-ew", "size": 22, "line": {"width": 3, "color": "#1f2933"}},
        hovertemplate=(_year(_("%Y年%m月")) + _("当前应达：%{y:.2f}") + suffix
                       + "<extra></extra>"),
    )]


def _goal_traces(
    goal: tuple[dt.date, float] | None, goal_high: float | None, suffix: str
) -> list[go.Scatter]:
    """The target value at the deadline, and the stretch value (力争值) beside it."""
    if goal is None:
        return []
    traces = [go.Scatter(
        name=_("目标值"), x=[_date(goal[0])], y=[goal[1]], mode="markers",
        marker={"symbol": "star", "size": 16, "color": TARGET_COLOUR},
        hovertemplate=_year() + _("目标值：%{y}") + suffix + "<extra></extra>",
    )]
    if goal_high is not None:
        traces.append(go.Scatter(
            name=_("力争值"), x=[_date(goal[0])], y=[goal_high], mode="markers",
            marker={"symbol": "star-open", "size": 16, "color": TARGET_COLOUR},
            hovertemplate=_year() + _("力争值：%{y}") + suffix + "<extra></extra>",
        ))
    return traces


def _year_end_axis(fig: go.Figure) -> None:
    """Annual figures are dated at their year's end; so are the ticks, labelled with the year,
    so the 2021 figure sits on "2021年" (a January tick would put it on "2022年")."""
    dates = [pd.Timestamp(x) for trace in fig.data for x in (trace.x or ())]
    years = range(min(dates).year, max(dates).year + 1) if dates else range(0)
    fig.update_xaxes(
        type="date", tickmode="array", tickvals=[f"{y}-12-31" for y in years],
        ticktext=[_("%(year)d年") % {"year": y} for y in years], title={"text": _("年末")},
    )


def target_vs_actual(
    frame: pd.DataFrame, *, unit: str, links: Mapping[str, str] | None = None
) -> go.Figure:
    """Grouped bars per city: the target value beside the latest actual.

    ``frame`` columns: ``city`` (unique label), ``target``, ``actual``, ``actual_label``
    (the actual's period, or empty).
    """
    cities = frame["city"].astype(str).tolist()
    suffix = with_unit("", unit)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=_("目标值"), x=cities, y=_numbers(frame["target"]),
            marker={"color": TARGET_COLOUR, "pattern": {"shape": "/", "fgcolor": "#ffffff"}},
            hovertemplate=_("%{x}<br>目标值：%{y}") + suffix + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            name=_("最新实际值"), x=cities,
            y=_numbers(frame["actual"]),
            marker={"color": NEUTRAL},
            customdata=frame["actual_label"].astype(str).tolist(),
            hovertemplate=(_("%{x}<br>最新实际值（%{customdata}）：%{y}") + suffix
                           + "<extra></extra>"),
        )
    )
    _layout(fig, height=420, barmode="group")
    fig.update_yaxes(
        title={"text": unit_label(unit) or _("数值")}, automargin=True,
        range=fitted_range([*_numbers(frame["target"]), *_numbers(frame["actual"])]),
    )
    fig.update_xaxes(type="category", automargin=True, tickangle=-30)
    return with_links(fig, links)


def fitted_range(values: list[float | None]) -> list[float] | None:
    """An axis fitted to the data: 93-99 % is not drawn on 0-100 where the bars look alike.

    Padded by 15 % of the spread (5 % of the value when all are equal); it starts at zero
    when the data come close to zero anyway, so small counts keep their honest baseline.
    """
    numbers = [v for v in values if v is not None]
    if not numbers:
        return None
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
    start = low - pad
    if low >= 0 and (low <= high - low or start < 0):
        start = 0.0
    return [start, high + pad]


def has_data(fig: go.Figure) -> bool:
    """Whether the figure draws anything (the page shows its empty state otherwise)."""
    for trace in fig.data:
        values = trace.x if getattr(trace, "orientation", None) == "h" else trace.y
        if values is not None and any(v is not None and v == v for v in values):
            return True
    return False
