"""The vocabulary of the extraction grammar (docs/onboarding.md §2 lists every rule).

Word lists only: the rules that use them live in ``onboarding.extract.extractor``. Each list
says where it comes from — docs/progress.md "Direction and comparator" (民法典 1259 for 以上/以下),
docs/progress.md "Kinds" for the kinds, and the way the five seed plans write their targets.
"""

from __future__ import annotations

import re

NUM = r"\d+(?:\.\d+)?"

# Units as plans write them, longest first so 个百分点 wins over 个 and 万批次 over 批次.
UNITS: tuple[str, ...] = (
    "个百分点",
    "吨/万元GDP",
    "微克/立方米",
    "毫克/立方米",
    "批次/千人",
    "万元/人",
    "平方米",
    "立方米",
    "万批次",
    "万平方米",
    "万人次",
    "亿元",
    "万元",
    "万吨",
    "万人",
    "万件",
    "万户",
    "千米",
    "公里",
    "公顷",
    "批次",
    "小时",
    "%",
    "％",
    "‰",
    "家",
    "个",
    "项",
    "件",
    "名",
    "张",
    "分",
    "次",
    "条",
    "元",
    "人",
    "座",
    "所",
    "台",
    "户",
    "处",
    "种",
    "款",
    "套",
    "天",
    "亩",
    "吨",
    "倍",
    "起",
)
UNIT_RE = "|".join(re.escape(u) for u in UNITS)
COUNT_UNITS = frozenset(
    {"家", "个", "项", "件", "名", "张", "次", "条", "座", "所", "台", "户", "处", "种", "款",
     "套", "批次", "万批次", "起"}
)  # fmt: skip

# A unit followed by one of these characters is part of a longer word, not a unit:
# 15分钟, 3个月, 一次性, 人民, 元素, 条例, 项目, 家庭/家电/家居, 3天然….
UNIT_WORD_BREAKERS: dict[str, str] = {
    "分": "钟",
    "个": "月",
    "次": "性",
    "人": "民员",
    "元": "素",
    "条": "例件",
    "项": "目",
    "家": "庭电居",
    "天": "然",
    "所": "有属",
    "处": "理置",
}

# Comparator words (docs/progress.md "Direction and comparator", issue 14 item 2).
# Written immediately before the number (spaces allowed); longest first.
PREFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("不低于", "ge"),
    ("不少于", "ge"),
    ("不超过", "le"),
    ("不高于", "le"),
    ("提高到", "ge"),
    ("提升到", "ge"),
    ("增加到", "ge"),
    ("降低到", "le"),
    ("下降到", "le"),
    ("控制在", "le"),
    ("保持在", "ge"),
    ("稳定在", "ge"),
    ("超过", "gt"),
    ("高于", "gt"),
    ("大于", "gt"),
    ("低于", "lt"),
    ("少于", "lt"),
    ("小于", "lt"),
    ("达到", "ge"),
    ("增至", "ge"),
    ("降至", "le"),
    ("降到", "le"),
    ("至少", "ge"),
    ("保持", "ge"),
    ("达", "ge"),
    ("近", "eq"),
    ("约", "eq"),
)
SYMBOL_COMPARATORS = {"≥": "ge", "≤": "le", ">": "gt", "<": "lt", "＞": "gt", "＜": "lt"}
SUFFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("及以上", "ge"),
    ("以上", "ge"),
    ("及以下", "le"),
    ("以下", "le"),
    ("以内", "le"),
    ("左右", "eq"),
)
SUFFIX_RE = "|".join(s for s, _ in SUFFIX_COMPARATORS)
MAINTAIN_WORDS = ("保持在", "稳定在", "保持", "稳定")

# A change against a baseline (下降13%, 提高2个百分点): the amount of change is the target.
DECREASE_WORDS = ("下降", "降低", "减少", "压缩", "削减", "缩短")
INCREASE_WORDS = ("增长", "提高", "提升", "增加")

