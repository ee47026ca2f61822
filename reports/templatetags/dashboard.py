"""Template helpers of the dashboards: numbers with their units, status badges, shares."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from indicators.calendar import Period
from indicators.units import with_unit
from targets import status as statuses
from targets.wording import gap_phrase, reason_label

register = template.Library()

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
    return text if text == "—" else with_unit(text, unit)


@register.filter
def signed(value: object, unit: str = "") -> str:
    """A difference with its sign: +1.2% / -0.8% (with a true minus sign)."""
    text = format_number(value)
    if text == "—":
        return text
    if not text.startswith("-") and text != "0":
        text = f"+{text}"
    return with_unit(text.replace("-", MINUS), unit)


@register.filter
def quarter(year: int, number: int) -> str:
    """``{{ run.year|quarter:run.quarter }}`` → 2025年第4季度 / 2025 Q4."""
    return Period(int(year), int(number)).label


@register.filter
def gap_words(row: object, unit: str = "") -> str:
    """The row's gap in words, one sign everywhere: 落后 1.67个 / 超出 3家 / — (no data)."""
    if row is None:
        return "—"
    return gap_phrase(getattr(row, "gap", None), getattr(row, "status", "") or "", unit or "")


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
        '<span class="badge {}">{}</span>', status, statuses.label(status)
    )


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
            format_html('<span class="muted small">{}</span>', reason_label(reason))
        )
    return format_html_join(" ", "{}", ((p,) for p in parts)) if parts else ""


@register.filter
def status_label(status: str | None) -> str:
    return statuses.label(status)


@register.simple_tag
def status_palette_css() -> str:
    """The PDF's status colours as CSS rules: the pages' palette (``targets.status``)."""
    return format_html_join(
        " ", ".s-{}::before {{ color: {}; }}",
        ((code, style.colour) for code, style in statuses.STYLES.items()),
    )


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
