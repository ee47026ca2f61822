"""Writes of the targets app: progress recompute and its outbox.

``progress_recompute`` is the one way Progress rows are made: load frames (one query each),
run the pure engine for each quarter, upsert by (target, year, quarter). It is idempotent:
running it twice leaves the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicators.calendar import QUARTERLY, Period, periods_in_years

from .frames import ProgressWriter, load_observations_frame, load_targets_frame, target_filter
from .models import FinalVerdict, RecomputeRequest
from .progress import Settings, compute_progress

logger = logging.getLogger(__name__)


def engine_settings() -> Settings:
    return Settings(
        on_track=settings.PROGRESS_ON_TRACK,
        lagging=settings.PROGRESS_LAGGING,
        annual_rule=settings.PROGRESS_ANNUAL_RULE,
        stale_grace_days=settings.REPORTING_GRACE_DAYS,
    )


def _quarters(first_year: int, last: tuple[int, int]) -> list[tuple[int, int]]:
    return [
        (period.year, period.quarter or 4)
        for period in periods_in_years(QUARTERLY, range(first_year, last[0] + 1))
        if (period.year, period.quarter or 4) <= last
    ]


def progress_recompute(
    *,
    as_of: date,
    all_quarters: bool = False,
    plan_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    computed_at: datetime | None = None,
    chunk_targets: int | None = None,
) -> int:
    """Recompute Progress for the quarter holding ``as_of`` (or every quarter up to it).

    The current quarter is judged at ``as_of``; a finished quarter at its last day. A closed
    plan gets rows up to the end of its period only. Returns the number of rows upserted.
    Idempotent; the query count does not depend on the number of targets. ``computed_at``
    (default: now) lets the shards of one run stamp their rows alike (docs/scale.md).

    A run over more than ``chunk_targets`` targets (default ``PROGRESS_CHUNK_TARGETS``) is
    streamed by region, whole plans at a time: each chunk's figures are read, judged and
    upserted before the next is read, so memory stays bounded at national scale; outside a
    transaction the upserts run on a second connection while the next chunk is read
    (docs/scale.md "Streaming by region"). Regions are independent (a target is judged on its
    own region's figures only), so the rows are those of a single pass.
    """
    indicator_ids = list(indicator_ids) if indicator_ids is not None else None
    region_ids = list(region_ids) if region_ids is not None else None
    targets = load_targets_frame(
        target_filter(plan_ids=plan_ids, indicator_ids=indicator_ids, region_ids=region_ids)
    )
    if targets.empty:
        return 0
    chunks = region_chunks(targets, size=chunk_targets or settings.PROGRESS_CHUNK_TARGETS)
    stamp = computed_at or timezone.now()
    with ProgressWriter(background=len(chunks) > 1) as writer:
        for regions in chunks:
            part, observed_regions = targets, region_ids
            if len(chunks) > 1:
                part = targets.loc[targets["region_id"].isin(regions)].reset_index(drop=True)
                observed_regions = regions
            observations = load_observations_frame(
                indicator_ids=indicator_ids, region_ids=observed_regions
            )
            for (year, quarter), progress in _progress_by_quarter(
                part, observations, as_of=as_of, all_quarters=all_quarters
            ):
                writer.write(progress, year=year, quarter=quarter, computed_at=stamp)
            del observations  # before the next chunk's figures are read
    return writer.saved


def region_chunks(targets: pd.DataFrame, *, size: int) -> list[list[int]]:
    """The targets' regions in ascending runs of about ``size`` targets (whole regions, so
    whole plans: a region's figures are read once, with all the targets they judge)."""
    counts = targets["region_id"].value_counts().sort_index()
    chunks: list[list[int]] = [[]]
    filled = 0
    for region, count in counts.items():
        if filled and filled + int(count) > size:
            chunks.append([])
            filled = 0
        chunks[-1].append(int(region))
        filled += int(count)
    return chunks


def _progress_by_quarter(
    targets: pd.DataFrame, observations: pd.DataFrame, *, as_of: date, all_quarters: bool
) -> Iterator[tuple[tuple[int, int], pd.DataFrame]]:
    """The engine's rows for each quarter to compute, with the frozen verdicts of closed plans."""
    holding = Period.containing(as_of)
    current = (holding.year, holding.quarter or 4)
    quarters = _quarters(int(targets["plan_start_year"].min()), current) if all_quarters else [
        current
    ]
    config = engine_settings()
    frozen = _frozen_verdicts(targets)
    for year, quarter in quarters:
        day = min(as_of, Period(year, quarter).end)
        in_period = targets["plan_start_year"].le(year) & (
            ~targets["plan_closed"] | targets["plan_end_year"].ge(year)
        )
        if not in_period.any():
            continue
        progress = compute_progress(
            targets.loc[in_period].reset_index(drop=True), observations,
            as_of=pd.Timestamp(day), settings=config,
        )
        if frozen and (year, quarter) >= (int(targets["plan_end_year"].min()), 4):
            progress = _with_frozen(progress, frozen, targets, year)
        yield (year, quarter), progress


def _frozen_verdicts(targets: pd.DataFrame) -> dict[int, str]:
    """target id → frozen 完成情况 of the closed plans among ``targets`` (docs/lifecycle.md)."""
    closed = targets.loc[targets["plan_closed"], "plan_id"]
    if closed.empty:
        return {}
    return dict(
        FinalVerdict.objects.filter(
            target__plan_id__in=sorted(set(closed)), assessment__frozen_at__isnull=False
        ).exclude(frozen_status="").values_list("target_id", "frozen_status")
    )


def _with_frozen(
    progress: pd.DataFrame, frozen: dict[int, str], targets: pd.DataFrame, year: int
) -> pd.DataFrame:
    """A closed plan keeps the verdicts its final assessment froze (docs/progress.md
    "Deadline windows"): from the fourth quarter of its end year on, its rows carry them."""
    end_years = targets.set_index("target_id")["plan_end_year"]
    ids = progress["target_id"]
    hit = ids.isin(list(frozen)) & (end_years.reindex(ids).to_numpy() <= year)
    if not hit.any():
        return progress
    progress = progress.copy()
    progress.loc[hit, "status"] = ids[hit].map(frozen).astype("string")
    progress.loc[hit, "awaiting_final"] = False
    return progress


def recompute_request(*, indicator_id: int, region_id: int) -> RecomputeRequest:
    """Record that figures of (indicator, region) changed; call inside the approving transaction."""
    return RecomputeRequest.objects.create(indicator_id=indicator_id, region_id=region_id)


def recompute_outbox_drain(*, as_of: date | None = None, limit: int = 500) -> int:
    """Recompute every pending request once, then mark them done. Safe to run concurrently.

    Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (ignored on SQLite, which
    serialises writers anyway), so two workers never recompute the same request twice.
    Returns the number of requests drained.
    """
    day = as_of or timezone.localdate()
    with transaction.atomic():
        pending = list(
            RecomputeRequest.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "indicator_id", "region_id")[:limit]
        )
        if not pending:
            return 0
        pairs = {(indicator, region) for _, indicator, region in pending}
        for region in {region for _, region in pairs}:
            progress_recompute(
                as_of=day,
                all_quarters=True,
                indicator_ids=sorted({ind for ind, reg in pairs if reg == region}),
                region_ids=[region],
            )
        RecomputeRequest.objects.filter(pk__in=[pk for pk, _, _ in pending]).update(
            done_at=timezone.now()
        )
    logger.info("drained %d recompute requests", len(pending))
    return len(pending)
