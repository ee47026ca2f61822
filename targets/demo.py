"""The demo history: made-up approved figures from 2021 to the last due quarter.

A newcomer who runs ``make run`` should see the system doing its job (DHIS2's Sierra Leone
demo database is the model): departments ahead, lagging and off track, some reports late,
one correction. Rules (docs/monitoring.md "Demo history"):

* one series per (indicator, region) that a target of an in-force plan follows, within the
  plan period, from 2021 (or the plan's first year) to the last due period; annual
  indicators get one figure a year, quarterly ones one a quarter;
* the path runs from the target's baseline towards (or away from) its target; how far along
  it is depends on the lead department's temperament (ahead, on track, lagging, off track,
  moving away), with a little per-target noise; all of it from a fixed seed, so the same
  database always gets the same history;
* some departments are late: their last due figure is missing, or approved weeks late;
* every figure is approved with evidence 「示例数据……」 (``indicators.demo.DEMO_EVIDENCE``);
  figures already in the database (the seed's real ones) are never touched;
* one approved figure of the demo reporter's department is corrected through the real
  services (``observation_correct`` then ``observation_approve``), so the change log and the
  audit chain show a correction.

The bulk figures are written as a fixture would be (no per-figure change rows: they are not
anyone's report); ``remove_demo_history`` deletes them again. The corrected figure keeps its
change rows (the business audit is never deleted), so removal withdraws it from the approved
set with a recorded status change instead.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from indicators.calendar import QUARTERLY, Period, latest_ended_period
from indicators.demo import DEMO_EVIDENCE, demo_figures
from indicators.models import Indicator, Observation, ObservationChange, ReportingDue
from indicators.services.changes import _record_change
from indicators.services.reporting import reporting_due_sync
from indicators.services.transitions import (
    observation_approve,
    observation_correct,
    observation_submit,
)

from .models import Plan, Target

FIRST_YEAR = 2021
EVIDENCE = f"{DEMO_EVIDENCE}（演示用的虚构数据，并非统计结果）"
CORRECTION_REASON = f"{DEMO_EVIDENCE}：原填报数录入有误，按统计部门核定数更正"
REMOVED_COMMENT = f"{DEMO_EVIDENCE}已移除"
COUNT_UNITS = {"家", "个", "项", "件", "所", "人", "次", "名", "座", "条", "种", "批", "处", "批次",
               "起", "场", "户", "台", "枚", "部", "本", "届"}

#: How far along its path a department's targets are (1 = exactly on pace).
TEMPERAMENTS = (
    ("ahead", 1.3), ("ahead", 1.15), ("on_track", 1.02), ("on_track", 0.98),
    ("lagging", 0.8), ("lagging", 0.72), ("off_track", 0.35), ("off_track", 0.2),
    ("moving_away", -0.3), ("on_track", 1.05),
)


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))


def last_due_quarter(today: dt.date) -> tuple[int, int]:
    """The latest quarter whose figures are due: ended on or before today - grace days."""
    day = today - dt.timedelta(days=settings.REPORTING_GRACE_DAYS)
    due = latest_ended_period(QUARTERLY, day)
    return due.year, due.quarter or 4


@dataclass
class Series:
    """One (indicator, region) series and the target that drives its path."""

    target: Target
    indicator: Indicator
    department_id: int | None
    factor: float
    late: bool  # the last due figure is missing
    slow: bool  # figures approved weeks after the period


def _driving_targets() -> dict[tuple[int, int], Target]:
    """Per (indicator, region), the target of the newest in-force plan that follows it."""
    chosen: dict[tuple[int, int], Target] = {}
    targets = (
        Target.objects.filter(plan__status=Plan.Status.IN_FORCE, cancelled=False)
        .select_related("plan", "indicator")
        .prefetch_related("lead_departments")
        .order_by("plan__start_year", "pk")
    )
    for target in targets:
        if target.plan.end_year < FIRST_YEAR:
            continue
        if target.value is None and target.kind not in (Target.Kind.DIRECTION,
                                                         Target.Kind.MILESTONE):
            continue
        chosen[(target.indicator_id, target.plan.region_id)] = target  # newest plan wins
    return chosen


def _series(target: Target) -> Series:
    leads = sorted(target.lead_departments.all(), key=lambda d: d.pk)
    department = leads[0] if leads else None
    temper = TEMPERAMENTS[_seed("dept", department.name if department else target.plan.code)
                          % len(TEMPERAMENTS)]
    noise = random.Random(_seed("target", target.plan.code, target.code)).uniform(-0.06, 0.06)
    mood = _seed("late", department.pk if department else target.plan.pk) % 6
    quarterly = target.indicator.frequency == Indicator.Frequency.QUARTERLY
    late = mood == 0 or (quarterly and _seed("q-late", target.plan.code, target.code) % 3 == 0)
    return Series(
        target=target, indicator=target.indicator,
        department_id=department.pk if department else None,
        factor=temper[1] + noise, late=late, slow=mood == 1,
    )


def _periods(series: Series, due: tuple[int, int]) -> list[tuple[int, int | None]]:
    target = series.target
    first = max(FIRST_YEAR, target.plan.start_year)
    last_year = min(target.deadline_year or target.plan.end_year, target.plan.end_year, due[0])
    quarterly = series.indicator.frequency == Indicator.Frequency.QUARTERLY
    periods: list[tuple[int, int | None]] = []
    for year in range(first, last_year + 1):
        if quarterly:
            periods += [(year, q) for q in range(1, 5) if (year, q) <= due]
        elif (year, 4) <= due:
            periods.append((year, None))
    if series.late and len(periods) > 2:
        periods = periods[:-1]
    return periods


def _span(target: Target) -> tuple[int, int]:
    base = target.baseline_year or target.plan.base_year or target.plan.start_year - 1
    deadline = target.deadline_year or target.plan.end_year
    return 4 * base + 4, 4 * deadline + 4


def _qi(year: int, quarter: int | None) -> int:
    return 4 * year + (quarter or 4)


def _bounds(indicator: Indicator) -> tuple[float, float]:
    low = float(indicator.lower_bound) if indicator.lower_bound is not None else -math.inf
    high = float(indicator.upper_bound) if indicator.upper_bound is not None else math.inf
    return low, high


def _round(value: float, whole: bool, low: float, high: float) -> Decimal:
    value = min(max(value, low), high)
    if whole:
        return Decimal(max(round(value), 0 if low == -math.inf else round(low)))
    return Decimal(f"{value:.2f}")


@dataclass
class _Path:
    """What a series' made-up path is drawn from: its target, bounds and temperament."""

    target: Target
    indicator: Indicator
    rng: random.Random
    whole: bool  # counted in whole numbers
    low: float
    high: float
    t0: int
    deadline: int
    sign: float  # -1 when the target is a ceiling
    goal: float | None
    factor: float

    @classmethod
    def of(cls, series: Series) -> _Path:
        target, indicator = series.target, series.indicator
        rng = random.Random(_seed("path", target.plan.code, target.code))
        unit = target.unit or indicator.unit
        # Whole things are counted in whole numbers: count units, and flows of a whole goal.
        whole = unit in COUNT_UNITS or (
            target.kind in (Target.Kind.CUMULATIVE_NEW, Target.Kind.ANNUAL_INCREMENT)
            and target.value is not None and target.value == target.value.to_integral_value()
            and not any(mark in unit for mark in ("%", "率", "元", "‰"))
        )
        low, high = _bounds(indicator)
        t0, deadline = _span(target)
        sign = -1.0 if target.comparator in (Target.Comparator.LE, Target.Comparator.LT) else 1.0
        goal = float(target.value) if target.value is not None else None
        return cls(target, indicator, rng, whole, low, high, t0, deadline, sign, goal,
                   series.factor)

    def share(self, period: tuple[int, int | None]) -> float:
        """How much of the way from base to deadline ``period`` is."""
        return min(max((_qi(*period) - self.t0) / max(self.deadline - self.t0, 1), 0.0), 1.0)

    def rounded(self, value: float) -> Decimal:
        return _round(value, self.whole, self.low, self.high)


