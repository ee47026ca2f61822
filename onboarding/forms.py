"""Forms of onboarding: the upload (file or pasted text + metadata), the review of one
proposal, the selection of a missed sentence, and a target's adjustment (调整)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, Region
from targets.models import Target

from .extract import DocumentError, read_document
from .extract.reading import MAX_BYTES
from .models import Proposal

NEW_INDICATOR = "new"


class UploadForm(forms.Form):
    title = forms.CharField(label=_("规划名称"), max_length=200)
    doc_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issuer = forms.CharField(label=_("发文机关"), max_length=100, required=False)
    issue_date = forms.DateField(
        label=_("成文日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ModelChoiceField(label=_("地区"), queryset=Region.objects.none())
    start_year = forms.IntegerField(label=_("规划起始年"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("规划目标年"), min_value=2000, max_value=2100)
    base_year = forms.IntegerField(
        label=_("基期年"), min_value=2000, max_value=2100, required=False
    )
    file = forms.FileField(
        label=_("规划文件"),
        required=False,
        help_text=_(".docx、带文字层的 .pdf 或 .txt,不超过 20 MB"),
    )
    text = forms.CharField(
        label=_("或粘贴全文"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.all()  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        self.document_text = ""
        self.filename = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end, base = data.get("start_year"), data.get("end_year"), data.get("base_year")  # type: ignore[union-attr]
        if start and end and end < start:
            self.add_error("end_year", _("规划目标年不能早于起始年"))
        if start and base and base > start:
            self.add_error("base_year", _("基期年不能晚于起始年"))
        upload, pasted = data.get("file"), (data.get("text") or "").strip()  # type: ignore[union-attr]
        if upload and pasted:
            self.add_error("text", _("请只上传文件或只粘贴全文,不要同时提供"))
        elif upload:
            if upload.size > MAX_BYTES:
                self.add_error("file", _("文件过大,上限为 20 MB"))
                return data  # type: ignore[return-value]
            try:
                self.document_text = read_document(upload.name, upload.read())
                self.filename = upload.name
            except DocumentError as exc:
                self.add_error("file", str(exc))
        elif pasted:
            if len(pasted) < 20:
                self.add_error("text", _("粘贴的全文过短,没有可读的正文"))
            self.document_text, self.filename = pasted, "粘贴的全文"
        else:
            self.add_error("file", _("请上传规划文件或粘贴全文"))
        return data  # type: ignore[return-value]


class ProposalForm(forms.ModelForm):
    indicator_choice = forms.ChoiceField(label=_("对应指标"), required=False)
    lead_text = forms.CharField(label=_("牵头单位"), required=False)
    participating_text = forms.CharField(label=_("参与单位"), required=False)

    class Meta:
        model = Proposal
        fields = [
            "indicator_name",
            "comparator",
            "value",
            "value_high",
            "unit",
            "deadline_year",
            "kind",
            "aspirational",
            "new_indicator_unit",
            "new_indicator_measure",
            "new_indicator_direction",
            "new_indicator_lower",
            "new_indicator_upper",
        ]

    def __init__(self, *args: Any, suggestions: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choices = [(NEW_INDICATOR, _("新建指标"))]
        current = self.instance.indicator
        seen = set()
        for s in ([current] if current else []) + [s.indicator for s in suggestions]:
            if s.pk not in seen:
                seen.add(s.pk)
                choices.append((str(s.pk), f"{s.name}({s.unit or '无单位'})"))  # type: ignore[arg-type]
        self.fields["indicator_choice"].choices = choices  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        self.fields["indicator_choice"].initial = str(current.pk) if current else NEW_INDICATOR
        self.fields["lead_text"].initial = "、".join(self.instance.lead_departments)
        self.fields["participating_text"].initial = "、".join(
            self.instance.participating_departments
        )
        for name in ("value", "value_high", "new_indicator_lower", "new_indicator_upper"):
            self.fields[name].widget.attrs["step"] = "any"
            number = getattr(self.instance, name)
            if number is not None and not self.is_bound:  # 1.0000 → 1, as the plan writes it
                self.initial[name] = f"{number:f}".rstrip("0").rstrip(".")

    def cleaned_changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        choice = data.pop("indicator_choice", NEW_INDICATOR)
        data["indicator"] = (
            None if choice in (NEW_INDICATOR, "", None) else Indicator.objects.get(pk=int(choice))
        )
        data["lead_departments"] = _names(data.pop("lead_text", ""))
        data["participating_departments"] = _names(data.pop("participating_text", ""))
        return data


def _names(raw: str) -> list[str]:
    from .extract.extractor import split_names

    return split_names(raw or "")


class SelectionForm(forms.Form):
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AdjustForm(forms.Form):
    value = forms.DecimalField(label=_("新目标值"), required=False, max_digits=18, decimal_places=4)
    value_high = forms.DecimalField(
        label=_("新目标上限"), required=False, max_digits=18, decimal_places=4
    )
    deadline_year = forms.IntegerField(
        label=_("新目标年份"), required=False, min_value=2000, max_value=2100
    )
    lead_text = forms.CharField(label=_("牵头单位"), required=False)
    participating_text = forms.CharField(label=_("参与单位"), required=False)
    cancel = forms.BooleanField(label=_("不再考核"), required=False)
    reason = forms.CharField(label=_("调整原因"), max_length=200)
    doc_number = forms.CharField(label=_("调整文件文号"), max_length=60)

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["lead_text"].initial = "、".join(d.name for d in target.lead_departments.all())
        self.fields["participating_text"].initial = "、".join(
            d.name for d in target.participating_departments.all()
        )

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        lead = _names(data.get("lead_text", ""))
        part = _names(data.get("participating_text", ""))
        current_lead = sorted(d.name for d in self.target.lead_departments.all())
        current_part = sorted(d.name for d in self.target.participating_departments.all())
        value: Decimal | None = data.get("value")
        return {
            "value": value,
            "value_high": data.get("value_high"),
            "deadline_year": data.get("deadline_year"),
            "lead_departments": lead if sorted(lead) != current_lead else None,
            "participating_departments": part if sorted(part) != current_part else None,
            "cancel": bool(data.get("cancel")),
        }