# Indicators where lower is better: a bare number is read as "at most".
LOWER_BETTER = re.compile(r"浓度|事故|死亡|排放量|排放强度|能耗|发生率|投诉率|不合格率|时限|时间")

# Verbs that make a number a commitment (a goal verb before it, or after a number-first
# phrase such as "70%以上政务服务事项实现…").
COMMIT_VERBS = re.compile(
    r"新增|培育|建成|建设|创建|争创|创成|获评|获得|完成|实现|开展|打造|申报|建立|引进|评选|"
    r"举行|举办|制修订|制定|制订|主导|参与|发展|推动|推广|达到|达|提高|提升|增长|下降|降低|"
    r"减少|压缩|保持|稳定|控制|执行|覆盖|升级|设立|落户|邀请|搭建|组织|认定|通过|突破|力争|"
    r"争取|确保|每年|累计|采用|接入|公示|帮扶"
)
# Verbs that create something countable: with a count unit the target is cumulative_new.
CREATE_VERBS = re.compile(
    r"新增|培育|建成|建设|创建|争创|创成|获评|获得|申报|引进|评选|制修订|制定|制订|主导|参与|"
    r"升级|完成|通过|累计|落户|搭建|建立|发展|打造"
)
# A subject that names a stock ("…总数达到", "…拥有量") keeps the level kind.
STOCK_WORDS = re.compile(r"总数|拥有量|总量|数量|不少于")
# A noun right before the number that makes it an indicator value (覆盖率50%).
INDICATOR_NOUN_END = re.compile(r"(率|比例|比重|量|数|指数|满意度|浓度|水平|占比)\s*$")
RATE_NOUN_END = re.compile(r"(率|比例|比重|满意度|指数|浓度)$")

ASPIRATIONAL = re.compile(r"力争|争取|争创")
ANNUAL = re.compile(r"每年|年度新增")
PERIOD_AVERAGE = re.compile(r"年均|均值|平均每年")

# Clause context that makes a number no commitment.
EXISTING = re.compile(
    r"现有|已有|共有|目前|截至|截止|已经|已累计|连续|拥有(?!量)|曾|累计培育|以来|期间共"
)
CONTEXT_ONLY_END = re.compile(r"(围绕|聚焦|依托|针对|按照|根据|对照|涉及|包括|覆盖了)\s*$")
MONEY_REWARD = re.compile(r"奖励|补贴|补助|资助|扶持|给予|奖补|贴息")
MONEY_UNITS = frozenset({"万元", "亿元", "元"})

# The governing deadline: 到/至/在…年 (底/末/前). Baselines (较2020年, 比…, 与…相比,
# 以…为基准年) never govern.
YEAR_GOV = re.compile(
    r"(?:到|至|在|于|力争|截至)\s*(20\d\d)\s*年(?:底|末|前)?|(20\d\d)\s*年(?:底|末)?前"
)
BASELINE_YEAR = re.compile(r"(?:较|比|与|相比|基准年|基期)\s*(20\d\d)\s*年?")
VISION_YEAR = 2035
FIVE_YEAR_PLANS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十二五": 2015}

# Sections whose numbers are history, not commitments (headings that contain these words).
SKIP_SECTIONS = re.compile(
    r"现实基础|发展基础|发展现状|现状|成效|成就|回顾|存在问题|面临形势|发展形势|发展趋势|机遇|挑战|"
    r"扶持政策|政策清单|奖励政策|奖补"
)

# Headings, outermost first: 第一章 / 一、 / (一) / 1.
HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(r"^第[一二三四五六七八九十]+[章部分篇]")),
    (1, re.compile(r"^[一二三四五六七八九十]+[、.．]")),
    (2, re.compile(r"^[(（][一二三四五六七八九十]+[)）]")),
    (3, re.compile(r"^\d{1,2}\s*[.、．](?!\d)")),
)
TOC_LINE = re.compile(r"(\.{4,}|…{2,}|·{4,})\s*\d*\s*$")
TABLE_CAPTION = re.compile(r"^(表\s*\d+|附表\s*\d*)|任务分解表|主要指标表|指标体系")

