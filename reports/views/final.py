"""终期评估: one plan's final assessment (docs/lifecycle.md), as a page, a PDF and Excel.

Leaders read it; the office sets each target's 完成情况 (an override needs a reason, kept in
history), writes the narrative and freezes it, which closes the plan (已收官). The three
outputs print the same rows (``targets.lifecycle.final_assessment_rows``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.audit import get_in_scope_or_404
from core.tabular import xlsx_table
from indicators.permissions import (
    ensure_can_read_dashboards,
    ensure_office,
    is_office,
    visible_region_ids,
)
from targets import lifecycle
from targets.models import FinalAssessment, FinalVerdictChange, Plan, Progress
from targets.selectors import plan_list as select_plans

from ..pdf.render import render_pdf
from ..templatetags.dashboard import format_number

HEADER = ["序号", "编号", "指标", "目标", "基期值", "终期值", "计算结论", "完成情况", "认定理由",
          "文件所载完成情况"]


def _value(row: lifecycle.FinalRow) -> str:
    if row.final_value is None:
        return "—"
    return f"{format_number(row.final_value, 4)}{row.target.unit}"


def export_rows(rows: list[lifecycle.FinalRow]) -> list[list[object]]:
    """表1 as the PDF and the Excel sheet print it."""
    return [
        [n, r.target.code, r.target.indicator.name, r.target.goal_display, r.baseline,
         _value(r), r.computed_label, r.office_label, r.reason, r.document]
        for n, r in enumerate(rows, start=1)
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def final_assessment(request: HttpRequest, code: str) -> HttpResponse:
    ensure_can_read_dashboards(request.user)
    plan = get_in_scope_or_404(  # an out-of-scope plan is a 404, audited (issue 12 row 7)
        request,
        select_plans(region_ids=visible_region_ids(request.user)).filter(
            status__in=(Plan.Status.FINAL_REVIEW, Plan.Status.CLOSED)
        ),
        code=code,
    )
    if request.method == "POST":
        return _edit(request, plan)
    assessment = FinalAssessment.objects.filter(plan=plan).first()
    rows = lifecycle.final_assessment_rows(plan=plan)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        content = xlsx_table(title="终期评估", headers=HEADER, rows=export_rows(rows))
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="final-{plan.code}.xlsx"'
        return response
    ctx: dict[str, Any] = {
        "plan": plan, "assessment": assessment, "rows": rows, "active": "plans",
        "editable": plan.status == Plan.Status.FINAL_REVIEW and is_office(request.user),
        "choices": [(s, Progress.Status(s).label) for s in lifecycle.VERDICT_CHOICES],
        "summary": _summary(rows), "today": timezone.localdate(),
        "history": FinalVerdictChange.objects.filter(verdict__target__plan=plan)
        .select_related("verdict__target", "changed_by").order_by("-changed_at", "-pk")[:50],
    }
    if fmt == "pdf":
        html = render_to_string("reports/pdf/final_assessment.html", ctx)
        response = HttpResponse(
            render_pdf(html, base_url=settings.BASE_DIR.as_uri() + "/"),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="final-{plan.code}.pdf"'
        return response
    return render(request, "reports/final_assessment.html", ctx)


def _summary(rows: list[lifecycle.FinalRow]) -> dict[str, int]:
    counted = [r for r in rows if r.office != Progress.Status.NOT_APPLICABLE]
    return {
        "total": len(rows),
        "assessed": len(counted),
        "achieved": sum(r.office == Progress.Status.ACHIEVED for r in counted),
        "not_achieved": sum(r.office == Progress.Status.NOT_ACHIEVED for r in counted),
        "not_applicable": len(rows) - len(counted),
        "other": sum(r.office not in (Progress.Status.ACHIEVED, Progress.Status.NOT_ACHIEVED)
                     for r in counted),
        "overridden": sum(r.overridden for r in rows),
    }


def _edit(request: HttpRequest, plan: Plan) -> HttpResponse:
    ensure_office(request.user)
    action = request.POST.get("action")
    try:
        if action == "verdict":
            target = get_object_or_404(plan.targets, pk=request.POST.get("target"))
            lifecycle.final_verdict_set(
                target=target, status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""), user=request.user,
            )
            messages.success(request, f"已更新目标{target.code}的完成情况。")
        elif action == "narrative":
            lifecycle.final_assessment_narrate(plan=plan,
                                               narrative=request.POST.get("narrative", ""))
            messages.success(request, "已保存总体评估。")
        elif action == "freeze":
            lifecycle.final_assessment_freeze(plan=plan, user=request.user)
            messages.success(request, "终期评估已定稿，规划已收官。")
        else:
            messages.error(request, "未知操作。")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("reports:final-assessment", code=plan.code)
