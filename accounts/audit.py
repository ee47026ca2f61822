"""The security audit log (MLPS 2.0 安全审计): logins, failures, lock-outs, 403s, exports.

``audit_record`` is the single writer of AuditEvent (append-only). The receivers below are
connected when ``AccountsConfig.ready()`` imports this module; ``AuditDeniedMiddleware``
records every 403 response, whether it came from a page, the API or the CSRF check. Data
changes themselves are kept in ObservationChange, not here.

Integrity and retention (issue 9): both tables are hash chains (``accounts.audit_chain``);
``verify_audit_chains`` walks them (``manage.py verify_audit``) and ``prune_audit_events``
removes security events older than AUDIT_RETENTION_DAYS (``manage.py prune_audit``, weekly
Celery task ``indicators.prune_audit``). Figures' change history is never pruned.

What is recorded never includes a password or a token: a failed login keeps the username the
client sent and nothing else from the credentials.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit_chain
from .models import AuditEvent, ChainedAuditRecord

# The Cybersecurity Law (网络安全法 第二十一条): network logs are kept no less than six months.
LEGAL_MINIMUM_RETENTION_DAYS = 186
#: The models kept in a hash chain: the security log here, and whatever a higher layer adds
#: at start-up (``indicators`` adds ObservationChange, the business audit of figures).
CHAINED_MODELS: list[type[ChainedAuditRecord]] = [AuditEvent]


def chain_register(model: type[ChainedAuditRecord]) -> None:
    """Add a chained audit model to verification and genesis heads (idempotent)."""
    if model not in CHAINED_MODELS:
        CHAINED_MODELS.append(model)


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
        path=_safe_path(request)[:300] if request else "",
        detail=detail[:500],
    )


# Query parameters whose values never reach the log (a client may put a secret in a URL).
SECRET_PARAMETERS = frozenset({
    "password", "passwd", "pwd", "token", "access_token", "refresh_token", "key", "api_key",
    "apikey", "secret", "signature", "sessionid", "csrfmiddlewaretoken",
})


def _safe_path(request: HttpRequest) -> str:
    """The request path with the values of secret-looking query parameters masked."""
    if not request.GET:
        return request.path
    query = request.GET.copy()
    for name in list(query):
        if name.lower() in SECRET_PARAMETERS:
            query.setlist(name, ["***"])
    return f"{request.path}?{query.urlencode(safe='*/')}"


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


# --- Integrity and retention ------------------------------------------------------------------


def ensure_chain_heads(sender: object = None, using: str = "default", **kwargs: object) -> None:
    """post_migrate: each empty audit chain gets its genesis head (``audit_chain``)."""
    from django.db import connections

    tables = connections[using].introspection.table_names()
    if "indicators_auditchainhead" not in tables:
        return  # migrating backwards, or only part of the way
    audit_chain.ensure_genesis_heads(tuple(CHAINED_MODELS), using=using)


def get_in_scope_or_404(request: HttpRequest, scoped: Any, **lookup: Any) -> Any:
    """The object of ``scoped`` (a queryset limited to what the user may see) or Http404.

    When the object exists outside the user's scope, the 404 (which hides that it exists) is
    still a cross-scope attempt: it is audited as ``denied`` like every 403 (issue 12 row 7).
    """
    from django.http import Http404

    found = scoped.filter(**lookup).first()
    if found is not None:
        return found
    model = scoped.model
    if model._default_manager.filter(**lookup).exists():
        where = "，".join(f"{key}={value}" for key, value in lookup.items())
        audit_record(kind=AuditEvent.Kind.DENIED, request=request, detail=_(
            "越权访问：%(model)s（%(where)s）不在权限范围内，已答复404"
        ) % {"model": model._meta.verbose_name, "where": where})
    raise Http404(_("页面不存在，或您无权查看。"))


def verify_audit_chains(using: str = "default") -> list[audit_chain.Report]:
    """Walk both chains; each report names its first bad row, if any."""
    return audit_chain.verify_all(tuple(CHAINED_MODELS), using=using)


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def prune_audit_events(*, now: datetime.datetime | None = None) -> int:
    """Delete security events older than AUDIT_RETENTION_DAYS; returns how many went.

    Only AuditEvent, never ObservationChange (the business audit is kept for ever). The chain
    is re-anchored at the last deleted row, so verification keeps working; the pruning itself
    is recorded as an event.
    """
    cutoff = retention_cutoff(now)
    deleted = audit_chain.prune(AuditEvent, cutoff)
    if deleted:
        audit_record(
            kind=AuditEvent.Kind.RETENTION,
            detail=_("按保留期（%(days)s 天）删除 %(cutoff)s 之前的审计日志 %(count)s 条")
            % {
                "days": settings.AUDIT_RETENTION_DAYS,
                "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"),
                "count": deleted,
            },
        )
    return deleted


@checks.register(checks.Tags.security)
def check_audit_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    algorithm = getattr(settings, "AUDIT_HMAC_ALGORITHM", "sm3")
    if not audit_chain.algorithm_available(algorithm):
        problems.append(checks.Error(
            f"AUDIT_HMAC_ALGORITHM {algorithm!r} is not available in this Python's hashlib "
            "(OpenSSL); the audit hash chain cannot be written or verified.",
            id="indicators.E001",
        ))
    days = getattr(settings, "AUDIT_RETENTION_DAYS", LEGAL_MINIMUM_RETENTION_DAYS)
    if days < LEGAL_MINIMUM_RETENTION_DAYS:
        problems.append(checks.Warning(
            f"AUDIT_RETENTION_DAYS is {days}: security logs must be kept at least six months "
            f"({LEGAL_MINIMUM_RETENTION_DAYS} days, 网络安全法 第二十一条).",
            id="indicators.W001",
        ))
    return problems
