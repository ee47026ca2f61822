"""Wiring only: an approved figure asks for a recompute of the targets it feeds.

indicators cannot import targets (the layers run indicators → targets → reports), so it sends
``observation_approved``; this receiver writes an outbox row in the approval's transaction
and, after commit, nudges a worker to drain the outbox. If the broker is unreachable the nudge
is dropped (logged), never the request: beat drains the outbox every minute.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.broker import enqueue_on_commit
from indicators.models import Observation
from indicators.signals import observation_approved, observation_withdrawn

from .lifecycle import plan_baselines_inherit, target_baseline_inherit
from .models import Plan, Target
from .services import recompute_request
from .tasks import drain_recompute_outbox


@receiver([observation_approved, observation_withdrawn])
def recompute_after_approval(sender: object, *, observation_id: int, **kwargs: object) -> None:
    indicator_id, region_id = Observation.objects.values_list("indicator_id", "region_id").get(
        pk=observation_id
    )
    recompute_request(indicator_id=indicator_id, region_id=region_id)
    enqueue_on_commit(drain_recompute_outbox)  # broker down: the outbox keeps the request


@receiver(post_save, sender=Target)
def inherit_baseline_from_predecessor(
    sender: object, *, instance: Target, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """A new target of a successor plan takes the predecessor's final value as its default
    baseline (docs/lifecycle.md "Successors"). Fixtures (``raw``) are loaded as they are."""
    if created and not raw and instance.baseline_value is None:
        target_baseline_inherit(target=instance)


@receiver(post_save, sender=Plan)
def inherit_baselines_when_a_predecessor_is_named(
    sender: object, *, instance: Plan, raw: bool = False, **kwargs: object
) -> None:
    if not raw and instance.predecessor_id is not None:
        plan_baselines_inherit(plan=instance)
