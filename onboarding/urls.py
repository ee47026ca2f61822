from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("new/", views.upload, name="upload"),
    path("drafts/<slug:code>/", views.review, name="review"),
    path("drafts/<slug:code>/proposals/<int:pk>/", views.proposal_action, name="proposal"),
    path("drafts/<slug:code>/add/", views.proposal_add, name="add"),
    path("drafts/<slug:code>/accept-pending/", views.accept_pending, name="accept-pending"),
    path("drafts/<slug:code>/publish/", views.publish, name="publish"),
    path("targets/<int:pk>/adjust/", views.adjust, name="adjust"),
]
