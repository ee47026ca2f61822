"""What is shown and filed: the quarterly PDF report runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Department, Region
from targets.models import Plan

DOC_NUMBER_MAX_LENGTH = 40


class ReportRun(models.Model):
    """One request for a quarterly report; progress is a column so eager and worker runs agree."""

    class Scope(models.TextChoices):
        ALL = "all", _("全部地区")
        REGION = "region", _("地区")
        PLAN = "plan", _("规划")
        DEPARTMENT = "department", _("部门")

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices, default=Scope.ALL)
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    # The office's own 文号 and 成文日期 (docs/report.md): never made up by the system.
    doc_number = models.CharField(
        _("文号"), max_length=DOC_NUMBER_MAX_LENGTH, blank=True,
        help_text=_("如 质强办〔2026〕5号；留空则印「〔 〕号」，印发前手工填写。"),
    )
    issue_date = models.DateField(
        _("成文日期"), null=True, blank=True,
        help_text=_("留空则为本季度数据报送截止日。"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    file = models.FileField(_("文件"), upload_to="reports/%Y/", blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告生成记录")
        verbose_name_plural = _("报告生成记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度 · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        target = self.region or self.plan or self.department
        return str(target) if target else str(self.Scope.ALL.label)
