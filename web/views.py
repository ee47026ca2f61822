"""Each role's start (docs/roles.md): the login lands a role on its work, and the 系统 page.

The login answers with the page of the user's role (``web.navigation.LANDING``)
unless it was sent a ``next``; the second-factor pages keep that target through their own
``next``. The 系统 page is the 系统管理员's: settings in force and the background's health,
read-only (``web.health``).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from indicators.permissions import ensure_can_view_system

from . import health
from .navigation import landing_url


class RoleLandingLoginView(auth_views.LoginView):
    """Django's login; without ``next`` it sends each role to its own work."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@login_required
@require_safe
def system_status(request: HttpRequest) -> HttpResponse:
    ensure_can_view_system(request.user)
    ctx = {
        "active": "system",
        "settings_lines": health.settings_lines(),
        "version_lines": health.version_lines(),
        "background_lines": health.background_lines(),
    }
    return render(request, "web/system.html", ctx)
