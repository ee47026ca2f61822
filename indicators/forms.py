"""Forms of the data-entry pages. They parse shape only; the services decide what is allowed."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import AuditEvent

from .calendar import Period
from .models import Department, Indicator, Observation
from .selectors import EntryRow, departments_by_region, format_number
from .services.rules import EDITABLE, EVIDENCE_MAX_LENGTH, REASON_MAX_LENGTH, Entry


def parse_decimal(text: str) -> Decimal:
    """'96.5', '1,200' (also in full-width digits), ' 3 ' → Decimal.

    ValueError for anything else (units, words …).
    """
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


class EntryForm(forms.Form):
    """One line per due indicator: value (or milestone state), evidence, confirmation."""

    def __init__(self, *args: Any, rows: list[EntryRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry_rows = rows
        for row in rows:
            if self.is_locked(row):
                continue
            pk, obs = row.indicator.pk, row.observation
            if row.indicator.measure == Indicator.Measure.MILESTONE:
                self.fields[f"state_{pk}"] = forms.ChoiceField(
                    label=row.indicator.name,
                    required=False,
                    choices=[("", "—"), *Observation.State.choices],
                    initial=obs.state if obs else "",
                )
            else:
                self.fields[f"value_{pk}"] = forms.CharField(
                    label=row.indicator.name,
                    required=False,
                    max_length=40,
                    initial=format_number(obs.value) if obs else "",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num"}),
                )
            self.fields[f"evidence_{pk}"] = forms.CharField(
                label=_("佐证说明"),
                required=False,
                max_length=EVIDENCE_MAX_LENGTH,
                initial=obs.evidence if obs else "",
            )
            self.fields[f"confirm_{pk}"] = forms.BooleanField(
                label=_("确认数值无误"), required=False
            )

    @staticmethod
    def is_locked(row: EntryRow) -> bool:
        return row.observation is not None and row.observation.status not in EDITABLE

    def lines(self) -> list[dict[str, object]]:
        """What the template iterates: the row and its bound fields (None when locked)."""
        result = []
        for row in self.entry_rows:
            pk = row.indicator.pk
            bound = {
                name: self[f"{name}_{pk}"] if f"{name}_{pk}" in self.fields else None
                for name in ("value", "state", "evidence", "confirm")
            }
            result.append({"row": row, "locked": self.is_locked(row), **bound})
        return result  # type: ignore[return-value]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        self.parsed: list[Entry] = []
        for row in self.entry_rows:
            pk, indicator = row.indicator.pk, row.indicator
            if self.is_locked(row):
                continue
            text = (data.get(f"value_{pk}") or "").strip()
            state = data.get(f"state_{pk}") or ""
            if not text and not state:
                continue
            value = None
            if text:
                try:
                    value = parse_decimal(text)
                except ValueError:
                    self.add_error(
                        f"value_{pk}",
                        _(
                            "指标“%(name)s”的填报值“%(text)s”不是有效数字，请只填写数值（不带单位）。"
                        )
                        % {"name": indicator.name, "text": text},
                    )
                    continue
            self.parsed.append(
                Entry(
                    indicator,
                    value,
                    state,
                    data.get(f"evidence_{pk}") or "",
                    bool(data.get(f"confirm_{pk}")),
                )
            )
        if not self.errors and not self.parsed:
            raise forms.ValidationError(_("没有填写任何数值。"), code="empty")
        return data


def labelled_errors(form: forms.Form) -> list[str]:
    """Every error of a bound form as "字段名：原因", so a message names its field."""
    return [
        f"{form.fields[name].label}：{message}"
        if name in form.fields and str(form.fields[name].label) not in str(message)
        else str(message)
        for name, messages in form.errors.items()
        for message in messages
    ]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_lazy("退回意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _lazy("退回时必须填写退回意见。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CorrectionForm(forms.Form):
    value = forms.CharField(label=_lazy("更正后数值"), required=False, max_length=40)
    state = forms.ChoiceField(
        label=_lazy("更正后进展状态"),
        required=False,
        choices=[("", "—"), *Observation.State.choices],
    )
    reason = forms.CharField(
        label=_lazy("更正原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
    )
    confirm_jump = forms.BooleanField(label=_lazy("确认数值无误"), required=False)

    def clean_value(self) -> Decimal | None:
        text = (self.cleaned_data.get("value") or "").strip()
        if not text:
            return None
        try:
            return parse_decimal(text)
        except ValueError:
            raise forms.ValidationError(_("“%(text)s”不是有效数字。") % {"text": text}) from None


class ApprovalFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_lazy("填报单位"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_lazy("全部部门"),
    )
    status = forms.ChoiceField(
        label=_lazy("状态"),
        required=False,
        choices=[("", _lazy("全部状态")), *Observation.Status.choices],
    )
    period = forms.CharField(
        label=_lazy("报告期"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"placeholder": "2025Q1 / 2024"}),
    )

    def __init__(self, *args: Any, departments, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = departments  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        # grouped by region (<optgroup>); the queryset still decides what is valid
        field.choices = [("", field.empty_label), *departments_by_region(departments)]  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField

    def clean_period(self) -> Period | None:
        text = (self.cleaned_data.get("period") or "").strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class BulkActionForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())  # choices set per request
    action = forms.ChoiceField(
        choices=[("approve", _lazy("批量通过")), ("return", _lazy("批量退回"))]
    )
    comment = forms.CharField(label=_lazy("退回意见"), required=False, max_length=REASON_MAX_LENGTH)

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in ids]  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
        self.fields["ids"].error_messages["required"] = _lazy("请至少勾选一条数据。")


class UploadForm(forms.Form):
    file = forms.FileField(label=_lazy("Excel文件（.xlsx）"))
    submit = forms.BooleanField(label=_lazy("导入后直接提交审核"), required=False)


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("类型"),
        required=False,
        choices=[("", _lazy("全部类型")), *AuditEvent.Kind.choices],
    )
    username = forms.CharField(label=_lazy("用户名"), required=False, max_length=150)
