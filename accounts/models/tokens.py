"""API tokens for portals and departments' systems: *who* calls the API (``/api/v1/``).

The table keeps the name it had in ``qualitytrack`` (``qualitytrack_apitoken``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key for a portal (reads the published feed) or a department's system (writes figures).

    Only a SHA-256 digest of the key is stored; the key itself is shown once, at creation.
    The key reads ``qt_<prefix>_<secret>``: the prefix finds the row (it is not secret), the
    digest of the whole key is compared in constant time. Keys carry 256 random bits, so a
    fast digest is enough; a slow password hash would only slow every API call down.

    A department token acts through its own service account (``user``), a member of
    部门填报员 for that department, so the services apply the very rules a reporter meets in
    the forms and every ObservationChange names the token's account.
    """

    class Kind(models.TextChoices):
        PORTAL = "portal", _("门户（只读）")
        DEPARTMENT = "department", _("部门系统（可写入）")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey(
        "indicators.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="api_tokens",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("服务账号"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="api_token",
    )
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64)
    throttle_rate = models.CharField(
        _("限流"), max_length=20, blank=True,
        help_text=_("如 600/min；为空时使用默认值"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # The person who answers for what a department token writes (its creator unless named):
    # four eyes compare people, so this person cannot approve the token's figures (issue 12).
    accountable = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accountable_tokens",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("吊销人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        db_table = "qualitytrack_apitoken"
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="portal", department__isnull=True)
                | Q(kind="department", department__isnull=False),
                name="apitoken_department_iff_department_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
