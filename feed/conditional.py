"""Conditional GET for the feed: validators computed before a page is read, and Django's own
evaluation of the request's conditions (``django.utils.cache.get_conditional_response``).

A list's ETag and Last-Modified come from index ends (``watermarks``: the latest change time
and highest id of each table the list shows, and the tombstones' count and latest time), so a
304 costs one cheap query whatever the data's size (docs/scale.md). Django then decides 304,
412 or go on; nothing here re-implements If-None-Match or If-Modified-Since.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import Model
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from rest_framework.request import Request

from .models import Tombstone


def list_etag(view: Any, request: Request, marks: list[object]) -> str:
    """A weak ETag of the marks, the query (filters, page, cursor), the format and the user."""
    user = request.user
    parts = [
        view.__class__.__name__, marks, sorted(request.query_params.lists()),
        getattr(request.accepted_renderer, "format", ""), getattr(user, "pk", None),
    ]
    return f'W/"{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"'


def watermarks(alias: str, sources: list[tuple[type[Model], str]]) -> list[object]:
    """``[max(change time), max(id)]`` of each model, then the tombstones' count and latest
    time, in one statement of scalar subqueries (each an index end on PostgreSQL)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    selects = []
    for model, field in sources:
        table = quote(model._meta.db_table)
        selects.append(f"(SELECT MAX({quote(model._meta.get_field(field).column)}) FROM {table})")  # type: ignore[arg-type,union-attr]
        selects.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")  # type: ignore[arg-type]
    tombstones = quote(Tombstone._meta.db_table)
    selects.append(f"(SELECT COUNT(*) FROM {tombstones})")
    selects.append(f"(SELECT MAX({quote('deleted_at')}) FROM {tombstones})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects))
        row = list(cursor.fetchone())
    # SQLite hands raw SELECTs' datetimes back as text: read them as UTC like the ORM does.
    times = {*range(0, 2 * len(sources), 2), len(row) - 1}
    return [_as_datetime(value) if index in times else value for index, value in enumerate(row)]


def _as_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    moment = parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def latest(*moments: object) -> datetime | None:
    found = [m for m in moments if isinstance(m, datetime)]
    return max(found) if found else None


def conditional_response(
    request: Request, etag: str, last_modified: datetime | None
) -> HttpResponseBase | None:
    """Django's own evaluation of If-None-Match / If-Modified-Since (304, or 412 to a failed
    If-Match); ``None`` when the list must be built."""
    stub = HttpResponse()
    set_validators(stub, etag, last_modified)
    answer = get_conditional_response(
        request, etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=stub,
    )
    return None if answer is stub else answer


def set_validators(response: HttpResponseBase, etag: str, last_modified: datetime | None) -> None:
    response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
