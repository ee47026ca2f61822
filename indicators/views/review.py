"""One figure's page and actions; the office's approvals, export and completeness table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import roles
from accounts.audit import audit_record
from accounts.models import AuditEvent

from .. import exports, permissions, selectors
from ..calendar import QUARTERLY, Period, latest_ended_period, recent_periods
from ..forms import (
    ApprovalFilterForm,
    ApproveForm,
    BulkActionForm,
    CorrectionForm,
    ReturnForm,
    labelled_errors,
)
from ..models import Observation
from ..services import (
    observation_approve,
    observation_correct,
    observation_return,
    observation_submit,
    observations_approve_bulk,
    observations_return_bulk,
)
from ..services.rules import EDITABLE
from .common import error_messages, page_of, require_form_methods

# --- One figure -----------------------------------------------------------------------------


def _visible_observation(request: HttpRequest, pk: int) -> Observation:
    observation = get_object_or_404(
        Observation.objects.select_related("indicator", "region", "department"), pk=pk
    )
    permissions.ensure_can_view_observation(request.user, observation)
    return observation


@login_required
@require_safe
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = _visible_observation(request, pk)
    user = request.user
    can_enter = permissions.can_enter(user, observation.indicator)
    ctx = {
        "active": "entry",
        "observation": observation,
        "history": selectors.observation_history(observation),
        "can_enter": can_enter and observation.status in EDITABLE,
        "can_correct": can_enter and observation.status == Observation.Status.APPROVED
        and not observation.correction_pending,
        "can_approve": permissions.can_approve(user, observation)
        and (observation.status == Observation.Status.SUBMITTED or observation.correction_pending)
        and user.pk not in permissions.authors_of(observation),
        "period_slug": Period(observation.year, observation.quarter).slug,
        "return_form": ReturnForm(initial={"version": observation.version}),
        "correction_form": CorrectionForm(),
    }
    return render(request, "indicators/observation_detail.html", ctx)


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run one service on one figure and come back to its page with the outcome."""
    observation = _visible_observation(request, pk)
    try:
        action(observation)
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
    return redirect("indicators:observation-detail", pk=pk)


def _saw_version(request: HttpRequest, observation: Observation) -> Observation:
    """Act on the version the user saw, so a concurrent change is detected (not overwritten)."""
    form = ApproveForm(request.POST)
    if form.is_valid() and form.cleaned_data["version"]:
        observation.version = form.cleaned_data["version"]
    return observation


@login_required
@require_POST
def observation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(observation: Observation) -> None:
        observation_submit(observation=_saw_version(request, observation), by=request.user)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        messages.success(request, _("已提交审核。"))

    return _act(request, pk, act)


@login_required
@require_POST
def observation_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(observation: Observation) -> None:
        observation_approve(observation=_saw_version(request, observation), by=request.user)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        messages.success(request, _("已审核通过。"))

    return _act(request, pk, act)


@login_required
@require_POST
def observation_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)

    def act(observation: Observation) -> None:
        # The form owns the comment's limits (REASON_MAX_LENGTH): docs/reliability.md, row 12.
        if not form.is_valid():
            raise ValidationError(labelled_errors(form))
        if form.cleaned_data["version"]:
            observation.version = form.cleaned_data["version"]
        observation_return(
            observation=observation, by=request.user, comment=form.cleaned_data["comment"]  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        )
        messages.success(request, _("已退回填报单位。"))

    return _act(request, pk, act)


@login_required
@require_POST
def observation_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = CorrectionForm(request.POST)

    def act(observation: Observation) -> None:
        if not form.is_valid():
            raise ValidationError([m for ms in form.errors.values() for m in ms])
        data = form.cleaned_data
        observation_correct(
            observation=_saw_version(request, observation),
            by=request.user,  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            value=data["value"],
            state=data["state"],
            reason=data["reason"],
            confirm_jump=data["confirm_jump"],
        )
        messages.success(request, _("更正已提交，待领导小组办公室审核。"))

    return _act(request, pk, act)


# --- Approvals ------------------------------------------------------------------------------


