"""The ORM ⇄ DataFrame boundary: the only module that knows both the models and the engine.

One query per input frame (``values_list``, no model instances) and one bulk upsert out, so
the number of queries stays constant whatever the number of targets (docs/scale.md).
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType

import pandas as pd
from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet

from indicators.models import Observation

from .models import Plan, Progress, Target
from .pgcopy import binary_copy
from .progress import OBSERVATION_COLUMNS, PROGRESS_COLUMNS, TARGET_COLUMNS

# ORM paths for TARGET_COLUMNS, in the same order.
_TARGET_FIELDS = {
    "target_id": "pk",
    "indicator_id": "indicator_id",
    "region_id": "plan__region_id",
    "kind": "kind",
    "comparator": "comparator",
    "value": "value",
    "value_high": "value_high",
    "deadline_year": "deadline_year",
    "baseline_value": "baseline_value",
    "baseline_year": "baseline_year",
    "plan_start_year": "plan__start_year",
    "plan_end_year": "plan__end_year",
    "plan_base_year": "plan__base_year",
    "frequency": "indicator__frequency",
    "lower_bound": "indicator__lower_bound",
    "upper_bound": "indicator__upper_bound",
    "profile": "indicator__profile",
    "aspirational": "aspirational",
    "binding": "binding",
    "cancelled": "cancelled",
    "criteria_total": "criteria_total",
}
assert tuple(_TARGET_FIELDS) == TARGET_COLUMNS, "frames.py is out of step with the engine"

_OBSERVATION_FIELDS = ("indicator_id", "region_id", "year", "quarter", "value", "state",
                       "criteria_met")
assert _OBSERVATION_FIELDS == OBSERVATION_COLUMNS, "frames.py is out of step with the engine"

# Extra columns the caller needs to decide which quarters a target is computed for.
PLAN_COLUMNS = ("plan_id", "plan_status")

PROGRESS_FIELDS = [column for column in PROGRESS_COLUMNS if column not in (
    "target_id", "aspirational", "binding")]


def target_filter(
    *,
    plan_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    target_ids: Iterable[int] | None = None,
) -> Q:
    condition = Q()
    if plan_ids is not None:
        condition &= Q(plan_id__in=list(plan_ids))
    if indicator_ids is not None:
        condition &= Q(indicator_id__in=list(indicator_ids))
    if region_ids is not None:
        condition &= Q(plan__region_id__in=list(region_ids))
    if target_ids is not None:
        condition &= Q(pk__in=list(target_ids))
    return condition


def _use_copy() -> bool:
    return connection.vendor == "postgresql"


def _read_frame(rows: QuerySet, columns: Sequence[str]) -> pd.DataFrame:
    """Read a ``values_list`` queryset into a frame: COPY … TO STDOUT on PostgreSQL (the
    fastest way out of the server, ~10 times the ORM's tuples at national scale), tuples elsewhere.
    """
    if not _use_copy():
        return pd.DataFrame.from_records(list(rows), columns=list(columns), coerce_float=True)
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        statement = raw.mogrify(sql, params) if hasattr(raw, "mogrify") else _bind(sql, params)
        with raw.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=list(columns))
    return pd.read_csv(buffer, header=None, names=list(columns), keep_default_na=False,
                       na_values=[""], dtype_backend="numpy_nullable")


def _bind(sql: str, params: Sequence[object]) -> str:
    import psycopg

    with psycopg.ClientCursor(connection.connection) as client:
        return client.mogrify(sql, params)


def _as_bool(series: pd.Series) -> pd.Series:
    return series.map({True: True, False: False, "t": True, "f": False}).fillna(False).astype(bool)


def load_targets_frame(condition: Q | None = None) -> pd.DataFrame:
    """The engine's targets frame plus ``plan_id`` and ``plan_status``, one query."""
    rows = (
        Target.objects.filter(condition or Q())
        .exclude(plan__status=Plan.Status.DRAFT)  # a draft gets no progress until published
        .order_by("pk")
        .values_list(*_TARGET_FIELDS.values(), "plan_id", "plan__status")
    )
    frame = _read_frame(rows, [*TARGET_COLUMNS, *PLAN_COLUMNS])
    for column in ("aspirational", "cancelled"):
        frame[column] = _as_bool(frame[column])
    for column in ("kind", "comparator", "frequency", "profile", "binding", "plan_status"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    frame["binding"] = frame["binding"].eq(Target.Binding.BINDING)
    for column in ("value", "value_high", "baseline_value", "lower_bound", "upper_bound"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("deadline_year", "baseline_year", "plan_base_year", "criteria_total"):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    frame["plan_closed"] = frame["plan_status"].eq(Plan.Status.CLOSED)
    return frame


def load_observations_frame(
    *, indicator_ids: Sequence[int] | None = None, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Approved observations only (the engine counts nothing else), one query."""
    rows = Observation.objects.filter(status=Observation.Status.APPROVED)
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=list(indicator_ids))
    if region_ids is not None:
        rows = rows.filter(region_id__in=list(region_ids))
    # Sorted as the engine groups them: the database's sort is cheaper than the engine's.
    ordered = rows.order_by("indicator_id", "region_id", "year", "quarter")
    frame = _read_frame(ordered.values_list(*_OBSERVATION_FIELDS), OBSERVATION_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["state"] = frame["state"].astype(object).where(frame["state"].notna(), None)
    frame["state"] = frame["state"].replace("", None)
    return frame


def save_progress_frame(
    progress: pd.DataFrame, *, year: int, quarter: int, computed_at: datetime
) -> int:
    """Upsert one Progress row per (target, year, quarter): running twice changes nothing."""
    if progress.empty:
        return 0
    if _use_copy():
        return _copy_upsert(progress, year=year, quarter=quarter, computed_at=computed_at)
    clean = progress.loc[:, ["target_id", *PROGRESS_FIELDS]].astype(object)
    clean = clean.where(progress.loc[:, clean.columns].notna(), None)
    clean["reason"] = clean["reason"].fillna("")
    # As the PostgreSQL path's "WHERE … IS DISTINCT FROM": a row whose verdict did not change
    # is not written, so it keeps its computed_at and the feed's updated_since does not send
    # it again (docs/reliability.md, part B, row 16).
    stored = {
        row[0]: row[1:]
        for row in Progress.objects.filter(year=year, quarter=quarter).values_list(
            "target_id", *PROGRESS_FIELDS
        )
    }
    objects = [
        Progress(
            target_id=row[0], year=year, quarter=quarter, computed_at=computed_at,
            **dict(zip(PROGRESS_FIELDS, row[1:], strict=True)),
        )
        for row in clean.itertuples(index=False, name=None)
        if stored.get(row[0]) != tuple(row[1:])
    ]
    Progress.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["target", "year", "quarter"],
        update_fields=[*PROGRESS_FIELDS, "computed_at"],
    )
    return len(clean)  # rows upserted, changed or not: the same count as the PostgreSQL path


def _copy_upsert(progress: pd.DataFrame, *, year: int, quarter: int, computed_at: datetime) -> int:
    """PostgreSQL: binary COPY of the rows into a temporary table, then one INSERT … ON CONFLICT
    of the rows that differ from the stored ones.

    Same result as the ORM's ``bulk_create(update_conflicts=True)``, without building
    hundreds of thousands of model instances (docs/scale.md: national scale). Rows whose verdict
    did not change are left out by a read-only join before the upsert: they keep their
    ``computed_at`` (so the feed's incremental sync, ``updated_since`` on ``computed_at``,
    sends only what really changed after a nightly run), and the upsert neither locks nor
    rewrites them (docs/scale.md "Streaming by region").
    """
    table = Progress._meta.db_table
    columns = ["target_id", *PROGRESS_FIELDS, "year", "quarter", "computed_at"]
    frame = progress.loc[:, ["target_id", *PROGRESS_FIELDS]].copy()
    frame["reason"] = frame["reason"].fillna("")
    stream = binary_copy(
        frame, [_progress_type(c) for c in columns],
        {"year": year, "quarter": quarter, "computed_at": computed_at},
    )
    column_list = ", ".join(f'"{c}"' for c in columns)
    incoming = ", ".join(f'i."{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in [*PROGRESS_FIELDS, "computed_at"])
    stored = ", ".join(f'p."{c}"' for c in PROGRESS_FIELDS)
    fresh = ", ".join(f'i."{c}"' for c in PROGRESS_FIELDS)
    unchanged_old = ", ".join(f'"{table}"."{c}"' for c in PROGRESS_FIELDS)
    unchanged_new = ", ".join(f'excluded."{c}"' for c in PROGRESS_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMPORARY TABLE "progress_incoming" ON COMMIT DROP AS '
            f'SELECT {column_list} FROM "{table}" WITH NO DATA'
        )
        with cursor.cursor.copy(
            f'COPY "progress_incoming" ({column_list}) FROM STDIN WITH (FORMAT binary)'
        ) as copy:
            copy.write(stream)
        # The ON CONFLICT's own WHERE still guards against a row changed in between.
        cursor.execute(
            f'INSERT INTO "{table}" ({column_list}) SELECT {incoming} FROM "progress_incoming" i '
            f'LEFT JOIN "{table}" p ON p."target_id" = i."target_id" '
            f'AND p."year" = i."year" AND p."quarter" = i."quarter" '
            f"WHERE p.\"id\" IS NULL OR ({stored}) IS DISTINCT FROM ({fresh}) "
            f'ON CONFLICT ("target_id", "year", "quarter") DO UPDATE SET {updates} '
            f"WHERE ({unchanged_old}) IS DISTINCT FROM ({unchanged_new})"
        )
        cursor.execute('DROP TABLE "progress_incoming"')
    return len(frame)


def _progress_type(column: str) -> str:
    """The PostgreSQL type of a Progress column (``target_id``: the Target key's)."""
    field = Progress._meta.get_field("target" if column == "target_id" else column)
    return str(field.db_type(connection)).split("(")[0]


class ProgressWriter:
    """Upserts the Progress frames of one recompute, in order (``save_progress_frame``).

    With ``background`` on PostgreSQL, outside any transaction, the upserts run in a thread on
    a connection of their own: the server writes one chunk while this process reads and judges
    the next (docs/scale.md "Streaming by region"). At most one frame waits, so memory stays
    bounded. Inside a transaction (a test, the outbox drain) a second connection could not see
    its uncommitted rows, so the frames are written inline, as are those of a single chunk.
    The first error of the thread is raised in the caller when the writer is closed.
    """

    def __init__(self, *, background: bool) -> None:
        self.background = background and _use_copy() and not connection.in_atomic_block
        self.saved = 0
        self._queue: queue.Queue[tuple[pd.DataFrame, int, int, datetime] | None] = queue.Queue(1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ProgressWriter:
        if self.background:
            self._thread = threading.Thread(target=self._drain, name="progress-writer")
            self._thread.start()
        return self

    def write(
        self, progress: pd.DataFrame, *, year: int, quarter: int, computed_at: datetime
    ) -> None:
        if self._thread is None:
            self.saved += save_progress_frame(
                progress, year=year, quarter=quarter, computed_at=computed_at
            )
            return
        if self._error is not None:
            raise self._error
        self._queue.put((progress, year, quarter, computed_at))

    def _drain(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                if self._error is None:  # after a failure, only empty the queue
                    try:
                        progress, year, quarter, computed_at = item
                        self.saved += save_progress_frame(
                            progress, year=year, quarter=quarter, computed_at=computed_at
                        )
                    except BaseException as error:  # re-raised in the caller
                        self._error = error
        finally:
            connections.close_all()  # this thread's own connection

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        if kind is None and self._error is not None:
            raise self._error
