"""Reported figures: observations, their change history, and Excel import jobs. An observation
is one actual keyed by indicator, region and period, with its approval state; every change to
it is an append-only, chained ``ObservationChange`` row. ``ImportJob`` tracks an uploaded
Excel file of actuals as it is processed. Writes go through ``indicators.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ChainedAuditRecord

from ..calendar import Period
from .places import Department, Indicator, Region


class ObservationManager(models.Manager["Observation"]):
    def get_by_natural_key(
        self, indicator_code: str, region_code: str, year: int, quarter: int | None
    ) -> Observation:
        return self.get(
            indicator__code=indicator_code, region__code=region_code, year=year, quarter=quarter
        )


class Observation(models.Model):
    """One reported actual: indicator, region and period, with its approval state.

    ``quarter`` is empty for an annual figure. Approved figures are locked; changing one is a
    correction that goes through approval again. Every change is an ObservationChange row.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="observations"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="observations"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    state = models.CharField(_("进展状态"), max_length=12, choices=State.choices, blank=True)
    criteria_met = models.PositiveSmallIntegerField(_("已达标子项数"), null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("填报单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="observations",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    comment = models.TextField(_("审核意见"), blank=True)
    evidence = models.TextField(_("佐证说明"), blank=True)
    attachment = models.FileField(_("佐证附件"), upload_to="evidence/%Y/", blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # A correction of an approved figure is a proposal (docs/reliability.md, issue 12 row 3):
    # value/state stay the approved, published figure until the office approves the proposal.
    proposed_value = models.DecimalField(
        _("更正后数值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    proposed_state = models.CharField(
        _("更正后进展状态"), max_length=12, choices=State.choices, blank=True
    )
    proposed_reason = models.TextField(_("更正原因"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更正人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    proposed_at = models.DateTimeField(_("更正提交时间"), null=True, blank=True)

    objects = ObservationManager()

    class Meta:
        verbose_name = _("填报数据")
        verbose_name_plural = _("填报数据")
        ordering = ["indicator_id", "region_id", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="observation_unique_quarter",
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "year"],
                condition=Q(quarter__isnull=True),
                name="observation_unique_year",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="observation_quarter_1_to_4",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "indicator", "region"]),
            # The feed's cursor pages with updated_since (docs/scale.md).
            models.Index(fields=["updated_at", "id"], name="observation_sync_keyset"),
            # The 演示数据 banner asks on every page whether demo figures exist
            # (indicators/demo.py, whose marker this repeats): only those rows are indexed,
            # so the answer does not read the 9.6 million real figures of a national office.
            models.Index(fields=["status"], name="observation_demo",
                         condition=Q(evidence__startswith="示例数据")),
            # 总览's "what changed" reads the figures approved in a quarter's window
            # (docs/monitoring.md "What changed"): only approved figures are indexed.
            models.Index(fields=["approved_at"], name="observation_approved",
                         condition=Q(status="approved")),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} · {self.period_label}"

    def natural_key(self) -> tuple[str, str, int, int | None]:
        return (self.indicator.code, self.region.code, self.year, self.quarter)

    natural_key.dependencies = ["indicators.indicator", "indicators.region"]  # type: ignore[attr-defined]

    @property
    def period_label(self) -> str:
        return Period(self.year, self.quarter).label  # in the user's language

    @property
    def correction_pending(self) -> bool:
        """An approved figure whose correction awaits the office (the approved value stays)."""
        return self.status == self.Status.APPROVED and self.proposed_at is not None


class ObservationChange(ChainedAuditRecord):
    """Who changed what on a figure, when, from what to what, and why. Append-only, chained.

    The business audit: kept for ever (the retention job never touches it).
    """

    AUDIT_CHAIN = "observationchange"

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        CORRECT = "correct", _("更正")
        IMPORT = "import", _("导入")

    observation = models.ForeignKey(
        Observation, verbose_name=_("填报数据"), on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    old_value = models.CharField(_("原值"), max_length=100, blank=True)
    new_value = models.CharField(_("新值"), max_length=100, blank=True)
    old_status = models.CharField(_("原状态"), max_length=10, blank=True)
    new_status = models.CharField(_("新状态"), max_length=10, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(ChainedAuditRecord.Meta):
        verbose_name = _("数据变更记录")
        verbose_name_plural = _("数据变更记录")
        ordering = ["observation_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.old_value} → {self.new_value}"

    @property
    def old_status_label(self) -> str:
        return _status_label(self.old_status)

    @property
    def new_status_label(self) -> str:
        return _status_label(self.new_status)


def _status_label(value: str) -> str:
    return str(dict(Observation.Status.choices).get(value, value))


class ImportJob(models.Model):
    """One uploaded Excel file of actuals and how far its processing has got.

    The upload page polls this row (``progress`` 0 to 100), so progress works the same whether the
    task runs eagerly in the request or on a Celery worker. ``errors`` holds every row error as
    text; nothing is written unless it is empty (one transaction for the whole file).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("未通过校验")

    department = models.ForeignKey(
        Department, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    submit = models.BooleanField(_("导入后直接提交"), default=False)
    file = models.FileField(_("文件"), upload_to="imports/%Y/")
    filename = models.CharField(_("原文件名"), max_length=200, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    written = models.PositiveIntegerField(_("写入条数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_state_display()}"