@login_required
@require_form_methods
def approvals(request: HttpRequest) -> HttpResponse:
    """The office's list of figures, filtered by department, status and period; bulk actions."""
    permissions.ensure_office(request.user)
    if request.method == "POST":
        return _bulk_action(request)
    filters = ApprovalFilterForm(
        request.GET or {"status": Observation.Status.SUBMITTED},
        departments=selectors.departments_visible_to(request.user),
    )
    data = filters.cleaned_data if filters.is_valid() else {"status": "submitted"}
    rows = selectors.observations_for_approval(
        user=request.user,
        department_id=getattr(data.get("department"), "pk", None),
        status=data.get("status") or None,
        period=data.get("period"),  # type: ignore[arg-type]
    )
    query = request.GET.copy()
    query.pop("page", None)
    page = page_of(request, rows)
    contexts = selectors.approval_context(page.object_list)
    ctx = {
        "active": "approvals",
        "filters": filters,
        "page": page,
        "rows": [(o, contexts[o.pk]) for o in page.object_list],
        "query": query.urlencode(),
    }
    return render(request, "indicators/approvals.html", ctx)


def _bulk_action(request: HttpRequest) -> HttpResponse:
    visible = selectors.observations_visible_to(request.user)
    wanted = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    form = BulkActionForm(request.POST, ids=wanted)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)  # type: ignore[arg-type]
        return redirect(request.get_full_path())
    observations = list(visible.filter(pk__in=form.cleaned_data["ids"]))
    hidden = sorted(set(form.cleaned_data["ids"]) - {o.pk for o in observations})
    if hidden:  # ids out of the office's scope in the body: refused and audited (issue 12)
        audit_record(kind=AuditEvent.Kind.DENIED, request=request, detail=_(
            "越权访问：批量操作包含权限范围外的数据（编号%(ids)s），已忽略"
        ) % {"ids": "、".join(map(str, hidden))[:300]})
        messages.error(request, _("有%(n)d条数据不在您的权限范围内，未处理。") % {"n": len(hidden)})
    for observation in observations:  # act on the versions the user saw
        seen = request.POST.get(f"version_{observation.pk}", "")
        if seen.isdigit():
            observation.version = int(seen)
    try:
        if form.cleaned_data["action"] == "approve":
            outcome = observations_approve_bulk(observations=observations, by=request.user)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            done = _("已审核通过%(n)d条。")
        else:
            outcome = observations_return_bulk(
                observations=observations, by=request.user, comment=form.cleaned_data["comment"]  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
            )
            done = _("已退回%(n)d条。")
    except ValidationError as error:
        for text in error_messages(error):
            messages.error(request, text)
    else:
        if outcome.done:
            messages.success(request, done % {"n": len(outcome.done)})
        for text in outcome.failed:
            messages.error(request, text)
    return redirect(request.get_full_path())


@login_required
@require_safe
def observation_export(request: HttpRequest) -> HttpResponse:
    """The office's figures (same filters as the approval list) as CSV or Excel; audited."""
    permissions.ensure_office(request.user)
    filters = ApprovalFilterForm(
        request.GET, departments=selectors.departments_visible_to(request.user)
    )
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.observations_for_approval(
        user=request.user,
        department_id=getattr(data.get("department"), "pk", None),
        status=data.get("status") or None,
        period=data.get("period"),
    )
    return exports.observations_response(request, rows, fmt=request.GET.get("format", "xlsx"))


# --- Completeness ---------------------------------------------------------------------------


@login_required
@require_safe
def completeness(request: HttpRequest) -> HttpResponse:
    """Reporting rate (DHIS2): expected vs reported figures per department and region."""
    if not permissions.has_any_role(request.user, [roles.OFFICE, roles.LEADER]):
        raise PermissionDenied(_("只有领导小组办公室和领导可以查看填报完整率。"))
    today = timezone.localdate()
    default = latest_ended_period(QUARTERLY, today)
    try:
        period = Period.parse(request.GET["period"]) if request.GET.get("period") else default
    except ValueError:
        period = default
    choices = recent_periods(default, 8) + [Period(today.year - i) for i in range(1, 4)]
    rows = selectors.completeness(user=request.user, period=period)
    ctx = {
        "active": "entry",
        "period": period,
        "choices": choices,
        "rows": [r for r in rows if r.department is not None],
        "totals": [r for r in rows if r.department is None],
        "deadline": period.deadline(selectors.grace_days()),
    }
    return render(request, "indicators/completeness.html", ctx)
