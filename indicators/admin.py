from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import Department, ImportJob, Indicator, Observation, ObservationChange, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "short_name", "region__name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "category", "measure", "frequency", "direction"]
    list_filter = ["category", "measure", "frequency", "direction"]
    search_fields = ["code", "name"]


class ObservationChangeInline(admin.TabularInline):
    model = ObservationChange
    extra = 0
    can_delete = False
    readonly_fields = [
        "action", "by", "at", "old_value", "new_value", "old_status", "new_status", "reason",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """Read-only here: figures change only through the services, which keep the history."""

    list_display = ["indicator", "region", "year", "quarter", "value", "state", "status"]
    list_filter = ["status", "year", "quarter", "region", "indicator__category"]
    search_fields = ["indicator__name", "region__name", "department__name"]
    inlines = [ObservationChangeInline]


@admin.register(ObservationChange)
class ObservationChangeAdmin(admin.ModelAdmin):
    list_display = ["observation", "action", "by", "at", "old_value", "new_value", "reason"]
    list_filter = ["action"]
    search_fields = ["observation__indicator__name", "by__username", "reason"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "department", "year", "quarter", "filename", "state", "written"]
    list_filter = ["state"]
    search_fields = ["filename", "department__name"]
