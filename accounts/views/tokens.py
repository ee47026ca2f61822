"""The office's API token page: list with last use, create (key shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..audit import get_in_scope_or_404
from ..forms import ApiTokenCreateForm
from ..services.tokens import token_can_manage, token_create, token_revoke, tokens_visible_to


def _ensure_manager(request: HttpRequest) -> None:
    if not token_can_manage(request.user):
        raise PermissionDenied(_("无权管理 API 令牌：仅领导小组办公室可以创建或吊销令牌。"))


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request)
    form = ApiTokenCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(by=request.user, request=request, **form.cleaned_data)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            response = render(request, "accounts/tokens_created.html",
                              {"token": token, "key": key, "active": "tokens"})
            response["Cache-Control"] = "no-store"  # the key must not linger in any cache
            return response
    ctx = {"tokens": tokens_visible_to(request.user), "form": form, "active": "tokens"}
    return render(request, "accounts/tokens.html", ctx)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_manager(request)
    token = get_in_scope_or_404(request, tokens_visible_to(request.user), pk=pk)
    token_revoke(token=token, by=request.user, request=request)  # type: ignore[arg-type]  # signed-in views: never AnonymousUser
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:token-list")
