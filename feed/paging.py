"""What every feed list shares: paging, incremental sync and its filters.

* paging by page number, ``page_size`` up to 1000, stable order by id; or, with ``?cursor=``
  (empty for the first page), by cursor: a keyset on (change time, id) when
  ``updated_since`` is given, on id otherwise, so each page costs the same at any depth
  (docs/scale.md);
* ``updated_since=<ISO 8601>`` (inclusive) returns only rows changed since then, and the
  first page then carries ``deleted``: the tombstones (``feed.models.Tombstone``)
  of rows that left the feed since then. Use the ``X-Sync-Time`` header of one sync as the
  ``updated_since`` of the next: it is set ``SYNC_OVERLAP`` before the read, so a row written
  by a transaction still committing during the read is sent again rather than missed (a
  mirror upserts by id, so a repeat is harmless). Region, department and indicator lists
  carry no change time: they always return in full, with their deletions as tombstones;
* observations: an approved figure that is corrected or returned leaves the public feed as
  a tombstone (reason ``unpublished``) and comes back as a changed row once approved again.

``feed.mixins.FeedMixin`` brings these to a viewset, with ETag / Last-Modified (304), the
formats (JSON, browsable, CSV), token and session authentication and per-token throttling.
Errors come out in the one shape of ``core.api_errors``. The feed never imports an app above
it: each app's viewsets use it, and ``qualitytrack.api`` registers them on the router.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api_errors import InputError

from .models import Tombstone

# --- Paging ---------------------------------------------------------------------------------

TOMBSTONE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "description": "已删除或撤出的记录 id"},
        "natural_key": {"type": "string", "description": "业务键，如 plan-code/T001"},
        "reason": {"type": "string", "enum": [c.value for c in Tombstone.Reason]},
        "deleted_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "natural_key", "reason", "deleted_at"],
}


class KeysetAfter(Func):
    """``(a, b) > (x, y)``: a row comparison, which PostgreSQL answers from a composite index
    starting right at the cursor (an ``a > x OR (a = x AND b > y)`` would scan every row
    sharing ``a`` — and one recompute gives 120,000 rows the same ``computed_at``)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, fields: Sequence[str], values: Sequence[Any]) -> None:
        super().__init__(*(F(name) for name in fields), *values)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            parts.append(sql)
            params.extend(more)
        half = len(parts) // 2
        return f"({', '.join(parts[:half])}) > ({', '.join(parts[half:])})", params


