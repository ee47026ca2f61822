"""Writes to observations: enter (draft / submit), approve, return, correct. The only writers.

Every function is keyword-only, checks access through ``indicators.permissions`` (raising
PermissionDenied) and the rules of ``rules.check_entry`` (raising ValidationError with a
``code`` and a Chinese message naming the indicator and the reason), so the pages and the
write API behave alike.

Concurrency: every status change is a conditional ``UPDATE … WHERE status = <expected> AND
version = <expected>`` whose row count is checked; the loser of a race gets
``STALE_MESSAGE``. Every change is recorded by ``_record_change``, the single writer of
ObservationChange, so "nothing lost" holds by construction. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..calendar import Period
from ..models import Indicator, Observation, ObservationChange
from ..signals import observation_approved, observation_withdrawn
from .rules import (
    EDITABLE,
    STALE_MESSAGE,
    Entry,
    EntryContext,
    Problem,
    Status,
    check_entry,
    raise_problems,
    stale_error,
)
from .rules import display as _display
from .rules import stored as _stored

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

__all__ = ["EDITABLE", "STALE_MESSAGE", "Entry", "EntryContext", "Problem", "check_entry"]


# --- Writes ---------------------------------------------------------------------------------


def observations_enter(
    *,
    by: User,
    period: Period,
    entries: Sequence[Entry],
    submit: bool = False,
    today: datetime.date | None = None,
) -> list[Observation]:
    """Save (and, with ``submit``, submit) a department's figures for one period.

    All or nothing: every entry is checked first and a ValidationError lists every problem;
    otherwise all are written in one transaction. Raises PermissionDenied for an indicator
    the user's department does not lead.
    """
    department = permissions.ensure_reporter(by)
    for entry in entries:
        permissions.ensure_can_enter(by, entry.indicator)
    ctx = EntryContext.load(
        department=department,
        period=period,
        today=today or timezone.localdate(),
        indicator_ids=[e.indicator.pk for e in entries],
    )
    raise_problems([p for entry in entries for p in check_entry(entry, ctx)])
    with transaction.atomic():
        return [write_entry(entry, ctx, by=by, submit=submit) for entry in entries]


def observation_save_draft(
    *,
    by: User,
    indicator: Indicator,
    year: int,
    quarter: int | None = None,
    value: Decimal | None = None,
    state: str = "",
    evidence: str = "",
    confirm_jump: bool = False,
) -> Observation:
    """Create or edit the user's department's draft figure for one period (the API's create).

    Raises ValidationError keyed by field ("value", "state", "period", "indicator") with codes
    required, not_lead, frequency, outside_plan, future, duplicate, invalid_state,
    out_of_range, negative, too_large, confirm_jump (resend with confirm_jump=True), stale.
    """
    return _enter_one(
        by=by,
        indicator=indicator,
        year=year,
        quarter=quarter,
        value=value,
        state=state,
        evidence=evidence,
        confirm_jump=confirm_jump,
        submit=False,
    )


def _enter_one(
    *,
    by: User,
    indicator: Indicator,
    year: int,
    quarter: int | None,
    value: Decimal | None,
    state: str,
    evidence: str,
    confirm_jump: bool,
    submit: bool,
) -> Observation:
    department = permissions.ensure_can_enter(by, indicator)
    period = _period(year, quarter)
    entry = Entry(indicator, value, state, evidence, confirm_jump)
    ctx = EntryContext.load(
        department=department,
        period=period,
        today=timezone.localdate(),
        indicator_ids=[indicator.pk],
    )
    raise_problems(check_entry(entry, ctx), by_field=True)
    with transaction.atomic():
        return write_entry(entry, ctx, by=by, submit=submit)


def write_entry(
    entry: Entry, ctx: EntryContext, *, by: User, submit: bool, action: str | None = None
) -> Observation:
    """Create or update one checked entry (inside the caller's transaction)."""
    indicator, period = entry.indicator, ctx.period
    value, state = _stored(entry)
    now = timezone.now()
    new_status = Status.SUBMITTED if submit else Status.DRAFT
    existing = ctx.existing.get(indicator.pk)
    if existing is None:
        observation = Observation.objects.create(
            indicator=indicator,
            region_id=ctx.department.region_id,
            year=period.year,
            quarter=period.quarter,
            value=value,
            state=state,
            evidence=entry.evidence,
            department=ctx.department,
            status=new_status,
            created_by=by,
            submitted_at=now if submit else None,
        )
        _record_change(
            observation,
            action=action or ObservationChange.Action.CREATE,
            by=by,
            new_value=_display(value, state),
            new_status=Status.DRAFT,
        )
        if submit:
            _record_change(
                observation,
                action=ObservationChange.Action.SUBMIT,
                by=by,
                old_status=Status.DRAFT,
                new_status=Status.SUBMITTED,
            )
        return observation

    old_value, old_status = _display(existing.value, existing.state), existing.status
    changed = (existing.value, existing.state, existing.evidence) != (value, state, entry.evidence)
    if not changed and not submit:
        return existing
    updates: dict[str, object] = {
        "value": value,
        "state": state,
        "evidence": entry.evidence,
        "department": ctx.department,
        "status": new_status,
        "version": F("version") + 1,
        "updated_at": now,
    }
    if submit:
        updates["submitted_at"] = now
    _conditional_update(existing, expected_status=old_status, **updates)
    if changed:
        _record_change(
            existing,
            action=action or ObservationChange.Action.EDIT,
            by=by,
            old_value=old_value,
            new_value=_display(value, state),
            old_status=old_status,
            new_status=Status.DRAFT,
        )
    if submit:
        _record_change(
            existing,
            action=ObservationChange.Action.SUBMIT,
            by=by,
            old_status=Status.DRAFT if changed else old_status,
            new_status=Status.SUBMITTED,
        )
    existing.refresh_from_db()
    return existing


def observation_submit(*, observation: Observation, by: User) -> Observation:
    """Submit a draft or returned figure for approval. Atomic; stale → ValidationError."""
    _ensure_enters(by, observation)
    with transaction.atomic():
        old_status = observation.status
        if old_status not in EDITABLE:
            raise stale_error()
        _conditional_update(
            observation,
            expected_status=old_status,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        _record_change(
            observation,
            action=ObservationChange.Action.SUBMIT,
            by=by,
            old_status=old_status,
            new_status=Status.SUBMITTED,
        )
    observation.refresh_from_db()
    return observation


def observation_approve(*, observation: Observation, by: User) -> Observation:
    """Approve a submitted figure; approved figures are locked.

    The UPDATE is conditional on the status and version the approver saw, so two approvers
    acting at once yield one approval and one ``STALE_MESSAGE``. Sends ``observation_approved``
    (the targets app recomputes progress after commit).
    """
    permissions.ensure_can_approve(by, observation)
    now = timezone.now()
    with transaction.atomic():
        _conditional_update(
            observation,
            expected_status=Status.SUBMITTED,
            status=Status.APPROVED,
            approved_by=by,
            approved_at=now,
            comment="",
            version=F("version") + 1,
            updated_at=now,
        )
        _record_change(
            observation,
            action=ObservationChange.Action.APPROVE,
            by=by,
            old_status=Status.SUBMITTED,
            new_status=Status.APPROVED,
            new_value=_display(observation.value, observation.state),
        )
        announce(observation_approved, observation)
    observation.refresh_from_db()
    return observation


def observation_return(*, observation: Observation, by: User, comment: str) -> Observation:
    """Send a submitted figure back to its department with a mandatory comment."""
    permissions.ensure_can_approve(by, observation)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": ValidationError(_("退回时必须填写退回意见。"), code="required")}
        )
    with transaction.atomic():
        _conditional_update(
            observation,
            expected_status=Status.SUBMITTED,
            status=Status.RETURNED,
            comment=comment,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        _record_change(
            observation,
            action=ObservationChange.Action.RETURN,
            by=by,
            old_status=Status.SUBMITTED,
            new_status=Status.RETURNED,
            reason=comment,
        )
    observation.refresh_from_db()
    return observation


def observation_correct(
    *,
    observation: Observation,
    by: User,
    reason: str,
    value: Decimal | None = None,
    state: str = "",
    confirm_jump: bool = False,
) -> Observation:
    """Correct an approved figure: the new value goes through approval again.

    The reason is mandatory; the history keeps the old and the new value. Until the office
    approves the correction the figure is "submitted", so progress no longer counts it.
    """
    _ensure_enters(by, observation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("更正已审核的数据必须填写更正原因。"), code="required")}
        )
    if observation.status != Status.APPROVED:
        raise ValidationError(
            _("只有已审核的数据需要更正；未审核的数据请直接修改。"), code="not_approved"
        )
    department = permissions.reporter_department(by)
    period = Period(observation.year, observation.quarter)
    ctx = EntryContext.load(
        department=department,
        period=period,  # type: ignore[arg-type]
        today=timezone.localdate(),
        indicator_ids=[observation.indicator_id],
    )
    ctx.existing[observation.indicator_id] = observation
    entry = Entry(observation.indicator, value, state, observation.evidence, confirm_jump)
    raise_problems(check_entry(entry, ctx, correcting=True), by_field=True)
    new_value, new_state = _stored(entry)
    old = _display(observation.value, observation.state)
    if old == _display(new_value, new_state):
        raise ValidationError(
            {"value": ValidationError(_("更正后的数值与原值相同。"), code="unchanged")}
        )
    now = timezone.now()
    with transaction.atomic():
        _conditional_update(
            observation,
            expected_status=Status.APPROVED,
            value=new_value,
            state=new_state,
            status=Status.SUBMITTED,
            submitted_at=now,
            approved_by=None,
            approved_at=None,
            comment="",
            version=F("version") + 1,
            updated_at=now,
        )
        _record_change(
            observation,
            action=ObservationChange.Action.CORRECT,
            by=by,
            old_value=old,
            new_value=_display(new_value, new_state),
            old_status=Status.APPROVED,
            new_status=Status.SUBMITTED,
            reason=reason,
        )
        announce(observation_withdrawn, observation)
    observation.refresh_from_db()
    return observation


@dataclass
class BulkOutcome:
    done: list[Observation] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one message per figure not processed


def observations_approve_bulk(*, observations: Sequence[Observation], by: User) -> BulkOutcome:
    """Approve several figures, each in its own transaction; report those someone else took."""
    return _bulk(observations, lambda o: observation_approve(observation=o, by=by))


def observations_return_bulk(
    *, observations: Sequence[Observation], by: User, comment: str
) -> BulkOutcome:
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": ValidationError(_("退回时必须填写退回意见。"), code="required")}
        )
    return _bulk(observations, lambda o: observation_return(observation=o, by=by, comment=comment))


