"""How the quarterly report writes numbers, goals, quarters and target rows. Pure.

One ``ReportLine`` per Progress row holds the already-formatted cells of every table the
report prints (department tables, the lagging list), so the templates only place text.
"""

from __future__ import annotations

from dataclasses import dataclass

from targets import status
from targets.models import Progress, Target
from targets.wording import (  # the one gap wording, shared with the feed (targets layer)
    PACE_STATUSES,
    REASON_LABELS,
    gap_phrase,
    number,
    percent,
    reason_label,
)

__all__ = ["PACE_STATUSES", "REASON_LABELS", "gap_phrase", "number", "percent", "reason_label"]

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}

#: The order statuses are listed in (best first), as the charts stack them; the "behind"
#: statuses of the lagging list, worst first; the ranks of "improved / worsened since last
#: quarter". All three are ``targets.status``'s (the one owner).
REPORT_STATUS_ORDER = tuple(Progress.Status(code) for code in status.DISPLAY_ORDER)
BEHIND_ORDER = status.BEHIND_RANK
IMPROVEMENT_RANK = status.IMPROVEMENT_RANK


def quarter_label(year: int, quarter: int) -> str:
    """2025, 4 → 2025年第四季度."""
    return f"{year}年第{QUARTER_NAMES[quarter]}季度"


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


def lead_names(departments: list, *, full_names: bool) -> str:
    """区住建局、区工信局 in a one-region report; 赣榆区住建局、湛江市住房… across regions
    (the region written once: ``department_full_name``, via Department.__str__)."""
    return "、".join(str(d) if full_names else d.name for d in departments)


def line_from_progress(row: Progress, *, full_names: bool = False) -> ReportLine:
    """Format one Progress row (its target, indicator, plan and leads already loaded)."""
    target = row.target
    unit = target.unit or target.indicator.unit
    flags = [label for flag, label in (
        (row.moving_away, "倒退"), (row.stale, "数据过期"), (row.provisional, "初步"),
        (row.exceeds_stretch, "超额"), (row.awaiting_final, "待终期数据"),
    ) if flag]
    waits = row.reason == "awaiting_final" and row.awaiting_final  # already flagged
    if row.reason and row.status in (Progress.Status.NO_DATA, Progress.Status.INSUFFICIENT_DATA) \
            and not waits:
        flags.insert(0, reason_label(row.reason))  # 待填报 / 数据不足 say why (无基期值 …)
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
        gap=gap_phrase(row.gap, row.status, unit),  # words and unit, as the pages write it
        status=row.status,
        status_label=str(Progress.Status(row.status).label),
        flags="、".join(flags),
        binding=target.binding == Target.Binding.BINDING,
        aspirational=target.aspirational,
        pace=row.pace,
        leads=lead_names(leads, full_names=full_names) or "未明确",
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


def appendix_row(target: Target, *, full_names: bool = False) -> AppendixRow:
    """Format one target (indicator and lead departments already loaded)."""
    return AppendixRow(
        clause=target.source_clause,
        section=target.section,
        indicator=target.indicator.name,
        goal=target.goal_display,
        deadline=deadline_text(target),
        leads=lead_names(list(target.lead_departments.all()), full_names=full_names) or "—",
        quote=target.source_quote,
        cancelled=(target.cancel_reason or "是") if target.cancelled else "",
    )
