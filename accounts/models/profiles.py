"""Whom a user acts for: a region and, for a reporter, a department (docs/roles.md).

The region and department are ``indicators``' models, named by label: ``accounts`` sits below
``indicators`` and never imports it (docs/architecture.md "Layers"). The table keeps the name
it had in ``indicators`` (``indicators_profile``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Which region (and, for reporters, which department) a user acts for.

    Roles themselves are Django groups (领导小组办公室, 部门填报员, 领导, 审计员, 系统管理员).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="profile",
    )
    region = models.ForeignKey(
        "indicators.Region", verbose_name=_("地区"), on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "indicators.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    # A password chosen by an administrator is known to two people: its owner must replace it
    # before anything else, the second factor included (docs/reliability.md, issue 12 row 9).
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)

    class Meta:
        db_table = "indicators_profile"
        verbose_name = _("用户归属")
        verbose_name_plural = _("用户归属")

    def __str__(self) -> str:
        return f"{self.user} · {self.department or self.region}"


def place_model(name: str) -> type[models.Model]:
    """``indicators.Region`` or ``indicators.Department`` (``name`` is "region" or
    "department"), as ``Profile``'s foreign key names it: how this layer reaches the places
    without importing the layer above."""
    return Profile._meta.get_field(name).related_model  # type: ignore[return-value]