# Department annotations: （牵头单位：…；责任单位：…；配合单位：…）, 〔责任单位:…〕, and a
# 任务分解表 cell "牵头部门:…;参与部门:…".
_DEPT_BODY = r"((?:牵头|责任|配合|参与|协办|主办)(?:单位|部门)\s*[:：]%s)"
DEPT_BLOCK = re.compile(
    r"〔\s*"
    + _DEPT_BODY % r"[^〕]*"
    + r"〕"
    + r"|【\s*"
    + _DEPT_BODY % r"[^】]*"
    + r"】"
    # (…) may hold one level of parentheses: 各县(市、区)人民政府.
    + r"|[(（]\s*"
    + _DEPT_BODY % r"(?:[^()（）]|[(（][^()（）]*[)）])*"
    + r"[)）]"
)
DEPT_LINE = re.compile(r"^\s*((?:牵头|责任|配合|参与)(?:单位|部门)\s*[:：].*)$")
DEPT_ROLE = re.compile(r"(牵头|责任|配合|参与|协办|主办)(?:单位|部门)\s*[:：]")

# Table cells.
VALUE_CELL = re.compile(
    rf"^(?:高线[:：])?\s*(?P<sym>[≥≤><＞＜])?\s*(?P<v>{NUM})"
    rf"(?:\s*[-—–~～]\s*(?P<hi>{NUM}))?\s*(?P<unit>{UNIT_RE})?\s*(?P<suf>{SUFFIX_RE})?"
    r"\s*(?P<note>[(（].*[)）])?\s*$"
)
UNIT_CELL = re.compile(rf"^(?:{UNIT_RE}|[^\s\d]{{1,4}}/[^\s\d]{{1,6}})$")
HEADER_CELL = re.compile(
    r"目标值|现状值|基期值|基准值|实际值|预期值|指标名称|主要指标|关键领域|完成情况|^单位$|"
    r"^类别$|^序号$|^属性$|"
    r"^指标$|^\d{4}\s*年?$|^\d{4}年目标|预期性|约束性|^备注$"
)
STATUS_CELL = re.compile(
    r"^(已?完成|未完成|已创成|建成|创成|/|—|-|不再统计|政策调整.*|有待推进.*)$"
)
QUALITATIVE_CELL = re.compile(r"^(稳步|持续|完成|基本建成|创成|建成|稳定达标|达标|下降|提升|提高)")

# The classifier (量词) a count takes when the table leaves the unit column empty:
# the head noun of the indicator name decides (企业 → 家, 标准 → 项 …). Checked in order.
CLASSIFIERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"床位"), "张"),
    (re.compile(r"证书"), "张"),
    (re.compile(r"医师|人数|人才|工匠|计量师"), "人"),
    (re.compile(r"专利|商标"), "件"),
    (re.compile(r"标准|规范|工法|专项|优质工程奖|质量工程奖|杯”?等.*奖"), "项"),
    (re.compile(r"企业|机构|医院"), "家"),
    (re.compile(r"奖"), "家"),
    (re.compile(r"项目|产品|精品|示范区|度假区|景区|工地|平台|中心|基地|申请数|地理标志"), "个"),
)

QUALITATIVE_GOAL = re.compile(
    r"全覆盖|稳步(提升|提高|下降)|持续(下降|降低)|明显(下降|降低)|(创成|争创|创建|基本建成|建成)"
    r"[^，,。；;]{0,30}(示范区|示范城市|城市|标杆|示范|先行区)|碳排放达峰"
)
CN_DIGITS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_COUNT = re.compile(r"(举行|举办|开展|召开|评选)([一两二三四五六七八九])(次|场|届|个|名)")
