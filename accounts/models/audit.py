"""The append-only, hash-chained audit records and the security audit log.
``ChainedAuditRecord`` is the abstract base for every audit row kept in a hash chain
(accounts.audit_chain); ``AuditChainHead`` holds each chain's lock, tail and retention
anchor; ``AuditEvent`` is the security log (MLPS 2.0 安全审计). The business audit of figures,
``ObservationChange``, builds on the same base in ``indicators.models.observations``.
The tables keep the names they had in ``indicators``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit_chain


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are only ever added: bulk changes and deletes are refused here too."""

    def update(self, **kwargs: object) -> int:
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def delete(self):
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能删除。")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def bulk_create(self, *args: object, **kwargs: object):
        # Each row takes its place in the hash chain in save(); bulk inserts would skip that.
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能逐条追加。")


class ChainedAuditRecord(models.Model):
    """An append-only audit row in a hash chain (accounts.audit_chain).

    ``save()`` inserts new rows only, each with its ``seq``, ``prev_hash`` and ``hash``, under
    the chain's lock; it refuses to update a saved row and ``delete()`` refuses. On PostgreSQL a
    trigger refuses UPDATE and DELETE in the database as well (migration 0004); the retention
    job alone may delete AuditEvents older than AUDIT_RETENTION_DAYS (``prune_audit``).
    """

    AUDIT_CHAIN = ""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    prev_hash = models.CharField(_("前序哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding or self.pk is not None:
            raise audit_chain.AppendOnlyError(f"{self._meta.verbose_name}只能追加，不能修改。")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        audit_chain.append(
            self, str(using), lambda: super(ChainedAuditRecord, self).save(*args, **kwargs)  # type: ignore[arg-type]
        )

    def delete(self, *args: object, **kwargs: object):
        raise audit_chain.AppendOnlyError(f"{self._meta.verbose_name}只能追加，不能删除。")


class AuditChainHead(models.Model):
    """The head of one audit hash chain: its lock, its tail and its retention anchor."""

    chain = models.CharField(_("链"), max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(_("末条序号"), default=0)
    hash = models.CharField(_("末条哈希"), max_length=64, default=audit_chain.GENESIS)
    anchor_seq = models.PositiveBigIntegerField(_("锚点序号"), default=0)
    anchor_hash = models.CharField(_("锚点哈希"), max_length=64, default=audit_chain.GENESIS)
    mac = models.CharField(_("校验码"), max_length=64)
    # True when the head was found missing and rebuilt from the table's tail at an append:
    # someone removed it, so verification keeps failing (issue 12 row 8). Covered by ``mac``.
    recreated = models.BooleanField(_("曾被删除后重建"), default=False)

    class Meta:
        db_table = "indicators_auditchainhead"
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


class AuditEvent(ChainedAuditRecord):
    """A security-relevant event (MLPS 2.0 安全审计). Append-only and hash-chained.

    Written only by ``accounts.audit.audit_record``; data changes themselves are kept in
    ObservationChange. Kept AUDIT_RETENTION_DAYS (186 by default: the Cybersecurity Law's six
    months), then removed by ``prune_audit``. A user who appears here cannot be deleted
    (PROTECT): accounts are deactivated, so that the record keeps naming them.
    """

    AUDIT_CHAIN = "auditevent"

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账号锁定")
        LOGOUT = "logout", _("退出登录")
        DENIED = "denied", _("越权访问")
        EXPORT = "export", _("数据导出")
        USER = "user", _("用户管理")
        RETENTION = "retention", _("日志清理")
        PLAN = "plan", _("规划与目标变更")
        TOKEN = "token", _("API令牌")
        REPORT = "report", _("报告")

    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    detail = models.CharField(_("详情"), max_length=500, blank=True)

    class Meta(ChainedAuditRecord.Meta):
        db_table = "indicators_auditevent"
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
