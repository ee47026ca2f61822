"""The 审计员's pages: the security audit log and the exports of every change."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import exports, permissions, selectors
from ..forms import AuditFilterForm
from .common import page_of

# --- Audit ----------------------------------------------------------------------------------


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """The 审计员's page: security events, and exports of every figure's change history."""
    permissions.ensure_can_audit(request.user)
    filters = AuditFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    events = selectors.audit_events(kind=data.get("kind", ""), username=data.get("username", ""))
    ctx = {"active": "entry", "filters": filters, "page": page_of(request, events)}
    return render(request, "indicators/audit_log.html", ctx)


@login_required
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    permissions.ensure_can_audit(request.user)
    fmt = request.GET.get("format", "csv")
    if request.GET.get("what") == "events":
        return exports.events_response(request, selectors.audit_events(), fmt=fmt)
    return exports.changes_response(request, selectors.changes_visible_to(request.user), fmt=fmt)
