"""Query filters of the regions, departments, indicators and observations lists.

A region is given by name (赣榆区) or code (320707); a department, an indicator and a plan by
the name or code the plans use. What the plans and their targets say (which indicators a plan
or a department's targets cover) is told by the targets layer through ``indicators.duties``,
so this layer neither imports ``targets`` nor reads its tables.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api_errors import InputError
from feed.paging import FullListSinceFilter, NameOrCodeFilter, UpdatedSinceFilter

from .calendar import Period
from .duties import duties
from .models import Department, Indicator, Observation, Region


class RegionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Region.Level.choices, label=_("层级"))
    parent = NameOrCodeFilter(field_name="parent", label=_("上级地区（名称或区划代码）"))
    updated_since = FullListSinceFilter()

    class Meta:
        model = Region
        fields = ["level", "parent"]


class DepartmentFilter(filters.FilterSet):
    region = NameOrCodeFilter(field_name="region", label=_("地区（名称或区划代码）"))
    name = filters.CharFilter(field_name="name", label=_("部门名称"))
    updated_since = FullListSinceFilter()

    class Meta:
        model = Department
        fields = ["region", "name"]


class IndicatorFilter(filters.FilterSet):
    category = filters.CharFilter(field_name="category", label=_("类别"))
    measure = filters.ChoiceFilter(choices=Indicator.Measure.choices, label=_("计量方式"))
    frequency = filters.ChoiceFilter(choices=Indicator.Frequency.choices, label=_("填报频率"))
    plan = filters.CharFilter(method="filter_plan", label=_("规划代码：该规划考核的指标"))
    department = filters.CharFilter(
        method="filter_department", label=_("部门名称：该部门牵头的指标")
    )
    updated_since = FullListSinceFilter()

    class Meta:
        model = Indicator
        fields = ["category", "measure", "frequency"]

    def filter_plan(self, queryset: QuerySet[Indicator], name: str, value: str):
        return queryset.filter(pk__in=duties().plan_indicator_ids(value))

    def filter_department(self, queryset: QuerySet[Indicator], name: str, value: str):
        return queryset.filter(pk__in=duties().indicator_ids_led_by(value))


class PeriodFilter(filters.CharFilter):
    """``period=2024Q1`` (a quarter) or ``period=2024`` (an annual figure)."""

    def filter(self, qs: QuerySet[Observation], value: str):
        if not value:
            return qs
        try:
            period = Period.parse(value)
        except ValueError as error:
            raise InputError("period", str(error), code="invalid_period") from None
        return qs.filter(year=period.year, quarter=period.quarter)


class ObservationFilter(filters.FilterSet):
    indicator = filters.CharFilter(field_name="indicator__code", label=_("指标代码"))
    region = NameOrCodeFilter(field_name="region", label=_("地区（名称或区划代码）"))
    department = filters.CharFilter(field_name="department__name", label=_("填报单位名称"))
    plan = filters.CharFilter(
        method="filter_plan", label=_("规划代码：该规划地区、所考核指标的数据")
    )
    year = filters.NumberFilter(field_name="year", label=_("年份"))
    quarter = filters.NumberFilter(field_name="quarter", label=_("季度（1至4）"))
    period = PeriodFilter(label=_("报告期，如 2024Q1（季度）或 2024（年度）"))
    status = filters.ChoiceFilter(
        choices=Observation.Status.choices, label=_("状态（公开数据均为已审核）")
    )
    mine = filters.BooleanFilter(
        method="filter_mine",
        label=_("mine=1：本人可见的全部数据（含草稿、已提交、已退回），须登录或使用部门令牌"),
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Observation
        fields = ["indicator", "region", "department", "year", "quarter", "status"]

    def filter_plan(self, queryset: QuerySet[Observation], name: str, value: str):
        return queryset.filter(
            indicator_id__in=duties().plan_indicator_ids(value),
            region_id__in=duties().plan_region_ids(value),
        )

    def filter_mine(self, queryset: QuerySet[Observation], name: str, value: bool):
        return queryset  # the scope itself is chosen by the view (it needs request.user)
