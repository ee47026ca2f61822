"""Reporter pages: what is due or overdue, the entry form, the Excel template and upload."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import roles

from .. import exports, permissions, selectors
from ..calendar import Period
from ..excel.writer import template_workbook
from ..forms import (
    EntryForm,
    UploadForm,
)
from ..models import ImportJob, Indicator, Observation
from ..selectors.due import OverdueByDepartment, OverdueFigures, overdue_rows
from ..services import (
    observation_import_start,
    observations_enter,
)
from .common import error_messages, page_of, parse_period, require_form_methods

# --- Due and overdue ------------------------------------------------------------------------


@login_required
@require_safe
def due(request: HttpRequest) -> HttpResponse:
    """本期待填报: a reporter's open periods; the office's and leaders' shortcuts."""
    user, today = request.user, timezone.localdate()
    department = permissions.reporter_department(user)
    ctx: dict[str, object] = {
        "active": "entry",
        "department": department,
        "today": today,
        "is_office": permissions.is_office(user),
        "is_leader": roles.has_role(user, roles.LEADER),
        "can_audit": permissions.can_audit(user),
    }
    if department is not None:
        summary = selectors.due_items(departments=[department], today=today)[department.pk]
        ctx.update(groups=summary.open_by_period(), overdue_count=len(summary.overdue))
    if ctx["is_office"]:
        ctx["pending_count"] = selectors.observations_for_approval(user=user).count()
    return render(request, "indicators/due.html", ctx)


@login_required
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    """已逾期: closed periods without a submitted figure, per department.

    Read from ``ReportingDue`` (docs/monitoring.md "Reporting completeness and overdue"): the
    figures are paged in SQL, and the office's and leaders' per-department counts are a
    grouped, paged query, so the page costs the same queries at any scale (issue 18).
    """
    user, today = request.user, timezone.localdate()
    department = permissions.reporter_department(user)
    if department is not None:
        rows = overdue_rows(as_of=today, department_ids=[department.pk])
    elif permissions.has_any_role(user, [roles.OFFICE, roles.LEADER]):
        rows = overdue_rows(as_of=today, region_ids=permissions.region_filter_ids(user))
    else:
        raise PermissionDenied(_("您无权查看逾期情况。"))
    ctx: dict[str, object] = {
        "active": "entry",
        "page": page_of(request, OverdueFigures(rows)),
        "query": _other_page(request, "dpage"),
        "single": department is not None,
        "today": today,
    }
    if department is None:
        departments = Paginator(OverdueByDepartment(rows), DEPARTMENTS_PER_PAGE)
        ctx["departments"] = departments.get_page(request.GET.get("dpage"))
        ctx["departments_query"] = _other_page(request, "page")
    return render(request, "indicators/overdue.html", ctx)


#: Rows of the office's per-department table on one page of 已逾期.
DEPARTMENTS_PER_PAGE = 20


def _other_page(request: HttpRequest, name: str) -> str:
    """The other list's page number, kept in the links of this list's pager."""
    value = request.GET.get(name, "")
    return urlencode({name: value}) if value.isdigit() else ""


# --- Entry ----------------------------------------------------------------------------------


@login_required
@require_form_methods
def entry(request: HttpRequest, period: str, code: str | None = None) -> HttpResponse:
    """The entry form of the user's department for one period (or one indicator of it)."""
    department = permissions.ensure_reporter(request.user)
    period_obj = parse_period(period)
    rows = selectors.entry_rows(department=department, period=period_obj)
    if code is not None:
        indicator = get_object_or_404(Indicator, code=code)
        permissions.ensure_can_enter(request.user, indicator)
        rows = [row for row in rows if row.indicator.pk == indicator.pk]
        if not rows:
            raise Http404(_("该指标在此报告期无需填报。"))
    form = EntryForm(request.POST or None, rows=rows)
    service_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            observations_enter(
                by=request.user, period=period_obj, entries=form.parsed, submit=submit  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            )
        except ValidationError as error:
            service_errors = error_messages(error)
        else:
            messages.success(request, _("已提交审核。") if submit else _("草稿已保存。"))
            return redirect(request.path)
    ctx = {
        "active": "entry",
        "department": department,
        "period": period_obj,
        "form": form,
        "lines": form.lines(),
        "service_errors": service_errors,
        "single": code is not None,
        "deadline": period_obj.deadline(selectors.grace_days()),
    }
    return render(request, "indicators/entry.html", ctx)


# --- Excel ----------------------------------------------------------------------------------


@login_required
@require_safe
def excel_template(request: HttpRequest, period: str) -> HttpResponse:
    department = permissions.ensure_reporter(request.user)
    period_obj = parse_period(period)
    rows = selectors.entry_rows(department=department, period=period_obj)
    content = template_workbook(
        department_name=str(department),
        period_label=period_obj.label,
        rows=[exports.template_row(row, period_obj) for row in rows],
        state_labels=[str(label) for label in Observation.State.labels],
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    name = f"{department.name}-{period_obj.slug}-填报模板.xlsx"
    response["Content-Disposition"] = exports.attachment(name)
    return response


@login_required
@require_form_methods
def excel_upload(request: HttpRequest, period: str) -> HttpResponse:
    department = permissions.ensure_reporter(request.user)
    period_obj = parse_period(period)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = observation_import_start(
            by=request.user,  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            period=period_obj,
            upload=form.cleaned_data["file"],
            submit=form.cleaned_data["submit"],
        )
        return redirect("indicators:import-detail", pk=job.pk)
    jobs = ImportJob.objects.filter(department=department).order_by("-created_at")[:10]
    ctx = {
        "active": "entry",
        "department": department,
        "period": period_obj,
        "form": form,
        "jobs": jobs,
    }
    return render(request, "indicators/excel_upload.html", ctx)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("department"), pk=pk)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied(_("只能查看自己上传的文件。"))
    return job


@login_required
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    period = Period(job.year, job.quarter)
    ctx = {
        "active": "entry",
        "job": job,
        "period": period,
        "status_url": reverse("indicators:import-status", kwargs={"pk": pk}),
    }
    return render(request, "indicators/import_detail.html", ctx)


@login_required
@require_safe
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The small JSON the upload page polls for its progress bar."""
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "progress": job.progress,
            "finished": job.state in (ImportJob.State.DONE, ImportJob.State.FAILED),
            "written": job.written,
            "errors": job.errors,
        }
    )
