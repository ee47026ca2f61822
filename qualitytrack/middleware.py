"""Answer 503 with a Chinese message, at once, while the database cannot be reached.

Without this, a PostgreSQL outage shows the generic 500 page (or, with DEBUG, a traceback).
Django turns an exception into a response inside each middleware layer, so an outer
middleware never sees the exception itself; it is recognised where Django reports it, the
``got_request_exception`` signal (sent while the exception is being handled), and the 500
answer is replaced by a 503 with ``Retry-After`` on the way out. The page is plain HTML built
here, with no template or context processor that would query the database again; the API
gets the project's JSON error shape. Place this middleware first.
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
