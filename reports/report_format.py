"""How the quarterly report writes numbers, goals, quarters and target rows. Pure.

One ``ReportLine`` per Progress row holds the already-formatted cells of every table the
report prints (department tables, the lagging list), so the templates only place text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from targets.models import Progress, Target

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}

#: The order statuses are listed in (best first), as the charts stack them.
REPORT_STATUS_ORDER = (
    Progress.Status.ACHIEVED, Progress.Status.ON_TRACK, Progress.Status.LAGGING,
    Progress.Status.OFF_TRACK, Progress.Status.NOT_ACHIEVED, Progress.Status.INSUFFICIENT_DATA,
    Progress.Status.NO_DATA, Progress.Status.UNASSIGNED, Progress.Status.NOT_APPLICABLE,
)
#: The "behind" statuses of the lagging list, worst first.
BEHIND_ORDER = {
    Progress.Status.NOT_ACHIEVED: 0,
    Progress.Status.OFF_TRACK: 1,
    Progress.Status.LAGGING: 2,
}
#: Ranks for "improved / worsened since last quarter"; other statuses are not compared.
IMPROVEMENT_RANK = {
    Progress.Status.NOT_ACHIEVED: 0,
    Progress.Status.OFF_TRACK: 1,
    Progress.Status.LAGGING: 2,
    Progress.Status.ON_TRACK: 3,
    Progress.Status.ACHIEVED: 4,
}


def quarter_label(year: int, quarter: int) -> str:
    """2025, 4 → 2025年第四季度."""
    return f"{year}年第{QUARTER_NAMES[quarter]}季度"


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
#: status measures it against the target itself (超出/差). PROGRESS "Gap, one sign everywhere".
PACE_STATUSES = frozenset({
    Progress.Status.ON_TRACK, Progress.Status.LAGGING, Progress.Status.OFF_TRACK,
})


def gap_phrase(gap: float | Decimal | None, status: str, unit: str = "") -> str:
    """The gap in words with its unit, one sign everywhere: ``gap = s·(c - reference)``.

    Positive is ahead of / beyond the reference, negative behind / short of it. Pace statuses
    compare with the expected value (超前 1.5% / 落后 1.67个), the others with the target
    (超出 2家 / 差 3个). No gap (no data) is 「—」, never 0. Pages, the PDF, CSV and the feed
    all write it through this function.
    """
    if gap is None or (isinstance(gap, float) and math.isnan(gap)):
        return "—"
    magnitude = number(abs(gap), unit)
    if float(gap) == 0:
        return str(_("持平")) if status in PACE_STATUSES else str(_("恰好达到"))
    if status in PACE_STATUSES:
        word = _("超前") if gap > 0 else _("落后")
    else:
        word = _("超出") if gap > 0 else _("差")
    return f"{word} {magnitude}"


def percent(share: float | None) -> str:
    """0.6667 → 66.7%; None → —."""
    if share is None:
        return "—"
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def status_phrase(counts: dict[str, int]) -> str:
    """已完成2项、进度滞后1项 — the statuses with a count, in the engine's order."""
    parts = [f"{status.label}{counts[status]}项" for status in REPORT_STATUS_ORDER
             if counts.get(status)]
    return "、".join(parts)


def deadline_text(target: Target) -> str:
    """2025年; for an every-year target 每年, unless the goal already says 每年新增."""
    if target.deadline_year:
        return f"{target.deadline_year}年"
    return "" if target.kind == Target.Kind.ANNUAL_INCREMENT else "每年"


@dataclass(frozen=True)
class ReportLine:
    """One target at the report's quarter, every cell already written out."""

    target_id: int
    plan: str
    region: str
    indicator: str
    goal: str
    deadline: str
    baseline: str
    current: str
    data_period: str
    expected: str
    gap: str
    status: str
    status_label: str
    flags: str
    binding: bool
    aspirational: bool
    pace: float | None
    leads: str
    lead_ids: tuple[int, ...]
    clause: str


def line_from_progress(row: Progress) -> ReportLine:
    """Format one Progress row (its target, indicator, plan and leads already loaded)."""
    target = row.target
    unit = target.unit or target.indicator.unit
    flags = [label for flag, label in (
        (row.moving_away, "倒退"), (row.stale, "数据过期"), (row.provisional, "初步"),
        (row.exceeds_stretch, "超额"), (row.awaiting_final, "待终期数据"),
        (row.status == "insufficient_data" and row.reason == "no_baseline", "无基期值"),
    ) if flag]
    if row.data_year:
        data_period = (f"{row.data_year}年第{row.data_quarter}季度" if row.data_quarter
                       else f"{row.data_year}年")
    else:
        data_period = ""
    leads = list(target.lead_departments.all())
    return ReportLine(
        target_id=target.pk,
        plan=target.plan.title,
        region=target.plan.region.name,
        indicator=target.indicator.name,
        goal=target.goal_display,
        deadline=deadline_text(target),
        baseline=number(target.baseline_value, unit),
        current=number(row.current_value, unit),
        data_period=data_period,
        expected=number(row.expected_value, unit),
        gap=number(row.gap, signed=True),
        status=row.status,
        status_label=str(Progress.Status(row.status).label),
        flags="、".join(flags),
        binding=target.binding == Target.Binding.BINDING,
        aspirational=target.aspirational,
        pace=row.pace,
        leads="、".join(d.name for d in leads) or "未明确",
        lead_ids=tuple(d.pk for d in leads),
        clause=target.source_clause,
    )


@dataclass(frozen=True)
class AppendixRow:
    """One target of the appendix: where the plan says it, and what it says."""

    clause: str
    section: str
    indicator: str
    goal: str
    deadline: str
    leads: str
    quote: str
    cancelled: str


def appendix_row(target: Target) -> AppendixRow:
    """Format one target (indicator and lead departments already loaded)."""
    return AppendixRow(
        clause=target.source_clause,
        section=target.section,
        indicator=target.indicator.name,
        goal=target.goal_display,
        deadline=deadline_text(target),
        leads="、".join(d.name for d in target.lead_departments.all()) or "—",
        quote=target.source_quote,
        cancelled=(target.cancel_reason or "是") if target.cancelled else "",
    )
