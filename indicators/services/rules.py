"""The rules a figure must satisfy before it is saved: one place, shared by form, API and Excel.

``check_entry`` returns every problem (it never raises), each a ValidationError with a
``code`` and a Chinese message naming the indicator and the reason; the write services and
the Excel import decide how to report them. Pure of writes: it only reads what
``EntryContext.load`` fetched.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..calendar import Period
from ..models import Department, Indicator, Observation
from ..selectors import Assignment, department_assignments, format_number, indicator_bounds

Status = Observation.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
STALE_MESSAGE = "该数据已被他人处理，请刷新后重试。"
_QUANTUM = Decimal("0.0001")
#: Decimal places a figure holds (Observation.value is decimal_places=4): more are refused,
#: never silently rounded (docs/reliability.md, part B, row 15).
DECIMAL_PLACES = 4
#: Longest evidence text and correction or return reason, in every channel (form, API,
#: Excel, review pages): the forms and serializers take their max_length from here.
EVIDENCE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000
_MAX_ABS = Decimal("1e14")
#: A new value this many times the last one (or a tenth of it) needs a confirmation.
JUMP_FACTOR = Decimal(10)


def stale_error() -> ValidationError:
    return ValidationError(_(STALE_MESSAGE), code="stale")


@dataclass
class Entry:
    """One figure to enter, as parsed by a form, a serializer or the Excel reader."""

    indicator: Indicator
    value: Decimal | None = None
    state: str = ""
    evidence: str = ""
    confirm_jump: bool = False
    row: int | None = None  # the Excel row, for messages


@dataclass
class Problem:
    entry: Entry
    field: str  # "value", "state", "period", "indicator" or "evidence"
    error: ValidationError


@dataclass
class EntryContext:
    """What the rules need about one department and one period, loaded once."""

    department: Department
    period: Period
    today: datetime.date
    assignments: dict[int, Assignment]
    existing: dict[int, Observation] = field(default_factory=dict)
    last: dict[int, Observation] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        department: Department,
        period: Period,
        today: datetime.date,
        indicator_ids: Sequence[int] | None = None,
    ) -> EntryContext:
        from ..selectors import entry_figures

        assignments = department_assignments(department, indicator_ids)
        ids = list(assignments) if indicator_ids is None else list(indicator_ids)
        existing, last = entry_figures(region_id=department.region_id, indicator_ids=ids,
                                       period=period)
        for pk, observation in existing.items():
            if pk in assignments:  # the indicator as just read with the targets
                observation.indicator = assignments[pk].indicator
        return cls(department, period, today, assignments, existing, last)


# --- Rules (one place) ----------------------------------------------------------------------


class _Report(Protocol):
    """Records one problem of the entry being checked (``name`` is filled in)."""

    def __call__(self, field_name: str, message: str, code: str, **params: object) -> None: ...


def check_entry(entry: Entry, ctx: EntryContext, *, correcting: bool = False) -> list[Problem]:
    """Every reason ``entry`` cannot be saved for ``ctx.period``; empty when it can.

    The checks run in a fixed order and some end it (not a lead department, a duplicate, a
    milestone, a value that cannot be read): the later checks would only repeat the cause."""
    indicator = entry.indicator
    problems: list[Problem] = []

    def problem(field_name: str, message: str, code: str, **params: object) -> None:
        text = message % {"name": indicator.name, **params}
        problems.append(Problem(entry, field_name, ValidationError(text, code=code)))

    _check_evidence(entry, problem)
    assignment = ctx.assignments.get(indicator.pk)
    if assignment is None:
        problem("indicator", _("本部门不是指标“%(name)s”的牵头单位，无权填报。"), "not_lead")
        return problems
    _check_period(indicator, ctx, assignment, problem)
    existing = ctx.existing.get(indicator.pk)
    if not correcting and existing is not None and existing.status not in EDITABLE:
        _report_duplicate(existing, ctx.period, problem)
        return problems
    if indicator.measure == Indicator.Measure.MILESTONE:
        _check_state(entry, problem)
        return problems
    value = _readable_value(entry.value, problem)
    if value is None:
        return problems
    if not _check_bounds(indicator, value, problem) and not entry.confirm_jump:
        reference = existing.value if correcting and existing is not None else None
        if reference is None and indicator.pk in ctx.last:
            reference = ctx.last[indicator.pk].value
        _check_jump(indicator, value, reference, problem)
    return problems


def _check_evidence(entry: Entry, problem: _Report) -> None:
    if len(entry.evidence or "") > EVIDENCE_MAX_LENGTH:
        problem(
            "evidence",
            _("指标“%(name)s”的佐证说明过长（%(n)d字），最多%(max)d字。"),
            "max_length",
            n=len(entry.evidence),
            max=EVIDENCE_MAX_LENGTH,
        )


def _check_period(
    indicator: Indicator, ctx: EntryContext, assignment: Assignment, problem: _Report
) -> None:
    """The period suits the indicator's frequency, lies in the plan and has ended."""
    period = ctx.period
    if period.frequency != indicator.frequency:
        problem(
            "period",
            _("指标“%(name)s”%(freq)s填报，报告期%(period)s不适用。"),
            "frequency",
            freq=indicator.get_frequency_display(),
            period=period.label,
        )
    elif period.year not in assignment.all_years:
        years = sorted(assignment.all_years)
        problem(
            "period",
            _("指标“%(name)s”的报告期%(period)s不在规划期（%(start)d—%(end)d年）内。"),
            "outside_plan",
            period=period.label,
            start=years[0],
            end=years[-1],
        )
    elif not period.has_ended(ctx.today):
        problem(
            "period",
            _("指标“%(name)s”的报告期%(period)s尚未结束，不能填报未来的数据。"),
            "future",
            period=period.label,
        )


