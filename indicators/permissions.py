"""Who may see, enter and approve what. Used by views, the API and the services alike.

Office, leader and auditor rights cover the user's region and every region under it; a
reporter acts for one department of one region. Superusers see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import roles
from .models import Region

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def visible_region_ids(user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """Ids of the regions whose data the user may read; ``None`` means every region."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:  # type: ignore[union-attr]
        return None
    cached = getattr(user, "_qt_region_ids", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    profile = getattr(user, "profile", None)
    ids = profile.region.descendant_ids() if profile is not None else []
    if has_any_role(user, [roles.REPORTER]) and not has_any_role(
        user, [roles.OFFICE, roles.LEADER]
    ):
        ids = [profile.region_id] if profile is not None else []
    user._qt_region_ids = ids  # type: ignore[union-attr]
    return ids


def has_any_role(user: AbstractBaseUser | AnonymousUser, names: list[str]) -> bool:
    return any(roles.has_role(user, name) for name in names)


def region_queryset_visible_to(user: AbstractBaseUser | AnonymousUser):  # type: ignore[no-untyped-def]
    ids = visible_region_ids(user)
    return Region.objects.all() if ids is None else Region.objects.filter(pk__in=ids)
