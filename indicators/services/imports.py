"""Excel upload of actuals: validate every row, then write the whole file or nothing.

``observation_import_start`` stores the file in an ImportJob row and enqueues the
``indicators.import_observations`` task on commit; ``observation_import_run`` (the task's
body) reads it with the pure reader, checks every row with the same rules as the form
(``check_entry``), and writes all rows in one transaction only when there is no error.
Progress goes to ``ImportJob.progress``, which the page polls: it works eagerly and on a
worker alike. Running a finished job again does nothing (idempotent).

A job whose process died (a worker killed mid-file, a lost task) is marked failed by
``import_jobs_sweep`` — the ``indicators.sweep_imports`` Celery beat task every few minutes and
its twin ``manage.py sweep_imports`` — so no job stays 「处理中」 for ever (issue 12 row 1,
docs/reliability.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.broker import enqueue_on_commit, send_or_leave

from .. import permissions
from ..calendar import Period
from ..excel.errors import RowError, WorkbookError
from ..excel.reader import (
    COL_CODE,
    COL_EVIDENCE,
    COL_PERIOD,
    COL_STATE,
    COL_VALUE,
    ParsedRow,
    read_workbook,
)
from ..models import ImportJob, Indicator, Observation, ObservationChange
from .observations import write_entry
from .rules import EDITABLE, Entry, EntryContext, check_entry, display, stored

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_COLUMN_OF_FIELD = {
    "value": COL_VALUE,
    "state": COL_STATE,
    "period": COL_PERIOD,
    "indicator": COL_CODE,
    "evidence": COL_EVIDENCE,
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_PROGRESS_EVERY = 100


def observation_import_start(
    *, by: User, period: Period, upload: UploadedFile[Any], submit: bool = False
) -> ImportJob:
    """Store the upload and enqueue its processing after commit. Reporters only."""
    department = permissions.ensure_reporter(by)
    job = ImportJob(
        department=department,
        year=period.year,
        quarter=period.quarter,
        submit=submit,
        filename=(upload.name or "")[:200],
        created_by=by,
    )
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        job.state, job.progress = ImportJob.State.FAILED, 100
        job.errors = [_("文件超过5MB，请分批上传。")]
        job.finished_at = timezone.now()
        job.save()
        return job
    job.file.save(f"{department.pk}-{period.slug}.xlsx", upload, save=False)
    job.save()
    from ..tasks import import_observations

    # The pending job is the outbox row: with the broker down the upload still succeeds and
    # beat's indicators.dispatch_pending_imports sends it once Redis is back.
    enqueue_on_commit(import_observations, job_id=job.pk)
    return job


def import_jobs_dispatch_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Send ``indicators.import_observations`` again for jobs still pending after ``older_than``
    (an upload made while the broker was down, a message lost). Sending twice is harmless: a
    run claims its job with a conditional UPDATE. Returns the number of jobs sent."""
    from ..tasks import import_observations

    cutoff = timezone.now() - older_than
    pending = ImportJob.objects.filter(state=ImportJob.State.PENDING, created_at__lt=cutoff)
    return sum(
        send_or_leave(import_observations, job_id=pk) for pk in pending.values_list("pk", flat=True)
    )