def _report_duplicate(existing: Observation, period: Period, problem: _Report) -> None:
    problem(
        "indicator",
        _(
            "指标“%(name)s”%(period)s的数据状态为“%(status)s”，不能重复填报；如需修改已审核的数据，请提交更正并说明原因。"
        ),
        "duplicate",
        period=period.label,
        status=existing.get_status_display(),
    )


def _check_state(entry: Entry, problem: _Report) -> None:
    """A milestone's progress state: given, and one of the choices."""
    state = normalise_state(entry.state)
    if not entry.state:
        problem("state", _("指标“%(name)s”是里程碑类指标，请选择进展状态。"), "required")
    elif state is None:
        problem(
            "state",
            _("指标“%(name)s”的进展状态“%(state)s”不在可选范围（%(choices)s）内。"),
            "invalid_state",
            state=entry.state,
            choices="、".join(str(label) for label in Observation.State.labels),
        )


def _readable_value(value: Decimal | None, problem: _Report) -> Decimal | None:
    """The value when it is given, not absurdly large and has at most DECIMAL_PLACES places;
    otherwise None, the problem reported."""
    if value is None:
        problem("value", _("请填写指标“%(name)s”的本期数值。"), "required")
        return None
    if abs(value) >= _MAX_ABS:
        problem(
            "value",
            _("指标“%(name)s”的数值%(value)s过大。"),
            "too_large",
            value=format_number(value),
        )
        return None
    if value.quantize(_QUANTUM, rounding=ROUND_HALF_UP) != value:
        problem(
            "value",
            _("指标“%(name)s”的数值%(value)s超过%(places)d位小数，请最多保留%(places)d位小数。"),
            "decimal_places",
            value=f"{value:f}",
            places=DECIMAL_PLACES,
        )
        return None
    return value


def _check_bounds(indicator: Indicator, value: Decimal, problem: _Report) -> bool:
    """The indicator's bounds (a rate's 0–100, a count's 0, its own); True if one is broken."""
    low, high = indicator_bounds(indicator)
    shown = format_number(value)
    if (
        indicator.is_rate
        and low is not None
        and high is not None
        and (value < low or value > high)
    ):
        problem(
            "value",
            _("指标“%(name)s”是百分比，应在%(low)s至%(high)s之间，填报值为%(value)s。"),
            "out_of_range",
            low=format_number(low),
            high=format_number(high),
            value=shown,
        )
    elif low is not None and value < low:
        if low == 0:
            problem(
                "value",
                _("指标“%(name)s”是计数，不能为负数，填报值为%(value)s。"),
                "negative",
                value=shown,
            )
        else:
            problem(
                "value",
                _("指标“%(name)s”应不低于%(low)s，填报值为%(value)s。"),
                "out_of_range",
                low=format_number(low),
                value=shown,
            )
    elif high is not None and value > high:
        problem(
            "value",
            _("指标“%(name)s”应不高于%(high)s，填报值为%(value)s。"),
            "out_of_range",
            high=format_number(high),
            value=shown,
        )
    else:
        return False
    return True


def _check_jump(
    indicator: Indicator, value: Decimal, reference: Decimal | None, problem: _Report
) -> None:
    """Ask for a confirmation when the value looks like a unit mistake against ``reference``."""
    if looks_like_unit_mistake(indicator, value, reference):
        problem(
            "value",
            _(
                "指标“%(name)s”的填报值%(value)s与上期%(last)s相差很大，是否单位有误（如把96%%填成0.96）？请核实，确认无误后勾选“确认数值无误”再保存。"
            ),
            "confirm_jump",
            value=format_number(value),
            last=format_number(reference) if reference is not None else "—",
        )


def looks_like_unit_mistake(indicator: Indicator, value: Decimal, last: Decimal | None) -> bool:
    """0.96 for 96 %, or a tenfold jump either way: ask, do not refuse."""
    if indicator.is_rate and 0 < value <= 1 and (last is None or last > 1):
        return True
    if last is None or last == 0 or value == 0:
        return False
    ratio = abs(value / last)
    return ratio >= JUMP_FACTOR or ratio <= 1 / JUMP_FACTOR


def normalise_state(text: str) -> str | None:
    """A milestone state from its value ("in_progress") or its label in any of the site's
    languages ("推进中", "In progress"): a template downloaded in English uploads too."""
    from django.conf import settings
    from django.utils import translation

    text = (text or "").strip()
    for value, label in Observation.State.choices:
        if text == value:
            return value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if text.casefold() == str(label).casefold():
                    return value
    return None


def raise_problems(problems: Sequence[Problem], *, by_field: bool = False) -> None:
    if not problems:
        return
    if by_field:
        errors: dict[str, list[ValidationError]] = {}
        for item in problems:
            errors.setdefault(item.field, []).append(item.error)
        raise ValidationError(errors)
    raise ValidationError([item.error for item in problems])


def stored(entry: Entry) -> tuple[Decimal | None, str]:
    if entry.indicator.measure == Indicator.Measure.MILESTONE:
        return None, normalise_state(entry.state) or ""
    value = (
        entry.value.quantize(_QUANTUM, rounding=ROUND_HALF_UP) if entry.value is not None else None
    )
    return value, ""


def display(value: Decimal | None, state: str) -> str:
    if state:
        return str(Observation.State(state).label)
    return format_number(value)
