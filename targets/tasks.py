"""Celery entry points for targets. Each task: primitives in → one service call."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="targets.recompute_progress",
    acks_late=True,  # safe: the service upserts by natural key
    # Nobody reads the return value; with a result backend, sending a task that keeps its
    # result first subscribes to it on Redis, which blocks the sender while Redis is down.
    ignore_result=True,
    autoretry_for=(OperationalError,),  # transient database trouble only
    retry_backoff=True,
    max_retries=5,
)
def recompute_progress(
    *, as_of: str | None = None, all_quarters: bool = False,
    indicator_ids: list[int] | None = None, region_ids: list[int] | None = None,
) -> int:
    """Recompute Progress rows (all targets by default). Idempotent; returns rows upserted."""
    from targets.services import progress_recompute

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return progress_recompute(
        as_of=day, all_quarters=all_quarters, indicator_ids=indicator_ids, region_ids=region_ids
    )


@shared_task(
    name="targets.drain_recompute_outbox",
    acks_late=True,
    # The approval's after-commit nudge must never wait on Redis (see recompute_progress).
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def drain_recompute_outbox() -> int:
    """Recompute what approvals asked for (the outbox). Idempotent; returns requests drained."""
    from targets.services import recompute_outbox_drain

    return recompute_outbox_drain()


@shared_task(
    bind=True,
    name="targets.recompute_progress_shard",
    acks_late=True,  # safe: the service upserts by natural key
    ignore_result=False,  # the fan-out waits for each shard's row count
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def recompute_progress_shard(
    self, *, region_ids: list[int], as_of: str, all_quarters: bool, computed_at: str
) -> tuple[str, int]:
    """One shard of a sharded full recompute (targets.sharding): (worker, rows upserted)."""
    from datetime import datetime

    from targets.services import progress_recompute

    rows = progress_recompute(
        as_of=date.fromisoformat(as_of), all_quarters=all_quarters, region_ids=region_ids,
        computed_at=datetime.fromisoformat(computed_at),
    )
    return (self.request.hostname or "local", rows)


@shared_task(
    name="targets.advance_plan_states",
    acks_late=True,  # safe: idempotent, a plan already in 终期评估 is left alone
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def advance_plan_states(*, today: str | None = None) -> int:
    """执行中 → 终期评估 on 1 January after the end year (docs/lifecycle.md). Daily."""
    from targets.lifecycle import plan_states_advance

    day = date.fromisoformat(today) if today else timezone.localdate()
    return len(plan_states_advance(today=day))
