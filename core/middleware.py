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

``ChineseFirstLocaleMiddleware`` picks zh-hans. The session and second-factor middleware are
``accounts.middleware``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.response import Response

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

