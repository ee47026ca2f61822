"""Vector (SVG) charts for the quarterly PDF, drawn from the same rollups as the dashboards.

Pure functions: plain numbers and labels in, an ``<svg>`` string out; no ORM, no request.
Drawn with matplotlib, the maintained library for static vector charts, rather than by
hand: it owns the bars, the in-bar count labels (``bar_label``), the legend and the text
measuring, so none of that is re-implemented here. Plotly (the dashboards' library) is not
used for this because its static export needs kaleido and a browser.

How the output is kept fit for WeasyPrint and reproducible:

* a ``matplotlib.figure.Figure`` with the SVG backend only — no pyplot, no global figure
  state; the drawing runs under a lock because ``rc_context`` changes process-wide
  ``rcParams`` (cheap: the charts are tiny, and a prefork Celery worker never contends);
* ``svg.fonttype: none`` keeps every label a ``<text>`` element naming the report's CJK
  font, so WeasyPrint sets it in the embedded Noto font and the labels stay searchable
  and extractable like the body; matplotlib measures with the same font (registered once,
  lazily, from Debian's fonts-noto-cjk);
* a fixed ``svg.hashsalt`` and no date or creator metadata make two calls give identical
  bytes (the PDF is byte-for-byte deterministic);
* the XML declaration and doctype are stripped, since the SVG is embedded inline in HTML,
  and an accessible ``<title>`` is added;
* everything is laid out in points inside the type area (版心, 156 mm) and saved with a
  tight bounding box, so the SVG is never wider than the text block.

matplotlib needs a writable config/cache dir for its font list: ``MPLCONFIGDIR`` (the
Docker image sets it to /tmp/matplotlib, as the app user's home /app is not writable).

Every status is named in text next to its colour (legend and counts), so the charts read in
black-and-white print and for colour-blind readers (the tables carry the labels too).
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils.functional import Promise

from targets import status

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

#: Width of the type area (版心) of GB/T 9704 A4 pages; charts are at most this wide.
CHART_WIDTH_MM = 156
FONT_FAMILY = "Noto Serif CJK SC"
#: Tried in order when measuring text; the SVG names them all (WeasyPrint picks the font).
FONT_FAMILIES = [FONT_FAMILY, "Noto Sans CJK SC", "DejaVu Sans"]
#: Debian's fonts-noto-cjk (the Dockerfile installs it), added to matplotlib's font list.
CJK_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)

#: (key, label, fill colour, text colour on that fill) — the order of the stacks. The
#: pages' palette and gettext labels, from ``targets.status`` (the one owner).
STATUS_STYLES: tuple[tuple[str, Promise, str, str], ...] = tuple(
    (code, style.label, style.colour, style.ink) for code, style in status.STYLES.items()
)

INK = "#1f2933"
PT_PER_INCH = 72
#: Blank kept around the drawing by ``bbox_inches="tight"``, in points.
PAD_PT = 2.0
#: Room for the drawing itself: the type area less the pads.
CONTENT_PT = CHART_WIDTH_MM / 25.4 * PT_PER_INCH - 2 * PAD_PT
LABEL_PT = 9.0  # department and status names, totals, notes, legend
COUNT_PT = 8.0  # counts inside the bar segments
GAP_PT = 6.0  # between a name and its bar
END_PT = 3.0  # between a bar's end and its total or note

_lock = threading.Lock()
_fonts_ready = False


@dataclass(frozen=True)
class ChartRow:
    """One bar: a label (a department) and its status counts."""

    label: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _ensure_fonts() -> None:
    """Make the CJK fonts known to matplotlib, once per process (under ``_lock``).

    matplotlib scans the system fonts only when it first builds its font cache, so a cache
    made before fonts-noto-cjk was installed would miss them; adding the files is cheap.
    Without them the charts still draw: the SVG names the family and WeasyPrint finds it,
    only the text measuring falls back to DejaVu Sans.
    """
    global _fonts_ready
    if _fonts_ready:
        return
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    for path in CJK_FONT_FILES:
        if path.exists() and FONT_FAMILY not in known:
            font_manager.fontManager.addfont(str(path))
            known = {font.name for font in font_manager.fontManager.ttflist}
    if FONT_FAMILY not in known:
        logger.warning("%s is not installed: chart text is measured with a fallback font",
                       FONT_FAMILY)
        # said once above, rather than for every CJK glyph and font size drawn from here
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from font", UserWarning,
                                re.escape(__name__))
        logging.getLogger(font_manager.__name__).addFilter(
            lambda record: f"'{FONT_FAMILY}' not found" not in record.getMessage()
        )
    _fonts_ready = True


@contextmanager
def _drawing() -> Iterator[None]:
    """Local matplotlib settings for one chart (and the lock that keeps them local)."""
    import matplotlib

    with _lock:
        _ensure_fonts()
        with matplotlib.rc_context({
            "svg.fonttype": "none",
            "svg.hashsalt": "qualitytrack",
            "font.family": FONT_FAMILIES,
            "font.size": LABEL_PT,
            "text.color": INK,
            "text.parse_math": False,  # a "$" in a department name is just a dollar sign
            "legend.fontsize": LABEL_PT,
        }):
            yield


def _text_width(text: str, size: float) -> float:
    """Advance of ``text`` in points, measured by matplotlib with the chart's font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _height, _descent = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False
    )
    return width


