"""The reports app's forms: the dashboards' filters and the 报告 page's request.

``DashboardFilterForm`` (region, plan, department, category, status, quarter) is a GET form,
so a filtered page is a plain URL that can be bookmarked and shared. Choices are scoped to
the regions the user may see; the form only parses, the selectors decide. Invalid values are
dropped (the page shows the error and falls back to the default for that field).
``ReportRequestForm`` asks which quarter and scope, with the office's 文号 and 成文日期.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.calendar import QUARTERLY, Period, latest_ended_period, recent_periods
from indicators.models import Department, Region
from indicators.permissions import region_queryset_visible_to, visible_region_ids
from targets.models import Plan, Progress
from targets.selectors import (
    parse_quarter,
    plan_list,
    progress_default_quarter,
    progress_latest_quarter,
)

from .menus import MenuChoiceField
from .models import DOC_NUMBER_MAX_LENGTH, ReportRun
from .pdf.format import quarter_label
from .selectors import DashboardFilters, category_choices, quarter_choices, scoped_region_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ALL_FIELDS = ("region", "plan", "department", "category", "status", "quarter")


class DashboardFilterForm(forms.Form):
    # bounded menus: a national scope has 3,200 of each (reports/menus.py)
    region = MenuChoiceField(
        label=_("地区"), queryset=Region.objects.none(), required=False, empty_label=_("全部地区")
    )
    plan = MenuChoiceField(
        label=_("规划"), queryset=Plan.objects.none(), required=False, empty_label=_("全部规划")
    )
    department = MenuChoiceField(
        label=_("牵头单位"), queryset=Department.objects.none(), required=False,
        empty_label=_("全部部门"),
    )
    category = forms.ChoiceField(label=_("类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    quarter = forms.ChoiceField(label=_("季度"), required=False)

    def __init__(
        self,
        data: object = None,
        *,
        visible_region_ids: list[int] | None,
        fields: Iterable[str] = ALL_FIELDS,
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.visible_region_ids = visible_region_ids
        keep = set(fields)
        for name in [n for n in self.fields if n not in keep]:
            del self.fields[name]
        regions = Region.objects.all()
        plans = Plan.objects.select_related("region").exclude(status=Plan.Status.DRAFT)
        departments = Department.objects.select_related("region")
        if visible_region_ids is not None:
            regions = regions.filter(pk__in=visible_region_ids)
            plans = plans.filter(region_id__in=visible_region_ids)
            departments = departments.filter(region_id__in=visible_region_ids)
        if "region" in self.fields:
            self.fields["region"].queryset = regions.order_by("code")  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        if "plan" in self.fields:
            self.fields["plan"].queryset = plans.order_by("region__code", "start_year")  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
            self.fields["plan"].label_from_instance = (  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
                lambda p: f"{p.region.name}·{p.title}"
            )
        if "department" in self.fields:
            self.fields["department"].queryset = departments.order_by("region__code", "name")  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
            self.fields["department"].label_from_instance = (  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
                lambda d: f"{d.region.name}·{d.name}"
            )
        if "category" in self.fields:
            self.fields["category"].choices = [("", _("全部类别"))] + [  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
                (c, c) for c in category_choices()
            ]
        if "status" in self.fields:
            self.fields["status"].choices = [("", _("全部状态")), *Progress.Status.choices]  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        if "quarter" in self.fields:
            self.fields["quarter"].choices = [("", _("最近应报季度"))] + [  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
                (f"{y}Q{q}", Period(y, q).label) for y, q in quarter_choices()
            ]

    def clean_quarter(self) -> tuple[int, int] | None:
        text = self.cleaned_data.get("quarter") or ""
        if not text:
            return None
        try:
            return parse_quarter(text)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def filters(self) -> DashboardFilters:
        """The selection as DashboardFilters; defaults for what is absent or invalid.

        The quarter defaults to the latest computed quarter whose figures are due (issue 15).
        """
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        quarter = data.get("quarter") or progress_default_quarter()
        year, q = quarter if quarter else (None, None)
        region_ids = scoped_region_ids(self.visible_region_ids, data.get("region"))
        self._bound_menus(data, region_ids)
        return DashboardFilters(
            region_ids=region_ids,
            plan=data.get("plan"),
            department=data.get("department"),
            category=data.get("category") or "",
            status=data.get("status") or "",
            year=year,
            quarter=q,
        )


    def _bound_menus(self, data: dict[str, Any], region_ids: list[int] | None) -> None:
        """The chosen options stay listed; with a region chosen, the plan and department
        menus that do not fit list that region's (reports/menus.py)."""
        for name in ("region", "plan", "department"):
            field = self.fields.get(name)
            if not isinstance(field, MenuChoiceField):
                continue
            field.chosen = data.get(name)
            if name != "region" and data.get("region") is not None:
                field.narrowed = field.queryset.filter(  # type: ignore[union-attr]
                    region_id__in=region_ids or []
                )


# --- The 报告 page: which quarter, which scope. Parses shape; services decide. ---------------

QUARTERS_OFFERED = 12


def report_quarter_choices() -> list[tuple[str, str]]:
    """The latest quarter with progress (else the last closed one) and the 11 before it."""
    computed = progress_latest_quarter()
    latest = Period(*computed) if computed else latest_ended_period(
        QUARTERLY, timezone.localdate()
    )
    return [
        (period.slug, quarter_label(period.year, period.quarter or 4))
        for period in recent_periods(latest, QUARTERS_OFFERED)
    ]


class ReportRequestForm(forms.Form):
    quarter = forms.ChoiceField(label=_("报告期"))
    scope = forms.ChoiceField(
        label=_("范围"), choices=ReportRun.Scope.choices, initial=ReportRun.Scope.ALL,
        widget=forms.RadioSelect,
    )
    region = forms.ModelChoiceField(label=_("地区"), queryset=Department.objects.none(),
                                    required=False, empty_label=_("（选择地区）"))
    plan = forms.ModelChoiceField(label=_("规划"), queryset=Department.objects.none(),
                                  required=False, empty_label=_("（选择规划）"))
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(),
                                        required=False, empty_label=_("（选择部门）"))
    doc_number = forms.CharField(
        label=_("文号"), required=False, max_length=DOC_NUMBER_MAX_LENGTH,
        help_text=_(
            "本办公室发文登记的文号，如 质强办〔2026〕5号；留空则印「〔 〕号」，印发前手工填写。"
        ),
    )
    issue_date = forms.DateField(
        label=_("成文日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则为本季度数据报送截止日。"),
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = visible_region_ids(user)
        self.fields["quarter"].choices = report_quarter_choices()  # type: ignore[attr-defined]
        self.fields["region"].queryset = region_queryset_visible_to(user)  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plan_list(region_ids=ids)  # type: ignore[attr-defined]
        departments = Department.objects.select_related("region")
        self.fields["department"].queryset = (  # type: ignore[attr-defined]
            departments if ids is None else departments.filter(region_id__in=ids)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope in {"region", "plan", "department"} and not data.get(scope):
            self.add_error(scope, _("按此范围生成报告时须选择一项。"))
        if data.get("quarter"):
            data["year"], data["quarter_number"] = parse_quarter(data["quarter"])
        return data