def _bulk(observations, act) -> BulkOutcome:  # type: ignore[no-untyped-def]
    outcome = BulkOutcome()
    for observation in observations:
        try:
            outcome.done.append(act(observation))
        except (ValidationError, PermissionDenied) as error:
            reason = "；".join(getattr(error, "messages", [str(error)]))
            outcome.failed.append(
                f"{observation.indicator.name}（{observation.period_label}）：{reason}"
            )
    return outcome


# --- Private helpers ------------------------------------------------------------------------


def _ensure_enters(by: User, observation: Observation) -> None:
    department = permissions.ensure_can_enter(by, observation.indicator)
    if department.region_id != observation.region_id:
        raise PermissionDenied(_("您无权修改其他地区的数据。"))


def _period(year: int, quarter: int | None) -> Period:
    try:
        return Period(int(year), quarter)
    except (TypeError, ValueError):
        raise ValidationError(
            {"period": ValidationError(_("季度应为1至4。"), code="invalid")}
        ) from None


def announce(signal: Signal, observation: Observation) -> None:
    """Tell the other layers that a figure entered or left the approved set."""
    signal.send(
        sender=Observation,
        observation_id=observation.pk,
        indicator_id=observation.indicator_id,
        region_id=observation.region_id,
    )


def _conditional_update(
    observation: Observation, *, expected_status: str, **updates: object
) -> None:
    """UPDATE … WHERE pk, status and version are what the caller saw; else STALE_MESSAGE."""
    changed = Observation.objects.filter(
        pk=observation.pk, status=expected_status, version=observation.version
    ).update(**updates)
    if changed != 1:
        raise stale_error()


def _record_change(
    observation: Observation,
    *,
    action: str,
    by: User,
    old_value: str = "",
    new_value: str = "",
    old_status: str = "",
    new_status: str = "",
    reason: str = "",
) -> ObservationChange:
    """The single writer of ObservationChange (who, when, old, new, why). Append-only."""
    return ObservationChange.objects.create(
        observation=observation,
        action=action,
        by=by,
        old_value=old_value,
        new_value=new_value,
        old_status=old_status,
        new_status=new_status,
        reason=reason,
    )
