"""Answer 503 with a Chinese message, at once, while the database cannot be reached.

Without this, a PostgreSQL outage shows the generic 500 page (or, with DEBUG, a traceback).
Django turns an exception into a response inside each middleware layer, so an outer
middleware never sees the exception itself; it is recognised where Django reports it, the
``got_request_exception`` signal (sent while the exception is being handled), and the 500
answer is replaced by a 503 with ``Retry-After`` on the way out. The page is plain HTML built
here, with no template or context processor that would query the database again; the API
gets the project's JSON error shape. Place this middleware first.

``ApiJsonErrorsMiddleware`` gives the API's JSON error shape to the 404 of an unknown /api/
path and to Django's own 400s there (a body over the upload limit), with DEBUG on or off.

``SecondFactorRequiredMiddleware`` holds back a signed-in user who still owes the second login
factor (qualitytrack.second_factor), and ``ChineseFirstLocaleMiddleware`` picks zh-hans.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.response import Response

from indicators.audit import audit_record
from indicators.models import AuditEvent

from .second_factor import confirmed_device, must_change_password, second_factor_pending

logger = logging.getLogger(__name__)

MESSAGE = "系统数据库暂时无法连接，请稍后重试。刚才的操作如未提示成功，则未保存。"
RETRY_AFTER_SECONDS = 30
PAGE = f"""<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>服务暂时不可用 · QualityTrack</title>
</head><body><h1>服务暂时不可用</h1><p>{MESSAGE}</p></body></html>
"""


def _note_database_error(sender: object, request: HttpRequest | None = None,
                         **kwargs: object) -> None:
    if request is not None and isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        request._database_unavailable = True  # type: ignore[attr-defined]


got_request_exception.connect(_note_database_error, dispatch_uid="qualitytrack-db-unavailable")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"errors": [{"field": None, "code": "unavailable", "message": MESSAGE}]}
        response = HttpResponse(json.dumps(body, ensure_ascii=False), status=503,
                                content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_database_unavailable", False):
            logger.warning("database unavailable: 503 for %s %s", request.method, request.path)
            return unavailable_response(request)
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """zh-hans first: Chinese unless the user chose another language with the switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language; many office PCs run
    English-language browsers, and officials expect the system in Chinese. So only the
    language cookie that ``/i18n/setlang/`` sets can select English.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


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
    API_PAGES = ("qualitytrack:token-list", "swagger-ui")

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
    """The session rules of RELIABILITY AT-08 beyond Django's own: an absolute lifetime, and
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


#: Under /api/ but browser pages, whose errors stay HTML: the token page and Swagger UI.
_API_HTML_PAGES = ("/api/tokens/", "/api/docs/")


class ApiJsonErrorsMiddleware:
    """Unknown API paths and Django-level 400s in the API's Chinese JSON shape.

    DRF answers errors inside its views; what never reaches a view (no route matched, or
    Django refused the request first, e.g. ``RequestDataTooBig``) came back as Django's
    English HTML page (docs/reliability.md, part B, row 15).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path
        if (
            response.status_code in (400, 404)
            and path.startswith("/api/")
            and not path.startswith(_API_HTML_PAGES)
            # only Django's own HTML pages: DRF's answers (JSON, CSV, browsable) are shaped
            and not isinstance(response, Response)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            if response.status_code == 404:
                error = {"field": None, "code": "not_found",
                         "message": _("没有这个 API 地址：%(path)s") % {"path": path}}
            else:
                error = {"field": None, "code": "bad_request",
                         "message": _("请求无效：请求内容过大（不能超过%(mb)s MB）或格式不正确。")
                         % {"mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}"}}
            return HttpResponse(
                json.dumps({"errors": [error]}, ensure_ascii=False),
                status=response.status_code, content_type="application/json",
            )
        return response

