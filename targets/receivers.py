"""Wiring only: an approved figure asks for a recompute of the targets it feeds.

indicators cannot import targets (the layers run indicators → targets → reports), so it sends
``observation_approved``; this receiver writes an outbox row in the approval's transaction
and, after commit, nudges a worker to drain the outbox. If the broker is unreachable the nudge
is dropped (logged), never the request: beat drains the outbox every minute.

What a department must report follows the targets it leads, so a change of a target's lead
departments, of a target or of its plan rewrites those departments' ``ReportingDue`` rows
(``indicators.services.reporting``; docs/monitoring.md "Reporting completeness and overdue").
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from core.broker import enqueue_on_commit
from indicators.models import Department, Indicator, Observation
from indicators.services.reporting import reporting_due_refresh
from indicators.signals import observation_approved, observation_withdrawn

from .lifecycle import plan_baselines_inherit, target_baseline_inherit
from .models import Plan, Target
from .rollups import rollups_rebuild
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


# --- What each lead department must report (ReportingDue) ------------------------------------


@receiver(m2m_changed, sender=Target.lead_departments.through)
def refresh_reporting_when_leads_change(
    sender: object, *, instance: Target | Department, action: str, reverse: bool,
    pk_set: set[int] | None, **kwargs: object
) -> None:
    if action == "pre_clear":  # the departments that are about to stop leading it
        instance._leads_before_clear = _lead_ids(instance, reverse)  # type: ignore[union-attr]
    elif action == "post_clear":
        reporting_due_refresh(department_ids=getattr(instance, "_leads_before_clear", []))
    elif action in ("post_add", "post_remove"):
        reporting_due_refresh(department_ids=[instance.pk] if reverse else pk_set or [])


def _lead_ids(instance: Target | Department, reverse: bool) -> list[int]:
    if reverse:
        return [instance.pk]
    return list(instance.lead_departments.values_list("pk", flat=True))  # type: ignore[union-attr]


@receiver(post_save, sender=Target)
def refresh_reporting_of_target(
    sender: object, *, instance: Target, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Cancelled, moved to another indicator or deadline: its leads owe something else."""
    if not created and not raw:
        reporting_due_refresh(department_ids=_lead_ids(instance, reverse=False))


@receiver(pre_delete, sender=Target)
def note_leads_of_deleted_target(sender: object, *, instance: Target, **kwargs: object) -> None:
    instance._leads_before_delete = _lead_ids(instance, reverse=False)  # type: ignore[attr-defined]


@receiver(post_delete, sender=Target)
def refresh_reporting_of_deleted_target(
    sender: object, *, instance: Target, **kwargs: object
) -> None:
    reporting_due_refresh(department_ids=getattr(instance, "_leads_before_delete", []))


@receiver(post_save, sender=Plan)
def refresh_reporting_of_plan(
    sender: object, *, instance: Plan, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Its state (执行中, 终期评估, …) and years decide which periods its targets' leads owe."""
    if not created and not raw:
        leads = Department.objects.filter(led_targets__plan=instance).distinct()
        reporting_due_refresh(department_ids=leads.values_list("pk", flat=True))
# The rollup tables (targets/rollups.py) follow Progress through database triggers; what the
# triggers cannot see — a counted target's plan, category, 力争/约束性 flags or lead
# departments changing — is rebuilt here for the plans concerned (docs/scale.md).
_ROLLUP_FIELDS = ("plan_id", "indicator_id", "aspirational", "binding")


@receiver(pre_save, sender=Target)
def note_rollup_fields(sender: object, *, instance: Target, raw: bool = False,
                       **kwargs: object) -> None:
    if raw or instance.pk is None:
        return
    instance._rollup_before = (  # type: ignore[attr-defined]
        Target.objects.filter(pk=instance.pk).values_list(*_ROLLUP_FIELDS).first()
    )


@receiver(post_save, sender=Target)
def rebuild_rollups_after_a_target_change(
    sender: object, *, instance: Target, created: bool, raw: bool = False, **kwargs: object
) -> None:
    before = getattr(instance, "_rollup_before", None)
    if created or raw or before is None:
        return
    now = tuple(getattr(instance, name) for name in _ROLLUP_FIELDS)
    if now != tuple(before):
        rollups_rebuild(plan_ids={before[0], instance.plan_id})


@receiver(post_delete, sender=Target)
def rebuild_rollups_after_a_target_is_deleted(
    sender: object, *, instance: Target, **kwargs: object
) -> None:
    # Its lead-department links may go before its Progress rows: recount the plan.
    rollups_rebuild(plan_ids=[instance.plan_id])


@receiver(m2m_changed, sender=Target.lead_departments.through)
def rebuild_rollups_after_leads_change(
    sender: object, *, instance: object, action: str, reverse: bool, pk_set: set[int] | None,
    **kwargs: object,
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        plan_ids = [instance.plan_id]  # type: ignore[attr-defined]
    elif pk_set:
        plan_ids = list(Target.objects.filter(pk__in=pk_set).values_list("plan_id", flat=True))
    else:  # a department's leads cleared: every plan it may have led in
        plan_ids = list(Plan.objects.filter(region_id=instance.region_id)  # type: ignore[attr-defined]
                        .values_list("pk", flat=True))
    if plan_ids and Target.objects.filter(plan_id__in=plan_ids, progress__isnull=False).exists():
        rollups_rebuild(plan_ids=plan_ids)


@receiver(pre_save, sender=Indicator)
def note_indicator_category(sender: object, *, instance: Indicator, raw: bool = False,
                            **kwargs: object) -> None:
    if raw or instance.pk is None:
        return
    instance._rollup_category = (  # type: ignore[attr-defined]
        Indicator.objects.filter(pk=instance.pk).values_list("category", flat=True).first()
    )


@receiver(post_save, sender=Indicator)
def rebuild_rollups_after_a_category_change(
    sender: object, *, instance: Indicator, created: bool, raw: bool = False, **kwargs: object
) -> None:
    before = getattr(instance, "_rollup_category", None)
    if created or raw or before is None or before == instance.category:
        return
    rollups_rebuild(plan_ids=set(
        Target.objects.filter(indicator=instance).values_list("plan_id", flat=True)
    ))
