"""The forms of the token and account pages (shape only; the services decide).

The department and region choices are ``indicators``' models, reached through the foreign
keys of ``ApiToken`` and ``Profile``: ``accounts`` sits below ``indicators`` and never imports
it (docs/architecture.md "Layers").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import ApiToken, place_model
from .permissions import visible_region_ids


def departments_visible_to(user: Any):
    """The departments of the user's regions (every one for a superuser)."""
    ids = visible_region_ids(user)
    departments = place_model("department")._default_manager.select_related("region")
    return departments if ids is None else departments.filter(region_id__in=ids)


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
        self.fields["department"].queryset = departments_visible_to(user).order_by(  # type: ignore[attr-defined]
            "region__code", "name"
        )
        self.fields["accountable"].queryset = _people_visible_to(user)  # type: ignore[attr-defined]


def _people_visible_to(user: Any):
    """Active personal accounts (no token's service account) of the user's regions."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(is_active=True, api_token__isnull=True)
    ids = visible_region_ids(user)
    if ids is not None:
        people = people.filter(profile__region_id__in=ids)
    return people.order_by("username")


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False, max_length=150)
    role = forms.ChoiceField(
        label=_("角色"), required=False,
        choices=[("", _("全部角色")), *((name, name) for name in roles.ROLES)],
    )


class AccountForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    role = forms.ChoiceField(label=_("角色"), choices=[(n, n) for n in roles.ROLES])
    region = forms.ModelChoiceField(label=_("地区"), queryset=None)  # type: ignore[var-annotated]
    department = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("部门"), required=False, help_text=_("部门填报员必填"), queryset=None,
    )
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), strip=False,
    )


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (  # type: ignore[attr-defined]
            place_model("region")._default_manager.order_by("code")
        )
        self.fields["department"].queryset = (  # type: ignore[attr-defined]
            place_model("department")._default_manager.select_related("region")
            .order_by("region__code", "name")
        )


class AccountActionForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