def _fit_text(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits in ``width`` points."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _figure(height_pt: float) -> Figure:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(CONTENT_PT / PT_PER_INCH, height_pt / PT_PER_INCH), dpi=PT_PER_INCH)
    FigureCanvasSVG(fig)
    fig.patch.set_visible(False)  # the page is the background
    return fig


def _bar_scale(available: float, ends: Sequence[tuple[int, float]], longest: int) -> float:
    """Length in points of a bar of ``longest``, so that every bar plus the text after its
    end (``(value, text width)`` pairs) fits in ``available`` points.
    """
    scale = available
    for value, width in ends:
        if value:
            scale = min(scale, (available - END_PT - width) * longest / value)
    return max(scale, 1.0)


_STYLE_ATTR = re.compile(r' style="([^"]*)"')
_GROUP_ID = re.compile(r'<g id="[^"]*">')
_STYLE_SHEET = re.compile(r"<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")


def _as_attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; stroke: #555"`` as SVG presentation attributes."""
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if part.strip())
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in declarations)


def _save(fig: Figure, title: str) -> str:
    """The figure as an ``<svg>`` element to embed inline in the report's HTML.

    matplotlib writes a standalone file; inside HTML, WeasyPrint would turn its numbered
    group ids (``figure_1``, ``patch_1``…, the same in every chart) into duplicate PDF
    anchors and log every ``style`` attribute's SVG-only properties (``fill``…) as unknown
    CSS. So the prolog, the ids and the one-rule style sheet (matplotlib's line-join
    defaults; bars set theirs) are dropped, ``style`` becomes presentation attributes, and
    a ``<title>`` names the chart for screen readers.
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                bbox_inches="tight", pad_inches=PAD_PT / PT_PER_INCH)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML declaration or doctype inside HTML
    svg = _STYLE_SHEET.sub("", svg, count=1)
    svg = _GROUP_ID.sub("<g>", svg)
    svg = _STYLE_ATTR.sub(_as_attributes, svg)
    head_end = svg.index(">") + 1
    return (
        svg[:head_end - 1] + ' role="img">' + f"<title>{escape(title)}</title>"
        + svg[head_end:]
    )


def _legend_columns(widths: Sequence[float], spacing: float) -> int:
    """The most columns a row-major legend of items this wide can have within the chart."""
    count = len(widths)
    for columns in range(count, 1, -1):
        rows = math.ceil(count / columns)
        total = sum(
            max(widths[row * columns + col] for row in range(rows) if row * columns + col < count)
            for col in range(columns)
        ) + spacing * (columns - 1)
        if total <= CONTENT_PT:
            return columns
    return 1


def _legend(ax: Axes, keys: Sequence[str]) -> None:
    """A swatch-and-label legend of ``keys`` above the axes, from the chart's left edge,
    wrapped row by row (the tight bounding box makes room for it)."""
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    styles = [style for style in STATUS_STYLES if style[0] in keys]
    if not styles:
        return
    handle, pad, spacing = 1.2, 0.5, 1.6  # in font sizes, as matplotlib's legend takes them
    widths = [(handle + pad) * LABEL_PT + _text_width(str(label), LABEL_PT)
              for _k, label, _f, _i in styles]
    columns = _legend_columns(widths, spacing * LABEL_PT)
    rows = math.ceil(len(styles) / columns)
    # matplotlib fills legend columns top to bottom; order the items so they read by rows.
    order = [row * columns + col for col in range(columns) for row in range(rows)
             if row * columns + col < len(styles)]
    ax.legend(
        handles=[Patch(facecolor=styles[i][2], edgecolor="#555555", linewidth=0.5,
                       label=str(styles[i][1])) for i in order],
        loc="lower left", bbox_to_anchor=(0, 1),
        bbox_transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes),
        ncols=columns, frameon=False, borderpad=0, borderaxespad=0.5,
        handlelength=handle, handleheight=handle, handletextpad=pad, columnspacing=spacing,
        labelspacing=0.5,
    )


def _axes(fig: Figure, left_pt: float, width_pt: float) -> Axes:
    """Axes for the bars: full height, from ``left_pt``, ``width_pt`` wide."""
    ax = fig.add_axes((left_pt / CONTENT_PT, 0, width_pt / CONTENT_PT, 1))
    ax.set_axis_off()
    return ax


def _name(ax: Axes, y: float, text: str) -> None:
    """A bar's name, right-aligned just left of the bars."""
    ax.annotate(text, (0, y), xycoords=ax.get_yaxis_transform(), xytext=(-GAP_PT, 0),
                textcoords="offset points", ha="right", va="center_baseline")


