"""The primitives every writer of observations shares: guarded UPDATEs and the change log.
``_conditional_update`` is the ``UPDATE … WHERE status = <expected> AND version = <expected>``
whose loser gets ``STALE_MESSAGE``; ``_record_change`` is the single writer of
ObservationChange; ``announce`` tells the other layers a figure entered or left the approved
set; ``_ensure_enters`` and ``_period`` check the writer's region and the period asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import Signal
from django.utils.translation import gettext as _

from .. import permissions
from ..calendar import Period
from ..models import Observation, ObservationChange
from .rules import stale_error

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


def _reload(observation: Observation, written: dict[str, object]) -> None:
    """Bring the instance up to date with what its ``_conditional_update`` wrote, once the
    transaction has committed. No re-read is needed: the UPDATE matched the pk, status and
    version the instance was read with, so every other column is as read, and no trigger
    changes the row (docs/scale.md, "Submissions under the rush"). Relations the answer shows
    and the caller did not load (indicator, region, department) load on first use."""
    for name, value in written.items():
        setattr(observation, name, value)


def _conditional_update(
    observation: Observation, *, expected_status: str, **updates: object
) -> dict[str, object]:
    """UPDATE … WHERE pk, status and version are what the caller saw; else STALE_MESSAGE.

    Every change bumps the version (to the instance's + 1: the WHERE pins the old one).
    Returns the columns written, for ``_reload`` after the commit.
    """
    written = {**updates, "version": observation.version + 1}
    changed = Observation.objects.filter(
        pk=observation.pk, status=expected_status, version=observation.version
    ).update(**written)
    if changed != 1:
        raise stale_error()
    return written


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
