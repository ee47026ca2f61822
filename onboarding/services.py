"""Writes of onboarding: upload → review → publish, and later adjustments (docs/onboarding.md).

* :func:`plan_draft_create` saves the plan as 草稿 with its document text and the proposals
  the extractor makes — all or nothing;
* ``proposal_*`` record the office's review (accept, edit, reject, add a missed one);
* :func:`plan_publish` checks what ``validate_seed`` checks (``targets.seed.quote_error``,
  ``number_error``: every quote verbatim in the document, every number in its quote), then
  creates the indicators, departments and targets, sets the plan 执行中 and asks for a
  recompute through the outbox;
* :func:`target_adjust` changes a published target (调整) with a reason and the adjusting
  文号, keeping the earlier version, writing the audit chain and asking for a recompute.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent
from core.broker import enqueue_on_commit
from indicators.models import Department, Indicator, Region
from targets.models import Plan, Target
from targets.seed import VALUELESS_KINDS, number_error, quote_error
from targets.services import recompute_request
from targets.tasks import drain_recompute_outbox

from .extract import extract_targets
from .models import PlanDocument, Proposal, TargetAdjustment
from .selectors import department_match, indicator_suggestions


def _nudge_worker() -> None:
    enqueue_on_commit(drain_recompute_outbox)  # broker down: the outbox keeps the request


class OnboardingError(ValueError):
    """Refused input; ``errors`` are Chinese messages naming the target and the reason."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass
class PlanMetadata:
    title: str
    doc_number: str
    issuer: str
    issue_date: datetime.date | None
    region: Region
    start_year: int
    end_year: int
    base_year: int | None


def _plan_code(region: Region, start_year: int) -> str:
    base = f"{region.code}-{start_year}"
    code, n = base, 1
    while Plan.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def plan_draft_create(*, user: Any, meta: PlanMetadata, filename: str, text: str) -> Plan:
    """A draft plan, its document and the extractor's proposals (one transaction)."""
    plan = Plan.objects.create(
        code=_plan_code(meta.region, meta.start_year),
        region=meta.region,
        title=meta.title,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        issue_date=meta.issue_date,
        start_year=meta.start_year,
        end_year=meta.end_year,
        base_year=meta.base_year,
        vision_year=None,
        status=Plan.Status.DRAFT,
        source=filename[:200],
    )
    document = PlanDocument.objects.create(
        plan=plan, filename=filename[:200], text=text, uploaded_by=user
    )
    for order, cand in enumerate(extract_targets(text), 1):
        suggestion = indicator_suggestions(cand.indicator_name, cand.unit, limit=1)
        if cand.vision and plan.vision_year is None and cand.deadline_year:
            plan.vision_year = cand.deadline_year
        Proposal.objects.create(
            document=document,
            order=order * 10,
            indicator_name=cand.indicator_name[:200],
            comparator=cand.comparator,
            value=cand.value,
            value_high=cand.value_high,
            unit=cand.unit,
            deadline_year=cand.deadline_year,
            kind=cand.kind,
            aspirational=cand.aspirational,
            vision=cand.vision,
            qualitative=cand.qualitative,
            lead_departments=cand.lead_departments,
            participating_departments=cand.participating_departments,
            source_quote=cand.source_quote,
            start=cand.start,
            end=cand.end,
            section=cand.section[:100],
            indicator=suggestion[0].indicator if suggestion else None,
            new_indicator_unit=cand.unit,
            new_indicator_measure=_measure(cand.kind),
            new_indicator_direction="lower" if cand.comparator in ("le", "lt") else "higher",
            new_indicator_lower=Decimal(0),
            new_indicator_upper=Decimal(100) if cand.unit == "%" else None,
        )
    if plan.vision_year:
        plan.save(update_fields=["vision_year"])
    audit_record(
        kind=AuditEvent.Kind.PLAN,
        user=user,
        detail=f"录入新规划(草稿)“{plan.title}”,文件 {filename},候选目标 "
        f"{document.proposals.count()} 个",
    )
    return plan


