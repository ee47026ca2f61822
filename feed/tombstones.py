"""Tombstones for incremental sync: record what leaves the published feed, and when.

Receivers only, connected for the models each app hands over at start-up (``track_deletions``,
``track_observations``, ``track_target_departments``, called from ``IndicatorsConfig.ready``
and ``TargetsConfig.ready``: the feed never names a model of a layer above it). A deleted
plan, target, region, department or indicator, a deleted approved observation, and an approved
observation that stops being approved (a correction or a return) each leave one
``Tombstone``. An observation
approved again loses its tombstone: it comes back as a changed row. These are bookkeeping for
the feed, not business rules, which is why they may be signals (STYLE: no rules in signals).

A change to a target's departments moves its ``updated_at`` (a many-to-many edit does not).

Observations are watched twice on purpose: through their own ``post_save`` (which sees a
status change made with ``save()``) and through ``ObservationChange`` (which every service
writes, and which also sees a status moved with a conditional ``UPDATE`` that fires no
signal on the observation). Recording a tombstone is idempotent, so catching one event
twice is harmless.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

APPROVED = "approved"


def tombstone_record(*, label: str, object_id: int, natural_key: str, reason: str) -> None:
    """Upsert the tombstone of one object (one row per object; ``deleted_at`` moves)."""
    from .models import Tombstone

    Tombstone.objects.update_or_create(
        model=label,
        object_id=object_id,
        defaults={"natural_key": natural_key[:200], "reason": reason, "deleted_at": timezone.now()},
    )


def tombstone_clear(*, label: str, object_id: int) -> None:
    from .models import Tombstone

    Tombstone.objects.filter(model=label, object_id=object_id).delete()


def natural_key_text(instance: models.Model) -> str:
    """Readable business key: ``plan/T001``, ``indicator/region/2024Q1``…; '' if unknown."""
    try:
        key = instance.natural_key()  # type: ignore[attr-defined]
    except (AttributeError, ObjectDoesNotExist):
        return ""
    label = instance._meta.label_lower
    if label == "indicators.observation":
        indicator, region, year, quarter = key
        return f"{indicator}/{region}/{year}" + (f"Q{quarter}" if quarter else "")
    return "/".join(str(part) for part in key)


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    label = sender._meta.label_lower
    if label == "indicators.observation" and instance.__dict__.get("status") != APPROVED:
        return  # never published, so no mirror holds it
    tombstone_record(
        label=label, object_id=instance.pk, natural_key=natural_key_text(instance),
        reason="deleted",
    )


def _observation_loaded(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    status = instance.__dict__.get("status")  # absent when deferred: state unknown
    instance._qt_published = None if status is None else status == APPROVED  # type: ignore[attr-defined]


def _observation_saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    now_published = instance.__dict__.get("status") == APPROVED
    was_published = getattr(instance, "_qt_published", None)
    if was_published and not now_published:
        tombstone_record(
            label="indicators.observation", object_id=instance.pk,
            natural_key=natural_key_text(instance), reason="unpublished",
        )
    elif now_published and was_published is False:
        tombstone_clear(label="indicators.observation", object_id=instance.pk)
    instance._qt_published = now_published  # type: ignore[attr-defined]


def _observation_change_saved(
    sender: type[models.Model], instance: Any, created: bool, **kwargs: Any
) -> None:
    if not created or not instance.new_status:
        return
    if instance.old_status == APPROVED and instance.new_status != APPROVED:
        tombstone_record(
            label="indicators.observation", object_id=instance.observation_id,
            natural_key=natural_key_text(instance.observation), reason="unpublished",
        )
    elif instance.new_status == APPROVED:
        tombstone_clear(label="indicators.observation", object_id=instance.observation_id)


def _target_departments_changed(
    sender: type[models.Model], instance: models.Model, action: str, reverse: bool,
    pk_set: set[int] | None, target_model: type[models.Model], **kwargs: Any,
) -> None:
    """A target's lead or participating departments changed: it changed for the feed too.

    ``updated_at`` is ``auto_now``, which a many-to-many edit does not touch; without this a
    mirror syncing with ``updated_since`` would keep the old department names.
    ``target_model`` is bound when the receiver is connected.
    """
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            ids: set[int] | list[int] = {instance.pk}
        else:
            return
    elif action in ("post_add", "post_remove"):
        ids = pk_set or set()
    elif action == "pre_clear":  # from the department's side: touch what it is leaving
        ids = list(sender.objects.filter(department_id=instance.pk).values_list(  # type: ignore[attr-defined]
            "target_id", flat=True))
    else:
        return
    if ids:
        target_model._default_manager.filter(pk__in=ids).update(updated_at=timezone.now())


def track_deletions(*tracked: type[models.Model]) -> None:
    """A deleted row of each of these models leaves a tombstone (a mirror must learn of it)."""
    for model in tracked:
        label = model._meta.label
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"tombstone-{label}")


def track_observations(observation: type[models.Model], change: type[models.Model]) -> None:
    """An approved figure that stops being approved leaves the feed as ``unpublished``; one
    approved again comes back. Watched on the figure and on its change log (see above)."""
    post_init.connect(_observation_loaded, sender=observation, dispatch_uid="tombstone-obs-init")
    post_save.connect(_observation_saved, sender=observation, dispatch_uid="tombstone-obs-save")
    post_save.connect(_observation_change_saved, sender=change, dispatch_uid="tombstone-obs-change")


def track_target_departments(target: type[models.Model]) -> None:
    """A change of a target's departments moves its ``updated_at`` (a mirror re-reads it)."""
    for relation in (target.lead_departments, target.participating_departments):  # type: ignore[attr-defined]
        m2m_changed.connect(
            partial(_target_departments_changed, target_model=target), sender=relation.through,
            dispatch_uid=f"sync-target-departments-{relation.field.name}", weak=False,
        )
