"""One owner for the status vocabulary (issue 13): ``targets.status``.

The engine owns the codes and their Chinese words; ``targets.status`` gives them their
gettext label, colour, shapes and sets, and every page, chart, the PDF and the model choices
take them from there. These checks hold the copies that cannot import Python (the static
stylesheet, the message catalogue) equal to it.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from reports import figures
from reports.pdf import charts
from reports.pdf.format import BEHIND_ORDER, REPORT_STATUS_ORDER
from reports.selectors import BEHIND_STATUSES as PACE_BEHIND_LIST
from targets import selectors, status
from targets.models import Progress
from targets.progress import STATUS_LABELS, Status
from targets.wording import PACE_STATUSES

BASE = Path(settings.BASE_DIR)


def test_every_status_has_one_style_and_the_model_choices_come_from_it():
    assert set(status.STYLES) == set(Status)
    assert Progress.Status is status.ProgressStatus
    assert [c.value for c in Progress.Status] == [s.value for s in Status]
    with translation.override("zh-hans"):
        assert {c.value: str(c.label) for c in Progress.Status} == {
            s.value: label for s, label in STATUS_LABELS.items()
        }


def test_status_labels_follow_the_language_switch():
    with translation.override("en"):
        assert status.label("lagging") == "Lagging"
        assert str(Progress.Status.LAGGING.label) == "Lagging"
    assert status.label("") == "—"
    assert status.label("unknown") == "unknown"


def test_every_status_label_is_in_the_english_catalogue():
    po = (BASE / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    for word in STATUS_LABELS.values():
        assert f'msgid "{word}"\nmsgstr "' in po, word


def test_the_stylesheet_badges_use_the_one_palette():
    css = (BASE / "web/static/css/qualitytrack.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    for code, var in {
        "achieved": "achieved", "on_track": "on-track", "lagging": "lagging",
        "off_track": "off-track", "not_achieved": "not-achieved", "no_data": "no-data",
        "not_applicable": "na",
    }.items():
        assert variables[var] == status.STYLES[code].colour, code
        glyph = re.search(rf'\.badge\.{code}::before[^{{]*{{ content: "(.)"; }}', css)
        assert glyph, code
        assert glyph.group(1) == status.STYLES[code].glyph, code


def test_pages_charts_and_pdf_draw_with_the_same_palette():
    for code, style in status.STYLES.items():
        assert figures.STATUS_COLOURS[code] == style.colour
        assert figures.STATUS_PATTERNS[code] == style.pattern
        assert figures.STATUS_SYMBOLS[code] == style.symbol
    assert [(key, fill, ink) for key, _label, fill, ink in charts.STATUS_STYLES] == [
        (code, style.colour, style.ink) for code, style in status.STYLES.items()
    ]
    css = Template("{% load dashboard %}{% status_palette_css %}").render(Context())
    for code, style in status.STYLES.items():
        assert f".s-{code}::before {{ color: {style.colour}; }}" in css


def test_behind_has_one_definition():
    assert set(selectors.BEHIND_STATUSES) == set(BEHIND_ORDER) == set(status.BEHIND)
    assert set(status.BEHIND) == {"lagging", "off_track", "not_achieved"}
    assert set(PACE_BEHIND_LIST) == set(status.BEHIND) & PACE_STATUSES == {"lagging", "off_track"}
    assert list(REPORT_STATUS_ORDER) == list(status.DISPLAY_ORDER)
