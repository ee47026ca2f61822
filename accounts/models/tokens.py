"""API tokens for portals and departments' systems, and tombstones for incremental sync.

Both are wiring for the REST feed (``/api/v1/``), not domain data: a token says *who* calls
the API, a tombstone says *what left* the published feed, so that a portal mirroring the data
with ``updated_since`` learns about deletions without refetching everything.
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


class Tombstone(models.Model):
    """A row that left the published feed: deleted, or (observations) no longer approved.

    ``model`` is the model label (``targets.target``); ``natural_key`` is readable text such as
    ``plan-code/T001`` so a mirror can match rows it keyed differently. One tombstone per
    object: a second departure only moves ``deleted_at``; an observation approved again
    loses its tombstone and reappears as a changed row.
    """

    class Reason(models.TextChoices):
        DELETED = "deleted", _("已删除")
        UNPUBLISHED = "unpublished", _("已撤出公开数据")

    model = models.CharField(_("模型"), max_length=60)
    object_id = models.BigIntegerField(_("对象编号"))
    natural_key = models.CharField(_("业务键"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    deleted_at = models.DateTimeField(_("删除时间"), db_index=True)

    class Meta:
        verbose_name = _("删除记录")
        verbose_name_plural = _("删除记录")
        ordering = ["deleted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="tombstone_unique_object")
        ]
        indexes = [models.Index(fields=["model", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id} {self.get_reason_display()}"


class Heartbeat(models.Model):
    """The last time a piece of background work was seen alive, for the 系统 page.

    ``worker``: stamped every minute by the beat task ``qualitytrack.heartbeat`` as a worker
    runs it (so an old stamp means beat or every worker is down). ``recompute_all``: stamped
    when a full progress recompute (the nightly one) finishes. A row per name, overwritten.
    Kept in the database, not the cache: the default cache is per process, and the web must
    read what the worker wrote (docs/roles.md, "系统").
    """

    name = models.CharField(_("名称"), max_length=40, unique=True)
    at = models.DateTimeField(_("时间"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("后台心跳")
        verbose_name_plural = _("后台心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
