"""Whose data a user may read, and who manages accounts: the identity half of the rules.

A user acts for one region (``Profile.region``); office, leader and auditor rights cover that
region and every region under it; a reporter acts for one department of one region.
Superusers see everything. The rules about figures themselves are ``indicators.permissions``,
which builds on these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from . import roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def visible_region_ids(user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """Ids of the regions whose data the user may read; ``None`` means every region."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:  # type: ignore[attr-defined]
        return None
    cached = getattr(user, "_qt_region_ids", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    profile = getattr(user, "profile", None)
    ids = profile.region.descendant_ids() if profile is not None else []
    if has_any_role(user, [roles.REPORTER]) and not has_any_role(
        user, [roles.OFFICE, roles.LEADER]
    ):
        ids = [profile.region_id] if profile is not None else []
    user._qt_region_ids = ids  # type: ignore[attr-defined]
    return ids


def has_any_role(user: AbstractBaseUser | AnonymousUser, names: list[str]) -> bool:
    return any(roles.has_role(user, name) for name in names)


def can_manage_accounts(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only the 安全管理员 manages accounts (not the 系统管理员: separation of duties)."""
    return roles.has_role(user, roles.SECURITY)


def ensure_can_manage_accounts(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied(_("只有安全管理员可以管理账号。"))
