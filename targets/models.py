"""What is promised: plans, their targets, and the progress computed for each quarter.

The choices below mirror the pure engine's vocabulary (``targets.progress.schema``); a test
asserts that the two sets are equal, so the engine never needs Django to learn a label.
``Progress.Status`` is made from the engine's codes in ``targets.status``, the one owner of a
status's label, colour and sets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from indicators.calendar import Period
from indicators.models import Department, Indicator, Region

from .status import ProgressStatus


class PlanManager(models.Manager["Plan"]):
    def get_by_natural_key(self, code: str) -> Plan:
        return self.get(code=code)


class Plan(models.Model):
    class Status(models.TextChoices):
        """A plan's life (docs/lifecycle): 草稿 → 执行中 → 终期评估 → 已收官.

        A draft is the office's work in progress: invisible to dashboards, the feed and
        reporters until published. 终期评估 starts by itself on 1 January after the end year;
        已收官 when the office freezes the final assessment."""

        DRAFT = "draft", _("草稿")
        IN_FORCE = "in_force", _("执行中")
        FINAL_REVIEW = "final_review", _("终期评估")
        CLOSED = "closed", _("已收官")

        @classmethod
        def published(cls) -> list[str]:
            """The states the feed, dashboards and reporters see: every state but a draft."""
            return [cls.IN_FORCE, cls.FINAL_REVIEW, cls.CLOSED]

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    issue_date = models.DateField(_("成文日期"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("起始年"))
    end_year = models.PositiveSmallIntegerField(_("目标年"))
    base_year = models.PositiveSmallIntegerField(_("基期年"), null=True, blank=True)
    vision_year = models.PositiveSmallIntegerField(_("远景年"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.IN_FORCE, db_index=True
    )
    source = models.CharField(_("来源文件"), max_length=200, blank=True)
    predecessor = models.ForeignKey(
        "self", verbose_name=_("上期规划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="successors",
        help_text=_("后续规划同一指标、同一地区的目标以上期规划的终期数据为默认基期值"),
    )
    notes = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = PlanManager()

    class Meta:
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        ordering = ["region__code", "start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(base_year__isnull=True) | Q(base_year__lte=F("start_year")),
                name="plan_base_year_not_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def t0_year(self) -> int:
        """The base year y0: as given, else the year before the plan starts.

        docs/progress.md "Common definitions" (time grid)."""
        return self.base_year if self.base_year is not None else self.start_year - 1


class TargetManager(models.Manager["Target"]):
    def get_by_natural_key(self, plan_code: str, code: str) -> Target:
        return self.get(plan__code=plan_code, code=code)


class Target(models.Model):
    class Kind(models.TextChoices):
        LEVEL = "level", _("水平值")
        MAINTAIN = "maintain", _("保持")
        ANNUAL_INCREMENT = "annual_increment", _("每年新增")
        CUMULATIVE_NEW = "cumulative_new", _("累计新增")
        PERIOD_AVERAGE = "period_average", _("期间均值")
        DIRECTION = "direction", _("趋势方向")
        MILESTONE = "milestone", _("里程碑")
        RANGE = "range", _("区间")
        ASSIGNED = "assigned", _("上级下达")

    class Comparator(models.TextChoices):
        GE = "ge", "≥"
        LE = "le", "≤"
        GT = "gt", ">"
        LT = "lt", "<"
        EQ = "eq", "="
        RANGE = "range", _("区间")

    class Binding(models.TextChoices):
        BINDING = "binding", _("约束性")
        EXPECTED = "expected", _("预期性")
        UNSPECIFIED = "", _("未注明")

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="targets"
    )
    code = models.CharField(_("编号"), max_length=20)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    kind = models.CharField(_("目标类型"), max_length=20, choices=Kind.choices, db_index=True)
    comparator = models.CharField(
        _("比较方式"), max_length=5, choices=Comparator.choices, default=Comparator.GE
    )
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    value_high = models.DecimalField(
        _("目标上限/力争值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    deadline_year = models.PositiveSmallIntegerField(
        _("目标年份"), null=True, blank=True, help_text=_("为空表示规划期内每年")
    )
    baseline_value = models.DecimalField(
        _("基期值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("基期年"), null=True, blank=True)

    class BaselineSource(models.TextChoices):
        """Where b comes from (docs/lifecycle.md "Baselines")."""

        DOCUMENT = "", _("规划文件")
        PREDECESSOR = "predecessor", _("上期规划终期值")
        REPORTED = "reported", _("填报基期值")

    baseline_source = models.CharField(
        _("基期值来源"), max_length=12, choices=BaselineSource.choices, blank=True,
        default=BaselineSource.DOCUMENT,
    )
    aspirational = models.BooleanField(_("力争目标"), default=False)
    binding = models.CharField(
        _("指标属性"), max_length=10, choices=Binding.choices, default=Binding.UNSPECIFIED,
        blank=True,
    )
    criteria_total = models.PositiveSmallIntegerField(_("创建子项数"), null=True, blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("牵头单位"), related_name="led_targets", blank=True
    )
    participating_departments = models.ManyToManyField(
        Department, verbose_name=_("参与单位"), related_name="supported_targets", blank=True
    )
    section = models.CharField(_("所属章节"), max_length=100, blank=True)
    source_clause = models.CharField(_("条款"), max_length=60, blank=True)
    source_quote = models.TextField(_("原文"))
    cancelled = models.BooleanField(_("不再考核"), default=False)
    cancel_reason = models.CharField(_("不再考核原因"), max_length=100, blank=True)
    final_assessment = models.CharField(_("文件所载完成情况"), max_length=50, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = TargetManager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["plan_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_per_plan"),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True)
                | Q(value__isnull=True)
                | Q(value_high__gte=F("value")),
                name="target_range_high_not_below_low",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "plan"]),
            # The feed's cursor pages with updated_since (docs/scale.md).
            models.Index(fields=["updated_at", "id"], name="target_sync_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.goal_display}"

    def natural_key(self) -> tuple[str, str]:
        return (*self.plan.natural_key(), self.code)

    natural_key.dependencies = ["targets.plan", "indicators.indicator"]  # type: ignore[attr-defined]

    @property
    def value_display(self) -> str:
        """The goal as officials read it: "96%", "2-3个", "5个/年"."""
        if self.value is None:
            return str(_("待下达")) if self.kind == self.Kind.ASSIGNED else ""

        def fmt(number: object) -> str:
            return f"{number:f}".rstrip("0").rstrip(".")

        text = fmt(self.value)
        if self.value_high is not None:
            text = f"{text}-{fmt(self.value_high)}"
        return f"{text}{self.unit}"

    @property
    def goal_display(self) -> str:
        """The goal as the plan words it in short: ≥96%, 保持≥98%, 每年新增≥5个, 2-3个,
        稳步下降, 建成/完成, 待下达. Pages, CSV and the PDF all print this one."""
        if self.value is None:
            if self.kind == self.Kind.DIRECTION:
                lower = self.comparator in (self.Comparator.LE, self.Comparator.LT) or (
                    self.indicator.direction == Indicator.Direction.LOWER
                )
                return str(_("稳步下降") if lower else _("稳步提升"))
            if self.kind == self.Kind.MILESTONE:
                return str(_("建成/完成"))
            return self.value_display or "—"
        prefix = {  # type: ignore[call-overload]
            self.Kind.MAINTAIN: _("保持"),
            self.Kind.ANNUAL_INCREMENT: _("每年新增"),
            self.Kind.CUMULATIVE_NEW: _("累计新增"),
            self.Kind.PERIOD_AVERAGE: _("期间均值"),
        }.get(self.kind, "")
        sign = "" if self.comparator == self.Comparator.RANGE else self.get_comparator_display()
        return f"{prefix}{sign}{self.value_display}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        plan = self.plan
        if self.deadline_year and not plan.start_year - 1 <= self.deadline_year <= max(
            plan.end_year, plan.vision_year or 0
        ):
            raise ValidationError(
                {"deadline_year": _("目标年份%(year)s不在规划期%(start)s—%(end)s内。")
                 % {"year": self.deadline_year, "start": plan.start_year, "end": plan.end_year}}
            )


class Reward(models.Model):
    """A reward of a plan's 扶持政策清单, linked to the indicator it rewards where there is one."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="rewards"
    )
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("奖励事项"), max_length=200)
    amount_wan = models.DecimalField(
        _("金额(万元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField(_("计发方式"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("兑现单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("对应指标"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="rewards",
    )
    source_quote = models.TextField(_("原文"))

    class Meta:
        verbose_name = _("扶持政策")
        verbose_name_plural = _("扶持政策")
        ordering = ["plan_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="reward_code_unique_per_plan")
        ]

    def __str__(self) -> str:
        return self.name


class Progress(models.Model):
    """The engine's verdict on one target at one quarter's end. Derived; upserted by key."""

    #: The engine's codes with their labels, made in ``targets.status`` (the one owner).
    Status = ProgressStatus

    target = models.ForeignKey(
        Target, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="progress"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    reason = models.CharField(_("说明"), max_length=30, blank=True)
    data_year = models.PositiveSmallIntegerField(_("数据年份"), null=True, blank=True)
    data_quarter = models.PositiveSmallIntegerField(_("数据季度"), null=True, blank=True)
    current_value = models.FloatField(_("当前值"), null=True, blank=True)
    completion_ratio = models.FloatField(_("完成率"), null=True, blank=True)
    elapsed_share = models.FloatField(_("时间进度"), null=True, blank=True)
    elapsed_share_asof = models.FloatField(_("时间进度(评估日)"), null=True, blank=True)
    pace = models.FloatField(_("进度比"), null=True, blank=True)
    expected_value = models.FloatField(_("预期值"), null=True, blank=True)
    gap = models.FloatField(_("差距"), null=True, blank=True)
    moving_away = models.BooleanField(_("倒退"), default=False)
    stale = models.BooleanField(_("数据过期"), default=False)
    provisional = models.BooleanField(_("初步"), default=False)
    exceeds_stretch = models.BooleanField(_("超额"), default=False)
    unattainable = models.BooleanField(_("已无法实现"), default=False)
    periods_met = models.PositiveSmallIntegerField(_("达标期数"), null=True, blank=True)
    periods_total = models.PositiveSmallIntegerField(_("考核期数"), null=True, blank=True)
    needed_average = models.FloatField(_("剩余年份所需均值"), null=True, blank=True)
    projected_value = models.FloatField(_("预测值"), null=True, blank=True)
    projected_to_meet = models.BooleanField(_("预计可完成"), null=True, blank=True)
    # 待终期数据: past the deadline, the deadline-period figure is not approved yet
    # (docs/progress.md "Deadline windows").
    awaiting_final = models.BooleanField(_("待终期数据"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), db_index=True)

    class Meta:
        verbose_name = _("目标进度")
        verbose_name_plural = _("目标进度")
        ordering = ["target_id", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "year", "quarter"], name="progress_unique_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="progress_quarter_1_to_4"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"]),
            # The feed's cursor pages: by id within a quarter, by (computed_at, id) when
            # syncing — each page one index range at any depth (docs/scale.md).
            # A quarter's rows in target order: the feed's cursor pages and the export
            # (docs/scale.md §1). Ids follow the order of computing, quarter after quarter, so
            # an id order would let PostgreSQL walk the primary key past every earlier quarter.
            models.Index(fields=["year", "quarter", "target"], name="progress_quarter_target"),
            models.Index(fields=["computed_at", "id"], name="progress_sync_keyset"),
            # 总览's "targets behind", worst pace first, 20 a page (docs/scale.md §8): the
            # first page is the index's first rows, not a sort of every row behind. The
            # statuses are targets.status.PACE_BEHIND.
            models.Index(fields=["year", "quarter", "pace", "gap", "target"],
                         name="progress_behind",
                         condition=Q(status__in=["lagging", "off_track"])),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}Q{self.quarter} {self.get_status_display()}"

    @property
    def quarter_label(self) -> str:
        return Period(self.year, self.quarter).label  # 2025年第4季度 / 2025 Q4


