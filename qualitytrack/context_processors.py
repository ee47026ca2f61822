"""Navigation shared by every page (base.html), with the extra entries a role needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from indicators import roles
from indicators.permissions import can_read_dashboards

from .second_factor import second_factor_pending

NAVIGATION = [
    ("overview", _("总览"), "reports:overview"),
    ("plans", _("城市"), "reports:plan-list"),
    ("departments", _("部门"), "reports:department-list"),
    ("indicators", _("指标"), "reports:indicator-list"),
    ("entry", _("数据填报"), "indicators:due"),
    ("reports", _("报告"), "reports:report-list"),
    ("api", _("API"), "swagger-ui"),
]

ROLE_NAVIGATION = {
    roles.OFFICE: [
        ("approvals", _("审核"), "indicators:approvals"),
        ("tokens", _("API令牌"), "qualitytrack:token-list"),
    ],
    roles.AUDITOR: [("audit", _("审计日志"), "indicators:audit-log")],
    roles.SECURITY: [("accounts", _("账号管理"), "indicators:account-list")],
}


def navigation(request: HttpRequest) -> dict[str, object]:
    items = list(NAVIGATION)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if second_factor_pending(user):  # nothing to offer before the TOTP code
            return {"navigation": []}
        if not can_read_dashboards(user):  # 审计员, 系统管理员, 安全管理员: their own pages only
            items = []
        for role, extra in ROLE_NAVIGATION.items():
            if roles.has_role(user, role):
                items.extend(extra)
    return {"navigation": items}


def login_policy(request: HttpRequest) -> dict[str, int]:
    """The lockout rule as the login and locked-out pages state it (django-axes settings)."""
    return {
        "login_failure_limit": settings.AXES_FAILURE_LIMIT,
        "login_lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
