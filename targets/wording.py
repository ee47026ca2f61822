"""The gap and the reason in words, one sign everywhere.

docs/progress.md "Gap, one sign everywhere".

Pages, the PDF, CSV and the feed all write the gap through ``gap_phrase`` (docs/monitoring.md
"Gap words"); it lives in the targets layer so that the feed's serializer can use it too.
``reports.pdf.format`` re-exports it.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from . import status


def number(value: float | Decimal | None, unit: str = "", *, signed: bool = False) -> str:
    """A figure as a table prints it: at most two decimals, no trailing zeros, "—" if none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):+.2f}" if signed else f"{float(value):.2f}"
    text = text.rstrip("0").rstrip(".")
    if text in {"-0", "+0"}:
        text = "0"
    return f"{text}{unit}"


#: Statuses whose gap is measured against the expected value now (超前/落后); every other
#: status measures it against the target itself (超出/差).
#: docs/progress.md "Gap, one sign everywhere".
PACE_STATUSES = status.PACE


def percent(share: float | None) -> str:
    """0.6667 → 66.7%; None → —."""
    if share is None:
        return "—"
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def gap_phrase(gap: float | Decimal | None, status: str, unit: str = "") -> str:
    """The gap in words with its unit, one sign everywhere: ``gap = s·(c - reference)``.

    Positive is ahead of / beyond the reference, negative behind / short of it. Pace statuses
    compare with the expected value (超前 1.5% / 落后 1.67个), the others with the target
    (超出 2家 / 差 3个). No gap (no data) is 「—」, never 0. Pages, the PDF, CSV and the feed
    all write it through this function.
    """
    if gap is None or (isinstance(gap, float) and math.isnan(gap)):
        return "—"
    magnitude = number(abs(gap), unit)  # type: ignore[arg-type]
    if float(gap) == 0:
        return str(_("持平")) if status in PACE_STATUSES else str(_("恰好达到"))
    if status in PACE_STATUSES:
        word = _("超前") if gap > 0 else _("落后")
    else:
        word = _("超出") if gap > 0 else _("差")
    return f"{word} {magnitude}"


#: Why a row is 待填报 / 数据不足 / … (the engine's ``reason``); an unknown code shows as is.
REASON_LABELS = {
    "cancelled": N_("不再考核"),
    "no_value": N_("上级尚未下达目标值"),
    "no_observation": N_("尚无已审核数据"),
    "stale": N_("连续两期以上未报送"),
    "missing_period": N_("中间有报送期缺数"),
    "awaiting_final": N_("待终期数据"),
    "no_baseline": N_("无基期值，仅一期数据"),
    "baseline_met": N_("基期值已达到目标"),
    "awaiting_annual": N_("待年度评定"),
}


def reason_label(reason: str | None) -> str:
    """The engine's reason code in words (``""`` for none)."""
    if not reason:
        return ""
    label = REASON_LABELS.get(reason)
    return str(_(label)) if label else reason


