"""REST endpoints of the targets app: plans, targets and progress (the published feed).

Public (AllowAny) and read-only: in-force and closed plans, their targets, and the progress
the engine computed from approved figures only. Lists are ordered by id and take
``updated_since`` (plans and targets: ``updated_at``; progress: ``computed_at``). A target's
tombstone also stands for its progress rows, which go with it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from core.api_errors import InputError
from feed.conditional import conditional_response, set_validators
from feed.mixins import FeedMixin, NDJSONRenderer, StreamCSVRenderer

from .exports import FORMATS, progress_export_stream
from .filters import PlanFilter, ProgressFilter, TargetFilter
from .models import Plan, Progress, Target
from .selectors import (
    parse_quarter,
    plan_list,
    progress_latest_periods,
    progress_latest_quarter,
    progress_published,
    target_list,
)
from .serializers import (
    PlanSerializer,
    ProgressSerializer,
    TargetSerializer,
    department_names_prefetch,
)

PUBLISHED_PLANS = Plan.Status.published()


class PlanViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Plans (规划) in force or closed, with their number of targets."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    tombstone_model = "targets.plan"
    watermark_models = (Target,)  # target_count

    def get_queryset(self) -> QuerySet[Plan]:
        return plan_list().filter(status__in=PUBLISHED_PLANS).order_by("pk")


@extend_schema_view(
    list=extend_schema(description="目标清单（问题 #3）：含牵头/参与单位、条款与原文。"),
)
class TargetViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Targets (目标) of published plans, each traceable to its clause and quote."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    tombstone_model = "targets.target"
    watermark_models = (Plan,)  # a plan's status publishes its targets

    def get_queryset(self) -> QuerySet[Target]:
        return (
            target_list()
            .filter(plan__status__in=PUBLISHED_PLANS)
            .prefetch_related(
                None,  # replace the selector's full prefetch with names only
            )
            .prefetch_related(
                department_names_prefetch("lead_departments"),
                department_names_prefetch("participating_departments"),
            )
            .order_by("pk")
        )


@extend_schema_view(
    list=extend_schema(
        description=(
            "目标进度：缺省为最近一个季度（quarter=2025Q4 指定季度，quarter=all 为全部）。"
            "增量同步按计算时间；deleted 中为已删除目标的 id，其各季度进度随之删除。"
        )
    ),
)
class ProgressViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Progress (目标进度): one row per target per quarter, computed from approved data."""

    serializer_class = ProgressSerializer
    filterset_class = ProgressFilter
    updated_field = "computed_at"
    tombstone_model = "targets.target"
    watermark_models = (Target, Plan)

    # Quarter, then target (unique within a quarter): one range of progress_quarter_target.
    cursor_order = ("year", "quarter", "target_id")

    def cursor_partitions(
        self, queryset: QuerySet[Any], fields: tuple[str, ...]
    ) -> list[tuple[tuple[Any, ...], QuerySet[Any]]] | None:
        """Each target's latest verdict (no ``quarter``) is read one quarter at a time: the
        latest computed quarter and the last quarter of each closed plan (docs/scale.md §1)."""
        latest = getattr(self.request, "progress_latest_quarter", None)  # ProgressFilter's
        if fields != self.cursor_order or latest is None:
            return None
        return [((year, quarter), queryset.filter(year=year, quarter=quarter))
                for year, quarter in progress_latest_periods(latest)]

    def get_queryset(self) -> QuerySet[Progress]:
        return (
            progress_published()
            .filter(target__plan__status__in=PUBLISHED_PLANS)
            .prefetch_related(department_names_prefetch("target__lead_departments"))
            .order_by("pk")
        )

    @extend_schema(
        description=(
            "全量同步：某季度全部公开进度，流式输出。format=ndjson（缺省，每行一个与列表相同的"
            " JSON 对象）或 format=csv（UTF-8 带 BOM，表头为字段名）。支持 ETag / 304。"
            "PostgreSQL 上经 COPY 输出。见 docs/scale.md。"
        ),
        parameters=[
            OpenApiParameter(
                "quarter", str, description="季度，如 2025Q4；缺省为最近计算的季度",
            ),
            OpenApiParameter("format", str, enum=list(FORMATS), description="输出格式"),
        ],
        responses={
            (200, NDJSONRenderer.media_type): OpenApiTypes.STR,
            (200, StreamCSVRenderer.media_type): OpenApiTypes.STR,
            304: None,
        },
    )
    @action(
        detail=False, methods=["get"], url_path="export", filter_backends=[],
        pagination_class=None, renderer_classes=[NDJSONRenderer, StreamCSVRenderer],
    )
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """All published progress rows of one quarter, streamed (issue 18, docs/scale.md)."""
        raw = request.query_params.get("quarter", "").strip()
        if raw:
            try:
                year, quarter = parse_quarter(raw)
            except ValueError as error:
                raise InputError("quarter", str(error), code="invalid_quarter") from None
        else:
            latest = progress_latest_quarter()
            if latest is None:
                raise InputError("quarter", _("尚未计算任何季度的进度，请指定季度。"),
                                 code="no_progress")
            year, quarter = latest
        rows = self.get_queryset()
        validators = self._list_validators(request, rows)
        answer = conditional_response(request, *validators)
        if answer is not None:
            return answer
        fmt = request.accepted_renderer.format
        response = StreamingHttpResponse(
            progress_export_stream(year=year, quarter=quarter, fmt=fmt, using=rows.db),
            content_type=f"{request.accepted_renderer.media_type}; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="qualitytrack-progress-{year}Q{quarter}.{fmt}"'
        )
        set_validators(response, *validators)
        return response
