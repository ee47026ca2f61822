"""Query filters of the plans, targets and progress lists.

``region`` takes a name (赣榆区) or a code (320707) and matches the plan's own region;
``plan`` and ``indicator`` take codes; ``department`` takes a department's name and matches
targets it leads or takes part in (``lead_department``: leads only, as the rollups count).
``quarter`` on progress is ``2025Q4``, ``all`` for every quarter, or absent for the latest.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from feed.paging import NameOrCodeFilter, UpdatedSinceFilter

from .models import Plan, Progress, Target
from .selectors import parse_quarter, progress_latest_at, progress_latest_quarter

ALL = "all"


def _led_by(name: str, prefix: str = "") -> Q:
    rows = Target.lead_departments.through.objects.filter(department__name=name)
    return Q(**{f"{prefix}pk__in": rows.values("target_id")})


def _supported_by(name: str, prefix: str = "") -> Q:
    rows = Target.participating_departments.through.objects.filter(department__name=name)
    return Q(**{f"{prefix}pk__in": rows.values("target_id")})


class PlanFilter(filters.FilterSet):
    region = NameOrCodeFilter(field_name="region", label=_("地区（名称或区划代码）"))
    status = filters.ChoiceFilter(choices=Plan.Status.choices, label=_("状态"))
    year = filters.NumberFilter(method="filter_year", label=_("年份：规划期包含该年的规划"))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Plan
        fields = ["region", "status"]

    def filter_year(self, queryset: QuerySet[Plan], name: str, value: Any) -> QuerySet[Plan]:
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class TargetFilter(filters.FilterSet):
    region = NameOrCodeFilter(field_name="plan__region", label=_("地区（名称或区划代码）"))
    plan = filters.CharFilter(field_name="plan__code", label=_("规划代码"))
    indicator = filters.CharFilter(field_name="indicator__code", label=_("指标代码"))
    department = filters.CharFilter(
        method="filter_department", label=_("部门名称：牵头或参与的目标")
    )
    lead_department = filters.CharFilter(
        method="filter_lead_department", label=_("部门名称：牵头的目标")
    )
    kind = filters.ChoiceFilter(choices=Target.Kind.choices, label=_("目标类型"))
    binding = filters.ChoiceFilter(choices=Target.Binding.choices, label=_("指标属性"))
    aspirational = filters.BooleanFilter(label=_("力争目标"))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Target
        fields = ["region", "plan", "indicator", "kind", "binding", "aspirational"]

    def filter_department(self, queryset: QuerySet[Target], name: str, value: str):
        return queryset.filter(_led_by(value) | _supported_by(value))

    def filter_lead_department(self, queryset: QuerySet[Target], name: str, value: str):
        return queryset.filter(_led_by(value))


class QuarterField(forms.CharField):
    """'2025Q4' → (2025, 4); 'all' → 'all'."""

    def clean(self, value: Any) -> Any:
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        if value.lower() == ALL:
            return ALL
        try:
            return parse_quarter(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid_quarter") from None


class QuarterFilter(filters.Filter):
    field_class = QuarterField

    def filter(self, qs: QuerySet[Progress], value: Any) -> QuerySet[Progress]:
        return qs  # applied in ProgressFilter.filter_queryset, which also knows "absent"


class ProgressFilter(filters.FilterSet):
    quarter = QuarterFilter(label=_("季度，如 2025Q4；all 为全部季度；缺省为最近一个季度"))
    region = NameOrCodeFilter(field_name="target__plan__region", label=_("地区（名称或区划代码）"))
    plan = filters.CharFilter(field_name="target__plan__code", label=_("规划代码"))
    indicator = filters.CharFilter(field_name="target__indicator__code", label=_("指标代码"))
    department = filters.CharFilter(
        method="filter_department", label=_("部门名称：牵头或参与的目标")
    )
    lead_department = filters.CharFilter(
        method="filter_lead_department", label=_("部门名称：牵头的目标")
    )
    status = filters.ChoiceFilter(choices=Progress.Status.choices, label=_("进度状态"))
    kind = filters.ChoiceFilter(
        field_name="target__kind", choices=Target.Kind.choices, label=_("目标类型")
    )
    updated_since = UpdatedSinceFilter(field_name="computed_at")

    class Meta:
        model = Progress
        fields = ["region", "plan", "indicator", "status", "kind"]

    def filter_department(self, queryset: QuerySet[Progress], name: str, value: str):
        return queryset.filter(_led_by(value, "target__") | _supported_by(value, "target__"))

    def filter_lead_department(self, queryset: QuerySet[Progress], name: str, value: str):
        return queryset.filter(_led_by(value, "target__"))

    def filter_queryset(self, queryset: QuerySet[Progress]) -> QuerySet[Progress]:
        queryset = super().filter_queryset(queryset)
        quarter = self.form.cleaned_data.get("quarter")
        if quarter == ALL:
            return queryset
        if quarter is None:
            latest = progress_latest_quarter()
            # Cursor pages read the latest verdicts quarter by quarter from here
            # (ProgressViewSet.cursor_partitions).
            self.request.progress_latest_quarter = latest
            return progress_latest_at(queryset, latest)
        year, number = quarter
        return queryset.filter(year=year, quarter=number)
