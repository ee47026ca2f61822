from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import indicators.api  # noqa: F401  (each app's api module registers its viewsets)
import targets.api  # noqa: F401

from . import otp_views, views
from .api import router

# Swagger UI's page (drf-spectacular's template, sidecar assets) carries one inline <style>;
# only this page may use inline styles, scripts stay 'self' (the split view serves its JS).
swagger_ui = csp_replace({"style-src": [SELF, "'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

# The office's API token page (create, list with last use, revoke).
token_urlpatterns = [
    path("", views.token_list, name="token-list"),
    path("<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]

urlpatterns = [
    path("", include("reports.urls")),
    path("entry/", include("indicators.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/verify/", otp_views.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", otp_views.otp_setup, name="otp-setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/tokens/", include((token_urlpatterns, "qualitytrack"))),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
]
