from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.due, name="due"),
    path("overdue/", views.overdue, name="overdue"),
    path("period/<str:period>/", views.entry, name="entry"),
    path("period/<str:period>/template.xlsx", views.excel_template, name="excel-template"),
    path("period/<str:period>/upload/", views.excel_upload, name="excel-upload"),
    path("period/<str:period>/<slug:code>/", views.entry, name="entry-indicator"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import-status"),
    path("observations/<int:pk>/", views.observation_detail, name="observation-detail"),
    path("observations/<int:pk>/submit/", views.observation_submit_view, name="observation-submit"),
    path(
        "observations/<int:pk>/approve/", views.observation_approve_view, name="observation-approve"
    ),
    path("observations/<int:pk>/return/", views.observation_return_view, name="observation-return"),
    path(
        "observations/<int:pk>/correct/", views.observation_correct_view, name="observation-correct"
    ),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/export/", views.observation_export, name="observation-export"),
    path("completeness/", views.completeness, name="completeness"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export/", views.audit_export, name="audit-export"),
]
