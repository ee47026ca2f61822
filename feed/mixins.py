"""What every feed viewset shares: credentials, throttles, formats, sync, caching, schema.

``FeedMixin`` goes first in a viewset's bases. Set ``updated_field`` to the change-time field
(``None`` for reference lists, which then always come back in full) and ``tombstone_model``
to the model label whose tombstones the list reports with ``updated_since``. The behaviour
itself is described in ``feed.paging``; this module holds the parts that import
drf-spectacular, which ``feed.paging`` and ``core.api_errors`` must not (DRF imports them
while loading its settings).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Max, Model, QuerySet
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from accounts.throttling import ApiTokenRateThrottle, PublicRateThrottle
from core.api_errors import InputError
from core.renderers import CSVRenderer

from .conditional import conditional_response, latest, list_etag, set_validators, watermarks
from .models import Tombstone
from .paging import Pagination, SinceField

# --- Schema: the error answers drf-spectacular cannot see -----------------------------------


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="出错的字段或参数；整体错误为 null")
    code = serializers.CharField(help_text="机器可读的错误代码，如 out_of_range、permission_denied")
    message = serializers.CharField(help_text="中文说明")


class ErrorResponseSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]


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


# --- Streamed exports' formats ---------------------------------------------------------------


class NDJSONRenderer(BaseRenderer):
    """``?format=ndjson``: picks the format of a streamed export (the view writes the rows
    itself); renders only an error answer, as one JSON line."""

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return json.dumps(data, ensure_ascii=False).encode() + b"\n"


class StreamCSVRenderer(CSVRenderer):
    """``?format=csv`` of a streamed export; errors render as the feed's CSV does."""


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


if TYPE_CHECKING:
    from rest_framework.viewsets import ReadOnlyModelViewSet

    # What the mixin is mixed into, so that the checker knows its super() and attributes.
    _FeedBase = ReadOnlyModelViewSet
else:
    _FeedBase = object


class FeedMixin(_FeedBase):
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
    #: Cursor order without ``updated_since``: a stable key, unique on every row, of numbers.
    cursor_order: tuple[str, ...] = ("pk",)

    def cursor_partitions(
        self, queryset: QuerySet[Any], fields: tuple[str, ...]
    ) -> list[tuple[tuple[Any, ...], QuerySet[Any]]] | None:
        """Disjoint slices of a filtered list, each a plain index range in cursor order, whose
        keys start with the slice's prefix: a list whose filter is an ``OR`` of unrelated
        conditions (progress: each target's latest verdict) is then paged slice by slice
        instead of sorting the whole filtered list per page. ``None``: one slice."""
        return None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        sync_time = timezone.now()
        queryset = self.filter_queryset(self.get_queryset())
        since = self._updated_since(request)
        # Cursor pages follow the change time when syncing, so a row changed mid-sync moves
        # behind the cursor's end and is read again rather than skipped (docs/scale.md).
        self.cursor_fields = (
            (self.updated_field, "pk") if since is not None and self.updated_field
            else self.cursor_order
        )
        validators: tuple[str, datetime | None] | None = None
        if self.updated_field:
            # Before any page is read or serialised: a 304 costs one cheap query.
            validators = self._list_validators(request, queryset)
            not_modified = conditional_response(request, *validators)
            if not_modified is not None:
                return not_modified
        paginator = self.paginator
        first = paginator is None or not hasattr(paginator, "first_page") or (
            paginator.first_page(request)
        )
        if since is not None and self.tombstone_model and first:
            moment = serializers.DateTimeField()  # the same local time as every other field
            self.sync_deleted = [
                {"id": t.object_id, "natural_key": t.natural_key, "reason": t.reason,
                 "deleted_at": moment.to_representation(t.deleted_at)}
                for t in Tombstone.objects.filter(model=self.tombstone_model, deleted_at__gte=since)
            ]
        elif since is not None and self.tombstone_model:
            self.sync_deleted = []
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        response = self.get_paginated_response(serializer.data)
        response["X-Sync-Time"] = (sync_time - SYNC_OVERLAP).isoformat()
        if validators is not None:
            set_validators(response, *validators)
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

    #: Other models whose rows a list shows (a plan's status decides whether its targets
    #: are published; a progress row shows its target's code): their change marks enter the
    #: ETag, so a change there is never answered 304.
    watermark_models: tuple[type[Model], ...] = ()

    def exact_validators(self) -> bool:
        """Whether this list may show rows that can vanish without a tombstone (someone's own
        drafts): then the ETag counts the filtered rows instead of reading watermarks."""
        return False

    def _list_validators(
        self, request: Request, queryset: QuerySet[Any]
    ) -> tuple[str, datetime | None]:
        """ETag and Last-Modified of a list, from one query that does not grow with the data.

        Public lists show published rows only, and every row that leaves them leaves a
        tombstone, so the table's latest change time and highest id, the tombstones' count
        and latest time, and the same marks of ``watermark_models`` change whenever the
        list's content can: each is an index end (``MAX`` of an indexed column), not a scan
        of the filtered rows as a ``COUNT`` would be (docs/scale.md). Last-Modified is the
        latest change of the list's own rows and of tombstones.
        """
        if self.exact_validators():
            return self._exact_validators(request, queryset)
        model = queryset.model
        updated = str(self.updated_field)
        sources = [(model, updated)] + [(other, "updated_at") for other in self.watermark_models]
        marks = watermarks(queryset.db, sources)
        last = latest(marks[0], marks[-1])
        return list_etag(self, request, marks), last

    def _exact_validators(
        self, request: Request, queryset: QuerySet[Any]
    ) -> tuple[str, datetime | None]:
        rows = queryset.order_by().aggregate(n=Count("pk"), last=Max(self.updated_field))
        parts: list[object] = [rows["n"], rows["last"]]
        last = rows["last"]
        if self.tombstone_model:
            gone = Tombstone.objects.filter(model=self.tombstone_model).aggregate(
                n=Count("pk"), last=Max("deleted_at")
            )
            parts += [gone["n"], gone["last"]]
            last = latest(last, gone["last"])
        return list_etag(self, request, parts), last

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        if (
            request.method in ("GET", "HEAD")
            and isinstance(response, Response)
            and response.status_code == 200
            and not response.has_header("ETag")
        ):
            response.render()
            response["ETag"] = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            return get_conditional_response(request, etag=response["ETag"], response=response)  # type: ignore[return-value]
        return response
