"""The progress statuses as everything outside the engine shows them: one owner (issue 13).

The pure engine (``targets.progress.schema``) owns the codes (``Status``) and their Chinese
words (``STATUS_LABELS``); this module builds on them, on the Django side, everything else a
status carries: the gettext label, the colour, the text colour on that colour, the chart
pattern and marker, the badge glyph, the order statuses are listed in, and the named sets
("good", "behind", …) the pages, the PDF, the charts and the feed count with. The model's
choices (``targets.models.Progress.Status``) are made here too, so a code, its label and its
colour are written once. ``qualitytrack.css`` repeats the colours as CSS variables (a static
file cannot import Python); ``tests/targets/test_status_vocabulary.py`` holds them equal.
docs/architecture.md "Who owns which rule".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from .progress.schema import STATUS_LABELS, Status

__all__ = [
    "BEHIND",
    "BEHIND_RANK",
    "DISPLAY_ORDER",
    "GOOD",
    "IMPROVEMENT_RANK",
    "LABELS",
    "PACE",
    "PACE_BEHIND",
    "STYLES",
    "UNASSESSABLE",
    "ProgressStatus",
    "Status",
    "StatusStyle",
    "label",
]

#: The gettext label of each code. The Chinese words are the engine's (the msgids are in
#: locale/en/LC_MESSAGES/django.po; a test checks that each one is there).
LABELS: dict[str, Promise] = {
    code: gettext_lazy(STATUS_LABELS[code])
    for code in Status
}

#: The model's choices, in the engine's order of precedence.
ProgressStatus = models.TextChoices(  # type: ignore[call-overload]
    "ProgressStatus", [(code.name, (code.value, LABELS[code])) for code in Status]
)


@dataclass(frozen=True)
class StatusStyle:
    """How one status is drawn: never by colour alone (WCAG 1.4.1), always with its label.

    ``colour`` is the badge and bar fill of the pages and the PDF; ``ink`` the text drawn on
    that fill; ``pattern`` the Plotly bar pattern; ``symbol`` the Plotly marker; ``glyph``
    the sign before the word in a badge (qualitytrack.css) and in the PDF.
    """

    code: Status
    colour: str
    ink: str
    pattern: str
    symbol: str
    glyph: str

    @property
    def label(self) -> Promise:
        return LABELS[self.code]


_WHITE, _DARK = "#ffffff", "#1f2933"

#: Every status's style, in the order statuses are listed and stacked (best first).
STYLES: dict[str, StatusStyle] = {
    style.code: style
    for style in (
        StatusStyle(Status.ACHIEVED, "#1b7f3b", _WHITE, "", "star", "✔"),
        StatusStyle(Status.ON_TRACK, "#2e7d32", _WHITE, ".", "circle", "●"),
        StatusStyle(Status.LAGGING, "#b26a00", _WHITE, "/", "triangle-up", "▲"),
        StatusStyle(Status.OFF_TRACK, "#c62828", _WHITE, "x", "x", "✖"),
        StatusStyle(Status.NOT_ACHIEVED, "#8e0000", _WHITE, "+", "x", "✖"),
        StatusStyle(Status.INSUFFICIENT_DATA, "#78909c", _DARK, "|", "circle-open", "○"),
        StatusStyle(Status.NO_DATA, "#607d8b", _WHITE, "-", "circle-open", "○"),
        StatusStyle(Status.UNASSIGNED, "#90a4ae", _DARK, "|", "circle-open", "○"),
        StatusStyle(Status.NOT_APPLICABLE, "#9e9e9e", _DARK, "", "line-ew", "–"),
    )
}
DISPLAY_ORDER: tuple[Status, ...] = tuple(STYLES)  # type: ignore[arg-type]

#: Achieved or on track: the "good" of every score.
GOOD: tuple[Status, ...] = (Status.ACHIEVED, Status.ON_TRACK)
#: Out of every score's denominator: nothing to judge yet, or no longer judged.
UNASSESSABLE: tuple[Status, ...] = (
    Status.NOT_APPLICABLE, Status.UNASSIGNED, Status.NO_DATA, Status.INSUFFICIENT_DATA,
)
#: Behind: the targets the rankings, the "约束性滞后" counts and the PDF's lagging list name,
#: worst first.
BEHIND: tuple[Status, ...] = (Status.NOT_ACHIEVED, Status.OFF_TRACK, Status.LAGGING)
BEHIND_RANK: dict[str, int] = {code: rank for rank, code in enumerate(BEHIND)}
#: Judged by pace (time-share), so the gap is measured against the expected value now.
PACE: frozenset[Status] = frozenset({Status.ON_TRACK, Status.LAGGING, Status.OFF_TRACK})
#: Behind on pace while there is still time: the dashboards' 滞后目标 list (sorted by pace,
#: which a not-achieved row no longer has).
PACE_BEHIND: tuple[Status, ...] = tuple(code for code in BEHIND if code in PACE)[::-1]
#: Ranks for "improved / worsened since last quarter"; other statuses are not compared.
IMPROVEMENT_RANK: dict[str, int] = {
    code: rank for rank, code in enumerate((*BEHIND, Status.ON_TRACK, Status.ACHIEVED))
}


def label(code: str | None) -> str:
    """The status's label in the active language; an unknown code as is, none as 「—」."""
    if not code:
        return "—"
    return str(LABELS.get(code, code))
