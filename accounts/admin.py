"""Admin views of accounts' profiles, API tokens (read and revoke only) and the audit log.

Tokens are created on the office's page or with ``manage.py api_token create``, where the
key can be shown once; the admin never sees a key, only its prefix.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, AuditEvent, Profile
from .services.tokens import token_revoke


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "department"]
    list_filter = ["region"]
    search_fields = ["user__username", "department__name"]



@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "path", "detail"]
    date_hierarchy = "at"
