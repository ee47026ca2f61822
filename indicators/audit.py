"""The security audit log (MLPS 2.0 安全审计): logins, failures, lock-outs, 403s, exports.

``audit_record`` is the single writer of AuditEvent (append-only). The receivers below are
connected in ``IndicatorsConfig.ready()``; ``AuditDeniedMiddleware`` records every 403
response, whether it came from a page, the API or the CSRF check. Data changes themselves
are kept in ObservationChange, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .models import AuditEvent


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event. Never raises for a missing request or anonymous user."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        ip_address=_ip(request),
        method=(request.method or "")[:10] if request else "",
        path=request.get_full_path()[:300] if request else "",
        detail=detail[:500],
    )


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in, dispatch_uid="qt_audit_login")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="qt_audit_logout")
def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="qt_audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        detail=_("用户名或密码错误"),
    )


@receiver(user_locked_out, dispatch_uid="qt_audit_locked_out")
def _on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any
) -> None:
    audit_record(
        kind=AuditEvent.Kind.LOCKED_OUT,
        request=request,
        username=username or "",
        detail=_("连续登录失败，账号锁定"),
    )


class AuditDeniedMiddleware:
    """Records each 403 (越权访问) with the user and the path; the response is unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            reason = getattr(request, "_qt_denied", "") or _("拒绝访问（HTTP 403）")
            audit_record(kind=AuditEvent.Kind.DENIED, request=request, detail=reason)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request._qt_denied = str(exception)  # type: ignore[attr-defined]