def _values(series: Series, periods: list[tuple[int, int | None]]) -> list[dict]:
    """The figures of one series: value (or state / criteria met) for each period."""
    path = _Path.of(series)
    target, goal, kind = path.target, path.goal, path.target.kind
    if kind in (Target.Kind.CUMULATIVE_NEW, Target.Kind.ANNUAL_INCREMENT):
        return _flow_values(path, periods)
    if kind == Target.Kind.MILESTONE:
        return _milestone_values(path, periods)
    baseline = float(target.baseline_value) if target.baseline_value is not None else None
    if goal is None:  # 趋势方向 without a number: drift by the temperament
        start = baseline if baseline is not None else 100.0
        return [
            {"value": path.rounded(
                start * (1 + path.sign * 0.03 * i * path.factor) + path.rng.uniform(-0.3, 0.3)
            )}
            for i, _period in enumerate(periods, start=1)
        ]
    if baseline is None:
        room = abs(goal) * 0.08 or 1.0
        baseline = goal - path.sign * room
        if path.whole:
            baseline = goal - path.sign * max(round(room), 1)
    if kind in (Target.Kind.MAINTAIN, Target.Kind.PERIOD_AVERAGE):
        return _kept_values(path, goal, periods)
    out: list[dict] = []
    for period in periods:  # level, range, assigned: from b towards T at the temperament
        noise = path.rng.uniform(-0.04, 0.04) * abs(goal - baseline)
        value = baseline + (goal - baseline) * path.share(period) * path.factor + noise
        out.append({"value": path.rounded(value)})
    return out


