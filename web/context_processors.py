"""Navigation shared by every page (base.html), with the extra entries a role needs."""

from django.conf import settings
from django.http import HttpRequest

from accounts.second_factor import second_factor_pending

from .navigation import entries_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """The entries the user may open (``web.navigation``, one owner of the rules)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"navigation": []}
    if user.is_authenticated and second_factor_pending(user):
        return {"navigation": []}  # nothing to offer before the TOTP code
    return {"navigation": [(e.key, e.label, e.url_name) for e in entries_for(user)]}


def login_policy(request: HttpRequest) -> dict[str, int]:
    """The lockout rule as the login and locked-out pages state it (django-axes settings)."""
    return {
        "login_failure_limit": settings.AXES_FAILURE_LIMIT,
        "login_lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
