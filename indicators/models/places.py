"""Where and what is measured: regions, departments and indicators. The reference data every
figure is keyed by: the region tree (nation down to county), the responsible departments
(责任单位) in each region, and the canonical indicators shared across cities. Whom a user acts
for (``Profile``) is ``accounts``'.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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
        """This region and every region under it, level by level: one recursive query (a
        page resolves its scope with one round trip to the database, however deep the tree)."""
        with connection.cursor() as cursor:
            cursor.execute(DESCENDANTS_SQL, [self.pk])
            return [row[0] for row in cursor.fetchall()]


# SQLite and PostgreSQL both run WITH RECURSIVE; ordered as the tree reads: depth, then code.
DESCENDANTS_SQL = """
WITH RECURSIVE tree(id, depth) AS (
    SELECT id, 0 FROM indicators_region WHERE id = %s
    UNION ALL
    SELECT child.id, tree.depth + 1 FROM indicators_region child JOIN tree
        ON child.parent_id = tree.id
)
SELECT tree.id FROM tree JOIN indicators_region region ON region.id = tree.id
ORDER BY tree.depth, region.code
"""


#: The level word a region's name ends in and its departments' names begin with (市住建局).
LEVEL_WORDS = ("省", "市", "区", "县", "州", "盟", "旗")


def department_full_name(region_name: str, name: str) -> str:
    """A department with its region, the region written once (docs/report.md "Names").

    赣榆区 + 区住建局 → 赣榆区住建局; 湛江市 + 市住房和城乡建设局 → 湛江市住房和城乡建设局;
    盐城市 + 盐城海关 → 盐城海关 (the name already says where); 盐城市 + 盐南高新区管委会 →
    盐城市盐南高新区管委会. Plans write 区住建局 meaning "this district's"; prefixing the full
    region name to it doubled the level word (赣榆区区住建局).
    """
    if not region_name:
        return name
    stem = region_name[:-1] if region_name.endswith(LEVEL_WORDS) and len(region_name) > 2 \
        else region_name
    if stem in name:
        return name
    level = region_name[-1]
    if level in LEVEL_WORDS and name.startswith(level):
        return region_name + name[1:]
    return region_name + name


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
        return department_full_name(self.region.name, self.name) if self.region_id else self.name

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
