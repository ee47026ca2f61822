"""Status changes of figures already entered: submit, approve, return, correct, and in bulk.
Each is atomic and conditional on the status and version the user saw (via
``changes._conditional_update``), records its ObservationChange and, on approval or
correction, announces the figure entering or leaving the approved set so that progress is
recomputed. A status change also re-reads the figure into its ``ReportingDue`` rows
(``reporting.reporting_due_sync_figure``); a correction leaves the status as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..calendar import Period
from ..models import Observation, ObservationChange
from ..signals import observation_approved
from .changes import _conditional_update, _ensure_enters, _record_change, _reload, announce
from .reporting import reporting_due_sync_figure
from .rules import EDITABLE, Entry, EntryContext, Status, check_entry, raise_problems, stale_error
from .rules import display as _display
from .rules import stored as _stored

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def observation_submit(*, observation: Observation, by: User) -> Observation:
    """Submit a draft or returned figure for approval. Atomic; stale → ValidationError."""
    _ensure_enters(by, observation)
    with transaction.atomic():
        old_status = observation.status
        if old_status not in EDITABLE:
            raise stale_error()
        written = _conditional_update(
            observation,
            expected_status=old_status,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
            updated_at=timezone.now(),
        )
        _record_change(
            observation,
            action=ObservationChange.Action.SUBMIT,
            by=by,
            old_status=old_status,
            new_status=Status.SUBMITTED,
        )
        reporting_due_sync_figure(observation)
    _reload(observation, written)
    return observation


def observation_approve(*, observation: Observation, by: User) -> Observation:
    """Approve a submitted figure, or the pending correction of an approved one; approved
    figures are locked.

    The UPDATE is conditional on the status and version the approver saw, so two approvers
    acting at once yield one approval and one ``STALE_MESSAGE``. Sends ``observation_approved``
    (the targets app recomputes progress after commit). Four eyes: nobody approves a figure
    they entered, submitted or proposed a correction of, through any channel
    (``permissions.ensure_not_own_submission``).
    """
    permissions.ensure_can_approve(by, observation)
    permissions.ensure_not_own_submission(by, observation)
    if observation.correction_pending:
        return _approve_correction(observation, by)
    now = timezone.now()
    with transaction.atomic():
        written = _conditional_update(
            observation,
            expected_status=Status.SUBMITTED,
            status=Status.APPROVED,
            approved_by=by,
            approved_at=now,
            comment="",
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
        reporting_due_sync_figure(observation)
        announce(observation_approved, observation)
    _reload(observation, written)
    return observation


def _approve_correction(observation: Observation, by: User) -> Observation:
    """The proposal becomes the published figure in one conditional UPDATE (docs/reliability.md)."""
    now = timezone.now()
    old = _display(observation.value, observation.state)
    new = _display(observation.proposed_value, observation.proposed_state)
    with transaction.atomic():
        written = _conditional_update(
            observation,
            expected_status=Status.APPROVED,
            value=observation.proposed_value,
            state=observation.proposed_state,
            **_NO_PROPOSAL,
            approved_by=by,
            approved_at=now,
            comment="",
            updated_at=now,
        )
        _record_change(
            observation,
            action=ObservationChange.Action.APPROVE,
            by=by,
            old_value=old,
            new_value=new,
            old_status=Status.APPROVED,
            new_status=Status.APPROVED,
            reason=observation.proposed_reason,
        )
        announce(observation_approved, observation)
    _reload(observation, written)
    return observation


#: The columns that clear a correction proposal (approved, or returned).
_NO_PROPOSAL: dict[str, object] = {
    "proposed_value": None,
    "proposed_state": "",
    "proposed_reason": "",
    "proposed_by": None,
    "proposed_at": None,
}


def observation_return(*, observation: Observation, by: User, comment: str) -> Observation:
    """Send a submitted figure back to its department with a mandatory comment."""
    permissions.ensure_can_approve(by, observation)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": ValidationError(_("退回时必须填写退回意见。"), code="required")}
        )
    if observation.correction_pending:
        return _return_correction(observation, by, comment)
    with transaction.atomic():
        written = _conditional_update(
            observation,
            expected_status=Status.SUBMITTED,
            status=Status.RETURNED,
            comment=comment,
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
        reporting_due_sync_figure(observation)
    _reload(observation, written)
    return observation


def _return_correction(observation: Observation, by: User, comment: str) -> Observation:
    """Refuse a proposed correction: the approved figure stays published as it was."""
    proposed = _display(observation.proposed_value, observation.proposed_state)
    with transaction.atomic():
        written = _conditional_update(
            observation,
            expected_status=Status.APPROVED,
            **_NO_PROPOSAL,
            comment=comment,
            updated_at=timezone.now(),
        )
        _record_change(
            observation,
            action=ObservationChange.Action.RETURN,
            by=by,
            old_value=proposed,
            new_value=_display(observation.value, observation.state),
            reason=comment,
        )
    _reload(observation, written)
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
    """Propose a correction of an approved figure; the office approves or returns it.

    The reason is mandatory; the history keeps the old and the proposed value. A correction is
    a proposal (docs/reliability.md, issue 12 row 3): the figure stays approved with its
    approved value — dashboards, the engine and the feed keep it — until the office approves
    the correction (``observation_approve``); returning it (``observation_return``) leaves the
    approved value as it was. One proposal at a time.
    """
    _ensure_enters(by, observation)
    reason = _checked_correction_reason(observation, reason)
    new_value, new_state = _checked_correction(observation, by, value, state, confirm_jump)
    old = _display(observation.value, observation.state)
    now = timezone.now()
    with transaction.atomic():
        written = _conditional_update(
            observation,
            expected_status=Status.APPROVED,
            proposed_value=new_value,
            proposed_state=new_state,
            proposed_reason=reason,
            proposed_by=by,
            proposed_at=now,
            comment="",
            updated_at=now,
        )
        _record_change(
            observation,
            action=ObservationChange.Action.CORRECT,
            by=by,
            old_value=old,
            new_value=_display(new_value, new_state),
            reason=reason,
        )
    _reload(observation, written)
    return observation


def _checked_correction_reason(observation: Observation, reason: str) -> str:
    """The stripped reason; the figure must be approved with no correction pending."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("更正已审核的数据必须填写更正原因。"), code="required")}
        )
    if observation.status != Status.APPROVED:
        raise ValidationError(
            _("只有已审核的数据需要更正；未审核的数据请直接修改。"), code="not_approved"
        )
    if observation.correction_pending:
        raise ValidationError(
            _("该数据已有一条更正在等待审核，请待领导小组办公室处理后再提交。"), code="pending"
        )
    return reason


def _checked_correction(
    observation: Observation, by: User, value: Decimal | None, state: str, confirm_jump: bool
) -> tuple[Decimal | None, str]:
    """The proposed value and state, through the one validator; it must differ from the
    approved one."""
    ctx = EntryContext.load(
        department=permissions.reporter_department(by),  # type: ignore[arg-type]
        period=Period(observation.year, observation.quarter),
        today=timezone.localdate(),
        indicator_ids=[observation.indicator_id],
    )
    ctx.existing[observation.indicator_id] = observation
    entry = Entry(observation.indicator, value, state, observation.evidence, confirm_jump)
    raise_problems(check_entry(entry, ctx, correcting=True), by_field=True)
    new_value, new_state = _stored(entry)
    if _display(observation.value, observation.state) == _display(new_value, new_state):
        raise ValidationError(
            {"value": ValidationError(_("更正后的数值与原值相同。"), code="unchanged")}
        )
    return new_value, new_state


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