def _measure(kind: str) -> str:
    if kind in ("cumulative_new", "annual_increment"):
        return Indicator.Measure.FLOW
    if kind == "milestone":
        return Indicator.Measure.MILESTONE
    return Indicator.Measure.LEVEL


EDITABLE = (
    "indicator_name",
    "comparator",
    "value",
    "value_high",
    "unit",
    "deadline_year",
    "kind",
    "aspirational",
    "lead_departments",
    "participating_departments",
    "indicator",
    "new_indicator_unit",
    "new_indicator_measure",
    "new_indicator_direction",
    "new_indicator_lower",
    "new_indicator_upper",
)


def proposal_update(*, proposal: Proposal, data: dict[str, Any]) -> Proposal:
    """The office's edit: the fields given change, and the proposal counts as accepted."""
    changed = False
    for name in EDITABLE:
        if name in data and getattr(proposal, name) != data[name]:
            setattr(proposal, name, data[name])
            changed = True
    proposal.edited = proposal.edited or changed
    proposal.state = Proposal.State.ACCEPTED
    proposal.save()
    return proposal


def proposal_set_state(*, proposal: Proposal, state: str) -> Proposal:
    proposal.state = state
    proposal.save(update_fields=["state"])
    return proposal


def proposals_accept_pending(*, document: PlanDocument) -> int:
    """采纳全部待审: every pending proposal is accepted as proposed; returns how many."""
    return document.proposals.filter(state=Proposal.State.PENDING).update(
        state=Proposal.State.ACCEPTED
    )


def proposal_add(*, document: PlanDocument, start: int, end: int) -> Proposal:
    """A target the extractor missed, from the sentence the office selected in the text."""
    text = document.text
    if not (0 <= start < end <= len(text)) or not text[start:end].strip():
        raise OnboardingError(["所选原文为空或超出文件范围,请在原文中重新选择句子"])
    quote = text[start:end]
    lead = len(quote) - len(quote.lstrip())
    start, quote = start + lead, quote.strip()
    end = start + len(quote)
    found = [c for c in extract_targets(quote) if not c.qualitative]
    last = document.proposals.order_by("-order").values_list("order", flat=True).first() or 0
    base: dict[str, Any] = {
        "indicator_name": quote[:40],
        "comparator": "ge",
        "kind": "level",
        "unit": "",
        "value": None,
        "value_high": None,
        "deadline_year": document.plan.end_year,
        "aspirational": False,
    }
    if found:
        c = found[0]
        base.update(
            indicator_name=c.indicator_name,
            comparator=c.comparator,
            kind=c.kind,
            unit=c.unit,
            value=c.value,
            value_high=c.value_high,
            aspirational=c.aspirational,
            deadline_year=c.deadline_year
            if c.deadline_year
            else (None if c.kind == "annual_increment" else document.plan.end_year),
        )
    suggestion = indicator_suggestions(base["indicator_name"], base["unit"], limit=1)
    return Proposal.objects.create(
        document=document,
        order=last + 10,
        origin="office",
        state=Proposal.State.ACCEPTED,
        source_quote=quote,
        start=start,
        end=end,
        indicator=suggestion[0].indicator if suggestion else None,
        new_indicator_unit=base["unit"],
        new_indicator_measure=_measure(base["kind"]),
        new_indicator_direction="higher",
        **base,
    )


