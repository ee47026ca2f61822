"""Admin view of the feed's tombstones: read only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Tombstone


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["model", "object_id", "natural_key", "reason", "deleted_at"]
    list_filter = ["model", "reason"]
    search_fields = ["natural_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