def observation_import_run(*, job_id: int) -> ImportJob:
    """Validate and (if clean) write one uploaded file. Idempotent: a finished job is left as is."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.PENDING).update(
        state=ImportJob.State.RUNNING, progress=5, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("department", "created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        errors, written = _process(job)
    except WorkbookError as error:
        errors, written = [str(error)], 0
    except PermissionDenied as error:
        errors, written = [str(error)], 0
    job.state = ImportJob.State.FAILED if errors else ImportJob.State.DONE
    job.errors, job.written, job.progress = errors, written, 100
    job.finished_at = timezone.now()
    # If the sweep already declared the job dead, its verdict stands, unless rows were written.
    rows = ImportJob.objects.filter(pk=job.pk)
    if not written:
        rows = rows.filter(state=ImportJob.State.RUNNING)
    rows.update(
        state=job.state, errors=errors, written=written, progress=100,
        finished_at=job.finished_at, total_rows=job.total_rows,
    )
    job.refresh_from_db()
    return job


#: A running job is declared dead after this long (a 20,000-row file takes well under a
#: minute); a pending one after ``IMPORT_PENDING_TIMEOUT`` (its task was lost).
IMPORT_RUNNING_TIMEOUT = timedelta(minutes=10)
IMPORT_PENDING_TIMEOUT = timedelta(hours=1)


def import_jobs_sweep(*, now: datetime | None = None) -> int:
    """Mark failed every job left running or pending past its timeout; returns how many."""
    now = now or timezone.now()
    stale = Q(state=ImportJob.State.RUNNING) & (
        Q(started_at__lt=now - IMPORT_RUNNING_TIMEOUT)
        | Q(started_at__isnull=True, created_at__lt=now - IMPORT_RUNNING_TIMEOUT)
    ) | Q(state=ImportJob.State.PENDING, created_at__lt=now - IMPORT_PENDING_TIMEOUT)
    message = _("处理中断：文件未能在规定时间内处理完成（处理进程可能已终止），"
                "没有写入任何数据。请检查文件后重新上传。")
    return ImportJob.objects.filter(stale).update(
        state=ImportJob.State.FAILED, errors=[message], progress=100, finished_at=now
    )


def _process(job: ImportJob) -> tuple[list[str], int]:
    by = job.created_by
    department = permissions.ensure_reporter(by)
    if department.pk != job.department_id:
        raise PermissionDenied(_("您无权为其他部门导入数据。"))
    with job.file.open("rb") as handle:
        result = read_workbook(handle.read())
    job.total_rows = len(result.rows) + len({e.row for e in result.errors})
    _set_progress(job, 15)

    period = Period(job.year, job.quarter)
    ctx = EntryContext.load(department=department, period=period, today=timezone.localdate())
    errors: list[RowError] = list(result.errors)
    entries = _checked_entries(job, result.rows, ctx, errors)
    if errors:
        return [str(e) for e in sorted(errors, key=lambda e: e.row)], 0
    if not entries:
        return [_("文件中没有填写任何“本期数值”或“进展状态”。")], 0
    _set_progress(job, 80)
    with transaction.atomic():
        for entry in entries:
            write_entry(
                entry, ctx, by=by, submit=job.submit, action=ObservationChange.Action.IMPORT
            )
    return [], len(entries)


def _checked_entries(
    job: ImportJob, rows: list[ParsedRow], ctx: EntryContext, errors: list[RowError]
) -> list[Entry]:
    """The filled-in rows as entries, each checked by ``check_entry``; every problem is
    added to ``errors``. Progress moves from 15 to 75 % on the way."""
    by_code = {a.indicator.code: a.indicator for a in ctx.assignments.values()}
    entries: list[Entry] = []
    seen: dict[tuple[str, Period | None], int] = {}
    for index, row in enumerate(rows, start=1):
        if index % _PROGRESS_EVERY == 0:
            _set_progress(job, 15 + 60 * index // len(rows))
        if row.value is None and not row.state:
            continue  # a pre-filled line the department left empty
        indicator = _row_indicator(row, by_code, ctx.period, seen)
        if isinstance(indicator, RowError):
            errors.append(indicator)
            continue
        entry = Entry(indicator, row.value, row.state, row.evidence, row.confirm, row.row)
        existing = ctx.existing.get(indicator.pk)
        if existing is not None and existing.status not in EDITABLE and _unchanged(existing, entry):
            continue  # an already submitted or approved figure, uploaded again as it is
        for problem in check_entry(entry, ctx):
            errors.append(
                RowError(row.row, _COLUMN_OF_FIELD[problem.field], " ".join(problem.error.messages))
            )
        entries.append(entry)
    return entries


def _row_indicator(
    row: ParsedRow,
    by_code: dict[str, Indicator],
    period: Period,
    seen: dict[tuple[str, Period | None], int],
) -> Indicator | RowError:
    """The indicator of the row; or why the row is not an entry of this upload: not the
    department's indicator, another period, or a repeat of an earlier row (kept in ``seen``)."""
    indicator = by_code.get(row.code)
    if indicator is None:
        return RowError(
            row.row, COL_CODE, _("“%(code)s”不是本部门牵头的指标代码。") % {"code": row.code}
        )
    if row.period != period:
        return RowError(
            row.row,
            COL_PERIOD,
            _("报告期%(found)s与本次上传的报告期%(period)s不一致。")
            % {"found": row.period.label if row.period else "", "period": period.label},
        )
    first = seen.setdefault((row.code, row.period), row.row)
    if first != row.row:
        return RowError(
            row.row,
            COL_CODE,
            _("与第%(first)d行重复：同一指标同一报告期只能填写一行。") % {"first": first},
        )
    return indicator


def _unchanged(existing: Observation, entry: Entry) -> bool:
    value, state = stored(entry)
    return display(existing.value, existing.state) == display(value, state)


def _set_progress(job: ImportJob, progress: int) -> None:
    """Written outside any transaction, so the polling page sees it at once."""
    ImportJob.objects.filter(pk=job.pk).update(progress=progress, total_rows=job.total_rows)
