"""API shapes for regions, departments, indicators and observations.

Output serializers (``<Model>Serializer``) describe what the feed returns; input serializers
(``<Model><Action>InputSerializer``) only parse shape. Every rule about a figure (bounds,
periods, who may enter it, duplicates) is decided by ``indicators.services``, so the API and
the entry form cannot disagree.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import FieldsBuiltOnce
from feed.representation import CompiledRepresentation

from .models import Department, Indicator, Observation, Region
from .services.rules import EVIDENCE_MAX_LENGTH, REASON_MAX_LENGTH

NUMBER = {"coerce_to_string": False}


def _limited(label: str, limit: int) -> dict[str, Any]:
    """max_length with a Chinese message naming the field (the forms share the limit)."""
    return {
        "max_length": limit,
        "error_messages": {"max_length": _("%(label)s最多{max_length}字。") % {"label": label}},
    }


class RegionSerializer(CompiledRepresentation, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]
        slug_field="code", read_only=True, allow_null=True, label=_("上级区划代码")
    )
    level_label = serializers.CharField(source="get_level_display", label=_("层级名称"))

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_label", "parent"]


class DepartmentSerializer(CompiledRepresentation, serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", label=_("地区"))
    region_code = serializers.CharField(source="region.code", label=_("区划代码"))

    class Meta:
        model = Department
        fields = ["id", "region", "region_code", "name", "short_name"]


class IndicatorSerializer(CompiledRepresentation, serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name", "unit", "category", "measure", "frequency", "direction",
            "lower_bound", "upper_bound", "profile", "description",
        ]
        extra_kwargs = {"lower_bound": NUMBER, "upper_bound": NUMBER}


class ObservationSerializer(CompiledRepresentation, FieldsBuiltOnce, serializers.ModelSerializer):
    """One figure. ``comment`` and ``evidence`` are filled only for the department's own view.

    Its fields are mapped from the model once (``core.serializers.FieldsBuiltOnce``): every
    write answer is one of these; each is rendered as ``feed.representation`` says."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("指标代码"))  # type: ignore[var-annotated]
    indicator_name = serializers.CharField(source="indicator.name", label=_("指标"))
    unit = serializers.CharField(source="indicator.unit", label=_("单位"))
    region = serializers.CharField(source="region.name", label=_("地区"))
    region_code = serializers.CharField(source="region.code", label=_("区划代码"))
    department = serializers.SerializerMethodField(label=_("填报单位"))
    period = serializers.SerializerMethodField(label=_("报告期"))
    status_label = serializers.CharField(source="get_status_display", label=_("状态名称"))
    published = serializers.SerializerMethodField(label=_("已公开"))

    class Meta:
        model = Observation
        fields = [
            "id", "indicator", "indicator_name", "unit", "region", "region_code", "department",
            "year", "quarter", "period", "value", "state", "criteria_met", "status",
            "status_label", "published", "comment", "evidence", "version", "submitted_at",
            "approved_at", "updated_at",
        ]
        extra_kwargs = {"value": NUMBER}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_department(self, observation: Observation) -> str | None:
        return observation.department.name if observation.department_id else None  # type: ignore[union-attr]

    def get_period(self, observation: Observation) -> str:
        """'2024Q1' for a quarter, '2024' for a year."""
        if observation.quarter:
            return f"{observation.year}Q{observation.quarter}"
        return str(observation.year)

    def get_published(self, observation: Observation) -> bool:
        return observation.status == Observation.Status.APPROVED

    def to_representation(self, instance: Observation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("own"):
            data["comment"] = data["evidence"] = ""  # review notes stay with the department
        return data


class ObservationCreateInputSerializer(serializers.Serializer):
    """A figure to save as a draft for the caller's department (its region is implied)."""

    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), label=_("指标代码")
    )
    year = serializers.IntegerField(min_value=1990, max_value=2100, label=_("年份"))
    quarter = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, default=None,
        label=_("季度"), help_text=_("年度指标留空"),
    )
    value = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True, default=None,
        coerce_to_string=False, label=_("数值"),
    )
    state = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("进展状态"),
        help_text=_("里程碑类指标：not_started / in_progress / done，或 未启动 / 推进中 / 已完成"),
    )
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("佐证说明"),
        **_limited(_("佐证说明"), EVIDENCE_MAX_LENGTH),  # type: ignore[arg-type]
    )
    confirm_jump = serializers.BooleanField(
        required=False, default=False, label=_("确认数值无误"),
        help_text=_("数值与上期相差十倍以上时须确认（错误代码 confirm_jump）"),
    )


class ObservationUpdateInputSerializer(serializers.Serializer):
    """Changes to a figure: a draft or returned figure is edited, an approved one corrected."""

    value = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True,
        coerce_to_string=False, label=_("数值"),
    )
    state = serializers.CharField(required=False, allow_blank=True, label=_("进展状态"))
    evidence = serializers.CharField(
        required=False, allow_blank=True, label=_("佐证说明"),
        **_limited(_("佐证说明"), EVIDENCE_MAX_LENGTH),  # type: ignore[arg-type]
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("更正原因"),
        **_limited(_("更正原因"), REASON_MAX_LENGTH),  # type: ignore[arg-type]
        help_text=_("更正已审核的数据时必填"),
    )
    confirm_jump = serializers.BooleanField(
        required=False, default=False, label=_("确认数值无误")
    )
