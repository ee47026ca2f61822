"""What every feed viewset shares: credentials, throttles, formats, sync, caching, schema.

``FeedMixin`` goes first in a viewset's bases. Set ``updated_field`` to the change-time field
(``None`` for reference lists, which then always come back in full) and ``tombstone_model``
to the model label whose tombstones the list reports with ``updated_since``. The behaviour
itself is described in ``qualitytrack.api``; this module holds the parts that import
drf-spectacular, which ``qualitytrack.api`` must not (DRF imports it while loading).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Max, QuerySet
from django.http import HttpResponseBase, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .api import InputError, Pagination, SinceField
from .authentication import ApiTokenAuthentication
from .models import ApiToken, Tombstone
from .renderers import CSVRenderer
from .throttling import ApiTokenRateThrottle, PublicRateThrottle

# --- Schema: the error answers drf-spectacular cannot see -----------------------------------


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="出错的字段或参数；整体错误为 null")
    code = serializers.CharField(help_text="机器可读的错误代码，如 out_of_range、permission_denied")
    message = serializers.CharField(help_text="中文说明")


class ErrorResponseSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


class FeedAutoSchema(AutoSchema):
    """Documents the error answers every feed operation can give, with their JSON shape."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "404", "429"]
        if self.method not in SAFE_METHODS:
            codes.insert(2, "403")
        for code in codes:
            if code not in responses or not responses[code].get("content"):
                description = responses.get(code, {}).get("description", "")
                responses[code] = self._get_response_for_code(ErrorResponseSerializer, code)
                if description:
                    responses[code]["description"] = description
        return dict(sorted(responses.items()))


# --- Permissions and the base viewset -------------------------------------------------------


class WritesNeedAUser(BasePermission):
    """Reads are public; writes need a signed-in user or a department token.

    No credentials → 401; a portal token (read-only by design) → 403.
    """

    message = gettext_lazy("无权写入：门户令牌只能读取公开数据。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken) and token.kind == ApiToken.Kind.PORTAL:
            return False
        return bool(request.user and request.user.is_authenticated)


#: How far before a read X-Sync-Time points (covers transactions committing meanwhile).
SYNC_OVERLAP = timedelta(minutes=1)


class FeedMixin:
    """Authentication, throttles, renderers, incremental sync and conditional GET.

    Set ``updated_field`` to the change-time field (``None`` for reference lists) and
    ``tombstone_model`` to the model label whose tombstones a list reports.
    """

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    throttle_classes = [ApiTokenRateThrottle, PublicRateThrottle]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    permission_classes = [AllowAny]
    pagination_class = Pagination
    schema = FeedAutoSchema()
    # Any path segment reaches the view, so "/targets/abc/" is our JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"
    updated_field: str | None = "updated_at"
    tombstone_model: str | None = None
    sync_deleted: list[dict[str, Any]] | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        sync_time = timezone.now()
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        since = self._updated_since(request)
        validators: tuple[str, datetime | None] | None = None
        if self.updated_field:
            validators = self._list_validators(request, queryset)
            if _not_modified(request, *validators):
                return _not_modified_response(*validators)
        if since is not None and self.tombstone_model:
            moment = serializers.DateTimeField()  # the same local time as every other field
            self.sync_deleted = [
                {"id": t.object_id, "natural_key": t.natural_key, "reason": t.reason,
                 "deleted_at": moment.to_representation(t.deleted_at)}
                for t in Tombstone.objects.filter(model=self.tombstone_model, deleted_at__gte=since)
            ]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        serializer = self.get_serializer(page, many=True)  # type: ignore[attr-defined]
        response = self.get_paginated_response(serializer.data)  # type: ignore[attr-defined]
        response["X-Sync-Time"] = (sync_time - SYNC_OVERLAP).isoformat()
        if validators is not None:
            _set_validators(response, *validators)
        return response

    @staticmethod
    def _updated_since(request: Request) -> datetime | None:
        raw = request.query_params.get("updated_since")
        if not raw:
            return None
        try:
            return SinceField().clean(raw)
        except DjangoValidationError as error:  # the filterset reports it first; belt and braces
            raise InputError("updated_since", error.messages[0]) from None

    def _list_validators(
        self, request: Request, queryset: QuerySet[Any]
    ) -> tuple[str, datetime | None]:
        """ETag and Last-Modified of a filtered list, from two aggregate queries."""
        rows = queryset.order_by().aggregate(n=Count("pk"), last=Max(self.updated_field))
        parts: list[object] = [self.__class__.__name__, rows["n"], rows["last"]]
        last = rows["last"]
        if self.tombstone_model:
            gone = Tombstone.objects.filter(model=self.tombstone_model).aggregate(
                n=Count("pk"), last=Max("deleted_at")
            )
            parts += [gone["n"], gone["last"]]
            if gone["last"] and (last is None or gone["last"] > last):
                last = gone["last"]
        user = request.user
        parts += [
            sorted(request.query_params.lists()),
            getattr(request.accepted_renderer, "format", ""),
            getattr(user, "pk", None),
        ]
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        return f'W/"{digest}"', last

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if (
            request.method in ("GET", "HEAD")
            and isinstance(response, Response)
            and response.status_code == 200
            and not response.has_header("ETag")
        ):
            response.render()
            etag = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            response["ETag"] = etag
            if _not_modified(request, etag, None):
                return _not_modified_response(etag, None)
        return response


def _etags(header: str) -> Iterator[str]:
    for tag in header.split(","):
        tag = tag.strip()
        yield tag.removeprefix("W/")


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = set(_etags(if_none_match))
        return "*" in tags or etag.removeprefix("W/") in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(since and last_modified and int(last_modified.timestamp()) <= since)


def _set_validators(response: HttpResponseBase, etag: str, last_modified: datetime | None) -> None:
    response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())


def _not_modified_response(etag: str, last_modified: datetime | None) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    _set_validators(response, etag, last_modified)
    return response
