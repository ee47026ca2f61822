from django.contrib import admin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scope", "state", "progress", "requested_by", "created_at"]
    list_filter = ["state", "scope", "year", "quarter"]
    search_fields = ["requested_by__username", "region__name", "plan__title"]
