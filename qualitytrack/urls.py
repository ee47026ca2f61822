"""Every page and the API, by address: each app's URLconf and the one API router."""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import otp
from web import views as web_views

from .api import router

# Swagger UI's page (drf-spectacular's template, sidecar assets) carries one inline <style>;
# only this page may use inline styles, scripts stay 'self' (the split view serves its JS).
swagger_ui = csp_replace({"style-src": [SELF, "'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("accounts.urls")),  # /entry/accounts/… and /api/tokens/…
    path("entry/", include("indicators.urls")),
    path("plans-onboarding/", include("onboarding.urls")),
    path("accounts/login/", web_views.RoleLandingLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", otp.password_change, name="password-change"),
    path("accounts/otp/verify/", otp.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", otp.otp_setup, name="otp-setup"),
    path("system/", web_views.system_status, name="system"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
]
