"""Who sees which entry of the navigation, and where each role lands after login (docs/roles.md).

One owner: every entry names the very predicate its view checks before answering (the
``ensure_*`` twin raises the 403), so the navigation never offers a link that answers 403 and
a rule changed in ``indicators.permissions`` changes the page and its link together.
``tests/security/test_permission_matrix.py`` holds the views to those rules; ``tests/test_roles.py``
holds this list to the views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import can_manage_accounts
from accounts.services.tokens import token_can_manage
from indicators.permissions import (
    can_audit,
    can_read_dashboards,
    can_view_system,
    is_office,
)
from reports.selectors.report_runs import can_read_reports

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Entry:
    key: str  # the ``active`` a page passes to highlight its entry
    label: Promise
    url_name: str
    may_open: Callable[[User], bool]


def _anyone(user: User) -> bool:
    return True


#: In display order. 数据填报 (indicators:due) opens for every signed-in user, but only the
#: roles with figures to enter, approve or chase find anything there: the dashboard roles.
ENTRIES = [
    Entry("overview", _("总览"), "reports:overview", can_read_dashboards),
    Entry("plans", _("城市"), "reports:plan-list", can_read_dashboards),
    Entry("departments", _("部门"), "reports:department-list", can_read_dashboards),
    Entry("indicators", _("指标"), "reports:indicator-list", can_read_dashboards),
    Entry("entry", _("数据填报"), "indicators:due", can_read_dashboards),
    Entry("approvals", _("审核"), "indicators:approvals", is_office),
    Entry("reports", _("报告"), "reports:report-list", can_read_reports),
    Entry("api", _("API"), "swagger-ui", can_read_dashboards),
    Entry("tokens", _("API令牌"), "accounts:token-list", token_can_manage),
    Entry("audit", _("审计日志"), "indicators:audit-log", can_audit),
    Entry("accounts", _("账号管理"), "accounts:account-list", can_manage_accounts),
    Entry("system", _("系统"), "system", can_view_system),
]

#: Before login everyone sees the dashboards' entries: each leads to the login page.
ANONYMOUS_KEYS = ("overview", "plans", "departments", "indicators", "entry", "reports", "api")

#: Where each role starts (first match wins, so an account holding two roles lands on the
#: work of the first). Superusers land on 总览.
LANDING = [
    (roles.OFFICE, "reports:overview"),
    (roles.LEADER, "reports:overview"),
    (roles.REPORTER, "indicators:due"),
    (roles.AUDITOR, "indicators:audit-log"),
    (roles.SECURITY, "accounts:account-list"),
    (roles.ADMIN, "system"),
]


def entries_for(user: User) -> list[Entry]:
    """The entries ``user`` may open, in display order."""
    if not user.is_authenticated:
        return [entry for entry in ENTRIES if entry.key in ANONYMOUS_KEYS]
    return [entry for entry in ENTRIES if entry.may_open(user)]


def landing_url_name(user: User) -> str:
    if user.is_authenticated and user.is_superuser:  # type: ignore[attr-defined]
        return "reports:overview"
    for role, url_name in LANDING:
        if roles.has_role(user, role):
            return url_name
    return "reports:home"


def landing_url(user: User) -> str:
    return reverse(landing_url_name(user))
