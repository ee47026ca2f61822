"""API shapes for plans, targets and progress (read-only: the published feed).

Related objects are given the way the plans write them: the region and departments by name
(with the region code beside), the plan and the indicator by code. Numbers are JSON numbers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from feed.representation import CompiledRepresentation
from indicators.calendar import Period
from indicators.models import Department

from .models import Plan, Progress, Target
from .wording import gap_phrase, reason_label

NUMBER = {"coerce_to_string": False}


class DepartmentNamesField(serializers.ListField):
    """A many-to-many of departments as a list of their names.

    Prefetched into a list (``department_names_prefetch``): Django's ordinary m2m prefetch
    clones a queryset per row to cache it on the manager, which on a 1,000-row feed page
    cost more CPU than rendering the rows. Without the list, the manager is read.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)  # type: ignore[arg-type]

    def get_attribute(self, instance: object) -> Any:
        owner = get_attribute(instance, self.source_attrs[:-1])
        listed = getattr(owner, LISTED.format(self.source_attrs[-1]), None)
        if listed is not None:
            return listed
        return getattr(owner, self.source_attrs[-1]).all()

    def to_representation(self, departments: object) -> list[str]:
        return [department.name for department in departments]  # type: ignore[attr-defined]


#: Where ``department_names_prefetch`` puts a relation's departments (``lead_departments`` →
#: ``lead_departments_listed``).
LISTED = "{}_listed"


def department_names_prefetch(path: str) -> Prefetch:
    """Prefetch the departments of ``path`` (e.g. ``target__lead_departments``) as a list,
    by name, for ``DepartmentNamesField``."""
    return Prefetch(
        path, queryset=Department.objects.only("id", "name").order_by("name"),
        to_attr=LISTED.format(path.rsplit("__", 1)[-1]),
    )


class PlanSerializer(CompiledRepresentation, serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", label=_("地区"))
    region_code = serializers.CharField(source="region.code", label=_("区划代码"))
    status_label = serializers.CharField(source="get_status_display", label=_("状态名称"))
    target_count = serializers.IntegerField(read_only=True, label=_("目标数"))

    class Meta:
        model = Plan
        fields = [
            "id", "code", "region", "region_code", "title", "doc_number", "issuer",
            "issue_date", "start_year", "end_year", "base_year", "status", "status_label",
            "source", "target_count", "updated_at",
        ]


class TargetSerializer(CompiledRepresentation, serializers.ModelSerializer):
    region = serializers.CharField(source="plan.region.name", label=_("地区"))
    region_code = serializers.CharField(source="plan.region.code", label=_("区划代码"))
    plan = serializers.CharField(source="plan.code", label=_("规划代码"))
    plan_title = serializers.CharField(source="plan.title", label=_("规划"))
    indicator = serializers.CharField(source="indicator.code", label=_("指标代码"))
    indicator_name = serializers.CharField(source="indicator.name", label=_("指标"))
    lead_departments = DepartmentNamesField(label=_("牵头单位"))
    participating_departments = DepartmentNamesField(label=_("参与单位"))

    class Meta:
        model = Target
        fields = [
            "id", "code", "region", "region_code", "plan", "plan_title", "indicator",
            "indicator_name", "unit", "kind", "comparator", "value", "value_high",
            "deadline_year", "baseline_value", "baseline_year", "aspirational", "binding",
            "lead_departments", "participating_departments", "section", "source_clause",
            "source_quote", "cancelled", "cancel_reason", "updated_at",
        ]
        extra_kwargs = {"value": NUMBER, "value_high": NUMBER, "baseline_value": NUMBER}


class ProgressSerializer(CompiledRepresentation, serializers.ModelSerializer):
    target_code = serializers.CharField(source="target.code", label=_("目标编号"))
    plan = serializers.CharField(source="target.plan.code", label=_("规划代码"))
    region = serializers.CharField(source="target.plan.region.name", label=_("地区"))
    indicator = serializers.CharField(source="target.indicator.code", label=_("指标代码"))
    indicator_name = serializers.CharField(source="target.indicator.name", label=_("指标"))
    lead_departments = DepartmentNamesField(
        source="target.lead_departments", label=_("牵头单位")
    )
    quarter = serializers.SerializerMethodField(label=_("季度"))
    status_label = serializers.CharField(source="get_status_display", label=_("状态名称"))
    data_period = serializers.SerializerMethodField(label=_("数据期"))
    gap_text = serializers.SerializerMethodField(label=_("差距说明"))
    reason_text = serializers.SerializerMethodField(label=_("说明文字"))

    class Meta:
        model = Progress
        fields = [
            "id", "target", "target_code", "plan", "region", "indicator", "indicator_name",
            "lead_departments", "quarter", "status", "status_label", "reason", "data_period",
            "current_value", "completion_ratio", "elapsed_share", "pace", "expected_value",
            "gap", "gap_text", "reason_text", "moving_away", "stale", "provisional",
            "exceeds_stretch", "unattainable",
            "periods_met", "periods_total", "projected_value", "projected_to_meet",
            "awaiting_final", "computed_at",
        ]

    def get_quarter(self, progress: Progress) -> str:
        """'2025Q4'."""
        return Period(progress.year, progress.quarter).slug

    def get_gap_text(self, progress: Progress) -> str:
        """The gap in words and unit, the same as pages, PDF and CSV: '落后 1.67个', '—'."""
        target = progress.target
        return gap_phrase(progress.gap, progress.status, target.unit or target.indicator.unit)

    def get_reason_text(self, progress: Progress) -> str:
        """Why the row is 待填报 / 数据不足 / …, in words; '' if the status says it all."""
        return reason_label(progress.reason)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_data_period(self, progress: Progress) -> str | None:
        """The period of the current value: '2025Q2', '2024' (annual) or null."""
        if progress.data_year is None:
            return None
        return Period(progress.data_year, progress.data_quarter or None).slug
