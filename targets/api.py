"""REST endpoints of the targets app: plans, targets and progress (the published feed).

Public (AllowAny) and read-only: in-force and closed plans, their targets, and the progress
the engine computed from approved figures only. Lists are ordered by id and take
``updated_since`` (plans and targets: ``updated_at``; progress: ``computed_at``). A target's
tombstone also stands for its progress rows, which go with it.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from indicators.models import Department
from qualitytrack.api import router
from qualitytrack.feed import FeedMixin

from .filters import PlanFilter, ProgressFilter, TargetFilter
from .models import Plan, Progress, Target
from .selectors import plan_list, progress_published, target_list
from .serializers import PlanSerializer, ProgressSerializer, TargetSerializer

PUBLISHED_PLANS = Plan.Status.published()


def _department_names(path: str) -> Prefetch:
    return Prefetch(path, queryset=Department.objects.only("id", "name").order_by("name"))


class PlanViewSet(FeedMixin, viewsets.ReadOnlyModelViewSet):
    """Plans (规划) in force or closed, with their number of targets."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    tombstone_model = "targets.plan"
    watermark_models = ("targets.Target",)  # target_count

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
    watermark_models = ("targets.Plan",)  # a plan's status publishes its targets

    def get_queryset(self) -> QuerySet[Target]:
        return (
            target_list()
            .filter(plan__status__in=PUBLISHED_PLANS)
            .prefetch_related(
                None,  # replace the selector's full prefetch with names only
            )
            .prefetch_related(
                _department_names("lead_departments"),
                _department_names("participating_departments"),
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
    watermark_models = ("targets.Target", "targets.Plan")

    def get_queryset(self) -> QuerySet[Progress]:
        return (
            progress_published()
            .filter(target__plan__status__in=PUBLISHED_PLANS)
            .prefetch_related(_department_names("target__lead_departments"))
            .order_by("pk")
        )


router.register("plans", PlanViewSet, basename="plan")
router.register("targets", TargetViewSet, basename="target")
router.register("progress", ProgressViewSet, basename="progress")
