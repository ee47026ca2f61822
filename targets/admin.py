from django.contrib import admin

from .models import Plan, Progress, Reward, Target


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "doc_number", "start_year", "end_year", "status"]
    list_filter = ["status", "region"]
    search_fields = ["title", "doc_number", "issuer", "code"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["code", "indicator", "plan", "kind", "comparator", "value", "deadline_year"]
    list_filter = ["kind", "plan", "aspirational", "binding", "cancelled", "indicator__category"]
    search_fields = ["indicator__name", "source_quote", "code"]
    filter_horizontal = ["lead_departments", "participating_departments"]
    list_select_related = ["indicator", "plan"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "amount_wan", "basis", "department", "indicator", "plan"]
    list_filter = ["plan"]
    search_fields = ["name", "source_quote"]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["target", "year", "quarter", "status", "current_value", "pace", "computed_at"]
    list_filter = ["status", "year", "quarter", "target__plan"]
    search_fields = ["target__indicator__name"]
    list_select_related = ["target", "target__indicator"]