def _flow_values(path: _Path, periods: list[tuple[int, int | None]]) -> list[dict]:
    """New things each period (annual increments) or a running total reached in step."""
    target, f = path.target, path.factor
    total_before = 0.0
    years = max((target.deadline_year or target.plan.end_year) - target.plan.start_year + 1, 1)
    per_period = 4 if path.indicator.frequency == Indicator.Frequency.QUARTERLY else 1
    out: list[dict] = []
    for period in periods:
        if target.kind == Target.Kind.ANNUAL_INCREMENT:
            flow = path.goal * max(f, 0) * path.rng.uniform(0.9, 1.1) / per_period  # type: ignore[operator]
        else:
            year_index = period[0] - target.plan.start_year + (period[1] or 4) / 4
            cumulative = path.goal * max(f, 0) * min(year_index / years, 1.0)  # type: ignore[operator]
            flow = cumulative - total_before
        value = _round(max(flow, 0.0), path.whole, 0.0, path.high)
        total_before += float(value)
        out.append({"value": value})
    return out


def _milestone_values(path: _Path, periods: list[tuple[int, int | None]]) -> list[dict]:
    """A state per period (and the criteria met, when the target counts them)."""
    total = path.target.criteria_total
    out: list[dict] = []
    for period in periods:
        done = path.share(period) * path.factor
        if total:
            met = min(max(round(total * done), 0), total)
            state = "done" if met >= total else "in_progress" if met else "not_started"
            out.append({"criteria_met": met, "state": state})
        else:
            state = "done" if done >= 1 else "in_progress" if done > 0.15 else "not_started"
            out.append({"state": state})
    return out


def _kept_values(path: _Path, goal: float, periods: list[tuple[int, int | None]]) -> list[dict]:
    """Around the line a keeper must hold; a lagging keeper misses every other period."""
    f, sign = path.factor, path.sign
    margin = abs(goal) * 0.02 or 0.5
    out: list[dict] = []
    for i, _period in enumerate(periods):
        wobble = path.rng.uniform(-0.3, 0.3) * margin
        value = goal + sign * margin * (f - 0.9) * 2 + wobble
        if f < 0.9 and i % 2:
            value = goal - sign * margin
        out.append({"value": path.rounded(value)})
    return out


def _approved_at(series: Series, period: tuple[int, int | None], now: dt.datetime) -> dt.datetime:
    year, quarter = period
    end = Period(year, quarter or 4).end
    days = 20 + _seed("delay", series.target.pk, year, quarter) % 25
    if series.slow:
        days += 60  # reported, but weeks after the deadline
    moment = dt.datetime.combine(end + dt.timedelta(days=days), dt.time(10, 0))
    return min(timezone.make_aware(moment), now - dt.timedelta(hours=1))


def _office_user():
    return get_user_model().objects.filter(username="office").first()


@dataclass
class LoadResult:
    created: int
    series: int
    correction: Observation | None


