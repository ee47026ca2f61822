"""Celery entry points for targets. Each task: primitives in → one service call.

Every task follows ``core.broker.TASK_POLICY`` (acks late, no result, transient
database errors retried).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from core.broker import task


@task(name="targets.recompute_progress")  # acks_late is safe: the service upserts by key
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


@task(name="targets.drain_recompute_outbox")
def drain_recompute_outbox() -> int:
    """Recompute what approvals asked for (the outbox). Idempotent; returns requests drained."""
    from targets.services import recompute_outbox_drain

    return recompute_outbox_drain()


@task(
    name="targets.recompute_progress_shard",
    bind=True,
    ignore_result=False,  # the fan-out waits for each shard's row count
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


@task(name="targets.advance_plan_states")  # idempotent: a plan in 终期评估 is left alone
def advance_plan_states(*, today: str | None = None) -> int:
    """执行中 → 终期评估 on 1 January after the end year (docs/lifecycle.md). Daily."""
    from targets.lifecycle import plan_states_advance

    day = date.fromisoformat(today) if today else timezone.localdate()
    return len(plan_states_advance(today=day))
