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
    department = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("部门"), queryset=None, required=False,
        help_text=_("部门令牌必选：令牌以该部门填报员的身份写入数据"),
    )
    throttle_rate = forms.CharField(
        label=_("限流"), max_length=20, required=False, help_text=_("如 600/min；留空使用默认值")
    )
    accountable = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("责任人"), queryset=None, required=False,
        help_text=_("部门令牌提交的数据视为此人提交，此人不能审核（四眼原则）；留空为创建人本人"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_visible_to(user).order_by(  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField
            "region__code", "name"
        )
        self.fields["accountable"].queryset = _people_visible_to(user)  # type: ignore[attr-defined]  # a ModelChoiceField/ChoiceField


def _people_visible_to(user: Any):
    """Active personal accounts (no token's service account) of the user's regions."""
    from django.contrib.auth import get_user_model

    from indicators.permissions import visible_region_ids

    people = get_user_model().objects.filter(is_active=True, api_token__isnull=True)
    ids = visible_region_ids(user)
    if ids is not None:
        people = people.filter(profile__region_id__in=ids)
    return people.order_by("username")
