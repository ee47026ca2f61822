"""Request body parsers of the API: DRF's, bounded and answering in Chinese.

Three things DRF's own parsers do not do (docs/reliability.md, part B, rows 6, 12 and 15):

* a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with a 413 before it is
  parsed (DRF reads the stream itself, so Django's own limit on ``request.body`` never
  applies to a JSON or form body);
* JSON nested deeper than ``MAX_JSON_DEPTH`` is a 400, not a RecursionError (a 500);
* a syntax error says where, in Chinese ("第1行第17列"), not "JSON parse error - …".
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

#: Deeper than any body the API accepts (an observation is a flat object); far below the
#: interpreter's recursion limit, so the check never depends on how deep the stack already is.
MAX_JSON_DEPTH = 32
Context = dict[str, Any] | None


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        super().__init__(
            _("请求内容过大：不能超过%(mb)s MB。") % {"mb": f"{limit / 1024 / 1024:g}"},
            code="too_large",
        )


def read_bounded(stream: Any, parser_context: dict[str, Any] | None) -> bytes:
    """The whole body, or BodyTooLarge as soon as it exceeds the limit (never more in memory)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if limit is not None and declared and str(declared).isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    data = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(data) > limit:
        raise BodyTooLarge()
    return data


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (one linear pass)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _no_constants(name: str) -> Any:
    raise ValueError(name)


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Context = None  # type: ignore[override]
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = read_bounded(stream, parser_context)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(
                _("请求内容不是有效的 %(encoding)s 编码文本。") % {"encoding": encoding}
            ) from None
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise ParseError(
                _("请求内容的 JSON 嵌套层数过多（最多%(n)d层）。") % {"n": MAX_JSON_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=_no_constants)
        except json.JSONDecodeError as error:
            raise ParseError(
                _("请求内容不是有效的 JSON：第%(line)d行第%(column)d列附近有误。")
                % {"line": error.lineno, "column": error.colno}
            ) from None
        except (ValueError, RecursionError):
            raise ParseError(
                _("请求内容不是有效的 JSON（不接受 NaN、Infinity 或过深的嵌套）。")
            ) from None


class FormParser(parsers.FormParser):
    def parse(  # type: ignore[override]
        self, stream: Any, media_type: str | None = None, parser_context: Context = None  # type: ignore[override]
    ) -> QueryDict:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        return QueryDict(read_bounded(stream, parser_context), encoding=encoding)


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Context = None  # type: ignore[override]
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(_("请求内容不是有效的 multipart/form-data 表单。")) from None
