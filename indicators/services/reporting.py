"""The only writer of ``ReportingDue``: what each lead department owes, kept right as data moves.

Three things change the table (docs/monitoring.md "Reporting completeness and overdue"):

* **A figure changes** (created, edited, submitted, approved, returned, deleted):
  ``reporting_due_sync_figure`` re-reads that figure's status into its rows. The services
  call it after every status change; a receiver on ``Observation`` saves and deletes
  (``indicators/receivers.py``) covers the writers that save the model directly (the
  history load, the admin, fixtures).
* **What a department leads changes** (a target's lead departments, its plan's state or
  years, a target cancelled): ``reporting_due_refresh`` rewrites that department's rows from
  the targets it leads (``selectors.assignments_by_department``, the same rule the entry
  pages and reminders use). ``targets/receivers.py`` calls it; ``indicators`` never imports
  ``targets``.
* **The calendar passes a due date**: ``reporting_due_sweep`` (the daily beat task
  ``indicators.sweep_reporting_due``, twin ``manage.py reporting_due``) marks missing figures
  whose due date has passed as overdue; ``--rebuild`` rewrites every department's rows
  (the backfill, and the way back after a bulk load that bypassed the services, or a change
  of ``REPORTING_GRACE_DAYS``).

Every function is idempotent: it recomputes rows from the observations and targets, never
from the rows' previous content.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone

from ..calendar import periods_in_years
from ..models import Department, Observation, ReportingDue
from ..selectors import assignments_by_department

State = ReportingDue.State
Status = Observation.Status

#: Departments rewritten per transaction by a full rebuild.
REBUILD_CHUNK = 200

#: While ``reporting_due_batch`` is open: the departments to refresh when it closes.
_pending: ContextVar[set[int] | None] = ContextVar("reporting_due_pending", default=None)


# --- A figure changed -------------------------------------------------------------------------


def reporting_due_sync_figure(observation: Observation) -> None:
    """Re-read one figure's status into the rows that owe it (one UPDATE).

    The same statement as ``_sync`` for the rows of one series and period, written out once:
    it runs on every status change (twice per figure under the quarter-end rush), and
    compiling ``_sync``'s ORM expression cost about 4 ms of CPU each time (docs/scale.md,
    "Submissions under the rush"). The figures it looks for are those of the very period the
    rows owe, so the subqueries need no correlation.
    """
    annual = observation.quarter is None
    period: list[int | None] = [observation.region_id, observation.indicator_id, observation.year]
    if not annual:
        period.append(observation.quarter)
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(_SYNC_FIGURE_SQL[annual], [
            *period, Status.APPROVED, State.APPROVED,
            *period, Status.SUBMITTED, State.SUBMITTED,
            today, State.OVERDUE, State.MISSING,
            *period,
        ])


def _sync_figure_sql(*, annual: bool) -> str:
    period = "region_id = %s AND indicator_id = %s AND year = %s AND " + (
        "quarter IS NULL" if annual else "quarter = %s"
    )
    figures = f"SELECT 1 FROM {Observation._meta.db_table} WHERE {period} AND status = %s"
    return (
        f"UPDATE {ReportingDue._meta.db_table} SET state = CASE"
        f" WHEN EXISTS ({figures}) THEN %s WHEN EXISTS ({figures}) THEN %s"
        f" WHEN due_on < %s THEN %s ELSE %s END"
        f" WHERE {period}"
    )


#: annual → the UPDATE of ``reporting_due_sync_figure`` (built once).
_SYNC_FIGURE_SQL = {annual: _sync_figure_sql(annual=annual) for annual in (True, False)}


def reporting_due_sync(*, rows: QuerySet[ReportingDue], today: datetime.date | None = None) -> None:
    """Re-read the figures' statuses into ``rows`` (two UPDATEs: annual and quarterly rows)."""
    for annual in (True, False):
        _sync(rows.filter(quarter__isnull=annual), annual=annual, today=today)


def _sync(
    rows: QuerySet[ReportingDue], *, annual: bool, today: datetime.date | None = None
) -> None:
    """Set each row's state from the figure of its region, indicator and period, if any.

    A correlated UPDATE: the database matches rows and figures, so the number of queries does
    not depend on how many rows change.
    """
    figures = Observation.objects.filter(
        region_id=OuterRef("region_id"), indicator_id=OuterRef("indicator_id"),
        year=OuterRef("year"),
    )
    figures = (figures.filter(quarter__isnull=True) if annual
               else figures.filter(quarter=OuterRef("quarter")))
    today = today or timezone.localdate()
    rows.update(state=Case(
        When(Exists(figures.filter(status=Status.APPROVED)), then=Value(State.APPROVED)),
        When(Exists(figures.filter(status=Status.SUBMITTED)), then=Value(State.SUBMITTED)),
        When(due_on__lt=today, then=Value(State.OVERDUE)),
        default=Value(State.MISSING),
    ))


# --- What a department leads changed ----------------------------------------------------------


def reporting_due_refresh(*, department_ids: Iterable[int]) -> None:
    """Rewrite the rows of these departments from the targets they lead. Atomic.

    Inside ``reporting_due_batch`` the departments are only noted, and rewritten once when
    the batch closes (a plan published with 150 targets rewrites its departments once).
    """
    ids = {pk for pk in department_ids if pk is not None}
    if not ids:
        return
    pending = _pending.get()
    if pending is not None:
        pending |= ids
        return
    _rewrite(sorted(ids))