def publish_errors(plan: Plan) -> list[str]:
    """What blocks publishing: the seed validator's checks, per accepted proposal."""
    document: PlanDocument = plan.document
    accepted = list(document.proposals.filter(state=Proposal.State.ACCEPTED))
    errors: list[str] = []
    if not accepted:
        errors.append("尚未采纳任何候选目标")
    pending = document.proposals.filter(state=Proposal.State.PENDING).count()
    if pending:
        errors.append(f"还有 {pending} 个候选目标待审(请采纳或驳回)")
    low, high = plan.start_year - 1, max(plan.end_year, plan.vision_year or 0)
    for p in accepted:
        where = f"候选目标“{p.indicator_name}”"
        for error in (
            quote_error(where, p.source_quote, document.text, document.filename),
            number_error(where, "目标值", p.value, p.source_quote),
            number_error(where, "目标上限", p.value_high, p.source_quote),
        ):
            if error:
                errors.append(error)
        if p.value is None and p.kind not in VALUELESS_KINDS:
            errors.append(f"{where}:{Target.Kind(p.kind).label}类目标须有目标值")
        if p.comparator == "range" and (p.value is None or p.value_high is None):
            errors.append(f"{where}:区间目标须同时有下限和上限")
        if p.value is not None and p.value_high is not None and p.value_high < p.value:
            errors.append(f"{where}:上限低于目标值")
        if p.deadline_year is not None and not low <= p.deadline_year <= high:
            errors.append(f"{where}:目标年份 {p.deadline_year} 不在规划期 {low}—{high} 内")
        if p.indicator_id is None and not p.indicator_name.strip():
            errors.append(f"{where}:须对应已有指标或填写新指标名称")
    return errors


