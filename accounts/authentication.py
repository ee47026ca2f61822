"""DRF authentication by API token: ``Authorization: Token <key>`` (or ``Bearer <key>``).

A portal token authenticates as the anonymous user carrying the token (``request.auth``):
it reads what the public reads, with its own throttle bucket. A department token
authenticates as its service account, a 部门填报员 of its department.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .models import ApiToken
from .services.tokens import token_authenticate, token_touch

KEYWORDS = {"token", "bearer"}


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend; the signed-in user comes with its profile, region and department
    in one query, since every page reads them to scope what it shows."""

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related(
            "profile__region", "profile__department")
        if connections[users.db].vendor == "postgresql":
            # The role names in the same row (roles.has_role reads them on every request).
            names = Group.objects.filter(user=OuterRef("pk")).values("name")
            users = users.annotate(_qt_group_names=ArraySubquery(names))
        user = users.filter(pk=user_id).first()
        if user is not None and hasattr(user, "_qt_group_names"):
            user._qt_groups = set(user._qt_group_names)  # type: ignore[attr-defined]
        return user if user is not None and self.user_can_authenticate(user) else None


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("API 令牌格式不正确。"))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("API 令牌格式不正确。")) from None
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("API 令牌无效或已吊销。"))
        token_touch(token)
        user = token.user if token.kind == ApiToken.Kind.DEPARTMENT else AnonymousUser()
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (drf-spectacular)."""

    target_class = ApiTokenAuthentication
    name = "ApiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "请求头 Authorization: Token <密钥>（由领导小组办公室创建）",
        }
