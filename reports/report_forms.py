"""The form of the 报告 page: which quarter, which scope. Parses shape; services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Department
from indicators.permissions import region_queryset_visible_to, visible_region_ids
from targets.selectors import parse_quarter, plan_list, progress_latest_quarter

from .models import DOC_NUMBER_MAX_LENGTH, ReportRun
from .pdf.format import quarter_label

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

QUARTERS_OFFERED = 12


def quarter_choices() -> list[tuple[str, str]]:
    """The latest quarter with progress (else the last closed one) and the 11 before it."""
    latest = progress_latest_quarter()
    if latest is None:
        today = timezone.localdate()
        latest = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    key = latest[0] * 4 + latest[1] - 1
    return [
        (f"{k // 4}Q{k % 4 + 1}", quarter_label(k // 4, k % 4 + 1))
        for k in range(key, key - QUARTERS_OFFERED, -1)
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
        self.fields["quarter"].choices = quarter_choices()
        self.fields["region"].queryset = region_queryset_visible_to(user)
        self.fields["plan"].queryset = plan_list(region_ids=ids)
        departments = Department.objects.select_related("region")
        self.fields["department"].queryset = (
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
