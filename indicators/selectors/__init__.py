"""Reads that the data-entry pages, the reminders and the API share, already scoped and optimised.

What a department must report comes from the targets it leads, which the targets layer tells
through ``indicators.duties`` (this layer neither imports ``targets`` nor reads its tables),
and from the reporting calendar. A figure counts as *reported* once it is submitted or
approved.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from accounts import roles
from accounts.models import AuditEvent

from .. import permissions
from ..calendar import Period, ended_periods
from ..duties import Assignment, duties
from ..models import Department, Indicator, Observation, ObservationChange

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

REPORTED = (Observation.Status.SUBMITTED, Observation.Status.APPROVED)


def grace_days() -> int:
    return settings.REPORTING_GRACE_DAYS


# --- What a department must report ----------------------------------------------------------


def department_assignments(
    department: Department, indicator_ids: Iterable[int] | None = None
) -> dict[int, Assignment]:
    """Indicator id → Assignment for the targets ``department`` leads in its own region (of
    those indicators only, when given)."""
    return duties().department_assignments(department, indicator_ids)


def assignments_by_department(
    department_ids: Iterable[int],
) -> dict[int, dict[int, tuple[str, set[int]]]]:
    """For many departments at once (one query): dept → indicator → (frequency, years due).

    In-force plans owe every year of their period; a plan under final assessment only the
    deadline-year figure that assessment still needs (docs/lifecycle.md), so the old periods
    of an ended plan no longer fill the overdue lists.
    """
    return duties().assignments_by_department(department_ids)


def baselines_due_by_department(department_ids: Iterable[int]) -> dict[int, dict[int, Period]]:
    """dept → indicator → the base-year period owed by targets without a baseline (基期值).

    Due at once: the engine uses the approved base-year figure as b (docs/lifecycle.md
    "Baselines"). One query. An annual indicator owes the year, a quarterly one its Q4.
    """
    return duties().baselines_due_by_department(department_ids)


@dataclass(frozen=True)
class DueItem:
    department: Department
    indicator_id: int
    indicator_name: str
    period: Period
    deadline: datetime.date
    status: str  # the figure's status, "" when nothing was entered
    baseline: bool = False  # 基期值: the base-year figure of a target without baseline

    @property
    def status_label(self) -> str:
        if not self.status:
            return str(_STATUS_NONE)
        return str(Observation.Status(self.status).label)


_STATUS_NONE = _lazy("未填报")


@dataclass
class DueSummary:
    open: list[DueItem] = field(default_factory=list)  # ended, still within the grace days
    overdue: list[DueItem] = field(default_factory=list)  # closed, nothing submitted

    def open_by_period(self) -> list[dict[str, object]]:
        groups: dict[Period, list[DueItem]] = defaultdict(list)
        for item in self.open:
            groups[item.period].append(item)
        return [
            {
                "period": period,
                "deadline": items[0].deadline,
                "items": items,
                "total": len(items),
                "reported": sum(item.status in REPORTED for item in items),
                "baseline": any(item.baseline for item in items),
            }
            for period, items in sorted(groups.items(), key=lambda kv: kv[0].sort_key())
        ]


def due_items(*, departments: Iterable[Department], today: datetime.date) -> dict[int, DueSummary]:
    """Open and overdue periods per department, from the targets and figures themselves.

    For a few departments (a reporter's own pages): it reads every figure they owe. Pages and
    jobs over many departments read ``ReportingDue`` instead (``selectors.due``).
    """
    departments = list(departments)
    assignments = assignments_by_department(d.pk for d in departments)
    indicator_ids = {i for per in assignments.values() for i in per}
    names = dict(Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "name"))
    statuses = _statuses(region_ids={d.region_id for d in departments}, indicator_ids=indicator_ids)
    baselines = baseline_items(departments, today)
    grace = grace_days()
    result: dict[int, DueSummary] = {}
    for department in departments:
        summary = DueSummary(open=baselines.get(department.pk, []))
        for indicator_id, (frequency, years) in assignments.get(department.pk, {}).items():
            for period in ended_periods(frequency, years, today):
                status = statuses.get((department.region_id, indicator_id, period), "")
                deadline = period.deadline(grace)
                item = DueItem(
                    department, indicator_id, names[indicator_id], period, deadline, status
                )
                if today <= deadline:
                    summary.open.append(item)
                elif status not in REPORTED:
                    summary.overdue.append(item)
        summary.open.sort(key=lambda i: (i.period.sort_key(), i.indicator_name))
        summary.overdue.sort(
            key=lambda i: (-i.period.year, -(i.period.quarter or 5), i.indicator_name)
        )  # newest first
        result[department.pk] = summary
    return result


def baseline_items(
    departments: Iterable[Department], today: datetime.date
) -> dict[int, list[DueItem]]:
    """Per department, the 基期值 still owed: due at once (today is its deadline), listed
    until it is reported. Three queries (one when nothing is owed)."""
    by_pk = {d.pk: d for d in departments}
    baselines = baselines_due_by_department(by_pk)
    owed = [(by_pk[pk], i, period) for pk, per in baselines.items() for i, period in per.items()]
    if not owed:
        return {}
    names = dict(Indicator.objects.filter(pk__in={i for _d, i, _p in owed})
                 .values_list("pk", "name"))
    statuses = {
        (r, i, Period(y, q)): s for r, i, y, q, s in Observation.objects.filter(
            region_id__in={d.region_id for d, _i, _p in owed},
            indicator_id__in={i for _d, i, _p in owed},
            year__in={p.year for _d, _i, p in owed},
        ).values_list("region_id", "indicator_id", "year", "quarter", "status")
    }
    result: dict[int, list[DueItem]] = defaultdict(list)
    for department, indicator_id, period in owed:
        status = statuses.get((department.region_id, indicator_id, period), "")
        if status not in REPORTED:
            result[department.pk].append(
                DueItem(department, indicator_id, names[indicator_id], period, today, status,
                        baseline=True)
            )
    return dict(result)


def _statuses(
    *, region_ids: set[int], indicator_ids: set[int]
) -> dict[tuple[int, int, Period], str]:
    rows = Observation.objects.filter(
        region_id__in=region_ids, indicator_id__in=indicator_ids
    ).values_list("region_id", "indicator_id", "year", "quarter", "status")
    return {(r, i, Period(y, q)): s for r, i, y, q, s in rows}


# --- The entry form -------------------------------------------------------------------------


@dataclass
class EntryRow:
    """One line of the entry form / Excel template: an indicator due for the period."""

    indicator: Indicator
    goals: list[str]
    last: Observation | None  # the latest figure of an earlier period
    observation: Observation | None  # this period's figure, if any

    @property
    def allowed_range(self) -> str:
        return indicator_range_text(self.indicator)


def entry_rows(*, department: Department, period: Period) -> list[EntryRow]:
    """The indicators ``department`` reports for ``period`` with their goal and last value."""
    assignments = {
        pk: a
        for pk, a in department_assignments(department).items()
        if a.indicator.frequency == period.frequency and period.year in a.all_years
    }
    existing, last = entry_figures(
        region_id=department.region_id, indicator_ids=list(assignments), period=period
    )
    return [
        EntryRow(a.indicator, a.goals, last.get(pk), existing.get(pk))
        for pk, a in assignments.items()
    ]


def entry_figures(
    *, region_id: int, indicator_ids: list[int], period: Period
) -> tuple[dict[int, Observation], dict[int, Observation]]:
    """Per indicator, ``period``'s figure (any status) and the most recent figure of an
    earlier period (any status but draft), in one query."""
    earlier = Q(year__lt=period.year)
    if period.quarter:
        earlier |= Q(year=period.year, quarter__lt=period.quarter)
    this_period = Q(year=period.year, quarter=period.quarter)
    rows = (
        Observation.objects.filter(region_id=region_id, indicator_id__in=indicator_ids)
        .filter(this_period | (earlier & ~Q(status=Observation.Status.DRAFT)))
        .order_by("indicator_id", "-year", F("quarter").desc(nulls_first=True))
    )
    existing: dict[int, Observation] = {}
    last: dict[int, Observation] = {}
    for observation in rows:
        if (observation.year, observation.quarter) == (period.year, period.quarter):
            existing[observation.indicator_id] = observation
        else:  # newest first: the first earlier one is the last figure
            last.setdefault(observation.indicator_id, observation)
    return existing, last


def indicator_bounds(indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
    """The natural bounds of a figure: the one source for form, API, Excel and the CLI import.

    As configured on the indicator, with defaults by kind (docs/reliability.md, part B, row
    11): a share in % (合格率, 占比) lies in 0 to 100; a change rate in % (增长率, 「可为负」)
    is marked by a configured lower bound below 0 (e.g. -100: an amount cannot fall by more
    than all of it) and has no upper bound unless one is configured, so -5.2 and 120 are
    accepted; a count or flow is >= 0.
    """
    low, high = indicator.lower_bound, indicator.upper_bound
    if indicator.is_rate:
        change_rate = low is not None and low < 0
        low = Decimal(0) if low is None else low
        if high is None and not change_rate:
            high = Decimal(100)
    elif indicator.measure == Indicator.Measure.FLOW or indicator.unit in COUNT_UNITS:
        low = Decimal(0) if low is None else low
    return low, high


COUNT_UNITS = {"个", "家", "件", "项", "批次", "张", "人", "次", "座", "所", "条", "户", "处"}


def indicator_range_text(indicator: Indicator) -> str:
    if indicator.measure == Indicator.Measure.MILESTONE:
        return "、".join(str(label) for label in Observation.State.labels)
    low, high = indicator_bounds(indicator)
    if low is None and high is None:
        return ""
    fmt = format_number
    if high is None:
        return f"≥{fmt(low)}"
    if low is None:
        return f"≤{fmt(high)}"
    return _lazy("%(low)s至%(high)s") % {"low": fmt(low), "high": fmt(high)}


def format_number(number: Decimal | None) -> str:
    if number is None:
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Visibility, approvals, history ---------------------------------------------------------


def observations_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Observation]:
    """Figures the user may read: office/leader their regions, a reporter its indicators."""
    base = Observation.objects.select_related("indicator", "region", "department__region")
    scope = observation_scope(user)
    if scope is None:
        return base
    return base.filter(scope) if scope else base.none()


def observation_scope(user: AbstractBaseUser | AnonymousUser) -> Q | None:
    """``observations_visible_to`` as a condition: ``None`` for every figure, an empty ``Q``
    for none. A condition, so that a caller can join it with others (the API's "published or
    visible") without a subquery."""
    if not user.is_authenticated:
        return Q()
    if permissions.has_any_role(user, [roles.OFFICE, roles.LEADER]) or user.is_superuser:  # type: ignore[attr-defined]
        ids = permissions.visible_region_ids(user)
        return None if ids is None else Q(region_id__in=ids)
    department = permissions.reporter_department(user)
    if department is not None:
        return Q(
            region_id=department.region_id,
            indicator_id__in=permissions.entered_indicator_ids(user),
        )
    return Q()


def observations_for_approval(
    *,
    user: AbstractBaseUser | AnonymousUser,
    department_id: int | None = None,
    status: str | None = Observation.Status.SUBMITTED,
    period: Period | None = None,
) -> QuerySet[Observation]:
    """The office's approval list, filtered; oldest submission first."""
    rows = observations_visible_to(user)
    if department_id:
        rows = rows.filter(department_id=department_id)
    if status == Observation.Status.SUBMITTED:  # awaiting the office: corrections included
        rows = rows.filter(Q(status=status) | Q(proposed_at__isnull=False))
    elif status:
        rows = rows.filter(status=status)
    if period is not None:
        rows = rows.filter(year=period.year, quarter=period.quarter)
    return rows.order_by(F("submitted_at").asc(nulls_last=True), "pk")


@dataclass
class ApprovalContext:
    """What the approver needs beside a figure (docs/roles.md, "审核"): the targets it feeds,
    the approved value it follows (the same period's, for a correction; else the latest
    earlier period's) and the change from it."""

    targets: list = field(default_factory=list)  # targets.Target
    previous: str = ""  # "93.5 %" or a state's label; "" when there is none
    previous_label: str = ""  # "2025年第1季度" or "更正前"
    change: str = ""  # "+1.5 %", "未启动 → 推进中"
    change_sign: int = 0  # -1, 0, +1: the page colours nothing, it only says it


def _signed(number: Decimal, unit: str) -> str:
    text = format_number(abs(number))
    sign = "+" if number > 0 else "\u2212" if number < 0 else "±"
    return f"{sign}{text}{unit}"


def approval_context(observations: Iterable[Observation]) -> dict[int, ApprovalContext]:
    """For one page of the approval list: three queries whatever its length."""
    observations = list(observations)
    if not observations:
        return {}
    pairs = {(o.indicator_id, o.region_id) for o in observations}
    indicator_ids = {i for i, _r in pairs}
    region_ids = {r for _i, r in pairs}
    # The targets each figure feeds, told by the targets layer (indicators.duties).
    targets = duties().targets_by_series(indicator_ids, region_ids)
    approved: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    for earlier in Observation.objects.filter(
        indicator_id__in=indicator_ids, region_id__in=region_ids,
        status=Observation.Status.APPROVED,
    ).only("indicator_id", "region_id", "year", "quarter", "value", "state"):
        approved[(earlier.indicator_id, earlier.region_id)].append(earlier)
    result = {}
    for o in observations:
        context = ApprovalContext(targets=list(targets.get((o.indicator_id, o.region_id), [])))
        unit = o.indicator.unit
        old_value: Decimal | None = None
        old_state = ""
        new_value, new_state = o.value, o.state
        if o.correction_pending:
            # A correction is a proposal on an approved figure (docs/reliability.md, row 3):
            # the approved value it would replace is the figure's own published value.
            context.previous_label = str(_lazy("更正前（本期已审核值）"))
            old_value, old_state = o.value, o.state
            new_value, new_state = o.proposed_value, o.proposed_state
        else:
            here = (o.year, o.quarter or 5)
            before = [
                e for e in approved.get((o.indicator_id, o.region_id), [])
                if (e.year, e.quarter or 5) < here and (e.quarter is None) == (o.quarter is None)
            ]  # same frequency: a quarter follows a quarter, a year a year
            if before:
                last = max(before, key=lambda e: (e.year, e.quarter or 5))
                context.previous_label = Period(last.year, last.quarter).label
                old_value, old_state = last.value, last.state
        if old_state:
            context.previous = str(Observation.State(old_state).label)
            if new_state and new_state != old_state:
                context.change = f"{context.previous} → {Observation.State(new_state).label}"
        elif old_value is not None:
            context.previous = f"{format_number(old_value)}{unit}"
            if new_value is not None:
                delta = new_value - old_value
                context.change = _signed(delta, unit)
                context.change_sign = (delta > 0) - (delta < 0)
        result[o.pk] = context
    return result


def departments_by_region(
    departments: QuerySet[Department],
) -> list[tuple[str, list[tuple[int, str]]]]:
    """Departments grouped by region, for an <optgroup> filter: regions by code, then names.
    A district is named with its city (two cities may each have a 开发区)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = departments.select_related("region__parent").order_by("region__code", "name")
    for department in rows:
        region = department.region
        label = region.name
        if region.parent_id and region.level == "district":
            label = f"{region.parent.name}{region.name}"  # type: ignore[union-attr]
        groups.setdefault(label, []).append((department.pk, department.name))
    return list(groups.items())


def departments_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Department]:
    ids = permissions.visible_region_ids(user)
    departments = Department.objects.select_related("region")
    return departments if ids is None else departments.filter(region_id__in=ids)


def observation_history(observation: Observation) -> QuerySet[ObservationChange]:
    return observation.changes.select_related("by").order_by("at", "pk")


def changes_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ObservationChange]:
    """Every change of the figures in the auditor's regions (the audit export)."""
    ids = permissions.visible_region_ids(user)
    rows = ObservationChange.objects.select_related(
        "by", "observation", "observation__indicator", "observation__region"
    ).order_by("-at", "-pk")
    return rows if ids is None else rows.filter(observation__region_id__in=ids)


def audit_events(*, kind: str = "", username: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if username:
        events = events.filter(username__icontains=username)
    return events.order_by("-at", "-pk")


# --- Completeness (DHIS2's reporting rate) --------------------------------------------------


@dataclass
class CompletenessRow:
    department: Department | None  # None for a region's total
    region_name: str
    expected: int = 0
    reported: int = 0
    on_time: int = 0
    approved: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def completeness(
    *, user: AbstractBaseUser | AnonymousUser, period: Period
) -> list[CompletenessRow]:
    """Expected vs reported figures for ``period``, per department and per region (total).

    Expected: each indicator of that frequency a department leads whose in-force plans cover
    the year. Reported: submitted or approved; on time: submitted by the period's deadline.
    """
    departments = list(departments_visible_to(user).order_by("region__code", "name"))
    assignments = assignments_by_department(d.pk for d in departments)
    wanted = {
        d.pk: [
            i
            for i, (freq, years) in assignments.get(d.pk, {}).items()
            if freq == period.frequency and period.year in years
        ]
        for d in departments
    }
    observations = {
        (o.region_id, o.indicator_id): o
        for o in Observation.objects.filter(
            region_id__in={d.region_id for d in departments},
            indicator_id__in={i for ids in wanted.values() for i in ids},
            year=period.year,
            quarter=period.quarter,
        ).only("region_id", "indicator_id", "status", "submitted_at")
    }
    deadline = period.deadline(grace_days())
    rows: list[CompletenessRow] = []
    totals: dict[int, CompletenessRow] = {}
    for department in departments:
        if not wanted[department.pk]:
            continue
        row = CompletenessRow(department, department.region.name)
        for indicator_id in wanted[department.pk]:
            row.expected += 1
            observation = observations.get((department.region_id, indicator_id))
            if observation is None or observation.status not in REPORTED:
                continue
            row.reported += 1
            row.approved += observation.status == Observation.Status.APPROVED
            submitted = observation.submitted_at
            row.on_time += bool(submitted and timezone.localdate(submitted) <= deadline)
        total = totals.setdefault(
            department.region_id, CompletenessRow(None, department.region.name)
        )
        for name in ("expected", "reported", "on_time", "approved"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        rows.append(row)
    return rows + list(totals.values())
