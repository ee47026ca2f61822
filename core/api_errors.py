"""The API's one error shape: ``{"errors": [{"field", "code", "message"}]}``, in Chinese.

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: a service's Django ValidationError or
PermissionDenied reads the same in a form and in the API (400 and 403). ``InputError`` is a
400 naming the query parameter at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class InputError(exceptions.ValidationError):
    """A 400 naming the query parameter at fault."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__({field: [exceptions.ErrorDetail(message, code=code)]})


# --- Errors ---------------------------------------------------------------------------------

DEFAULT_MESSAGES: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.NotAuthenticated: (noop("请先登录或提供 API 令牌。"), "not_authenticated"),
    exceptions.AuthenticationFailed: (noop("身份验证失败。"), "authentication_failed"),
    exceptions.PermissionDenied: (noop("无权执行此操作。"), "permission_denied"),
    exceptions.NotFound: (noop("未找到该记录。"), "not_found"),
    exceptions.MethodNotAllowed: (noop("不支持该请求方法。"), "method_not_allowed"),
    exceptions.NotAcceptable: (noop("不支持所请求的格式。"), "not_acceptable"),
    exceptions.UnsupportedMediaType: (noop("不支持该请求内容类型。"), "unsupported_media_type"),
    exceptions.ParseError: (noop("请求内容格式不正确。"), "parse_error"),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{"errors": [{"field", "code", "message"}]}``, in Chinese.

    Django's ValidationError and PermissionDenied (what the services raise) map to 400 and
    403, so a service error reads the same in the form and in the API.
    """
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django's own body limits, hit when a parser reads the body: JSON, not an HTML 400.
        from .parsers import BodyTooLarge

        exc = BodyTooLarge()
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response({"errors": list(_django_errors(exc))}, status=400)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF"):
        # SessionAuthentication's "CSRF Failed: …" is English and names Django internals.
        exc = exceptions.PermissionDenied(
            _("CSRF 校验失败：请刷新页面后重试；程序调用请使用 API 令牌。"), code="csrf_failed"
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_drf_errors(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) if exc.wait is not None else None  # type: ignore[attr-defined]
        message = (
            _("请求过于频繁，请在%(seconds)d秒后重试。") % {"seconds": max(wait, 1)}
            if wait is not None
            else _("请求过于频繁，请稍后重试。")
        )
        errors = [{"field": None, "code": "throttled", "message": message}]
    else:
        errors = [_single_error(exc)]
    response.data = {"errors": errors}
    return response


def _single_error(exc: Exception) -> dict[str, Any]:
    for klass, (message, code) in DEFAULT_MESSAGES.items():
        if isinstance(exc, klass):
            detail = getattr(exc, "detail", "")
            default = str(getattr(klass, "default_detail", ""))
            # keep a specific message (a service's "无权…") but replace DRF's generic one
            text = str(detail) if detail and str(detail) != default else _(message)
            return {"field": None, "code": code, "message": text}
    detail = getattr(exc, "detail", exc)
    return {"field": None, "code": getattr(detail, "code", "error"), "message": str(detail)}


def _django_errors(exc: DjangoValidationError) -> Iterator[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error:
                    yield {
                        "field": None if field == NON_FIELD_ERRORS else field,
                        "code": error.code or "invalid",
                        "message": message,
                    }
    else:
        for error in exc.error_list:
            for message in error:
                yield {"field": None, "code": error.code or "invalid", "message": message}


def _drf_errors(detail: Any, field: str | None = None) -> Iterable[dict[str, Any]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", NON_FIELD_ERRORS) else str(key)
            yield from _drf_errors(value, f"{field}.{name}" if field and name else name or field)
    elif isinstance(detail, list):
        for item in detail:
            yield from _drf_errors(item, field)
    else:
        yield {"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}
