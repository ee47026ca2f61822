"""Every rule of issue 14 item 2 (docs/onboarding.md §2), each read from a seed sentence.

Sentences are copied from the five seed plans (``../shared/seeds``); where no seed writes
the construction the issue names (下降13%, 1—2个, 牵头单位/配合单位, 现有…), the issue's own
example is used and the test says so. A test reads like the reviewer's checklist: what the
office will see proposed for that sentence.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from onboarding.extract import Candidate, default_deadline, extract_targets


def _quantified(text: str) -> list[Candidate]:
    return [c for c in extract_targets(text) if not c.qualitative]


def _one(text: str) -> Candidate:
    found = _quantified(text)
    assert len(found) == 1, [(c.indicator_name, c.value) for c in found]
    return found[0]


# ---------------------------------------------------------------- comparators


@pytest.mark.parametrize(
    ("sentence", "comparator", "value", "unit"),
    [
        ("制造业产品质量合格率达到95%以上。", "ge", "95", "%"),  # 盐城 以上
        ("叉车智慧监管系统接入率不低于50%。", "ge", "50", "%"),  # 赣榆 不低于
        ("制造业质量竞争力指数达到86.5，", "ge", "86.5", ""),  # 赣州 达到, no unit
        ("大中型工程一次验收合格率达100%,", "ge", "100", "%"),  # 湛江 达
        ("每万人发明专利拥有量超过2件。", "gt", "2", "件"),  # 湛江 超过
        ("城市空气细颗粒物(PM2.5)浓度≤25微克/立方米,", "le", "25", "微克/立方米"),  # 洞头 ≤
        ("工业企业技术改造投资额年均增长16%左右,", "eq", "16", "%"),  # 湛江 左右
    ],
)
def test_comparator_words_of_the_seed_plans(sentence, comparator, value, unit):
    found = _one(sentence)
    assert (found.comparator, found.value, found.unit) == (comparator, Decimal(value), unit)


@pytest.mark.parametrize(
    ("sentence", "comparator"),
    [
        # Not written in any seed plan; the issue's vocabulary
        # (docs/progress.md "Direction and comparator").
        ("事故率控制在5%以内。", "le"),
        ("死亡人数不超过3人。", "le"),
        ("不合格率低于0.5%。", "lt"),
        ("满意度高于90%。", "gt"),
        ("覆盖率提高到60%。", "ge"),
        ("企业数近3000家。", "eq"),
    ],
)
def test_comparator_words_no_seed_uses(sentence, comparator):
    assert _one(sentence).comparator == comparator


def test_range_with_hyphen_from_zhanjiang():
    found = _one("建成2-3个国家级建筑产业现代化示范项目。")
    assert (found.comparator, found.value, found.value_high, found.unit) == (
        "range",
        Decimal(2),
        Decimal(3),
        "个",
    )


def test_range_with_em_dash_as_the_issue_writes_it():
    found = _one("力争市长质量奖企业1—2家。")  # 洞头 writes 1-2; the issue's 1—2
    assert (found.comparator, found.value, found.value_high) == ("range", Decimal(1), Decimal(2))


# ---------------------------------------------------------------- value and unit as written


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("公共服务质量满意度达到81.5分。", "81.5", "分"),
        ("每年完成定量监测1.1万批次以上。", "1.1", "万批次"),
        ("食品安全抽检量保持7批次/千人以上,", "7", "批次/千人"),
        ("累计完成投资420亿元以上;", "420", "亿元"),
        ("全员劳动生产率超过66万元/人。", "66", "万元/人"),
        ("每年完成“你点我检”食品安全抽检500批次。", "500", "批次"),
        ("申报省级老字号2家以上。", "2", "家"),
        ("主导或参与制修订国际标准、国家标准和行业标准20项以上。", "20", "项"),
    ],
)
def test_value_and_unit_as_written(sentence, value, unit):
    found = _one(sentence)
    assert (found.value, found.unit) == (Decimal(value), unit)


def test_change_against_a_baseline_is_a_level_of_the_change():
    # The issue's examples (no seed plan writes one): the amount is the target, ≥ by default.
    down, up = _quantified("到2025年,PM2.5浓度较2020年下降13%,优良天数比例提高2个百分点。")
    assert (down.indicator_name, down.comparator, down.value, down.unit, down.kind) == (
        "PM2.5浓度降幅",
        "ge",
        Decimal(13),
        "%",
        "level",
    )
    assert (up.indicator_name, up.value, up.unit) == ("优良天数比例增幅", Decimal(2), "个百分点")
    assert down.deadline_year == 2025  # 较2020年 is the baseline, not the deadline


def test_reduction_with_its_comparator_from_zhanjiang():
    found = _one("企业和群众到政府办事提供的材料减少60%以上,")
    assert (found.comparator, found.value, found.kind) == ("ge", Decimal(60), "level")


# ---------------------------------------------------------------- deadlines


GANZHOU_GOALS = (
    "（二）主要目标\n"
    "到2025年，全市质量整体水平稳步提高，品牌影响力显著提升。\n"
    "1.经济发展质量效益持续增强。数字经济核心产业增加值占GDP比重达到10%以上。\n"
    "2.质量总体水平持续提升。制造业产品质量合格率达到94%以上。\n"
    "到2035年，质量强市建设基础更加牢固，先进质量文化深入人心，质量竞争优势更加凸显，"
    "争创国家质量强国标杆城市。\n"
)


def test_governing_year_carries_over_list_items():
    share, rate = _quantified(GANZHOU_GOALS)
    assert share.deadline_year == rate.deadline_year == 2025


def test_2035_goal_is_flagged_as_vision():
    vision = [c for c in extract_targets(GANZHOU_GOALS) if c.vision]
    assert len(vision) == 1
    assert vision[0].deadline_year == 2035
    assert "争创国家质量强国标杆城市" in vision[0].source_quote


def test_year_inside_a_sentence_governs_the_rest_of_it():
    text = (
        "“品质赣榆”建设行动方案(2025-2027年)\n"
        "开展中心城区城市更新三年行动,至2027年末,建成市民15分钟社区生活圈12个、"
        "市民5-10分钟社区生活圈31个。\n"
    )
    twelve, thirty_one = _quantified(text)
    assert (twelve.value, twelve.deadline_year) == (Decimal(12), 2027)
    assert (thirty_one.value, thirty_one.deadline_year) == (Decimal(31), 2027)


def test_baseline_year_is_not_a_deadline_dongtou():
    text = (
        "温州市洞头区质量强区“十四五”发展规划\n本《规划》以2020年为基准年。\n"
        "每万人高价值发明专利拥有量9.7件。\n"
    )
    assert _one(text).deadline_year == 2025


def test_plan_end_year_from_title_five_year_plan_or_date():
    assert default_deadline("“品质赣榆”建设行动方案(2025-2027年)") == 2027
    assert default_deadline("温州市洞头区质量强区“十四五”发展规划") == 2025
    assert default_deadline("发布时间:2022-11-21\n关于进一步加强质量强市建设的实施意见") == 2025


def test_table_target_year_from_its_header_dongtou():
    text = (
        "表1:洞头区质量事业“十三五”规划完成情况表\n\n类别\n\n指标名称\n\n单位\n\n2020\n\n目标值"
        "\n\n2020\n\n现状值\n\n完成\n\n情况\n\n产品质量\n\n1.产品监督抽查合格率\n\n"
        "制造业产品质量合格率\n\n%\n\n≥96\n\n100\n\n已完成\n\n"
        "浙江名牌产品\n\n1\n\n1\n\n已完成\n"
    )
    rate, brand = _quantified(text)
    assert (rate.indicator_name, rate.comparator, rate.value, rate.deadline_year) == (
        "制造业产品质量合格率",
        "ge",
        Decimal(96),
        2020,
    )
    # The 现状值 column (100, 1) is no target; a count with no unit takes its classifier.
    assert (brand.value, brand.unit, brand.unit_inferred) == (Decimal(1), "个", True)


# ---------------------------------------------------------------- kinds (docs/progress.md "Kinds")


@pytest.mark.parametrize(
    ("sentence", "kind", "deadline"),
    [
        ("制造业产品质量合格率达到95%以上。", "level", 2025),
        ("公众服务质量满意度稳定在82%以上。", "maintain", 2025),
        ("食品安全抽检量保持7批次/千人以上,", "maintain", 2025),
        (
            "每年新增主导和参与制修订国家标准、行业标准、地方标准20项以上。",
            "annual_increment",
            None,
        ),
        ("新增先进级智能工厂15家。", "cumulative_new", 2025),
        ("工业企业技术改造投资额年均增长16%左右,", "period_average", 2025),
        ("建成2-3个国家级建筑产业现代化示范项目。", "cumulative_new", 2025),
    ],
)
def test_kinds(sentence, kind, deadline):
    found = _one("发布时间:2022-11-21\n" + sentence)
    assert (found.kind, found.deadline_year) == (kind, deadline)


def test_period_average_from_a_table_note_dongtou():
    text = (
        "表2:洞头区质量强区“十四五”规划主要目标\n\n关键领域\n\n主要指标\n\n单位\n\n"
        "2025年目标值\n\n环境质量\n\n近岸海域水质优良(一、二类)比例\n\n%\n\n"
        "≥57.5(“十四五”均值)\n"
    )
    found = _one(text)
    assert (found.kind, found.value, found.deadline_year) == (
        "period_average",
        Decimal("57.5"),
        2025,
    )


# ---------------------------------------------------------------- aspirational


def test_aspirational_only_where_lizheng_governs_the_item():
    text = (
        "“品质赣榆”建设行动方案(2025-2027年)\n"
        "深入开展质量技术帮扶“提质强企”行动,每年邀请专家对不少于30家企业进行质量技术帮扶,"
        "帮助企业查找质量管理方面存在的问题,提升产品质量水平,"
        "力争全区制造业产品、消费品质量合格率均达到95%以上。\n"
    )
    help_, mfg, consumer = _quantified(text)
    assert help_.aspirational is False  # 力争 comes after it
    assert mfg.aspirational is consumer.aspirational is True


def test_zhengchuang_and_a_list_after_it_ganzhou():
    found = _quantified(
        "争创中国质量奖（提名奖）1个、中国专利奖5个、江西省井冈质量奖（提名奖）1个以上，"
    )
    assert [c.value for c in found] == [1, 5, 1]
    assert all(c.aspirational for c in found)


# ---------------------------------------------------------------- departments


def test_responsible_units_after_a_task_ganyu():
    text = (
        "(八)构建质量基础设施集成服务网络。在全区建立8个“质慧e站”作为服务站点,"
        "加强人员配备和业务培训。(责任单位:区市场监管局、区工信局)\n"
    )
    found = _one(text)
    assert (found.lead_departments, found.participating_departments) == (
        ["区市场监管局"],
        ["区工信局"],
    )


def test_lead_responsible_and_cooperating_units():
    # The issue's form （牵头单位：…；责任单位：…；配合单位：…）; no seed plan writes 配合单位.
    text = (
        "新增认证证书不少于2000张。"
        "（牵头单位：市市场监管局；责任单位：市工信局；配合单位：市财政局）\n"
    )
    found = _one(text)
    assert found.lead_departments == ["市市场监管局"]
    assert found.participating_departments == ["市工信局", "市财政局"]


def test_task_breakdown_table_zhanjiang():
    text = (
        "附件:湛江市开展质量提升行动方案工作任务分解表\n湛江市开展质量提升行动方案工作任务分解表\n"
        "工作任务 |\n主要内容 |\n责任部门 |\n1.提高农产品优质供给水平 |\n"
        "推进农业标准化生产;到2020年,全市省级农业标准化示范区总数达到31个;"
        "加快推进中低产田改造。 |\n"
        "牵头部门:市农业农村局;参与部门:市自然资源局、市市场监管局。 |\n"
    )
    found = _one(text)
    assert (found.value, found.deadline_year) == (Decimal(31), 2020)
    assert found.lead_departments == ["市农业农村局"]
    assert found.participating_departments == ["市自然资源局", "市市场监管局"]


def test_departments_keep_parenthesised_commas_yancheng():
    text = (
        "3.强化农产品安全监管。每年完成定量监测1.1万批次以上。〔责任单位:市农业农村局、"
        "市粮食和物资储备局,各县(市、区)人民政府,盐城经济技术开发区、盐南高新区管委会〕\n"
    )
    found = _one(text)
    assert found.lead_departments == ["市农业农村局"]
    assert "各县(市、区)人民政府" in found.participating_departments


# ---------------------------------------------------------------- several targets, one quote


def test_one_sentence_several_targets_share_one_quote():
    # The issue's sentence; 赣州 writes the same construction with 、.
    found = _quantified("农产品质量安全例行监测合格率和食品抽检合格率均达到98%以上。")
    assert [c.indicator_name for c in found] == ["农产品质量安全例行监测合格率", "食品抽检合格率"]
    assert found[0].source_quote == found[1].source_quote
    ganzhou = _quantified("食用农产品监测合格率、食品药品监督抽查合格率达到98%以上，")
    assert [c.indicator_name for c in ganzhou] == ["食用农产品监测合格率", "食品药品监督抽查合格率"]


def test_shared_measure_completes_the_first_conjunct_ganyu():
    found = _quantified("力争全区制造业产品、消费品质量合格率均达到95%以上。")
    assert [c.indicator_name for c in found] == ["制造业产品质量合格率", "消费品质量合格率"]


def test_road_water_rail_is_one_target_yancheng():
    assert len(_quantified("公路、水运、铁路工程质量监督覆盖率100%,")) == 1


# ---------------------------------------------------------------- numbers that are no commitment


@pytest.mark.parametrize(
    "sentence",
    [
        "赣市府字〔2024〕41号",  # 赣州: a document number
        "贯彻落实《政府购买服务管理办法》(财政部令第102号),积极开展政府购买服务第三方绩效评价。",
        "2024年4月21日",  # a date
        "现有9个千亿级产业集群。",  # the issue's existing count
        "加强关键共性技术成果转化,围绕23个产业链,组织实施关键技术攻关项目。",  # 盐城
        "大力开展质量提升行动,连续5年获市政府对县(市、区)政府质量工作考核A级。",  # 洞头
        "以“6+1”举措为抓手,全力推进质量提升、品牌创建“六大行动”。",  # 赣榆: a slogan
        "推进“赣服通”赣州分厅6.0版、“赣政通”赣州分厅3.0建设,",  # 赣州: versions
        "推进12345市民服务热线标准化建设。",  # 湛江: a phone number
        "开展居家社区养老服务能力提升三年行动(2022—2024),打造“15分钟养老服务圈”。",
        "对获得省“江苏精品”产品的企业奖励20万元。",  # 赣榆 扶持政策: a reward
        "建成10个面积不少于1000平方米的城市街道“枢纽式”养老服务综合体。",  # the 1000 m²
    ],
)
def test_no_target_from_a_number_that_is_no_commitment(sentence):
    values = [c.value for c in _quantified(sentence)]
    assert Decimal(1000) not in values
    if "10个面积" in sentence:
        assert values == [Decimal(10)]
    else:
        assert values == []


def test_history_section_proposes_nothing_dongtou():
    text = (
        "第一章  现实基础\n一、发展现状\n"
        "----标准体系更加健全。参与制修订国家标准、行业标准、“浙江制造”标准等27项,"
        "其中为主制订“浙江制造”标准6项。\n"
        "第二章  整体思路\n三、主要目标\n制造业产品质量合格率达到96%以上。\n"
    )
    assert [c.value for c in _quantified(text)] == [Decimal(96)]


# ---------------------------------------------------------------- qualitative goals


def test_goals_without_a_number_are_listed_as_qualitative():
    found = extract_targets(
        "推动规模以上企业首席质量官制度全覆盖。实施小微企业质量管理体系认证提升三年行动。"
    )
    assert len(found) == 1
    assert found[0].qualitative
    assert found[0].value is None
    assert found[0].source_quote == "推动规模以上企业首席质量官制度全覆盖"
    steady = extract_targets("表2:主要目标\n\n万元GDP二氧化碳排放量\n\n吨/万元GDP\n\n稳步下降\n")
    assert [(c.kind, c.comparator, c.value) for c in steady] == [("direction", "le", None)]


def test_quotes_are_verbatim_substrings():
    for cand in extract_targets(GANZHOU_GOALS):
        assert GANZHOU_GOALS[cand.start : cand.end] == cand.source_quote
