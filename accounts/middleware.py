"""The session rules and the second-factor gate (docs/reliability.md AT-08).

``SessionLifetimeMiddleware`` ends a session 12 hours after its login and slides the idle
expiry cheaply; ``SecondFactorRequiredMiddleware`` holds back a signed-in user who still owes
a changed password or the second login factor (``accounts.second_factor``). The 403 of every
page and the API is recorded by ``accounts.audit.AuditDeniedMiddleware``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import AuditEvent
from .second_factor import confirmed_device, must_change_password, second_factor_pending


class SecondFactorRequiredMiddleware:
    """Until the TOTP code is given, a user who needs it reaches only the second-factor pages.

    Acts on the user of the *session* (place it after django-otp's OTPMiddleware): an office,
    admin, security-admin or auditor account, or a superuser, that is not
    ``request.user.is_verified()`` may open the verify and enrolment pages, log out, switch the
    language and load static and media files. Any other page redirects to the verify page
    (to enrolment while the user has no confirmed device) with ``?next=``; the API answers 403
    in the project's JSON error shape, audited like every 403. An API token is authenticated
    later by DRF and never carries a session user, so token requests pass untouched; a
    request with both an unverified session and a token header is refused, since DRF would
    let the session win.
    """

    # Pages under /api/ that people open in a browser: redirected like any other page.
    API_PAGES = ("accounts:token-list", "swagger-ui")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and must_change_password(user):
            # An administrator chose this password: it is replaced before anything else, the
            # second factor included (issue 12 row 9, docs/reliability.md).
            if self._open(request.path, password_change=True):
                return self.get_response(request)
            if self._is_api(request.path):
                return self._api_refusal(request, password=True)
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{resolve_url('password-change')}?{query}")
        if user is None or not second_factor_pending(user) or self._open(request.path):
            return self.get_response(request)
        if self._is_api(request.path):
            return self._api_refusal(request)
        page = "otp-verify" if confirmed_device(user) is not None else "otp-setup"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{resolve_url(page)}?{query}")

    @cached_property
    def open_prefixes(self) -> tuple[str, ...]:
        """Resolved once per process, on the first request that owes the code."""
        allowed = [resolve_url(name) for name in ("otp-verify", "otp-setup", "logout")]
        allowed += ["/i18n/", settings.STATIC_URL, settings.MEDIA_URL]
        return tuple(prefix for prefix in allowed if prefix)

    @cached_property
    def api_page_prefixes(self) -> tuple[str, ...]:
        return tuple(resolve_url(name) for name in self.API_PAGES)

    def _open(self, path: str, password_change: bool = False) -> bool:
        if password_change:  # while the password must change: only that page, logout, assets
            allowed = (resolve_url("password-change"), resolve_url("logout"), "/i18n/",
                       settings.STATIC_URL, settings.MEDIA_URL)
            return path.startswith(tuple(p for p in allowed if p))
        return path.startswith(self.open_prefixes)

    def _is_api(self, path: str) -> bool:
        return path.startswith("/api/") and not path.startswith(self.api_page_prefixes)

    @staticmethod
    def _api_refusal(request: HttpRequest, password: bool = False) -> HttpResponse:
        message = _("需要先完成动态口令验证：请在浏览器登录后输入身份验证器上的6位数字；"
                    "程序访问请使用 API 令牌。")
        if password:
            message = _("需要先修改初始密码：请在浏览器登录后按提示设置新密码。")
        audit_record(kind=AuditEvent.Kind.DENIED, request=request, detail=message)
        code = "password_change_required" if password else "second_factor_required"
        body = {"errors": [{"field": None, "code": code, "message": message}]}
        return HttpResponse(json.dumps(body, ensure_ascii=False), status=403,
                            content_type="application/json; charset=utf-8")


class SessionLifetimeMiddleware:
    """The session rules of docs/reliability.md AT-08 beyond Django's own: an absolute lifetime, and
    an idle expiry that slides without writing the session on every request.

    * A signed-in session ends ``SESSION_ABSOLUTE_SECONDS`` (12 h) after its login, however
      busy: the user is logged out and the request goes on as anonymous (a page then asks
      for the login, the API answers as for the public).
    * Django slides the idle expiry (``SESSION_COOKIE_AGE``, 30 min) only when the session is
      saved. Saving on every request (SESSION_SAVE_EVERY_REQUEST) cost three database round
      trips per page; here it is saved when ``SESSION_REFRESH_SECONDS`` (60) have passed since
      the last save, so a session ends between 29 and 30 idle minutes.

    Place it right after AuthenticationMiddleware.
    """

    STARTED, REFRESHED = "_qt_started", "_qt_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        if now - session.get(self.STARTED, now) > settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)  # flushes the session: a new, empty one from here on
        response = self.get_response(request)
        session = request.session  # a new object after a login or logout in the view
        if "_auth_user_id" in session:
            session.setdefault(self.STARTED, now)  # the login's own request starts the clock
            if now - session.get(self.REFRESHED, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.REFRESHED] = now  # modified: saved, expiry pushed forward
        return response


@receiver(user_logged_in, dispatch_uid="qt_session_started")
def session_started(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A password login (again) starts the 12 hours afresh, even in a session kept from before."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionLifetimeMiddleware.STARTED] = int(time.time())
