"""The seed fixture (issue #3): every quantified goal of the five seed plans, traceable to its text.

Reads like the reviewer's checklist: the fixture validates against the documents, loads twice
without changing anything, shares indicators across cities, splits compound sentences, carries
the figures the documents write, and the validator refuses a tampered fixture.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Department, Indicator, Observation, Region
from targets.models import Plan, Reward, Target
from targets.seed import default_fixture_path, load_seed, validate_seed_data, validate_seed_file

SEEDS_PRESENT = Path(settings.SEEDS_DIR).is_dir()
needs_seeds = pytest.mark.skipif(not SEEDS_PRESENT, reason="seed documents not available")
MODELS = (Region, Department, Indicator, Plan, Target, Reward, Observation)


pytestmark = pytest.mark.django_db


def _purge_seed() -> None:
    """Delete what the fixture loaded, dependents first (regions: districts before cities)."""
    data = load_seed(default_fixture_path())
    region_codes = [o["fields"]["code"] for o in data if o["model"] == "indicators.region"]
    plan_codes = [o["fields"]["code"] for o in data if o["model"] == "targets.plan"]
    indicator_codes = [o["fields"]["code"] for o in data if o["model"] == "indicators.indicator"]
    Observation.objects.filter(region__code__in=region_codes).delete()
    Reward.objects.filter(plan__code__in=plan_codes).delete()
    Target.objects.filter(plan__code__in=plan_codes).delete()
    Plan.objects.filter(code__in=plan_codes).delete()
    Department.objects.filter(region__code__in=region_codes).delete()
    Indicator.objects.filter(code__in=indicator_codes).delete()
    for level in ("district", "city", "province"):
        Region.objects.filter(code__in=region_codes, level=level).delete()


@pytest.fixture(scope="module")
def _seed_loaded(django_db_setup, django_db_blocker):
    """Load the fixture once for the module (≈4 s) and remove it afterwards."""
    with django_db_blocker.unblock():
        call_command("loaddata", "seed_targets", verbosity=0)
    yield
    with django_db_blocker.unblock():
        _purge_seed()


@pytest.fixture
def seeded(_seed_loaded, db):
    return None


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def _target(plan: str, indicator: str, **extra) -> Target:
    return Target.objects.get(plan__code=plan, indicator__code=indicator, **extra)


def _names(queryset) -> list[str]:
    return sorted(d.name for d in queryset.all())


def _write(tmp_path: Path, data: list[dict]) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _find(data: list[dict], model: str, **fields) -> dict:
    for obj in data:
        if obj["model"] == model and all(obj["fields"].get(k) == v for k, v in fields.items()):
            return obj
    raise LookupError(fields)


# --- the fixture as a whole ------------------------------------------------------------------


@needs_seeds
def test_validator_passes_on_the_fixture():
    report = validate_seed_file()
    assert report.ok, "\n".join(report.errors)
    assert report.plans == 6
    assert report.targets > 200
    assert report.summary == f"6 plans, {report.targets} targets OK"


@needs_seeds
def test_validate_seed_command_prints_summary(capsys):
    call_command("validate_seed")
    assert "6 plans," in capsys.readouterr().out


def test_loaddata_twice_changes_nothing(seeded):
    first = _counts()
    call_command("loaddata", "seed_targets", verbosity=0)
    assert _counts() == first
    assert first[MODELS.index(Plan)] == 6


def test_plans_carry_their_metadata(seeded):
    ganzhou = Plan.objects.get(code="ganzhou-2024")
    assert ganzhou.doc_number == "赣市府字〔2024〕41号"
    assert (ganzhou.end_year, ganzhou.vision_year) == (2025, 2035)
    assert ganzhou.region.code == "360700"
    ganyu = Plan.objects.get(code="ganyu-2025")
    assert (ganyu.start_year, ganyu.end_year) == (2025, 2027)
    assert ganyu.region.parent.name == "连云港市"
    closed = Plan.objects.get(code="dongtou-13th")
    assert (closed.status, closed.start_year, closed.end_year, closed.base_year) == (
        "closed",
        2016,
        2020,
        2015,
    )
    assert Plan.objects.get(code="dongtou-14th").base_year == 2020


def test_every_plan_has_targets_numbered_in_order(seeded):
    for plan in Plan.objects.all():
        codes = list(plan.targets.order_by("code").values_list("code", flat=True))
        assert codes, plan.code
        assert codes == [f"T{n:03d}" for n in range(1, len(codes) + 1)]


def test_manufacturing_pass_rate_is_one_indicator_across_cities(seeded):
    plans = set(
        Target.objects.filter(indicator__code="mfg_product_pass_rate").values_list(
            "plan__code", flat=True
        )
    )
    assert {"ganyu-2025", "ganzhou-2024", "yancheng-2022", "dongtou-14th", "dongtou-13th"} <= plans
    assert Indicator.objects.filter(name="制造业产品质量合格率").count() == 1


def test_departments_belong_to_their_plans_region(seeded):
    assert Department.objects.filter(name="区市场监管局", region__code="320707").exists()
    assert not Department.objects.filter(name="区市场监管局", region__code="360700").exists()
    for target in Target.objects.prefetch_related("lead_departments", "participating_departments"):
        for dept in [*target.lead_departments.all(), *target.participating_departments.all()]:
            assert dept.region_id == target.plan.region_id, (target.plan.code, target.code)


# --- splitting and kinds ---------------------------------------------------------------------


def test_compound_sentence_is_split_into_two_targets(seeded):
    quote = "食用农产品监测合格率、食品药品监督抽查合格率达到98%以上"
    targets = Target.objects.filter(plan__code="ganzhou-2024", source_quote=quote)
    assert sorted(t.indicator.code for t in targets) == [
        "agri_product_pass_rate",
        "food_drug_sampling_pass_rate",
    ]
    assert {(t.value, t.comparator, t.unit, t.deadline_year) for t in targets} == {
        (Decimal(98), "ge", "%", 2025)
    }


# --- spot checks across the five documents ---------------------------------------------------


def test_ganyu_jiangsu_jingpin_and_on_demand_sampling(seeded):
    jingpin = _target("ganyu-2025", "jiangsu_jingpin_enterprises")
    assert (jingpin.kind, jingpin.value, jingpin.unit, jingpin.deadline_year) == (
        "level",
        Decimal(7),
        "家",
        2027,
    )
    assert _names(jingpin.lead_departments) == ["区发改委"]
    assert "区市场监管局" in _names(jingpin.participating_departments)
    sampling = _target("ganyu-2025", "food_safety_on_demand_sampling_batches")
    assert (sampling.kind, sampling.value, sampling.unit, sampling.deadline_year) == (
        "annual_increment",
        Decimal(500),
        "批次",
        None,
    )
    assert _names(sampling.lead_departments) == ["区农业农村局"]


def test_ganyu_quality_awards_are_aspirational(seeded):
    award = _target("ganyu-2025", "city_quality_award_new")
    assert (award.kind, award.value, award.unit, award.aspirational) == (
        "cumulative_new",
        Decimal(2),
        "家",
        True,
    )
    assert _names(award.lead_departments) == ["区市场监管局"]
    assert _names(award.participating_departments) == ["区工信局"]


def test_ganyu_reward_jiangsu_jingpin_20_wan(seeded):
    reward = Reward.objects.get(plan__code="ganyu-2025", name="获得省“江苏精品”产品的企业")
    assert reward.amount_wan == Decimal(20)
    assert reward.basis == "每家"
    assert reward.department.name == "区市场监管局"
    assert reward.indicator.code == "jiangsu_jingpin_enterprises"
    assert "20万元" in reward.source_quote


def test_ganzhou_targets_and_vision(seeded):
    mfg = _target("ganzhou-2024", "mfg_product_pass_rate")
    assert (mfg.kind, mfg.value, mfg.deadline_year) == ("level", Decimal(94), 2025)
    assert not mfg.lead_departments.exists()  # the goals name no department
    index = _target("ganzhou-2024", "mfg_quality_competitiveness_index")
    assert index.value == Decimal("86.5")
    vision = _target("ganzhou-2024", "ms_quality_benchmark_city")
    assert (vision.kind, vision.value, vision.deadline_year, vision.aspirational) == (
        "milestone",
        None,
        2035,
        True,
    )


def test_yancheng_annual_increments_and_levels_to_keep(seeded):
    monitoring = _target("yancheng-2022", "agri_quantitative_monitoring_batches")
    assert (monitoring.kind, monitoring.value, monitoring.unit, monitoring.deadline_year) == (
        "annual_increment",
        Decimal("1.1"),
        "万批次",
        None,
    )
    assert _names(monitoring.lead_departments) == ["市农业农村局"]
    assert "市粮食和物资储备局" in _names(monitoring.participating_departments)
    mayor = _target("yancheng-2022", "city_quality_award_new")
    assert (mayor.kind, mayor.value, mayor.deadline_year) == ("annual_increment", Decimal(5), None)
    satisfaction = _target("yancheng-2022", "public_service_satisfaction")
    assert (satisfaction.kind, satisfaction.value) == ("maintain", Decimal(82))
    sampling = _target("yancheng-2022", "food_safety_sampling_per_1000")
    assert (sampling.kind, sampling.unit) == ("maintain", "批次/千人")


def test_zhanjiang_task_table_splits_lead_and_participating(seeded):
    prefab = _target("zhanjiang-2019", "prefab_building_share")
    assert (prefab.value, prefab.deadline_year, prefab.source_clause) == (
        Decimal(20),
        2020,
        "任务分解表 6",
    )
    assert _names(prefab.lead_departments) == ["市住房和城乡建设局"]
    assert _names(prefab.participating_departments) == sorted(
        ["市城市管理和综合执法局", "市城市更新局", "市交通运输局", "市水务局"]
    )
    demo = _target("zhanjiang-2019", "provincial_agri_standardization_demo_zones")
    assert _names(demo.lead_departments) == ["市农业农村局"]
    assert _names(demo.participating_departments) == ["市市场监管局", "市自然资源局"]


def test_zhanjiang_ranges_and_assigned(seeded):
    green = _target("zhanjiang-2019", "green_3star_or_a_housing_projects_new")
    assert (green.kind, green.comparator, green.value, green.value_high) == (
        "cumulative_new",
        "range",
        Decimal(2),
        Decimal(3),
    )
    assert green.value_display == "2-3个"
    water = _target("zhanjiang-2019", "surface_water_good_ratio")
    assert (water.kind, water.value) == ("assigned", None)


def test_dongtou_14th_table_and_baselines(seeded):
    pm25 = _target("dongtou-14th", "pm25_concentration")
    assert (pm25.comparator, pm25.value, pm25.unit) == ("le", Decimal(25), "微克/立方米")
    assert (pm25.baseline_value, pm25.baseline_year) == (Decimal(18), 2020)
    coastal = _target("dongtou-14th", "coastal_water_good_ratio")
    assert (coastal.kind, coastal.value) == ("period_average", Decimal("57.5"))
    co2 = _target("dongtou-14th", "co2_per_10k_gdp")
    assert (co2.kind, co2.comparator, co2.value) == ("direction", "le", None)
    pollutants = _target("dongtou-14th", "major_pollutant_reduction_rate")
    assert pollutants.kind == "assigned"
    craftsmen = _target("dongtou-14th", "quality_craftsmen_selected")
    assert (craftsmen.kind, craftsmen.comparator, craftsmen.value, craftsmen.value_high) == (
        "annual_increment",
        "range",
        Decimal(1),
        Decimal(3),
    )


def test_dongtou_13th_table_has_approved_2020_actuals_and_assessment(seeded):
    award = _target("dongtou-13th", "district_quality_award_total")
    assert (award.value, award.deadline_year, award.final_assessment) == (
        Decimal(12),
        2020,
        "已完成",
    )
    actual = Observation.objects.get(
        indicator__code="district_quality_award_total",
        region__code="330305",
        year=2020,
        quarter=None,
    )
    assert (actual.value, actual.status) == (Decimal(13), "approved")
    pilots = _target("dongtou-13th", "standardization_pilots_total")
    assert pilots.final_assessment == "未完成"
    brand = _target("dongtou-13th", "wenzhou_famous_brand_products")
    assert brand.cancelled
    assert brand.cancel_reason == "政策调整,不再开展"
    deaths = _target("dongtou-13th", "special_equipment_deaths_per_10k")
    assert (deaths.cancelled, deaths.cancel_reason) == (True, "不再统计")
    assert (
        Observation.objects.filter(region__code="330305", year=2020, status="approved").count() > 30
    )


# --- the validator refuses a bad fixture ----------------------------------------------------


@pytest.fixture
def seed_data() -> list[dict]:
    return copy.deepcopy(load_seed(default_fixture_path()))


@needs_seeds
def test_validator_catches_a_tampered_quote(seed_data, tmp_path):
    target = _find(
        seed_data, "targets.target", plan=["ganzhou-2024"], indicator=["mfg_product_pass_rate"]
    )
    target["fields"]["source_quote"] = "制造业产品质量合格率达到 94%以上"
    report = validate_seed_file(_write(tmp_path, seed_data))
    assert not report.ok
    code = target["fields"]["code"]
    assert any(f"规划 ganzhou-2024 目标 {code}" in e and "逐字" in e for e in report.errors)
    with pytest.raises(CommandError, match="ganzhou-2024"):
        call_command("validate_seed", path=str(_write(tmp_path, seed_data)))


def test_validator_catches_a_missing_department(seed_data, tmp_path):
    seed_data[:] = [
        o
        for o in seed_data
        if not (o["model"] == "indicators.department" and o["fields"]["name"] == "区工信局")
    ]
    report = validate_seed_file(_write(tmp_path, seed_data))
    assert any("ganyu-2025" in e and "区工信局" in e for e in report.errors)


def test_validator_catches_a_number_not_in_the_quote(seed_data):
    target = _find(
        seed_data, "targets.target", plan=["yancheng-2022"], indicator=["consumer_goods_pass_rate"]
    )
    target["fields"]["value"] = "97"
    report = validate_seed_data(seed_data, seeds_dir=None)
    assert any("yancheng-2022" in e and "97" in e for e in report.errors)


def test_validator_catches_duplicates_and_deadlines(seed_data):
    first = _find(seed_data, "targets.target", plan=["ganyu-2025"], code="T001")
    twin = copy.deepcopy(first)
    twin["fields"]["notes"] = ""
    first["fields"]["notes"] = ""
    seed_data.append(twin)
    late = _find(seed_data, "targets.target", plan=["ganyu-2025"], code="T002")
    late["fields"]["deadline_year"] = 2035
    errors = "\n".join(validate_seed_data(seed_data, seeds_dir=None).errors)
    assert "目标 T001:目标编号重复" in errors
    assert "须在备注中说明区别" in errors
    assert "目标年份 2035 不在规划期" in errors


def test_validator_reads_numbers_as_the_document_writes_them():
    from targets.seed import number_in_text

    assert number_in_text(Decimal("1.1"), "每年完成定量监测1.1万批次以上")
    assert number_in_text(Decimal(100), "持证餐饮服务单位“明厨亮灶”建设全覆盖")
    assert number_in_text(Decimal(1), "每年举行一次全区质量发展大会")
    assert not number_in_text(Decimal(11), "每年完成定量监测1.1万批次以上")
