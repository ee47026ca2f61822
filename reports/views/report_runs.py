"""The 报告 pages: request a quarterly PDF, watch its progress, download it.

Thin: authorise → parse → call a service or selector → render. The office requests; the
office and leaders read and download; reporters and auditors get 403. Files are served
through ``report_download`` after the permission check, never as public media.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record, get_in_scope_or_404
from accounts.models import AuditEvent

from ..forms import ReportRequestForm
from ..models import ReportRun
from ..selectors.report_runs import (
    can_read_reports,
    can_request_reports,
    report_runs_visible_to,
)
from ..services import report_run_request

RUNS_LISTED = 100


def _ensure_reader(request: HttpRequest) -> None:
    if not can_read_reports(request.user):
        raise PermissionDenied(_("您没有查看报告的权限。"))


def _list_page(request: HttpRequest, form: ReportRequestForm | None, status: int = 200):
    ctx = {
        "active": "reports",
        "form": form,
        "runs": report_runs_visible_to(request.user)[:RUNS_LISTED],
    }
    return render(request, "reports/report_list.html", ctx, status=status)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request)
    can_request = can_request_reports(request.user)
    return _list_page(request, ReportRequestForm(user=request.user) if can_request else None)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    if not can_request_reports(request.user):
        raise PermissionDenied(_("只有领导小组办公室可以生成报告。"))
    form = ReportRequestForm(request.POST, user=request.user)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = form.cleaned_data
    try:
        run = report_run_request(
            by=request.user, scope=data["scope"], year=data["year"],  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            quarter=data["quarter_number"], region=data.get("region"), plan=data.get("plan"),
            department=data.get("department"), doc_number=data.get("doc_number") or "",
            issue_date=data.get("issue_date"),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _list_page(request, form, status=400)
    audit_record(kind=AuditEvent.Kind.REPORT, request=request,
                 detail=_("申请生成报告：%(run)s（编号%(pk)d）") % {"run": run, "pk": run.pk})
    messages.success(request, _("已提交生成：%(run)s") % {"run": run})
    return redirect("reports:report-list")


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The small JSON the progress bar polls."""
    _ensure_reader(request)
    run = get_in_scope_or_404(request, report_runs_visible_to(request.user), pk=pk)
    done = run.state == ReportRun.State.DONE and bool(run.file)
    return JsonResponse({
        "id": run.pk,
        "state": run.state,
        "state_label": run.get_state_display(),
        "progress": run.progress,
        "finished": run.state in {ReportRun.State.DONE, ReportRun.State.FAILED},
        "download_url": reverse("reports:report-download", args=[run.pk]) if done else None,
        "error": run.error if run.state == ReportRun.State.FAILED else "",
    })


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    _ensure_reader(request)
    run = get_in_scope_or_404(request, report_runs_visible_to(request.user), pk=pk)
    if run.state != ReportRun.State.DONE or not run.file:
        raise Http404(_("报告尚未生成。"))
    audit_record(kind=AuditEvent.Kind.REPORT, request=request,
                 detail=_("下载报告：%(run)s（编号%(pk)d）") % {"run": run, "pk": run.pk})
    return FileResponse(
        run.file.open("rb"), as_attachment=True, content_type="application/pdf",
        filename=f"{run.year}年第{run.quarter}季度质量目标推进情况报告（{run.scope_label}）.pdf",
    )
