"""The office's form for a new API token (shape only; ``token_create`` decides)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.selectors import departments_visible_to

from .models import ApiToken


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：市政府数据开放平台"))
    kind = forms.ChoiceField(label=_("类型"), choices=ApiToken.Kind.choices)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=None, required=False,
        help_text=_("部门令牌必选：令牌以该部门填报员的身份写入数据"),
    )
    throttle_rate = forms.CharField(
        label=_("限流"), max_length=20, required=False, help_text=_("如 600/min；留空使用默认值")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_visible_to(user).order_by(  # type: ignore[attr-defined]
            "region__code", "name"
        )
