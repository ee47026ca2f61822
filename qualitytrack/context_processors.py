"""Navigation shared by every page (base.html)."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("overview", _("总览"), "reports:overview"),
    ("plans", _("城市"), "reports:plan-list"),
    ("departments", _("部门"), "reports:department-list"),
    ("indicators", _("指标"), "reports:indicator-list"),
    ("entry", _("数据填报"), "indicators:due"),
    ("reports", _("报告"), "reports:report-list"),
    ("api", _("API"), "swagger-ui"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"navigation": NAVIGATION}