@contextmanager
def reporting_due_batch() -> Iterator[None]:
    """Collect ``reporting_due_refresh`` calls and run them once, at the end of the block."""
    if _pending.get() is not None:  # nested: the outer batch refreshes
        yield
        return
    token = _pending.set(set())
    try:
        yield
        ids = _pending.get() or set()
    finally:
        _pending.reset(token)
    if ids:
        _rewrite(sorted(ids))


def _rewrite(department_ids: list[int]) -> int:
    """Delete and re-insert the departments' rows, each with its figure's state."""
    with transaction.atomic():
        # Serialises two rewrites of one department (delete + insert would duplicate rows).
        regions = dict(
            Department.objects.select_for_update().filter(pk__in=department_ids)
            .order_by("pk").values_list("pk", "region_id")
        )
        assignments = assignments_by_department(regions)
        statuses = _reported(regions.values(), {i for per in assignments.values() for i in per})
        rows = _owed(regions, assignments, statuses)
        ReportingDue.objects.filter(department_id__in=regions).delete()
        _insert(rows)
    return len(rows)


_Row = tuple[int, int, int, int, int | None, datetime.date, str]


def _owed(
    regions: dict[int, int],
    assignments: dict[int, dict[int, tuple[str, set[int]]]],
    statuses: dict[tuple[int, int, int, int | None], str],
) -> list[_Row]:
    """One row per figure owed, with its state: the figure's if it is in, else by due date.

    A rebuild writes millions of rows, so the calendar is asked once per frequency and set of
    years (``periods_in_years``, ``Period.deadline``) rather than once per row.
    """
    grace = settings.REPORTING_GRACE_DAYS
    today = timezone.localdate()
    calendars: dict[tuple[str, frozenset[int]], list[tuple[int, int | None, datetime.date, str]]]
    calendars = {}
    rows: list[_Row] = []
    for department_id, per_indicator in assignments.items():
        region_id = regions[department_id]
        for indicator_id, (frequency, years) in per_indicator.items():
            key = (frequency, frozenset(years))
            if key not in calendars:
                calendars[key] = [
                    (p.year, p.quarter, due_on,
                     (State.OVERDUE if due_on < today else State.MISSING).value)
                    for p in periods_in_years(frequency, years)
                    for due_on in [p.deadline(grace)]
                ]
            for year, quarter, due_on, unreported in calendars[key]:
                state = statuses.get((region_id, indicator_id, year, quarter), unreported)
                rows.append((department_id, indicator_id, region_id, year, quarter, due_on, state))
    return rows


def _reported(
    region_ids: Iterable[int], indicator_ids: set[int]
) -> dict[tuple[int, int, int, int | None], str]:
    """(region, indicator, year, quarter) → submitted / approved, for the figures that are in."""
    rows = Observation.objects.filter(
        region_id__in=set(region_ids), indicator_id__in=indicator_ids,
        status__in=(Status.SUBMITTED, Status.APPROVED),
    ).values_list("region_id", "indicator_id", "year", "quarter", "status")
    return {(r, i, y, q): status for r, i, y, q, status in rows.iterator(chunk_size=20000)}


_NULL = "\\N"  # COPY's text format
_COLUMNS = ("department_id", "indicator_id", "region_id", "year", "quarter", "due_on", "state")


def _insert(rows: list[_Row]) -> None:
    """COPY on PostgreSQL (a national rebuild writes millions of rows), else bulk_create.

    The COPY text is laid out here, a block at a time: ids, years and states need no
    escaping, and formatting them per row in the driver cost more than the rest of the rows'
    Python work.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = ReportingDue._meta.db_table
        with connection.cursor() as cursor, cursor.cursor.copy(
            f'COPY "{table}" ({", ".join(_COLUMNS)}) FROM STDIN'
        ) as copy:
            for start in range(0, len(rows), 50_000):
                copy.write("".join(
                    f"{d}\t{i}\t{r}\t{y}\t{_NULL if q is None else q}\t{due}\t{state}\n"
                    for d, i, r, y, q, due, state in rows[start:start + 50_000]
                ))
        return
    ReportingDue.objects.bulk_create(
        [ReportingDue(**dict(zip(_COLUMNS, row, strict=True))) for row in rows],
        batch_size=2000,
    )


# --- The calendar -----------------------------------------------------------------------------


def reporting_due_sweep(*, today: datetime.date | None = None, rebuild: bool = False) -> int:
    """Mark the figures whose due date has passed as overdue; returns how many rows changed.

    Idempotent, so beat may run it any number of times a day. With ``rebuild`` every
    department's rows are first rewritten from the targets (the backfill).
    """
    today = today or timezone.localdate()
    if rebuild:
        reporting_due_rebuild()
    late = ReportingDue.objects.filter(state=State.MISSING, due_on__lt=today).update(
        state=State.OVERDUE
    )
    # A clock set back or a longer grace period: not overdue after all.
    early = ReportingDue.objects.filter(state=State.OVERDUE, due_on__gte=today).update(
        state=State.MISSING
    )
    return late + early


def reporting_due_rebuild() -> int:
    """Rewrite every department's rows, ``REBUILD_CHUNK`` departments per transaction.

    First drops the rows of departments that no longer exist: the table has no database
    foreign keys, so a department removed by SQL (a bulk reload) leaves its rows behind.
    """
    ReportingDue.objects.exclude(department_id__in=Department.objects.values("pk")).delete()
    ids = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), REBUILD_CHUNK):
        written += _rewrite(ids[start:start + REBUILD_CHUNK])
    return written
