"""Writes to observations: enter (draft / submit), approve, return, correct. The only writers.

Every function is keyword-only, checks access through ``indicators.permissions`` (raising
PermissionDenied) and the rules of ``rules.check_entry`` (raising ValidationError with a
``code`` and a Chinese message naming the indicator and the reason), so the pages and the
write API behave alike.

Concurrency: every status change is a conditional ``UPDATE … WHERE status = <expected> AND
version = <expected>`` whose row count is checked; the loser of a race gets
``STALE_MESSAGE``. Every change is recorded by ``_record_change``, the single writer of
ObservationChange, so "nothing lost" holds by construction. Nothing is ever deleted.

Entering figures (the single-figure and whole-period workflow) lives here; the status
transitions and bulk actions are in ``transitions`` and the shared primitives in ``changes``.
Every one of them is importable from this module too.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import permissions
from ..calendar import Period
from ..models import Indicator, Observation, ObservationChange
from .changes import _conditional_update, _period, _record_change, _reload, announce
from .rules import (
    EDITABLE,
    STALE_MESSAGE,
    Entry,
    EntryContext,
    Problem,
    Status,
    check_entry,
    raise_problems,
)
from .rules import display as _display
from .rules import stored as _stored
from .transitions import (
    BulkOutcome,
    observation_approve,
    observation_correct,
    observation_return,
    observation_submit,
    observations_approve_bulk,
    observations_return_bulk,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

__all__ = [
    "EDITABLE",
    "STALE_MESSAGE",
    "BulkOutcome",
    "Entry",
    "EntryContext",
    "Problem",
    "_record_change",
    "announce",
    "check_entry",
    "observation_approve",
    "observation_correct",
    "observation_return",
    "observation_save_draft",
    "observation_submit",
    "observations_approve_bulk",
    "observations_enter",
    "observations_return_bulk",
    "write_entry",
]


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
    _reload(existing)
    return existing
