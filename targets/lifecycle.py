"""A plan's life after its deadline (docs/lifecycle.md): 执行中 → 终期评估 → 已收官, the
final assessment (终期评估) with the office's overrides, successors and baselines.

Services (writes) are named ``<entity>_<action>``; ``final_assessment_rows`` is the one read
the page, the PDF and the Excel export share, so the three always show the same rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import Observation

from .frames import load_observations_frame, load_targets_frame, target_filter
from .models import FinalAssessment, FinalVerdict, FinalVerdictChange, Plan, Progress, Target
from .progress import compute_progress

#: The 完成情况 column of a plan document → our statuses (洞头 十三五 表1, docs/lifecycle.md).
DOCUMENT_TO_STATUS = {
    "已完成": Progress.Status.ACHIEVED,
    "完成": Progress.Status.ACHIEVED,
    "未完成": Progress.Status.NOT_ACHIEVED,
    "未完成,有待推进": Progress.Status.NOT_ACHIEVED,
    "积极推行建设中": Progress.Status.NOT_ACHIEVED,  # a milestone still under way at the end
    "政策调整,不再开展": Progress.Status.NOT_APPLICABLE,
    "不再统计": Progress.Status.NOT_APPLICABLE,
}
#: What the office may set as 完成情况 (a verdict, not a pace status).
VERDICT_CHOICES = (
    Progress.Status.ACHIEVED,
    Progress.Status.NOT_ACHIEVED,
    Progress.Status.NOT_APPLICABLE,
    Progress.Status.NO_DATA,
)


# --- 执行中 → 终期评估 ---------------------------------------------------------------------


def plan_states_advance(*, today: datetime.date) -> list[Plan]:
    """Every in-force plan whose end year is over enters 终期评估 (on 1 January after it).

    Idempotent: a plan already in 终期评估 or closed is left alone, and its assessment is
    created once. Returns the plans moved today.
    """
    moved = []
    with transaction.atomic():
        plans = Plan.objects.select_for_update().filter(
            status=Plan.Status.IN_FORCE, end_year__lt=today.year
        )
        for plan in plans:
            plan.status = Plan.Status.FINAL_REVIEW
            plan.save(update_fields=["status", "updated_at"])
            final_assessment_open(plan=plan)
            moved.append(plan)
    return moved


def final_assessment_open(*, plan: Plan) -> FinalAssessment:
    assessment, _ = FinalAssessment.objects.get_or_create(plan=plan)
    return assessment


# --- the final assessment -----------------------------------------------------------------


@dataclass
class FinalRow:
    """One row of 表1: what the page, the PDF and the Excel sheet print."""

    target: Target
    baseline: str
    final_value: float | None
    final_year: int | None
    computed: str  # the engine's verdict
    office: str  # the office's 完成情况: an override, else the computed verdict
    reason: str  # why the office overrode it
    overridden: bool
    document: str  # the plan document's own 完成情况, where it has one (十三五)
    verdict: FinalVerdict | None

    @property
    def computed_label(self) -> str:
        return str(Progress.Status(self.computed).label) if self.computed else "—"

    @property
    def office_label(self) -> str:
        return str(Progress.Status(self.office).label) if self.office else "—"

    @property
    def agrees_with_document(self) -> bool | None:
        expected = DOCUMENT_TO_STATUS.get(self.document)
        return None if expected is None else expected == self.office


def _computed(plan: Plan, as_of: datetime.date) -> pd.DataFrame:
    """The engine's verdicts for the plan's targets as of ``as_of`` (pure computation)."""
    from .services import engine_settings

    targets = load_targets_frame(target_filter(plan_ids=[plan.pk]))
    if targets.empty:
        return pd.DataFrame(columns=["target_id", "status", "current_value", "data_year"])
    observations = load_observations_frame(
        indicator_ids=sorted(set(targets["indicator_id"])), region_ids=[plan.region_id]
    )
    result = compute_progress(targets, observations, as_of=as_of, settings=engine_settings())
    return result.set_index("target_id")


def _baseline_text(target: Target) -> str:
    if target.baseline_value is None:
        return "—"
    number = f"{target.baseline_value:f}".rstrip("0").rstrip(".")
    year = f"（{target.baseline_year}年）" if target.baseline_year else ""
    mark = "，上期规划终期值" if target.baseline_source == Target.BaselineSource.PREDECESSOR else ""
    return f"{number}{target.unit}{year}{mark}"


def final_assessment_rows(*, plan: Plan, as_of: datetime.date | None = None) -> list[FinalRow]:
    """One row per target of ``plan``: goal, baseline, final value, computed verdict and the
    office's 完成情况. A frozen assessment prints its frozen verdicts and values."""
    assessment = FinalAssessment.objects.filter(plan=plan).first()
    frozen = assessment is not None and assessment.frozen
    verdicts = {
        v.target_id: v for v in FinalVerdict.objects.filter(target__plan=plan)
    }
    computed = pd.DataFrame() if frozen else _computed(plan, as_of or timezone.localdate())
    rows = []
    for target in (
        plan.targets.select_related("indicator").prefetch_related("lead_departments")
        .order_by("pk")
    ):
        verdict = verdicts.get(target.pk)
        if frozen and verdict is not None:
            status, value = verdict.frozen_computed, verdict.frozen_value
            office = verdict.frozen_status
        else:
            found = target.pk in computed.index
            status = str(computed.at[target.pk, "status"]) if found else ""
            raw = computed.at[target.pk, "current_value"] if found else None
            year = computed.at[target.pk, "data_year"] if found else None
            # 终期值 is the deadline year's figure only, never an earlier one standing in.
            final_year = target.deadline_year or plan.end_year
            on_time = year is not None and not pd.isna(year) and int(year) == final_year
            value = None if raw is None or pd.isna(raw) or not on_time else float(raw)
            office = (verdict.status if verdict and verdict.status else status)
        rows.append(
            FinalRow(
                target=target,
                baseline=_baseline_text(target),
                final_value=value,
                final_year=target.deadline_year or plan.end_year,
                computed=status,
                office=office,
                reason=verdict.reason if verdict else "",
                overridden=bool(verdict and verdict.status),
                document=target.final_assessment,
                verdict=verdict,
            )
        )
    return rows


