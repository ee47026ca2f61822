"""The full recompute split into shards by region and fanned out over Celery workers.

``progress_recompute`` is already correct for any set of regions: a target is judged on the
figures of its own plan's region only, so regions are independent and a run split by region
upserts exactly the rows a single run would — the same values, and (given one
``computed_at`` for every shard) the same time stamp. ``recompute_shards`` packs the regions
into shards of about equal target counts (largest first, each into the lightest shard);
``progress_recompute_sharded`` sends one ``targets.recompute_progress_shard`` task per shard
as a ``celery.group`` and waits for their row counts. Described in docs/scale.md.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone

from .models import Target


def recompute_shards(*, count: int) -> list[list[int]]:
    """Region ids in at most ``count`` shards of about equal target counts (one query)."""
    sizes = (
        Target.objects.order_by()
        .values_list("plan__region_id")
        .annotate(n=Count("pk"))
        .values_list("plan__region_id", "n")
    )
    shards: list[tuple[int, list[int]]] = [(0, []) for _ in range(max(count, 1))]
    for region, size in sorted(sizes, key=lambda pair: (-pair[1], pair[0])):
        load, regions = min(shards, key=lambda shard: shard[0])
        shards[shards.index((load, regions))] = (load + size, [*regions, region])
    return [sorted(regions) for _, regions in shards if regions]


def progress_recompute_sharded(
    *, as_of: date, all_quarters: bool = False, shards: int = 2, timeout: float = 3600,
) -> list[tuple[str, int]]:
    """Recompute every target as ``shards`` Celery tasks in parallel; wait for them all.

    Returns ``(worker, rows)`` per shard. Run it from a process (the command), never from a
    task: a task waiting on other tasks can deadlock a busy pool. Without a broker
    (``CELERY_TASK_ALWAYS_EAGER``) the shards run one after the other in this process.
    """
    from celery import group

    from .tasks import recompute_progress_shard

    stamp: datetime = timezone.now()
    fan_out = group(
        recompute_progress_shard.s(
            region_ids=regions, as_of=as_of.isoformat(), all_quarters=all_quarters,
            computed_at=stamp.isoformat(),
        )
        for regions in recompute_shards(count=shards)
    )
    result = fan_out.apply_async()
    return [(str(worker), int(rows)) for worker, rows in result.get(timeout=timeout)]
