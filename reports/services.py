"""Writes of the reports app: request a quarterly PDF and build it.

``report_run_request`` records who asked for which report and enqueues the build after the
transaction commits. ``report_run_build`` is what the Celery task runs: it claims the run
with a conditional UPDATE (so a redelivered or duplicated task does the work once), writes
its progress % into the row as it goes (the 报告 page polls it), stores the file and marks
the run done or failed. ``report_pdf_render`` is the shared core that the management
command ``export_report`` calls too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.broker import enqueue_on_commit, send_or_leave
from indicators.models import Department, Region
from indicators.permissions import visible_region_ids
from targets.models import Plan

from .models import DOC_NUMBER_MAX_LENGTH, ReportRun
from .pdf import charts
from .pdf.data import ReportData, ReportScope, report_data_build, report_scope_resolve
from .pdf.render import render_pdf, report_fonts_missing
from .selectors.report_runs import can_request_reports

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

#: Department rows per chart: a longer chart is split so that it can break across pages.
CHART_ROWS_PER_IMAGE = 28


def report_run_request(
    *,
    by: AbstractBaseUser,
    scope: str,
    year: int,
    quarter: int,
    region: Region | None = None,
    plan: Plan | None = None,
    department: Department | None = None,
    doc_number: str = "",
    issue_date: dt.date | None = None,
) -> ReportRun:
    """Record a request and enqueue ``reports.build_report`` once the transaction commits.

    ``doc_number`` is the office's 文号 for the document (blank: printed 「〔 〕号」 to fill
    in by hand) and ``issue_date`` its 成文日期 (blank: the quarter's reporting deadline).

    Only the office may request (PermissionDenied otherwise), and only for a scope inside
    the regions it sees; the scope must name exactly the object it needs (ValidationError).
    """
    from .tasks import build_report as build_report_task

    if not can_request_reports(by):
        raise PermissionDenied(_("只有领导小组办公室可以生成报告。"))
    if not 1 <= quarter <= 4:
        raise ValidationError({"quarter": _("季度应为1至4。")}, code="quarter")
    needed = {ReportRun.Scope.REGION: region, ReportRun.Scope.PLAN: plan,
              ReportRun.Scope.DEPARTMENT: department}
    if scope not in ReportRun.Scope.values:
        raise ValidationError({"scope": _("报告范围不正确。")}, code="scope")
    if scope in needed and needed[scope] is None:  # type: ignore[index]
        what = ReportRun.Scope(scope).label
        raise ValidationError({scope: _("请选择%(what)s。") % {"what": what}}, code="scope")
    chosen = needed.get(scope)  # type: ignore[call-overload]
    chosen_region_id = {  # type: ignore[call-overload]
        ReportRun.Scope.REGION: region.pk if region else None,
        ReportRun.Scope.PLAN: plan.region_id if plan else None,
        ReportRun.Scope.DEPARTMENT: department.region_id if department else None,
    }.get(scope)
    ids = visible_region_ids(by)
    if chosen_region_id is not None and ids is not None and chosen_region_id not in ids:
        raise PermissionDenied(_("所选范围不在您的管辖地区内。"))
    doc_number = " ".join(doc_number.split())
    if len(doc_number) > DOC_NUMBER_MAX_LENGTH:
        raise ValidationError(
            {"doc_number": _("文号最多%(n)d个字。") % {"n": DOC_NUMBER_MAX_LENGTH}},
            code="doc_number",
        )
    run = ReportRun.objects.create(  # type: ignore[misc]
        scope=scope, year=year, quarter=quarter, requested_by=by, doc_number=doc_number,
        issue_date=issue_date,
        region=chosen if scope == ReportRun.Scope.REGION else None,
        plan=chosen if scope == ReportRun.Scope.PLAN else None,
        department=chosen if scope == ReportRun.Scope.DEPARTMENT else None,
    )
    # After commit, and never failing the request: with the broker down the run stays
    # pending and beat's reports.dispatch_pending_reports sends it once Redis is back.
    enqueue_on_commit(build_report_task, run_id=run.pk)
    return run


def report_runs_dispatch_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Send ``reports.build_report`` again for runs still pending after ``older_than``.

    Covers a request made while the broker was down and a message lost with a Redis that
    keeps nothing on disk. Sending twice is harmless: a build claims its run with a
    conditional UPDATE. Returns the number of runs sent.
    """
    from .tasks import build_report as build_report_task

    cutoff = timezone.now() - older_than
    pending = ReportRun.objects.filter(state=ReportRun.State.PENDING, created_at__lt=cutoff)
    return sum(
        send_or_leave(build_report_task, run_id=pk)
        for pk in pending.values_list("pk", flat=True)
    )


def report_scope_for(
    *,
    user: AbstractBaseUser | None,
    scope: str,
    region: Region | None = None,
    plan: Plan | None = None,
    department: Department | None = None,
) -> ReportScope:
    """The scope as ``user`` reads it: "all" is every region the user sees, issued by the
    office of the user's own region. Without a user (the CLI) "all" is everything.

    Decided here, not in ``reports.pdf``, which takes the scope as given.
    """
    return report_scope_resolve(
        scope=scope, region=region, plan=plan, department=department,
        region_ids=visible_region_ids(user) if user is not None else None,
        office_region=getattr(getattr(user, "profile", None), "region", None),
    )


def report_scope_for_run(run: ReportRun) -> ReportScope:
    return report_scope_for(user=run.requested_by, scope=run.scope, region=run.region,
                            plan=run.plan, department=run.department)


def report_pdf_render(
    *, scope: ReportScope, year: int, quarter: int, doc_number: str = "",
    date: dt.date | None = None, on_progress: Callable[[int], None] | None = None,
) -> bytes:
    """The report as PDF bytes. Deterministic: the same data, 文号 and date give the same
    bytes, whether the page's worker or ``export_report`` builds it."""
    step = on_progress or (lambda percent: None)
    data = report_data_build(scope=scope, year=year, quarter=quarter, doc_number=doc_number,
                             date=date)
    step(40)
    html = render_to_string("reports/pdf/report.html", report_pdf_context(data))
    step(60)
    pdf = render_pdf(html, base_url=settings.BASE_DIR.as_uri() + "/")
    step(90)
    return pdf


def report_pdf_context(data: ReportData) -> dict[str, object]:
    """The template context: the data plus its charts, drawn from the same rollups."""
    rows = [charts.ChartRow(d.name, d.counts) for d in data.departments]  # 赣榆区住建局
    counts = {s.key: s.count for s in data.statuses}
    previous = None if data.statuses[0].previous is None else {
        s.key: s.previous or 0 for s in data.statuses
    }
    return {
        "report": data,
        "fonts_missing": report_fonts_missing(),
        # matplotlib escapes every text it writes into the SVG, so the charts are safe markup.
        "summary_chart": mark_safe(
            charts.status_summary_chart(counts, previous, title=_("目标状态分布"))
        ),
        "department_charts": [
            mark_safe(charts.department_status_chart(
                rows[i:i + CHART_ROWS_PER_IMAGE], title=_("各部门目标状态分布")
            ))
            for i in range(0, len(rows), CHART_ROWS_PER_IMAGE)
        ],
    }


def report_file_name(run: ReportRun) -> str:
    return f"report-{run.year}Q{run.quarter}-{run.scope}-{run.pk}.pdf"


def report_run_build(*, run_id: int, redelivered: bool = False) -> ReportRun:
    """Build the PDF of a run. Idempotent; safe under ``acks_late`` redelivery.

    Claims the run with ``UPDATE … WHERE state = pending`` (or running but older than the
    task's hard time limit: its worker died), so two deliveries never both build. With
    ``redelivered`` (the broker handed the task out again because the worker that had it
    died: ``task_reject_on_worker_lost``, or the visibility timeout) a running run is taken
    over at once: its builder is gone, and waiting for the time limit would leave it
    "running" for good, since no further delivery comes. A done or failed run is returned
    untouched. A transient database error puts the run back to pending and re-raises for the
    task's retry; any other error marks the run failed with its message, because retrying
    would fail the same way.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    abandoned = Q(state=ReportRun.State.RUNNING)
    if not redelivered:
        abandoned &= Q(started_at__lt=stale)
    claimed = ReportRun.objects.filter(pk=run_id).filter(
        Q(state=ReportRun.State.PENDING) | abandoned
    ).update(state=ReportRun.State.RUNNING, started_at=now, progress=5, error="")
    run = ReportRun.objects.select_related(
        "region", "plan__region", "department__region", "requested_by__profile__region"
    ).get(pk=run_id)
    if not claimed:
        return run  # another worker has it, or it is finished: nothing to do

    def progress(percent: int) -> None:
        ReportRun.objects.filter(pk=run_id, state=ReportRun.State.RUNNING).update(
            progress=percent
        )

    try:
        pdf = report_pdf_render(scope=report_scope_for_run(run), year=run.year,
                                quarter=run.quarter, doc_number=run.doc_number,
                                date=run.issue_date, on_progress=progress)
        run.file.save(report_file_name(run), ContentFile(pdf), save=False)
    except OperationalError:
        ReportRun.objects.filter(pk=run_id).update(state=ReportRun.State.PENDING, progress=0)
        raise
    except Exception as error:
        logger.exception("report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id, state=ReportRun.State.RUNNING).update(
            state=ReportRun.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        ReportRun.objects.filter(pk=run_id, state=ReportRun.State.RUNNING).update(
            state=ReportRun.State.DONE, file=run.file.name, progress=100,
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
