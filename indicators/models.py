"""What is measured and reported: regions, departments, indicators and observations.

The lowest layer of the data flow (DESIGN §1): it knows nothing of plans or targets. An
observation is keyed by what (indicator), where (region) and when (year, quarter), as in
DHIS2, so one reported figure serves every plan that tracks the indicator. Writes to
observations go through ``indicators.services`` only, which keeps the change history whole.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, router
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit_chain


class RegionManager(models.Manager["Region"]):
    def get_by_natural_key(self, code: str) -> Region:
        return self.get(code=code)


class Region(models.Model):
    class Level(models.TextChoices):
        NATION = "nation", _("全国")
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50, db_index=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级地区"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )

    objects = RegionManager()

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def descendant_ids(self) -> list[int]:
        """This region and every region under it (regions nest at most four deep)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class DepartmentManager(models.Manager["Department"]):
    def get_by_natural_key(self, region_code: str, name: str) -> Department:
        return self.get(region__code=region_code, name=name)


class Department(models.Model):
    """A 责任单位, named as the plans write it. Each belongs to exactly one region."""

    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)

    objects = DepartmentManager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.name}" if self.region_id else self.name

    def natural_key(self) -> tuple[str, str]:
        return (*self.region.natural_key(), self.name)

    natural_key.dependencies = ["indicators.region"]  # type: ignore[attr-defined]


class IndicatorManager(models.Manager["Indicator"]):
    def get_by_natural_key(self, code: str) -> Indicator:
        return self.get(code=code)


class Indicator(models.Model):
    """The canonical measure, shared across cities so that they can be compared."""

    class Measure(models.TextChoices):
        LEVEL = "level", _("存量/比率")
        FLOW = "flow", _("期间新增")
        MILESTONE = "milestone", _("里程碑")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("按季度")
        ANNUAL = "annual", _("按年度")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    class Profile(models.TextChoices):
        UNIFORM = "uniform", _("均匀分布")
        ANNUAL = "annual", _("年度一次评定")

    code = models.SlugField(_("代码"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    category = models.CharField(_("类别"), max_length=30, db_index=True)
    measure = models.CharField(_("计量方式"), max_length=10, choices=Measure.choices)
    frequency = models.CharField(
        _("填报频率"), max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, blank=True
    )
    lower_bound = models.DecimalField(
        _("下限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    upper_bound = models.DecimalField(
        _("上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    profile = models.CharField(
        _("季度分布"), max_length=10, choices=Profile.choices, default=Profile.UNIFORM
    )
    description = models.TextField(_("说明"), blank=True)

    objects = IndicatorManager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lower_bound__isnull=True)
                | Q(upper_bound__isnull=True)
                | Q(upper_bound__gte=F("lower_bound")),
                name="indicator_bounds_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


class Profile(models.Model):
    """Which region (and, for reporters, which department) a user acts for.

    Roles themselves are Django groups (领导小组办公室, 部门填报员, 领导, 审计员, 系统管理员).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
        related_name="profile",
    )
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("用户归属")
        verbose_name_plural = _("用户归属")

    def __str__(self) -> str:
        return f"{self.user} · {self.department or self.region}"


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
        indexes = [models.Index(fields=["status", "indicator", "region"])]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} · {self.period_label}"

    def natural_key(self) -> tuple[str, str, int, int | None]:
        return (self.indicator.code, self.region.code, self.year, self.quarter)

    natural_key.dependencies = ["indicators.indicator", "indicators.region"]  # type: ignore[attr-defined]

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年"


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are only ever added: bulk changes and deletes are refused here too."""

    def update(self, **kwargs: object) -> int:
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def delete(self):  # type: ignore[no-untyped-def]
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能删除。")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def bulk_create(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        # Each row takes its place in the hash chain in save(); bulk inserts would skip that.
        raise audit_chain.AppendOnlyError(f"{self.model._meta.verbose_name}只能逐条追加。")


class ChainedAuditRecord(models.Model):
    """An append-only audit row in a hash chain (indicators.audit_chain).

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
            self, str(using), lambda: super(ChainedAuditRecord, self).save(*args, **kwargs)
        )

    def delete(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise audit_chain.AppendOnlyError(f"{self._meta.verbose_name}只能追加，不能删除。")


class AuditChainHead(models.Model):
    """The head of one audit hash chain: its lock, its tail and its retention anchor."""

    chain = models.CharField(_("链"), max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(_("末条序号"), default=0)
    hash = models.CharField(_("末条哈希"), max_length=64, default=audit_chain.GENESIS)
    anchor_seq = models.PositiveBigIntegerField(_("锚点序号"), default=0)
    anchor_hash = models.CharField(_("锚点哈希"), max_length=64, default=audit_chain.GENESIS)
    mac = models.CharField(_("校验码"), max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


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
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_state_display()}"


class AuditEvent(ChainedAuditRecord):
    """A security-relevant event (MLPS 2.0 安全审计). Append-only and hash-chained.

    Written only by ``indicators.audit.audit_record``; data changes themselves are kept in
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
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