class RecomputeRequest(models.Model):
    """Outbox of progress recomputes, written in the same transaction as the approval.

    The broker may be down when a figure is approved (celery/celery#6046): the request is
    kept here and drained by ``targets.drain_recompute_outbox`` as soon as a worker can run
    it (right after commit when Redis is up; by beat every minute otherwise), so no approval
    waits on Redis and none is forgotten.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("进度重算请求")
        verbose_name_plural = _("进度重算请求")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_id}"


class FinalAssessment(models.Model):
    """The office's 终期评估 of one plan (docs/lifecycle.md): a narrative, then frozen.

    Freezing copies every row's 完成情况 into ``FinalVerdict.frozen_status`` and closes the
    plan (已收官); from then on the engine's rows of the plan carry the frozen verdicts.
    """

    plan = models.OneToOneField(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="final_assessment"
    )
    narrative = models.TextField(_("总体评估"), blank=True)
    frozen_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("定稿人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("终期评估")
        verbose_name_plural = _("终期评估")

    def __str__(self) -> str:
        return f"{self.plan} 终期评估"

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class FinalVerdict(models.Model):
    """One row of a final assessment (洞头 表1): the office's 完成情况 of one target.

    ``status`` empty means "as computed"; an override needs a reason, and every change is
    kept in ``FinalVerdictChange`` (who / when / old / new / why)."""

    assessment = models.ForeignKey(
        FinalAssessment, verbose_name=_("终期评估"), on_delete=models.CASCADE,
        related_name="verdicts",
    )
    target = models.OneToOneField(
        Target, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="final_verdict"
    )
    status = models.CharField(
        _("完成情况(办公室认定)"), max_length=20, choices=Progress.Status.choices, blank=True
    )
    reason = models.CharField(_("认定理由"), max_length=200, blank=True)
    frozen_status = models.CharField(
        _("定稿完成情况"), max_length=20, choices=Progress.Status.choices, blank=True
    )
    frozen_computed = models.CharField(
        _("定稿时计算结论"), max_length=20, choices=Progress.Status.choices, blank=True
    )
    frozen_value = models.FloatField(_("定稿终期值"), null=True, blank=True)

    class Meta:
        verbose_name = _("终期评估结论")
        verbose_name_plural = _("终期评估结论")
        ordering = ["target_id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.status or '-'}"


class FinalVerdictChange(models.Model):
    """History of the office's overrides of a final verdict (never edited, never deleted)."""

    verdict = models.ForeignKey(
        FinalVerdict, verbose_name=_("终期评估结论"), on_delete=models.CASCADE,
        related_name="changes",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    old_status = models.CharField(_("原完成情况"), max_length=20, blank=True)
    new_status = models.CharField(_("新完成情况"), max_length=20, blank=True)
    reason = models.CharField(_("理由"), max_length=200)

    class Meta:
        verbose_name = _("终期评估修改记录")
        verbose_name_plural = _("终期评估修改记录")
        ordering = ["verdict_id", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.verdict_id} {self.old_status} → {self.new_status}"


class _RollupCounts(models.Model):
    """What both rollups hold per group: the quarter, the plan, the indicator category, the
    status, and how many targets (of which 力争 and 约束性)."""

    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )
    category = models.CharField(_("类别"), max_length=30)
    status = models.CharField(_("状态"), max_length=20, choices=Progress.Status.choices)
    n = models.IntegerField(_("目标数"), default=0)
    aspirational = models.IntegerField(_("力争目标数"), default=0)
    binding = models.IntegerField(_("约束性目标数"), default=0)

    class Meta:
        abstract = True


