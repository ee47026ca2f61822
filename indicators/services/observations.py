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
from django.utils import timezone

from .. import permissions
from ..calendar import Period
from ..models import Department, Indicator, Observation, ObservationChange
from .changes import _conditional_update, _period, _record_change, _reload, announce
from .reporting import reporting_due_sync_figure
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
    from django.contrib.auth.models import User

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
    """Create or update one checked entry (inside the caller's transaction).

    The figure's reporting rows follow its new status at once (``ReportingDue``,
    docs/monitoring.md "Reporting completeness and overdue").
    """
    existing = ctx.existing.get(entry.indicator.pk)
    if existing is None:
        return _create_entry(entry, ctx, by=by, submit=submit, action=action)
    return _update_entry(existing, entry, ctx, by=by, submit=submit, action=action)


def _create_entry(
    entry: Entry, ctx: EntryContext, *, by: User, submit: bool, action: str | None
) -> Observation:
    """A first figure for the period: a draft, or submitted at once. Two change rows then."""
    value, state = _stored(entry)
    observation = Observation.objects.create(
        indicator=entry.indicator,
        **_region_of(ctx.department, by),
        year=ctx.period.year,
        quarter=ctx.period.quarter,
        value=value,
        state=state,
        evidence=entry.evidence,
        department=ctx.department,
        status=Status.SUBMITTED if submit else Status.DRAFT,
        created_by=by,
        submitted_at=timezone.now() if submit else None,
    )  # its post_save receiver files it into ReportingDue
    _record_change(
        observation,
        action=action or ObservationChange.Action.CREATE,
        by=by,
        new_value=_display(value, state),
        new_status=Status.DRAFT,
    )
    if submit:
        _record_submit(observation, by=by, old_status=Status.DRAFT)
    return observation


def _region_of(department: Department, by: User) -> dict[str, object]:
    """A new figure's region, the department's: the writer's own region object when it is
    that one (a signed-in reporter's profile comes with it), so the answer names the region
    without reading it again."""
    profile = getattr(by, "profile", None)
    if profile is not None and profile.region_id == department.region_id:
        return {"region": profile.region}
    return {"region_id": department.region_id}


def _update_entry(
    existing: Observation,
    entry: Entry,
    ctx: EntryContext,
    *,
    by: User,
    submit: bool,
    action: str | None,
) -> Observation:
    """Edit (and/or submit) the period's figure with a conditional UPDATE; unchanged and not
    submitted: nothing is written."""
    value, state = _stored(entry)
    old_value, old_status = _display(existing.value, existing.state), existing.status
    changed = (existing.value, existing.state, existing.evidence) != (value, state, entry.evidence)
    if not changed and not submit:
        return existing
    written = _conditional_update(
        existing, expected_status=old_status,
        **_entry_updates(entry, ctx, value=value, state=state, submit=submit),
    )
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
        _record_submit(existing, by=by, old_status=Status.DRAFT if changed else old_status)
    reporting_due_sync_figure(existing)
    _reload(existing, written)
    return existing


def _entry_updates(
    entry: Entry, ctx: EntryContext, *, value: Decimal | None, state: str, submit: bool
) -> dict[str, object]:
    """The columns an edit writes: the figure, its department and status (and the version,
    which ``_conditional_update`` bumps)."""
    now = timezone.now()
    updates: dict[str, object] = {
        "value": value,
        "state": state,
        "evidence": entry.evidence,
        "department": ctx.department,
        "status": Status.SUBMITTED if submit else Status.DRAFT,
        "updated_at": now,
    }
    if submit:
        updates["submitted_at"] = now
    return updates


def _record_submit(observation: Observation, *, by: User, old_status: str) -> None:
    _record_change(
        observation,
        action=ObservationChange.Action.SUBMIT,
        by=by,
        old_status=old_status,
        new_status=Status.SUBMITTED,
    )
