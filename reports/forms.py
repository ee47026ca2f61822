"""The dashboards' filter form: region, plan, department, category, status, quarter.

A GET form, so a filtered page is a plain URL that can be bookmarked and shared. Choices are
scoped to the regions the user may see; the form only parses, the selectors decide. Invalid
values are dropped (the page shows the error and falls back to the default for that field).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.calendar import Period
from indicators.models import Department, Region
from targets.models import Plan, Progress
from targets.selectors import parse_quarter, progress_default_quarter

from .selectors import DashboardFilters, category_choices, quarter_choices, scoped_region_ids

ALL_FIELDS = ("region", "plan", "department", "category", "status", "quarter")


class DashboardFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("地区"), queryset=Region.objects.none(), required=False, empty_label=_("全部地区")
    )
    plan = forms.ModelChoiceField(
        label=_("规划"), queryset=Plan.objects.none(), required=False, empty_label=_("全部规划")
    )
    department = forms.ModelChoiceField(
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
        return DashboardFilters(
            region_ids=scoped_region_ids(self.visible_region_ids, data.get("region")),
            plan=data.get("plan"),
            department=data.get("department"),
            category=data.get("category") or "",
            status=data.get("status") or "",
            year=year,
            quarter=q,
        )
