"""One target: its progress history, the approved figures behind it and their change log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.db.models import F, QuerySet

from indicators.calendar import Period
from indicators.models import Observation, ObservationChange
from targets.models import Progress, Target


def period_end(year: int, quarter: int | None) -> dt.date:
    """The last day of a period: a quarter, or the year when ``quarter`` is empty."""
    return Period(year, quarter).end


def target_actuals(target: Target) -> list[Observation]:
    """Approved figures of the target's indicator in its plan's region, oldest first."""
    return list(
        Observation.objects.filter(
            indicator_id=target.indicator_id,
            region_id=target.plan.region_id,
            status=Observation.Status.APPROVED,
        )
        .select_related("department")
        .order_by("year", F("quarter").asc(nulls_last=True))
    )


def actuals_frame(observations: Sequence[Observation]) -> pd.DataFrame:
    """Observations → columns date (period end), value, label; milestones have no value."""
    return pd.DataFrame(
        {
            "date": [period_end(o.year, o.quarter) for o in observations],
            "value": [float(o.value) if o.value is not None else None for o in observations],
            "label": [o.period_label for o in observations],
        },
        columns=["date", "value", "label"],
    )


def target_history(target: Target) -> list[Progress]:
    return list(target.progress.order_by("year", "quarter"))


def target_changes(target: Target) -> QuerySet[ObservationChange]:
    """Every change to the figures behind the target (indicator x plan region), newest first."""
    return (
        ObservationChange.objects.filter(
            observation__indicator_id=target.indicator_id,
            observation__region_id=target.plan.region_id,
        )
        .select_related("observation", "by")
        .order_by("-at", "-pk")
    )