class Pagination(pagination.PageNumberPagination):
    """Page numbers by default (``?page=``); ``?cursor=`` switches to keyset paging.

    Cursor paging orders by the view's ``cursor_fields`` (``FeedMixin`` sets them: change
    time and id with ``updated_since``, the view's ``cursor_order`` otherwise — id, or
    quarter and id for progress) and answers ``next`` only: no ``count`` (a ``COUNT(*)``
    over a national table per page is what made deep pages slow). A view may cut its list
    into slices (``cursor_partitions``), read in key order, each an index range. The cursor
    is opaque to clients (base64 of the last row's key); see docs/scale.md.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.view = view
        self.cursor_mode = self.cursor_query_param in request.query_params
        if self.cursor_mode:
            return self._cursor_page(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def first_page(self, request: Request) -> bool:
        """Whether this request reads the first page (the one that carries ``deleted``)."""
        if self.cursor_query_param in request.query_params:
            return not request.query_params.get(self.cursor_query_param)
        return request.query_params.get(self.page_query_param) in (None, "", "1")

    def _cursor_page(self, queryset: QuerySet[Any], request: Request, view: Any) -> list[Any]:
        self.request = request
        fields = tuple(getattr(view, "cursor_fields", ("pk",)))
        size = self.get_page_size(request) or self.page_size
        token = request.query_params.get(self.cursor_query_param, "")
        after = self._decode(token, queryset.model, fields) if token else None
        partitions = getattr(view, "cursor_partitions", lambda *_: None)(queryset, fields)
        page: list[Any] = []
        for prefix, rows in partitions or [((), queryset)]:
            if after is not None:
                head = tuple(value.value for value in after[: len(prefix)])
                if prefix < head:
                    continue  # a slice the walk has left behind
                if prefix == head:
                    rows = rows.filter(KeysetAfter(fields, after))
            # one more row than the page says whether there is a next page
            page += list(rows.order_by(*fields)[: size + 1 - len(page)])
            if len(page) > size:
                break
        self.has_next = len(page) > size
        self.page_rows = page[:size]
        self.cursor_fields = fields
        return self.page_rows

    @staticmethod
    def _encode(values: Sequence[Any]) -> str:
        plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")

    @staticmethod
    def _decode(token: str, model: Any, fields: Sequence[str]) -> list[Value]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not isinstance(raw, list) or len(raw) != len(fields):
                raise ValueError
            values = []
            for name, item in zip(fields, raw, strict=True):
                field = model._meta.pk if name == "pk" else model._meta.get_field(name)
                if field.get_internal_type() == "DateTimeField":
                    moment = parse_datetime(item) if isinstance(item, str) else None
                    if moment is None:
                        raise ValueError
                    values.append(Value(moment, output_field=field))
                elif isinstance(item, int) and not isinstance(item, bool):
                    values.append(Value(item, output_field=field))
                else:
                    raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InputError(
                "cursor", _("游标无效：请使用上一页返回的 next 链接。"), code="invalid_cursor"
            ) from None
        return values

    def _key(self, row: Any) -> list[Any]:
        return [row.pk if name == "pk" else getattr(row, name) for name in self.cursor_fields]

    def get_next_link(self) -> str | None:
        if not getattr(self, "cursor_mode", False):
            return super().get_next_link()
        if not self.has_next:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)  # type: ignore[union-attr]
        return replace_query_param(
            url, self.cursor_query_param, self._encode(self._key(self.page_rows[-1]))
        )

    def get_paginated_response(self, data: Any) -> Response:
        deleted = getattr(getattr(self, "view", None), "sync_deleted", None)
        if getattr(self, "cursor_mode", False):
            body: dict[str, Any] = {"next": self.get_next_link(), "results": data}
        else:
            body = {
                "count": self.page.paginator.count,  # type: ignore[union-attr]
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        if deleted is not None:
            first = self.first_page(self.request) if self.cursor_mode else self.page.number == 1  # type: ignore[arg-type,union-attr]
            body["deleted"] = deleted if first else []
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "results"]
        paginated["properties"]["count"]["description"] = "总条数（仅按页码分页时；游标分页不返回）"
        paginated["properties"]["previous"]["description"] = "上一页（仅按页码分页时）"
        paginated["properties"]["next"]["description"] = (
            "下一页的完整链接；游标分页时其中带 cursor，为 null 表示已读完"
        )
        paginated["properties"]["deleted"] = {
            "type": "array",
            "items": TOMBSTONE_SCHEMA,
            "description": (
                "仅在给出 updated_since 时出现（只在第1页）：此后删除或撤出公开数据的记录。"
            ),
        }
        return paginated

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append({
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "游标分页：第一页给空值（?cursor=），之后沿用 next 链接；每页耗时与深度无关。"
                "与 updated_since 同用时按（变更时间, id）排序，否则按 id。"
            ),
            "schema": {"type": "string"},
        })
        return parameters


# --- Filters every list shares --------------------------------------------------------------


#: The instants ``updated_since`` may name (docs/reliability.md, part B, row 5): anything
#: outside cannot be converted between time zones or stored, and no row is that old or new.
SINCE_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
SINCE_LATEST = dt.datetime(9998, 12, 31, tzinfo=dt.UTC)


class SinceField(IsoDateTimeField):
    """An ISO 8601 instant within SINCE_EARLIEST..SINCE_LATEST, or a Chinese 400.

    ``0001-01-01`` in Asia/Shanghai, or ``9999-12-31T23:59:59-14:00``, overflows Python's
    datetime when converted to UTC for the query (an OverflowError, i.e. a 500).
    """

    def clean(self, value: Any) -> Any:
        try:
            result = super().clean(value)
            if result is None or SINCE_EARLIEST <= result.astimezone(dt.UTC) <= SINCE_LATEST:
                return result
        except OverflowError:
            pass
        raise DjangoValidationError(
            _("参数 updated_since 超出可处理的时间范围，应在%(low)s至%(high)s之间。")
            % {"low": SINCE_EARLIEST.date().isoformat(), "high": SINCE_LATEST.date().isoformat()},
            code="out_of_range",
        )


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """``updated_since``: rows whose change time is at or after the given ISO 8601 instant."""

    field_class = SinceField

    def __init__(self, field_name: str = "updated_at", **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault(
            "label",
            gettext_lazy("只返回此时刻（含）之后变更的记录（ISO 8601，如 2025-01-01T08:00:00Z）"),
        )
        super().__init__(field_name=field_name, **kwargs)


class FullListSinceFilter(filters.IsoDateTimeFilter):
    """``updated_since`` on a reference list without change times: validated, rows unfiltered.

    The list comes back in full (it is small); the view still adds its tombstones.
    """

    field_class = SinceField

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("参考数据总是完整返回；给出时另附此后的删除记录"))
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs


class NameOrCodeFilter(filters.CharFilter):
    """A region given by name (赣榆区) or by its all-digit code (320707)."""

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if value in ([], (), {}, "", None):
            return qs
        value = value.strip()
        lookup = "code" if value.isdigit() else "name"
        return qs.filter(**{f"{self.field_name}__{lookup}": value})
