"""Excel upload of actuals: validate every row, then write the whole file or nothing.

``observation_import_start`` stores the file in an ImportJob row and enqueues the
``indicators.import_observations`` task on commit; ``observation_import_run`` (the task's
body) reads it with the pure reader, checks every row with the same rules as the form
(``check_entry``), and writes all rows in one transaction only when there is no error.
Progress goes to ``ImportJob.progress``, which the page polls: it works eagerly and on a
worker alike. Running a finished job again does nothing (idempotent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..calendar import Period
from ..excel.errors import RowError, WorkbookError
from ..excel.reader import (
    COL_CODE,
    COL_EVIDENCE,
    COL_PERIOD,
    COL_STATE,
    COL_VALUE,
    read_workbook,
)
from ..models import ImportJob, ObservationChange
from .observations import write_entry
from .rules import EDITABLE, Entry, EntryContext, check_entry, display, stored

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

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
    *, by: AbstractBaseUser, period: Period, upload: UploadedFile, submit: bool = False
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

    import_observations.delay_on_commit(job.pk)
    return job


def observation_import_run(*, job_id: int) -> ImportJob:
    """Validate and (if clean) write one uploaded file. Idempotent: a finished job is left as is."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.PENDING).update(
        state=ImportJob.State.RUNNING, progress=5
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
    job.save(update_fields=["state", "errors", "written", "progress", "finished_at", "total_rows"])
    return job


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
    by_code = {a.indicator.code: a.indicator for a in ctx.assignments.values()}
    errors: list[RowError] = list(result.errors)
    entries: list[Entry] = []
    seen: dict[tuple[str, Period | None], int] = {}
    for index, row in enumerate(result.rows, start=1):
        if index % _PROGRESS_EVERY == 0:
            _set_progress(job, 15 + 60 * index // len(result.rows))
        if row.value is None and not row.state:
            continue  # a pre-filled line the department left empty
        indicator = by_code.get(row.code)
        if indicator is None:
            errors.append(
                RowError(
                    row.row,
                    COL_CODE,
                    _("“%(code)s”不是本部门牵头的指标代码。") % {"code": row.code},
                )
            )
            continue
        if row.period != period:
            errors.append(
                RowError(
                    row.row,
                    COL_PERIOD,
                    _("报告期%(found)s与本次上传的报告期%(period)s不一致。")
                    % {"found": row.period.label if row.period else "", "period": period.label},
                )
            )
            continue
        first = seen.setdefault((row.code, row.period), row.row)
        if first != row.row:
            errors.append(
                RowError(
                    row.row,
                    COL_CODE,
                    _("与第%(first)d行重复：同一指标同一报告期只能填写一行。") % {"first": first},
                )
            )
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


def _unchanged(existing, entry: Entry) -> bool:  # type: ignore[no-untyped-def]
    value, state = stored(entry)
    return display(existing.value, existing.state) == display(value, state)


def _set_progress(job: ImportJob, progress: int) -> None:
    """Written outside any transaction, so the polling page sees it at once."""
    ImportJob.objects.filter(pk=job.pk).update(progress=progress, total_rows=job.total_rows)