def _after_bar(ax: Axes, x: float, y: float, text: str) -> None:
    """A total or note just after a bar's end."""
    ax.annotate(text, (x, y), xytext=(END_PT, 0), textcoords="offset points",
                ha="left", va="center_baseline", annotation_clip=False)


def department_status_chart(rows: Sequence[ChartRow], *, title: str) -> str:
    """Stacked horizontal bars, one per department, coloured and counted by status.

    Bars share one scale (the largest total), so a department leading more targets has the
    longer bar; each segment carries its count where it fits, the total stands at the end.
    """
    row_pt = 17.0
    with _drawing():
        names = [_fit_text(row.label, LABEL_PT, CONTENT_PT * 0.32) for row in rows]
        name_pt = max((_text_width(name, LABEL_PT) for name in names), default=0.0)
        bar_x = name_pt + GAP_PT
        totals = [row.total for row in rows]
        longest = max(totals, default=0) or 1
        scale = _bar_scale(CONTENT_PT - bar_x,
                           [(total, _text_width(str(total), LABEL_PT)) for total in totals],
                           longest)
        used = [key for key, *_ in STATUS_STYLES if any(r.counts.get(key) for r in rows)]
        plot_pt = max(len(rows), 1) * row_pt
        fig = _figure(plot_pt)
        ax = _axes(fig, bar_x, scale)
        ax.set_xlim(0, longest)
        ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # the first department on top
        _legend(ax, used)

        lefts = [0] * len(rows)
        for key, _label, fill, ink in STATUS_STYLES:
            drawn = [(i, row.counts.get(key, 0)) for i, row in enumerate(rows)
                     if row.counts.get(key, 0)]
            if not drawn:
                continue
            bars = ax.barh([i for i, _c in drawn], [c for _i, c in drawn],
                           left=[lefts[i] for i, _c in drawn], height=0.66, color=fill,
                           edgecolor="#ffffff", linewidth=0.6, clip_on=False)
            ax.bar_label(bars, label_type="center", color=ink, fontsize=COUNT_PT, labels=[
                str(c) if c * scale / longest >= 4 + _text_width(str(c), COUNT_PT) else ""
                for _i, c in drawn
            ])
            for i, count in drawn:
                lefts[i] += count
        for i, (name, total) in enumerate(zip(names, totals, strict=True)):
            _name(ax, i, name)
            _after_bar(ax, total, i, str(total))
        return _save(fig, title)


def status_summary_chart(
    current: Mapping[str, int], previous: Mapping[str, int] | None, *, title: str
) -> str:
    """One bar per status with its count this quarter, and last quarter's as a thin bar."""
    keys = [
        key for key, *_ in STATUS_STYLES
        if current.get(key) or (previous and previous.get(key))
    ]
    longest = max([*current.values(), *(previous or {}).values(), 1])
    row_pt = 26.0 if previous is not None else 18.0
    notes = []
    for key in keys:
        now = current.get(key, 0)
        note = f"{now}"
        if previous is not None:
            before = previous.get(key, 0)
            change = now - before
            note += f"（上季度{before}，{'+' if change > 0 else ''}{change}）" if change else (
                f"（上季度{before}）"
            )
        notes.append(note)
    with _drawing():
        labels = [str(next(s for s in STATUS_STYLES if s[0] == key)[1]) for key in keys]
        label_pt = max((_text_width(label, LABEL_PT) for label in labels), default=0.0)
        bar_x = label_pt + GAP_PT
        scale = _bar_scale(CONTENT_PT - bar_x, [
            (current.get(key, 0), _text_width(note, LABEL_PT))
            for key, note in zip(keys, notes, strict=True)
        ], longest)
        plot_pt = max(len(keys), 1) * row_pt
        fig = _figure(plot_pt)
        ax = _axes(fig, bar_x, scale)
        ax.set_xlim(0, longest)
        ax.set_ylim(max(len(keys), 1) - 0.5, -0.5)
        # this quarter: a thick bar (raised when last quarter's thin bar goes below it)
        thick_y = -0.1 if previous is not None else 0.0
        for i, (key, label, note) in enumerate(zip(keys, labels, notes, strict=True)):
            fill = next(s for s in STATUS_STYLES if s[0] == key)[2]
            now = current.get(key, 0)
            if now:
                ax.barh(i + thick_y, now, height=0.5 if previous is not None else 0.66,
                        color=fill, edgecolor="#555555", linewidth=0.4, clip_on=False)
            if previous:
                ax.barh(i + 0.3, previous.get(key, 0), height=0.16, color="#9e9e9e",
                        linewidth=0, clip_on=False)
            _name(ax, i + thick_y, label)
            _after_bar(ax, now, i + thick_y, note)
        return _save(fig, title)
