"""An onboarded plan's document and the targets proposed from it (docs/onboarding.md §5).

The plan itself is a ``targets.Plan`` in state 草稿 from upload to publication; this app adds
what only onboarding needs: the document's text (kept with the plan after publishing, so
every quote stays checkable) and the proposals the office reviews. Adjustments (调整) of a
published plan's targets are kept here too, one row per change, with the old and new values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from targets.models import Plan, Target


class PlanDocument(models.Model):
    plan = models.OneToOneField(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="document"
    )
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    text = models.TextField(_("文件全文"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("规划文件")
        verbose_name_plural = _("规划文件")

    def __str__(self) -> str:
        return self.filename or str(self.plan)


class Proposal(models.Model):
    """One candidate target, as the extractor proposed it or the office edited/added it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审")
        ACCEPTED = "accepted", _("采纳")
        REJECTED = "rejected", _("驳回")

    document = models.ForeignKey(
        PlanDocument,
        verbose_name=_("规划文件"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    order = models.PositiveIntegerField(_("顺序"))
    state = models.CharField(_("审核"), max_length=10, choices=State.choices, default=State.PENDING)
    origin = models.CharField(_("来源"), max_length=10, default="extractor")  # or "office"
    edited = models.BooleanField(_("已修改"), default=False)
    indicator_name = models.CharField(_("指标名称"), max_length=200)
    comparator = models.CharField(
        _("比较方式"), max_length=5, choices=Target.Comparator.choices, default="ge"
    )
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    value_high = models.DecimalField(
        _("目标上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    deadline_year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    kind = models.CharField(_("目标类型"), max_length=20, choices=Target.Kind.choices)
    aspirational = models.BooleanField(_("力争目标"), default=False)
    vision = models.BooleanField(_("远景目标"), default=False)
    qualitative = models.BooleanField(_("定性目标"), default=False)
    lead_departments = models.JSONField(_("牵头单位"), default=list, blank=True)
    participating_departments = models.JSONField(_("参与单位"), default=list, blank=True)
    source_quote = models.TextField(_("原文"))
    start = models.PositiveIntegerField(_("原文起点"))
    end = models.PositiveIntegerField(_("原文终点"))
    section = models.CharField(_("所属章节"), max_length=100, blank=True)
    # The canonical indicator, or (when null) a new one with these fields.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("对应指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_indicator_unit = models.CharField(_("新指标单位"), max_length=30, blank=True)
    new_indicator_measure = models.CharField(
        _("新指标计量方式"), max_length=10, choices=Indicator.Measure.choices, blank=True
    )
    new_indicator_direction = models.CharField(
        _("新指标方向"), max_length=10, choices=Indicator.Direction.choices, blank=True
    )
    new_indicator_lower = models.DecimalField(
        _("新指标下限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    new_indicator_upper = models.DecimalField(
        _("新指标上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target = models.OneToOneField(
        Target,
        verbose_name=_("发布后的目标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
    )

    class Meta:
        verbose_name = _("候选目标")
        verbose_name_plural = _("候选目标")
        ordering = ["document_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator_name} {self.value}{self.unit}"


class TargetAdjustment(models.Model):
    """One 调整 of a published target: who, when, old, new, why, and the adjusting 文号."""

    target = models.ForeignKey(
        Target, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="adjustments"
    )
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    adjusted_at = models.DateTimeField(_("调整时间"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("调整原因"), max_length=200)
    doc_number = models.CharField(_("调整文件文号"), max_length=60)
    old = models.JSONField(_("调整前"))
    new = models.JSONField(_("调整后"))

    class Meta:
        verbose_name = _("目标调整记录")
        verbose_name_plural = _("目标调整记录")
        ordering = ["target_id", "-adjusted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.adjusted_at:%Y-%m-%d} {self.reason}"

    LABELS = {
        "value": _("目标值"),
        "value_high": _("目标上限"),
        "deadline_year": _("目标年份"),
        "lead_departments": _("牵头单位"),
        "participating_departments": _("参与单位"),
        "cancelled": _("不再考核"),
    }

    def changes(self) -> list[tuple[str, str, str]]:
        """(label, old, new) of every field this adjustment changed, as the page shows it."""

        def show(value: object) -> str:
            if value is None or value == []:
                return "—"
            if isinstance(value, bool):
                return "是" if value else "否"
            if isinstance(value, list):
                return "、".join(str(v) for v in value)
            return str(value)

        return [
            (str(label), show(self.old.get(key)), show(self.new.get(key)))
            for key, label in self.LABELS.items()
            if self.old.get(key) != self.new.get(key)
        ]
