"""The roles of docs/roles.md as Django groups, and how to tell a user's role.

三权分立 (MLPS 2.0 level 3, docs/reliability.md AT-09): the 系统管理员 keeps the configuration, the
安全管理员 manages accounts (create, role, deactivate, unlock, reset the second factor) and the
审计员 reads the audit log; none of the three enters, approves or changes business data, and
none does another's job.

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
SECURITY = "安全管理员"

ROLES = {
    OFFICE: _("管理本地区规划与目标，审核数据，导出报告"),
    REPORTER: _("填报并提交本部门牵头指标的数据"),
    LEADER: _("查看看板与报告"),
    AUDITOR: _("查看审计日志"),
    ADMIN: _("管理系统配置，不管理账号、不看审计日志、不改业务数据"),
    SECURITY: _("管理账号、角色与登录安全（解锁、重置动态口令），不改业务数据"),
}

#: Roles whose accounts must pass a second login factor (TOTP) before anything else.
SECOND_FACTOR_ROLES = (OFFICE, ADMIN, SECURITY, AUDITOR)


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    names = getattr(user, "_qt_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._qt_groups = names  # type: ignore[attr-defined]  # cached per request
    return role in names


def ensure_groups() -> None:
    """Create the role groups (idempotent); called by migrations and set-up commands."""
    from django.contrib.auth.models import Group

    for name in ROLES:
        Group.objects.get_or_create(name=name)
