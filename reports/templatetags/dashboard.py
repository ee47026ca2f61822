"""Template helpers of the dashboards: numbers with their units, status badges, shares."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from targets.models import Progress

register = template.Library()

_LABELS = dict(Progress.Status.choices)
MINUS = "\u2212"


def format_number(value: object, digits: int = 2) -> str:
    """93.5 → "93.5", 1200 → "1,200", 0.125 → "0.13"; "—" for nothing."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN
        return "—"
    text = f"{number:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def num(value: object, unit: str = "") -> str:
    """A number with its unit: ``{{ row.current_value|num:target.unit }}`` → "93.5%"."""
    text = format_number(value)
    return text if text == "—" else f"{text}{unit or ''}"


@register.filter
def signed(value: object, unit: str = "") -> str:
    """A difference with its sign: +1.2% / -0.8% (with a true minus sign)."""
    text = format_number(value)
    if text == "—":
        return text
    if not text.startswith("-") and text != "0":
        text = f"+{text}"
    return f"{text.replace('-', MINUS)}{unit or ''}"


@register.filter
def percent(value: object, digits: int = 0) -> str:
    """A share 0..1 as a percentage: 0.8 → "80%"."""
    if value is None:
        return "—"
    return f"{format_number(float(value) * 100, digits)}%"  # type: ignore[arg-type]


@register.simple_tag
def status_badge(status: str | None) -> str:
    """<span class="badge lagging">进度滞后</span>: text and shape as well as colour."""
    if not status:
        return format_html('<span class="badge no_data">{}</span>', _("暂无进度"))
    return format_html(
        '<span class="badge {}">{}</span>', status, _LABELS.get(status, status)
    )


#: Why a row is 数据不足 / 待填报, in words (docs/progress.md "Reasons"); the feed carries the code.
REASON_LABELS = {
    "no_baseline": "无基期值，仅一期数据",
    "no_observation": "无数据",
    "stale": "数据过期",
    "missing_period": "缺少期间数据",
    "awaiting_final": "待终期数据",
}


@register.simple_tag
def progress_note(row: object) -> str:
    """The small text after a status badge: 待终期数据 while the deadline figure is awaited
    (issue 15), and why a row is 数据不足 or 待填报."""
    if row is None:
        return ""
    parts = []
    status, reason = getattr(row, "status", ""), getattr(row, "reason", "") or ""
    if getattr(row, "awaiting_final", False):
        parts.append(format_html('<span class="flag awaiting-final">{}</span>', _("待终期数据")))
    if status in ("insufficient_data", "no_data") and reason and reason != "awaiting_final":
        parts.append(
            format_html('<span class="muted small">{}</span>', _(REASON_LABELS.get(reason, reason)))
        )
    return format_html_join(" ", "{}", ((p,) for p in parts)) if parts else ""


@register.filter
def status_label(status: str | None) -> str:
    return str(_LABELS.get(status or "", status or "—"))


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, param: str, number: int) -> str:
    """The current URL's query with ``param`` set to ``number`` (other filters kept)."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    query.pop("format", None)
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def csv_url(context: template.Context) -> str:
    """The current page's data as CSV: same filters, ``format=csv``, no paging."""
    query = context["request"].GET.copy()
    for name in [key for key in query if key == "page" or key.endswith("_page")]:
        query.pop(name)
    query["format"] = "csv"
    return f"?{query.urlencode()}"
