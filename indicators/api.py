"""REST endpoints of the indicators app: reference lists and observations (read and write).

Reads are public and show approved figures only. ``?mine=1`` (signed in, or with a
department token) lists what the caller may see in every status, drafts included
(``observations_visible_to``). Writes call ``indicators.services``, the same functions the
entry form calls, so validation, permissions and history are one implementation:

* ``POST /observations/``: save a draft (the caller's department and region);
* ``PATCH /observations/{id}/``: edit a draft or returned figure, or correct an approved
  one (``reason`` required; it goes through approval again and leaves the public feed);
* ``POST /observations/{id}/submit/``: submit for approval.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from accounts.models import AuditEvent
from feed.mixins import FeedMixin, WritesNeedAUser

from . import permissions
from .filters import DepartmentFilter, IndicatorFilter, ObservationFilter, RegionFilter
from .models import Department, Indicator, Observation, Region
from .selectors import observation_scope, observations_visible_to
from .serializers import (
    DepartmentSerializer,
    IndicatorSerializer,
    ObservationCreateInputSerializer,
    ObservationSerializer,
    ObservationUpdateInputSerializer,
    RegionSerializer,
)
from .services import observation_correct, observation_save_draft, observation_submit

ERRORS = {
    400: OpenApiResponse(description="校验未通过：errors 列出字段、代码与说明"),
    401: OpenApiResponse(description="未登录，或令牌无效、已吊销"),
    403: OpenApiResponse(description="无权操作（如填报非本部门牵头的指标，或使用门户令牌写入）"),
}


class RegionViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Regions (地区). A reference list: always returned in full."""

    queryset = Region.objects.select_related("parent").order_by("pk")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    updated_field = None
    tombstone_model = "indicators.region"


class DepartmentViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Departments (责任单位). A reference list: always returned in full."""

    queryset = Department.objects.select_related("region").order_by("pk")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    updated_field = None
    tombstone_model = "indicators.department"


class IndicatorViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Indicators (指标). A reference list: always returned in full."""

    queryset = Indicator.objects.order_by("pk")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    updated_field = None
    tombstone_model = "indicators.indicator"


@extend_schema_view(
    list=extend_schema(description="已审核（公开）的数据；mine=1 时为本人可见的全部数据。"),
    retrieve=extend_schema(description="已审核的数据，或本人可见的数据。"),
)
class ObservationViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Figures (填报数据): the approved ones for everybody, one's own for departments."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    permission_classes = [WritesNeedAUser]
    tombstone_model = "indicators.observation"

    def get_queryset(self) -> QuerySet[Observation]:
        user = self.request.user
        published = Q(status=Observation.Status.APPROVED)
        if self.action == "list" and self._mine():
            if not user.is_authenticated:
                raise exceptions.NotAuthenticated()
            return observations_visible_to(user).order_by("pk")
        rows = Observation.objects.select_related("indicator", "region", "department")
        if self.action == "list" or not user.is_authenticated:
            return rows.filter(published).order_by("pk")
        visible = observation_scope(user)
        return (rows if visible is None else rows.filter(published | visible)).order_by("pk")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Reads filter by their query parameters. A write names one figure by its id, and a
        query string filters nothing there: the filter set is not built (its scope is
        ``get_queryset``'s, as for every action)."""
        if self.request.method not in SAFE_METHODS:
            return queryset
        return super().filter_queryset(queryset)

    def exact_validators(self) -> bool:
        return self.action == "list" and self._mine()  # drafts vanish without a tombstone
    def get_object(self) -> Observation:
        """A figure outside the caller's scope is a 404 (its existence stays hidden), audited
        as a cross-scope attempt (issue 12 row 7)."""
        try:
            return super().get_object()
        except Http404:
            pk = str(self.kwargs.get("pk", ""))
            if pk.isdigit() and Observation.objects.filter(pk=int(pk)).exists():
                audit_record(kind=AuditEvent.Kind.DENIED, request=self.request, detail=_(
                    "越权访问：填报数据（pk=%(pk)s）不在权限范围内，已答复404") % {"pk": pk})
            raise

    def _mine(self) -> bool:
        return self.request.query_params.get("mine", "").lower() in {"1", "true", "yes"}

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["own"] = self.action != "retrieve" and (self.action != "list" or self._mine())  # type: ignore[index]
        return context  # type: ignore[return-value]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        observation = self.get_object()
        context = self.get_serializer_context()
        context["own"] = permissions.can_view_observation(request.user, observation)
        return Response(ObservationSerializer(observation, context=context).data)

    @extend_schema(
        request=ObservationCreateInputSerializer,
        responses={201: ObservationSerializer, 200: ObservationSerializer, **ERRORS},
        description="保存本部门的草稿（同一报告期已有草稿时修改它，返回200）。",
    )
    def create(self, request: Request) -> Response:
        data = ObservationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started = timezone.now()
        observation = observation_save_draft(by=request.user, **data.validated_data)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        created = observation.version == 1 and observation.created_at >= started
        return Response(
            self.get_serializer(observation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=ObservationUpdateInputSerializer,
        responses={200: ObservationSerializer, **ERRORS},
        description="修改草稿或已退回的数据；已审核的数据则为更正（reason 必填，须重新审核）。",
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        observation = self.get_object()
        data = ObservationUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        common = {
            "by": request.user,
            "value": changes.get("value", observation.value),
            "state": changes.get("state", observation.state),
            "confirm_jump": changes["confirm_jump"],
        }
        if observation.status == Observation.Status.APPROVED:
            observation = observation_correct(
                observation=observation, reason=changes["reason"], **common
            )
        else:
            observation = observation_save_draft(
                indicator=observation.indicator, year=observation.year,
                quarter=observation.quarter,
                evidence=changes.get("evidence", observation.evidence), **common,
            )
        return Response(self.get_serializer(observation).data)

    @extend_schema(
        request=None,
        responses={200: ObservationSerializer, **ERRORS},
        description="提交审核（草稿或已退回的数据）。",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        observation = observation_submit(observation=self.get_object(), by=request.user)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        return Response(self.get_serializer(observation).data)
