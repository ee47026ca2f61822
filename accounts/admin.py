"""Admin views of API tokens and tombstones: read and revoke only.

Tokens are created on the office's page or with ``manage.py api_token create``, where the
key can be shown once; the admin never sees a key, only its prefix.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Tombstone
from .services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name", "kind", "department", "prefix", "created_by", "created_at", "last_used_at",
        "revoked_at",
    ]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["name", "prefix", "department__name"]
    readonly_fields = [
        "name", "kind", "department", "user", "prefix", "throttle_rate", "created_by",
        "created_at", "last_used_at", "revoked_at", "revoked_by",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the key must be shown once: use the token page or the command

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead, so the history of who called keeps its token

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token, by=None)
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": queryset.count()},
                          messages.SUCCESS)


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["model", "object_id", "natural_key", "reason", "deleted_at"]
    list_filter = ["model", "reason"]
    search_fields = ["natural_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