class PlanRollup(_RollupCounts):
    """How many of a plan's targets had each status at one quarter, per indicator category.

    Derived from Progress and kept right by database triggers in the same statement as the
    Progress write (docs/scale.md "Rollup tables"): dashboards read these few rows instead of
    counting Progress. ``aspirational`` and ``binding`` count the 力争 and 约束性 targets among
    ``n``, for the scores and "binding behind". Rows whose count fell to 0 may linger; they
    change no sum.
    """

    class Meta:
        verbose_name = _("规划进度汇总")
        verbose_name_plural = _("规划进度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "plan", "category", "status"],
                name="plan_rollup_unique_group",
            ),
        ]
        indexes = [models.Index(fields=["plan", "year", "quarter"], name="plan_rollup_plan")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year}Q{self.quarter} {self.category} {self.status} {self.n}"


class DepartmentRollup(_RollupCounts):
    """The same counts for the targets one department leads in one plan (a target with two
    lead departments counts once for each), per quarter, category and status."""

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("部门进度汇总")
        verbose_name_plural = _("部门进度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "department", "plan", "category", "status"],
                name="department_rollup_unique_group",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "year", "quarter"], name="department_rollup_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}@{self.plan_id} {self.year}Q{self.quarter} {self.status}"


class QuarterRollup(models.Model):
    """The quarters that have Progress rows: the dashboards' quarter menu (one row a quarter
    instead of a DISTINCT over every Progress row). Marked, not counted, so that concurrent
    recomputes never queue on one row; the last row of a quarter deleted unmarks it."""

    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))

    class Meta:
        verbose_name = _("季度进度汇总")
        verbose_name_plural = _("季度进度汇总")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="quarter_rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


class TargetTally(models.Model):
    """Targets per plan (``department`` empty) and targets each department leads per plan:
    the home page's and lists' target counts, kept by triggers on Target and its lead
    departments (docs/scale.md "Rollup tables")."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )
    department_id = models.IntegerField(_("部门"), default=0)  # 0: the whole plan
    n = models.IntegerField(_("目标数"), default=0)

    class Meta:
        verbose_name = _("目标数汇总")
        verbose_name_plural = _("目标数汇总")
        constraints = [
            models.UniqueConstraint(fields=["plan", "department_id"], name="target_tally_unique"),
        ]
        indexes = [models.Index(fields=["department_id"], name="target_tally_department")]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.department_id} {self.n}"