def final_verdict_set(
    *, target: Target, status: str, reason: str, user: object
) -> FinalVerdict:
    """The office sets a target's 完成情况 (empty: back to the computed verdict).

    An override needs a reason (e.g. 政策调整不再考核); every change is kept in history.
    A frozen assessment cannot change."""
    plan = Plan.objects.get(pk=target.plan_id)  # the state as stored, not a cached instance
    if plan.status != Plan.Status.FINAL_REVIEW:
        raise ValidationError({"status": "只有处于终期评估阶段的规划可以认定完成情况。"})
    if status and status not in VERDICT_CHOICES:
        raise ValidationError({"status": f"完成情况“{status}”不可选。"})
    reason = (reason or "").strip()
    if status and not reason:
        raise ValidationError({"reason": f"目标{target.code}：更改完成情况须填写理由。"})
    with transaction.atomic():
        assessment = final_assessment_open(plan=plan)
        if assessment.frozen:
            raise ValidationError({"status": "终期评估已定稿，不能再修改。"})
        verdict, _ = FinalVerdict.objects.select_for_update().get_or_create(
            target=target, defaults={"assessment": assessment}
        )
        if verdict.status == status and verdict.reason == reason:
            return verdict
        FinalVerdictChange.objects.create(  # type: ignore[misc]
            verdict=verdict, changed_by=user, old_status=verdict.status, new_status=status,
            reason=reason or "恢复为计算结果",
        )
        verdict.status, verdict.reason = status, reason
        verdict.save(update_fields=["status", "reason"])
    return verdict


def final_assessment_narrate(*, plan: Plan, narrative: str) -> FinalAssessment:
    with transaction.atomic():
        assessment = final_assessment_open(plan=plan)
        if assessment.frozen:
            raise ValidationError({"narrative": "终期评估已定稿，不能再修改。"})
        assessment.narrative = narrative.strip()
        assessment.save(update_fields=["narrative", "updated_at"])
    return assessment


def final_assessment_freeze(
    *, plan: Plan, user: object, today: datetime.date | None = None
) -> FinalAssessment:
    """定稿: keep every row's 完成情况 and final value as frozen and close the plan (已收官)."""
    plan.refresh_from_db()
    if plan.status != Plan.Status.FINAL_REVIEW:
        raise ValidationError({"plan": "只有处于终期评估阶段的规划可以定稿。"})
    rows = final_assessment_rows(plan=plan, as_of=today)
    with transaction.atomic():
        assessment = final_assessment_open(plan=plan)
        for row in rows:
            verdict, _ = FinalVerdict.objects.get_or_create(
                target=row.target, defaults={"assessment": assessment}
            )
            verdict.frozen_status, verdict.frozen_value = row.office, row.final_value
            verdict.frozen_computed = row.computed
            verdict.save(update_fields=["frozen_status", "frozen_computed", "frozen_value"])
        assessment.frozen_at, assessment.frozen_by = timezone.now(), user  # type: ignore[assignment]
        assessment.save(update_fields=["frozen_at", "frozen_by", "updated_at"])
        plan.status = Plan.Status.CLOSED
        plan.save(update_fields=["status", "updated_at"])
    # The stored rows of the plan now carry the frozen verdicts (services.progress_recompute).
    from .services import progress_recompute

    progress_recompute(as_of=today or timezone.localdate(), all_quarters=True, plan_ids=[plan.pk])
    return assessment


# --- successors and baselines ------------------------------------------------------------


def target_baseline_inherit(*, target: Target) -> bool:
    """A successor's target without a baseline takes the predecessor's final approved value
    of the same indicator and region (value and year), marked as such. Returns whether set."""
    plan = target.plan
    predecessor = plan.predecessor
    if predecessor is None or target.baseline_value is not None:
        return False
    year = predecessor.end_year
    figures = list(
        Observation.objects.filter(
            indicator_id=target.indicator_id, region_id=plan.region_id, year=year,
            status=Observation.Status.APPROVED, value__isnull=False,
        ).filter(Q(quarter__isnull=True) | Q(quarter=4))
    )
    # The year's annual figure is the official one; else its fourth quarter (as the engine).
    figures.sort(key=lambda o: o.quarter is not None)
    figure = figures[0] if figures else None
    if figure is None:
        return False
    target.baseline_value, target.baseline_year = figure.value, year
    target.baseline_source = Target.BaselineSource.PREDECESSOR
    target.save(update_fields=["baseline_value", "baseline_year", "baseline_source", "updated_at"])
    return True


def plan_baselines_inherit(*, plan: Plan) -> int:
    """Inherit the baselines of every target of a successor plan; returns how many were set."""
    return sum(target_baseline_inherit(target=t) for t in plan.targets.all())
