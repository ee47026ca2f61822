"""The pages after the password: replace an administrator-chosen password (issue 12 row 9),
then enter the TOTP code, or enrol an authenticator.

``SecondFactorRequiredMiddleware`` sends every user who still owes the code here, with
``?next=`` (the page the user wanted, which survives the password step too); the rules live
in ``accounts.second_factor``.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from ..audit import audit_record
from ..models import AuditEvent, Profile
from ..second_factor import (
    confirmed_device,
    enrolment_device,
    must_change_password,
    qr_code_svg,
    second_factor_pending,
    secret_base32,
    totp_enrolment_confirm,
    totp_verify,
)


class OTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("动态口令"),
        max_length=20,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "size": 8, "maxlength": 20,
        }),
        error_messages={"required": gettext_lazy("动态口令：请输入验证器上显示的6位数字。")},
    )

    def clean_otp_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["otp_token"])
        if not re.fullmatch(r"\d{6}", token):
            raise ValidationError(_("动态口令：应为6位数字，请输入验证器上显示的口令。"),
                                  code="format")
        return token


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url("reports:home")


def _with_next(name: str, next_url: str) -> str:
    return f"{resolve_url(name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Replace the password; required at first login when an administrator chose it."""
    next_url = _next(request)
    forced = must_change_password(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            Profile.objects.filter(user=user).update(must_change_password=False)
            audit_record(kind=AuditEvent.Kind.USER, request=request, user=user, detail=(
                _("%(username)s修改了管理员设置的初始密码") if forced
                else _("%(username)s修改了密码")) % {"username": user.get_username()})
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect(next_url)
    return render(request, "registration/password_change.html",
                  {"form": form, "next": next_url, "forced": forced})


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if not second_factor_pending(request.user):
        return redirect(next_url)
    device = confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("otp-setup", next_url))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = totp_verify(request=request, device=device,
                              token=form.cleaned_data["otp_token"])
        if outcome.ok:
            return redirect(next_url)
        form.add_error("otp_token", outcome.message)
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if not second_factor_pending(request.user):
        return redirect(next_url)
    if confirmed_device(request.user) is not None:
        # A second authenticator needs the 安全管理员 to reset the first one.
        return redirect(_with_next("otp-verify", next_url))
    device = enrolment_device(user=request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = totp_enrolment_confirm(request=request, device=device,
                                         token=form.cleaned_data["otp_token"])
        if outcome.ok:
            messages.success(request, _(
                "身份验证器已绑定。以后每次登录，输入密码后还需输入验证器上的6位数字。"
            ))
            return redirect(next_url)
        form.add_error("otp_token", outcome.message)
    context = {
        "form": form, "next": next_url, "qr_svg": qr_code_svg(device),
        "secret": secret_base32(device), "account": request.user.get_username(),
    }
    return render(request, "registration/otp_setup.html", context)
