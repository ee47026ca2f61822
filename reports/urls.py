from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.overview, name="overview"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:code>/final/", views.final_assessment, name="final-assessment"),
    path("departments/", views.department_list, name="department-list"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/status/", views.report_status, name="report-status"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
]
