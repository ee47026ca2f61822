"""Seed-like dashboard data built with factories, shared by the e2e and dashboard tests.

Three regions and plans: 赣榆区 (in force, 2021-2025), 盐城市 (in force) and 洞头区's closed
十三五 plan, with lead departments, approved annual figures, a figure history, and Progress
rows for two quarters (2025 Q1 and Q2) — the closed plan's last row is 2020 Q4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.models import Department, Indicator, Observation, ObservationChange, Region
from targets.models import Plan, Progress, Target
from tests.factories import (
    DepartmentFactory,
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    ProgressFactory,
    RegionFactory,
    TargetFactory,
)

S = Progress.Status


@dataclass
class Seed:
    regions: dict[str, Region] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)


def _progress(target: Target, year: int, quarter: int, status: str, **values: object) -> None:
    ProgressFactory(target=target, year=year, quarter=quarter, status=status, **values)


def build_seed() -> Seed:
    seed = Seed()
    province = RegionFactory(code="320000", name="江苏省", level="province")
    city = RegionFactory(code="320700", name="连云港市", level="city", parent=province)
    ganyu = RegionFactory(code="320707", name="赣榆区", level="district", parent=city)
    yancheng = RegionFactory(code="320900", name="盐城市", level="city", parent=province)
    zhejiang = RegionFactory(code="330000", name="浙江省", level="province")
    wenzhou = RegionFactory(code="330300", name="温州市", level="city", parent=zhejiang)
    dongtou = RegionFactory(code="330305", name="洞头区", level="district", parent=wenzhou)
    seed.regions = {"赣榆": ganyu, "盐城": yancheng, "洞头": dongtou, "江苏": province}

    scjg = DepartmentFactory(region=ganyu, name="区市场监管局")
    gxj = DepartmentFactory(region=ganyu, name="区工信局")
    sthj = DepartmentFactory(region=ganyu, name="区生态环境局")
    yc_scjg = DepartmentFactory(region=yancheng, name="市市场监管局")
    dt_scjg = DepartmentFactory(region=dongtou, name="区市场监管局")
    seed.departments = {"scjg": scjg, "gxj": gxj, "sthj": sthj, "yc_scjg": yc_scjg,
                        "dt_scjg": dt_scjg}

    quality = IndicatorFactory(code="product_pass_rate", name="产品质量监督抽查合格率",
                               unit="%", category="产品质量")
    build = IndicatorFactory(code="project_pass_rate", name="工程竣工验收一次合格率",
                             unit="%", category="工程质量")
    pm25 = IndicatorFactory(code="pm25", name="PM2.5年均浓度", unit="微克/立方米",
                            category="环境质量", direction=Indicator.Direction.LOWER,
                            upper_bound=None)
    brand = IndicatorFactory(code="pinzibiao", name="新增“品字标”企业数", unit="家",
                             category="品牌建设", measure=Indicator.Measure.FLOW,
                             upper_bound=None)
    seed.indicators = {"quality": quality, "build": build, "pm25": pm25, "brand": brand}

    ganyu_plan = PlanFactory(code="ganyu-2021", region=ganyu, doc_number="赣政办发〔2021〕12号",
                             title="赣榆区质量强区建设实施方案(2021-2025年)")
    yc_plan = PlanFactory(code="yancheng-2021", region=yancheng,
                          title="盐城市质量强市建设规划(2021-2025年)")
    dt_plan = PlanFactory(code="dongtou-13th", region=dongtou, status=Plan.Status.CLOSED,
                          title="洞头区“十三五”质量强区规划", start_year=2016, end_year=2020,
                          base_year=2015)
    seed.plans = {"ganyu": ganyu_plan, "yancheng": yc_plan, "dongtou": dt_plan}

    t = seed.targets
    t["quality"] = TargetFactory(plan=ganyu_plan, code="T01", indicator=quality, value=96,
                                 baseline_value=90, leads=[scjg], source_clause="一、(二)",
                                 source_quote="产品质量监督抽查合格率达到96%以上")
    t["build"] = TargetFactory(plan=ganyu_plan, code="T02", indicator=build, value=100,
                               baseline_value=98, leads=[gxj],
                               source_quote="工程竣工验收一次合格率保持100%")
    t["pm25"] = TargetFactory(plan=ganyu_plan, code="T03", indicator=pm25, value=25,
                              comparator=Target.Comparator.LE, baseline_value=30,
                              unit="微克/立方米", leads=[sthj],
                              source_quote="PM2.5年均浓度降至25微克/立方米以下")
    t["brand"] = TargetFactory(plan=ganyu_plan, code="T04", indicator=brand, value=7,
                               kind=Target.Kind.CUMULATIVE_NEW, baseline_value=None,
                               unit="家", leads=[scjg],
                               source_quote="“十四五”新增“品字标”企业7家")
    t["yc_quality"] = TargetFactory(plan=yc_plan, code="Y01", indicator=quality, value=97,
                                    baseline_value=93, leads=[yc_scjg],
                                    source_quote="产品质量监督抽查合格率达到97%")
    t["dt_quality"] = TargetFactory(plan=dt_plan, code="D01", indicator=quality, value=95,
                                    baseline_value=92, baseline_year=2015, deadline_year=2020,
                                    leads=[dt_scjg], final_assessment="已完成",
                                    source_clause="表1", source_quote="合格率达到95%")
    t["dt_brand"] = TargetFactory(plan=dt_plan, code="D02", indicator=brand, value=5,
                                  kind=Target.Kind.CUMULATIVE_NEW, baseline_value=None,
                                  deadline_year=2020, unit="家", leads=[dt_scjg],
                                  final_assessment="未完成", source_clause="表1",
                                  source_quote="新增“品字标”企业5家")

    def observe(indicator: Indicator, region: Region, values: dict[int, float]) -> None:
        for year, value in values.items():
            ObservationFactory(indicator=indicator, region=region, year=year,
                               value=Decimal(str(value)), department=None)

    observe(quality, ganyu, {2021: 91.0, 2022: 92.0, 2023: 92.4, 2024: 93.0})
    observe(build, ganyu, {2021: 99.0, 2022: 100.0, 2023: 100.0, 2024: 100.0})
    observe(pm25, ganyu, {2021: 29.0, 2022: 31.0, 2023: 31.5, 2024: 31.0})
    observe(brand, ganyu, {2021: 1, 2022: 1, 2023: 2})
    observe(quality, yancheng, {2022: 95.0, 2024: 96.2})
    observe(quality, dongtou, {2018: 93.0, 2020: 95.4})
    corrected = Observation.objects.get(indicator=quality, region=ganyu, year=2024)
    ObservationChange.objects.create(observation=corrected, action="create", new_value="92.8")
    ObservationChange.objects.create(observation=corrected, action="correct", old_value="92.8",
                                     new_value="93.0", reason="统计局年报更正")

    for quarter, (q_status, pm_status) in {1: (S.ON_TRACK, S.LAGGING),
                                           2: (S.LAGGING, S.OFF_TRACK)}.items():
        _progress(t["quality"], 2025, quarter, q_status, current_value=93.0,
                  expected_value=94.8 if quarter == 2 else 93.9, gap=-1.8, pace=0.83,
                  completion_ratio=0.5, elapsed_share=0.8, data_year=2024,
                  projected_value=94.6, projected_to_meet=False)
        _progress(t["build"], 2025, quarter, S.ON_TRACK, current_value=100.0,
                  expected_value=100.0, gap=0.0, data_year=2024)
        # gap = s·(c - expected), s = -1 for a ≤ target: 5 above the path is 落后 5.
        _progress(t["pm25"], 2025, quarter, pm_status, current_value=31.0, expected_value=26.0,
                  gap=-5.0, pace=-0.25, completion_ratio=-0.2, elapsed_share=0.8,
                  moving_away=True, data_year=2024, projected_value=32.0)
        _progress(t["brand"], 2025, quarter, S.ON_TRACK, current_value=4.0, expected_value=4.2,
                  gap=-0.2, pace=0.95, completion_ratio=0.571, elapsed_share=0.6,
                  data_year=2023)
        _progress(t["yc_quality"], 2025, quarter, S.ACHIEVED, current_value=96.2,
                  expected_value=96.2, gap=0.0, completion_ratio=0.8, elapsed_share=0.8,
                  data_year=2024)
    _progress(t["dt_quality"], 2020, 4, S.ACHIEVED, current_value=95.4, expected_value=95.0,
              gap=0.4, completion_ratio=1.13, elapsed_share=1.0, data_year=2020)
    _progress(t["dt_brand"], 2020, 4, S.NOT_ACHIEVED, current_value=3.0, expected_value=5.0,
              gap=-2.0, completion_ratio=0.6, elapsed_share=1.0, data_year=2020)
    return seed


def add_targets(plan: Plan, department: Department, indicator: Indicator, n: int,
                *, year: int = 2025, quarter: int = 2) -> None:
    """``n`` more targets in ``plan`` with a lagging Progress row each (query-count tests)."""
    start = plan.targets.count()
    for i in range(n):
        target = TargetFactory(plan=plan, code=f"N{start + i:03d}", indicator=indicator,
                               leads=[department])
        _progress(target, year, quarter, S.LAGGING, current_value=92.0, expected_value=94.0,
                  gap=-2.0, pace=0.7, completion_ratio=0.33, elapsed_share=0.5)
        _progress(target, year, quarter - 1, S.ON_TRACK, current_value=92.0)