def load_demo_history(*, today: dt.date | None = None) -> LoadResult:
    """Write the demo figures (idempotent: existing figures are kept) and the one correction."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = last_due_quarter(today)
    office = _office_user()
    existing = set(Observation.objects.values_list("indicator_id", "region_id", "year", "quarter"))
    rows: list[Observation] = []
    stamps: list[dt.datetime] = []
    chosen = _driving_targets()
    late_regions: set[int] = set()
    for (indicator_id, region_id), target in sorted(chosen.items()):
        series = _series(target)
        if series.indicator.frequency == Indicator.Frequency.QUARTERLY and (
            region_id not in late_regions
        ):  # each region has a quarterly report overdue right now
            series.late = True
        if series.late and series.indicator.frequency == Indicator.Frequency.QUARTERLY:
            late_regions.add(region_id)
        periods = _periods(series, due)
        for period, fields in zip(periods, _values(series, periods), strict=True):
            if (indicator_id, region_id, *period) in existing:
                continue
            approved = _approved_at(series, period, now)
            rows.append(Observation(
                indicator_id=indicator_id, region_id=region_id, year=period[0],
                quarter=period[1], value=fields.get("value"), state=fields.get("state", ""),
                criteria_met=fields.get("criteria_met"), department_id=series.department_id,
                status=Observation.Status.APPROVED, evidence=EVIDENCE, created_by=None,
                approved_by=office, submitted_at=approved - dt.timedelta(days=3),
                approved_at=approved,
            ))
            stamps.append(approved)
    with transaction.atomic():
        created = Observation.objects.bulk_create(rows, batch_size=500)
        # created_at / updated_at say when the figure was made, not when the loader ran.
        for observation, stamp in zip(created, stamps, strict=True):
            observation.created_at = observation.updated_at = stamp - dt.timedelta(days=5)
        Observation.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=500)
        reporting_due_sync(rows=ReportingDue.objects.all())  # bulk_create sends no signal
    correction = _correct_one(office)
    return LoadResult(created=len(created), series=len(chosen), correction=correction)


def _correct_one(office) -> Observation | None:
    """The one correction, through the real services: reporter corrects, office approves."""
    reporter = get_user_model().objects.filter(username="reporter").first()
    profile = getattr(reporter, "profile", None) if reporter else None
    department = getattr(profile, "department", None)
    if office is None or department is None:
        return None
    figures = demo_figures().filter(
        department=department, status=Observation.Status.APPROVED, value__isnull=False,
    ).order_by("-year", "-quarter", "indicator__code")
    if ObservationChange.objects.filter(observation__in=demo_figures(),
                                        action=ObservationChange.Action.CORRECT).exists():
        # Loaded before: one correction is enough. If --remove withdrew it, the reporter
        # submits it again and the office approves it, through the services as before.
        withdrawn = demo_figures().filter(status=Observation.Status.RETURNED,
                                          comment=REMOVED_COMMENT).first()
        if withdrawn is None or withdrawn.department_id != department.pk:
            return None
        submitted = observation_submit(observation=withdrawn, by=reporter)  # type: ignore[arg-type]
        return observation_approve(observation=submitted, by=office)
    figure = figures.first()
    if figure is None:
        return None
    unit = figure.indicator.unit
    step = Decimal(1) if unit in COUNT_UNITS else Decimal("0.5")
    new_value = figure.value + step  # type: ignore[operator]
    if figure.indicator.upper_bound is not None and new_value > figure.indicator.upper_bound:
        new_value = figure.value - step  # type: ignore[operator]
    corrected = observation_correct(observation=figure, by=reporter, reason=CORRECTION_REASON,  # type: ignore[arg-type]
                                    value=new_value, confirm_jump=True)
    return observation_approve(observation=corrected, by=office)


def remove_demo_history() -> tuple[int, int]:
    """Delete the demo figures; withdraw (audited) those that have change rows.

    Returns (deleted, withdrawn).
    """
    office = _office_user()
    with transaction.atomic():
        audited = demo_figures().filter(changes__isnull=False).distinct()
        withdrawn = 0
        for figure in audited.filter(status=Observation.Status.APPROVED):
            Observation.objects.filter(pk=figure.pk).update(
                status=Observation.Status.RETURNED, comment=REMOVED_COMMENT,
                approved_by=None, approved_at=None, version=figure.version + 1,
                updated_at=timezone.now(),
            )
            _record_change(figure, action=ObservationChange.Action.RETURN, by=office,
                           old_status=Observation.Status.APPROVED,
                           new_status=Observation.Status.RETURNED, reason=REMOVED_COMMENT)
            withdrawn += 1
        deleted, _ = demo_figures().filter(changes__isnull=True).delete()
        reporting_due_sync(rows=ReportingDue.objects.all())  # the withdrawn ones: UPDATEs
    return deleted, withdrawn