@transaction.atomic
def plan_publish(*, plan: Plan, user: Any) -> Plan:
    """Validate, then create the targets and make the plan 执行中; nothing changes on error."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise OnboardingError([f"规划“{plan.title}”已发布,不能再次发布"])
    errors = publish_errors(plan)
    if errors:
        raise OnboardingError(errors)
    document: PlanDocument = plan.document
    accepted = document.proposals.filter(state=Proposal.State.ACCEPTED).order_by("order", "pk")
    indicators: set[int] = set()
    for n, p in enumerate(accepted, 1):
        indicator = p.indicator or _new_indicator(plan, p, n)
        target = Target.objects.create(
            plan=plan,
            code=f"T{n:03d}",
            indicator=indicator,
            kind=p.kind,
            comparator=p.comparator,
            value=p.value,
            value_high=p.value_high,
            unit=p.unit or indicator.unit,
            deadline_year=p.deadline_year,
            aspirational=p.aspirational,
            section=p.section,
            source_quote=p.source_quote,
            notes="远景目标" if p.vision else "",
        )
        target.lead_departments.set(_departments(plan.region, p.lead_departments))
        target.participating_departments.set(_departments(plan.region, p.participating_departments))
        p.target = target
        p.save(update_fields=["target"])
        indicators.add(indicator.pk)
    plan.status = Plan.Status.IN_FORCE
    plan.save(update_fields=["status", "updated_at"])
    document.published_by, document.published_at = user, timezone.now()
    document.save(update_fields=["published_by", "published_at"])
    for indicator_id in sorted(indicators):
        recompute_request(indicator_id=indicator_id, region_id=plan.region_id)
    _nudge_worker()
    audit_record(
        kind=AuditEvent.Kind.PLAN,
        user=user,
        detail=f"发布规划“{plan.title}”({plan.doc_number}),目标 {accepted.count()} 个",
    )
    return plan


def _new_indicator(plan: Plan, p: Proposal, n: int) -> Indicator:
    code = f"{plan.code}-t{n:03d}"
    return Indicator.objects.create(
        code=code,
        name=p.indicator_name[:200],
        unit=p.new_indicator_unit or p.unit,
        category="其他",
        measure=p.new_indicator_measure or _measure(p.kind),
        direction=p.new_indicator_direction or "higher",
        lower_bound=p.new_indicator_lower,
        upper_bound=p.new_indicator_upper,
        description=f"录入规划“{plan.title}”时新建",
    )


def _departments(region: Region, names: list[str]) -> list[Department]:
    found = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        department = department_match(region, name) or Department.objects.create(
            region=region, name=name[:100]
        )
        if department not in found:
            found.append(department)
    return found


# --------------------------------------------------------------------------- 调整


ADJUSTABLE = (
    "value",
    "value_high",
    "deadline_year",
    "lead_departments",
    "participating_departments",
    "cancelled",
)


def target_snapshot(target: Target) -> dict[str, Any]:
    """The adjustable fields of a target, as JSON (for the 调整记录)."""

    def num(v: Decimal | None) -> str | None:
        return None if v is None else f"{v:f}".rstrip("0").rstrip(".")

    return {
        "value": num(target.value),
        "value_high": num(target.value_high),
        "deadline_year": target.deadline_year,
        "lead_departments": sorted(d.name for d in target.lead_departments.all()),
        "participating_departments": sorted(d.name for d in target.participating_departments.all()),
        "cancelled": target.cancelled,
    }


@transaction.atomic
def target_adjust(
    *,
    target: Target,
    user: Any,
    reason: str,
    doc_number: str,
    value: Decimal | None = None,
    value_high: Decimal | None = None,
    deadline_year: int | None = None,
    lead_departments: list[str] | None = None,
    participating_departments: list[str] | None = None,
    cancel: bool = False,
) -> TargetAdjustment:
    """调整 a published target; the earlier version is kept in the adjustment row."""
    target = _locked_for_adjustment(target, reason=reason, doc_number=doc_number)
    old = target_snapshot(target)
    _apply_adjustment(
        target,
        reason=reason,
        value=value,
        value_high=value_high,
        deadline_year=deadline_year,
        cancel=cancel,
    )
    if lead_departments is not None:
        target.lead_departments.set(_departments(target.plan.region, lead_departments))
    if participating_departments is not None:
        target.participating_departments.set(
            _departments(target.plan.region, participating_departments)
        )
    new = target_snapshot(target)
    if new == old:
        raise OnboardingError(["没有任何改动"])
    return _record_adjustment(
        target, user=user, reason=reason, doc_number=doc_number, old=old, new=new
    )


def _locked_for_adjustment(target: Target, *, reason: str, doc_number: str) -> Target:
    """The target locked for the change; OnboardingError listing every missing piece or
    when its plan is still a draft (edited on the review page instead)."""
    errors = []
    if not reason.strip():
        errors.append("调整原因:必填")
    if not doc_number.strip():
        errors.append("调整文件文号:必填")
    target = Target.objects.select_for_update().select_related("plan").get(pk=target.pk)
    if target.plan.status == Plan.Status.DRAFT:
        errors.append("草稿规划请在审核页修改,不需调整")
    if errors:
        raise OnboardingError(errors)
    return target


def _apply_adjustment(
    target: Target,
    *,
    reason: str,
    value: Decimal | None,
    value_high: Decimal | None,
    deadline_year: int | None,
    cancel: bool,
) -> None:
    """Cancellation, value, upper bound and deadline written and saved (not the departments)."""
    if cancel:
        target.cancelled = True
        target.cancel_reason = reason[:100]
    if value is not None:
        target.value = value
    if value_high is not None or (value is not None and target.comparator != "range"):
        target.value_high = value_high
    if deadline_year is not None:
        target.deadline_year = deadline_year
    if (
        target.value is not None
        and target.value_high is not None
        and (target.value_high < target.value)
    ):
        raise OnboardingError(["目标上限:不能低于目标值"])
    target.save()  # bumps updated_at: the feed's updated_since carries the change


def _record_adjustment(
    target: Target,
    *,
    user: Any,
    reason: str,
    doc_number: str,
    old: dict[str, Any],
    new: dict[str, Any],
) -> TargetAdjustment:
    """The adjustment row (earlier and new version), its audit event, and a recompute of
    the target's series once the transaction commits."""
    adjustment = TargetAdjustment.objects.create(
        target=target,
        adjusted_by=user,
        reason=reason[:200],
        doc_number=doc_number[:60],
        old=old,
        new=new,
    )
    changes = ",".join(f"{k} {old[k]}→{new[k]}" for k in old if old[k] != new[k])
    audit_record(
        kind=AuditEvent.Kind.PLAN,
        user=user,
        detail=f"调整目标 {target.plan.code}/{target.code}({doc_number}):{changes};原因:{reason}",
    )
    recompute_request(indicator_id=target.indicator_id, region_id=target.plan.region_id)
    _nudge_worker()
    return adjustment
