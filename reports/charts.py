"""Vector (SVG) charts for the quarterly PDF, drawn from the same rollups as the dashboards.

Pure functions: plain numbers and labels in, an ``<svg>`` string out; no ORM, no request.
Why hand-written SVG rather than exporting Plotly figures or drawing with matplotlib: the
two charts are stacked and plain bars, which a few dozen lines draw exactly; the output is
byte-for-byte deterministic (no generated ids, dates or hash salts), adds no dependency,
and its ``<text>`` stays text that WeasyPrint sets in the report's own embedded CJK font,
so chart labels are searchable and extractable like the body. Plotly's static export needs
kaleido and a browser; matplotlib would add ~40 MB of packages, a font cache and its own
text measuring for the same bars.

Every status is named in text next to its colour (legend and counts), so the charts read in
black-and-white print and for colour-blind readers (the tables carry the labels too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: Width of the type area (版心) of GB/T 9704 A4 pages; charts are drawn at this width.
CHART_WIDTH_MM = 156
FONT_FAMILY = "Noto Serif CJK SC"

#: (key, label, fill colour, text colour on that fill) — the order of the stacks.
STATUS_STYLES: tuple[tuple[str, str, str, str], ...] = (
    ("achieved", "已完成", "#1b5e20", "#ffffff"),
    ("on_track", "进度正常", "#66bb6a", "#102a12"),
    ("lagging", "进度滞后", "#f2a900", "#2b1d00"),
    ("off_track", "严重滞后", "#c62828", "#ffffff"),
    ("not_achieved", "未完成", "#6d0000", "#ffffff"),
    ("insufficient_data", "数据不足", "#78909c", "#ffffff"),
    ("no_data", "待填报", "#b0bec5", "#1f2933"),
    ("unassigned", "待下达", "#d7ccc8", "#1f2933"),
    ("not_applicable", "不再考核", "#eeeeee", "#1f2933"),
)


@dataclass(frozen=True)
class ChartRow:
    """One bar: a label (a department) and its status counts."""

    label: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def text_width(text: str, size: float) -> float:
    """Approximate advance of ``text``: CJK glyphs are one em, Latin and digits about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in text)


def fit_text(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits in ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    height_mm = CHART_WIDTH_MM * height / width
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{CHART_WIDTH_MM}mm" height="{height_mm:.2f}mm" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="{FONT_FAMILY}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, size: float = 12, anchor: str = "start",
          fill: str = "#1f2933", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _legend(keys: Sequence[str], width: float, y: float) -> tuple[list[str], float]:
    """Swatch-and-label legend wrapped over as many lines as needed; returns (parts, height)."""
    parts: list[str] = []
    x, line = 0.0, 0
    for key, label, fill, _ink in STATUS_STYLES:
        if key not in keys:
            continue
        item = 16 + text_width(label, 12) + 18
        if x and x + item > width:
            x, line = 0.0, line + 1
        top = y + line * 20
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="12" height="12" fill="{fill}" '
            f'stroke="#555" stroke-width="0.5"/>'
        )
        parts.append(_text(x + 16, top + 11, label))
        x += item
    return parts, (line + 1) * 20 if parts else 0


def department_status_chart(rows: Sequence[ChartRow], *, title: str) -> str:
    """Stacked horizontal bars, one per department, coloured and counted by status.

    Bars share one scale (the largest total), so a department leading more targets has the
    longer bar; each segment carries its count, the total stands at the bar's end.
    """
    width, label_w, gap = 620.0, 150.0, 8.0
    bar_x, bar_w, row_h = label_w + gap, width - label_w - gap - 40, 22.0
    used = [key for key, *_ in STATUS_STYLES if any(r.counts.get(key) for r in rows)]
    body, legend_h = _legend(used, width, 0)
    top = legend_h + 6
    longest = max((r.total for r in rows), default=0) or 1
    for index, row in enumerate(rows):
        y = top + index * row_h
        body.append(_text(label_w, y + 14, fit_text(row.label, 12, label_w), anchor="end"))
        x = bar_x
        for key, _label, fill, ink in STATUS_STYLES:
            count = row.counts.get(key, 0)
            if not count:
                continue
            w = bar_w * count / longest
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="15" fill="{fill}" '
                f'stroke="#ffffff" stroke-width="0.6"/>'
            )
            if w >= 8 + text_width(str(count), 10):
                body.append(_text(x + w / 2, y + 14, str(count), size=10, anchor="middle",
                                  fill=ink))
            x += w
        body.append(_text(x + 4, y + 14, str(row.total), size=11))
    height = top + max(len(rows), 1) * row_h + 4
    return _svg(width, height, body, title)


def status_summary_chart(
    current: Mapping[str, int], previous: Mapping[str, int] | None, *, title: str
) -> str:
    """One bar per status with its count this quarter, and last quarter's as a thin bar."""
    width, label_w, gap = 620.0, 80.0, 8.0
    bar_x, bar_w = label_w + gap, width - label_w - gap - 110
    keys = [
        key for key, *_ in STATUS_STYLES
        if current.get(key) or (previous and previous.get(key))
    ]
    longest = max([*current.values(), *(previous or {}).values(), 1])
    row_h = 30.0 if previous is not None else 22.0
    body: list[str] = []
    for index, key in enumerate(keys):
        _key, label, fill, _ink = next(s for s in STATUS_STYLES if s[0] == key)
        y = index * row_h
        now = current.get(key, 0)
        body.append(_text(label_w, y + 14, label, anchor="end"))
        body.append(
            f'<rect x="{bar_x:.1f}" y="{y + 3:.1f}" width="{bar_w * now / longest:.1f}" '
            f'height="15" fill="{fill}" stroke="#555" stroke-width="0.4"/>'
        )
        note = f"{now}"
        if previous is not None:
            before = previous.get(key, 0)
            body.append(
                f'<rect x="{bar_x:.1f}" y="{y + 20:.1f}" width="{bar_w * before / longest:.1f}" '
                f'height="5" fill="#9e9e9e"/>'
            )
            change = now - before
            note += f"（上季度{before}，{'+' if change > 0 else ''}{change}）" if change else (
                f"（上季度{before}）"
            )
        body.append(_text(bar_x + bar_w * now / longest + 4, y + 14, note, size=11))
    height = max(len(keys), 1) * row_h + 4
    return _svg(width, height, body, title)
