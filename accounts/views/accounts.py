"""The 安全管理员's pages: accounts, their roles, lockouts and activation (三权分立)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.views import error_messages, page_of, require_form_methods

from .. import permissions, selectors
from ..forms import AccountActionForm, AccountFilterForm, AccountForm
from ..services import users

#: ValidationError codes of ``users.user_create`` → the form field they are about.
CREATE_ERROR_FIELDS = {
    "username": "username", "duplicate": "username", "role": "role", "region": "region",
    "department": "department", "password": "password",
}


@login_required
@require_safe
def account_list(request: HttpRequest) -> HttpResponse:
    permissions.ensure_can_manage_accounts(request.user)
    filters = AccountFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.accounts(query=data.get("q", ""), role=data.get("role", "")))
    locked = selectors.locked_usernames(u.username for u in page.object_list)
    ctx = {"active": "accounts", "filters": filters, "page": page, "locked": locked}
    return render(request, "accounts/accounts.html", ctx)


@login_required
@require_form_methods
def account_create(request: HttpRequest) -> HttpResponse:
    permissions.ensure_can_manage_accounts(request.user)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = users.user_create(
                username=data["username"], role=data["role"], region=data["region"],
                department=data["department"], password=data["password"],
                email=data["email"], full_name=data["full_name"], by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(CREATE_ERROR_FIELDS.get(error.code or ""), error)
        else:
            messages.success(request, _("已创建账号%(username)s。") % {"username": user.username})
            return redirect("accounts:account-detail", pk=user.pk)
    return render(request, "accounts/account_form.html", {"active": "accounts", "form": form})


@login_required
@require_safe
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.ensure_can_manage_accounts(request.user)
    account = get_object_or_404(selectors.accounts(), pk=pk)
    ctx = {
        "active": "accounts",
        "account": account,
        "locked": account.username in selectors.locked_usernames([account.username]),
        "has_second_factor": TOTPDevice.objects.filter(user=account).exists(),
        "form": AccountActionForm(),
    }
    return render(request, "accounts/account_detail.html", ctx)


@login_required
@require_POST
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Activate, deactivate, unlock or reset the second factor of one account; the reason goes
    to the audit log."""
    permissions.ensure_can_manage_accounts(request.user)
    account = get_object_or_404(get_user_model(), pk=pk)
    form = AccountActionForm(request.POST)
    done = {
        "activate": _("已启用账号。"), "deactivate": _("已停用账号。"), "unlock": _("已解锁账号。"),
        "reset-otp": _("已重置动态口令，该账号下次登录时重新绑定验证器。"),
    }
    if action not in done:
        return redirect("accounts:account-detail", pk=pk)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "unlock":
            users.account_unlock(user=account, reason=reason, by=request.user, request=request)
        elif action == "reset-otp":
            users.account_reset_second_factor(user=account, reason=reason, by=request.user,
                                              request=request)
        else:
            users.account_set_active(user=account, active=action == "activate", reason=reason,
                                     by=request.user, request=request)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, done[action])
    return redirect("accounts:account-detail", pk=pk)
