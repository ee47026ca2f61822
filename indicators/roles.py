"""The five roles of DESIGN §6 as Django groups, and how to tell a user's role.

A user acts for one region (Profile.region); office and leader rights cover that region and
the regions under it; a reporter acts for one department.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

OFFICE = "领导小组办公室"
REPORTER = "部门填报员"
LEADER = "领导"
AUDITOR = "审计员"
ADMIN = "系统管理员"

ROLES = {
    OFFICE: _("管理本地区规划与目标，审核数据，导出报告"),
    REPORTER: _("填报并提交本部门牵头指标的数据"),
    LEADER: _("查看看板与报告"),
    AUDITOR: _("查看审计日志"),
    ADMIN: _("管理配置与用户，不改业务数据"),
}


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    names = getattr(user, "_qt_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._qt_groups = names  # type: ignore[union-attr]  # cached per request
    return role in names


def ensure_groups() -> None:
    """Create the role groups (idempotent); called by migrations and set-up commands."""
    from django.contrib.auth.models import Group

    for name in ROLES:
        Group.objects.get_or_create(name=name)
