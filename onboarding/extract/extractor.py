"""The rule grammar that proposes targets from a plan's text (docs/onboarding.md §2).

Deterministic and offline: regular expressions over the text, no model. The document is
read line by line (a line is a paragraph, a table cell, or a docx table row whose cells are
separated by tabs) with a little state carried between lines:

* the heading path — a section on history (现实基础、发展现状 …) or rewards (扶持政策)
  proposes nothing, until the next heading of the same or a higher level;
* the governing deadline — a paragraph that opens with 到/至XXXX年 governs the paragraphs
  after it (list items) until another year governs or a top-level heading starts; a year in
  the middle of a paragraph governs the rest of that paragraph only; otherwise the plan's
  end year (:func:`default_deadline`);
* the table being read — its target year (the header's 2025年目标值), and the row's name
  and unit cells;
* the candidates since the last department annotation, which a standalone
  "牵头部门:…;参与部门:…" line (任务分解表) assigns.

Every candidate's ``source_quote`` is ``text[start:end]``: a verbatim substring.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from . import grammar as g

_SENTENCE_END = re.compile(r"[。；;！？!?]")
_CLAUSE_SEP = "，,：:；;。"
_MENTION = re.compile(
    rf"(?P<sym>[≥≤><＞＜]\s*)?(?P<v>{g.NUM})(?:\s*(?P<sep>[-—–－~～])\s*(?P<hi>{g.NUM}))?"
    rf"\s*(?P<unit>{g.UNIT_RE})?(?P<suf>{g.SUFFIX_RE})?"
)
_LEAD_NOISE = re.compile(
    r"^(?:其中|同时|另外|并且|[、和及与并]|(?:到|至|在)\s*20\d\d\s*年(?:底|末)?|"
    r"“?十[二三四五]五”?(?:期间|时期|末)?|期间|每年|力争|争取|积极|全力|确保|实现|推动|"
    r"全市|全区|全县|全省|各地|各县[(（]市、区[)）]|进一步|持续|努力|基本|逐步|"
    r"\s|[,，:：])+"
)
_TRAIL_NOISE = re.compile(
    r"(?:均|都|分别|总数|要|应|将|已|需)?\s*(?:不低于|不少于|不超过|不高于|提高到|提升到|"
    r"增加到|降低到|下降到|控制在|保持在|稳定在|超过|高于|大于|低于|少于|小于|达到|增至|降至|"
    r"降到|至少|保持|达|近|约|为)?\s*$"
)
_ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s*[.、．](?!\d)|[(（]\d{1,2}[)）])\s*")


@dataclass
class Candidate:
    """One proposed target, with where its quote sits in the text."""

    indicator_name: str
    comparator: str
    value: Decimal | None
    value_high: Decimal | None
    unit: str
    deadline_year: int | None
    kind: str
    aspirational: bool
    lead_departments: list[str]
    participating_departments: list[str]
    source_quote: str
    start: int
    end: int
    vision: bool = False
    qualitative: bool = False
    unit_inferred: bool = False
    rule: str = ""
    section: str = ""

    def as_json(self) -> dict[str, object]:
        """The CLI's JSON object: exactly the fields issue 14 item 4 names."""
        return {
            "indicator_name": self.indicator_name,
            "comparator": self.comparator,
            "value": _num(self.value),
            "value_high": _num(self.value_high),
            "unit": self.unit,
            "deadline_year": self.deadline_year,
            "kind": self.kind,
            "aspirational": self.aspirational,
            "lead_departments": list(self.lead_departments),
            "participating_departments": list(self.participating_departments),
            "source_quote": self.source_quote,
        }

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["value"] = _num(self.value)
        data["value_high"] = _num(self.value_high)
        return data


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --------------------------------------------------------------------------- the plan


def default_deadline(text: str) -> int | None:
    """The plan's end year, for targets no sentence dates (docs/onboarding.md §2.3).

    In order: a period in the title area ("2025-2027年"), a five-year plan named there
    ("十四五" → 2025), the year most often governed by 到/至 (before 2035), the end of the
    five-year plan period containing the document's date.
    """
    head = text[:3000]
    period = re.search(r"(20\d\d)\s*[-—–－至]\s*(20\d\d)\s*年", head)
    if period:
        return int(period.group(2))
    for name, year in g.FIVE_YEAR_PLANS.items():
        if re.search(rf"“?{name}”?", head[:600]):
            return year
    years = Counter(
        int(m.group(1) or m.group(2))
        for m in g.YEAR_GOV.finditer(text)
        if int(m.group(1) or m.group(2)) < g.VISION_YEAR
    )
    if years:
        return years.most_common(1)[0][0]
    dated = re.search(r"(20\d\d)\s*[年\-]\s*\d{1,2}\s*[月\-]", head)
    if dated:
        year = int(dated.group(1))
        return 2000 + ((year - 2001) // 5 + 1) * 5  # 2021–2025 → 2025
    return None


# --------------------------------------------------------------------------- departments


def split_names(raw: str) -> list[str]:
    """Department names separated by 、，, at parenthesis depth 0 (各县(市、区) stays whole)."""
    names, depth, current = [], 0, ""
    for char in raw:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        if depth == 0 and char in "、，,":
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    cleaned = []
    for name in names:
        name = re.sub(r"^[\s。.|]+|[\s。.|]+$", "", name)
        if name and name not in cleaned:
            cleaned.append(name)
    return cleaned


def parse_departments(annotation: str) -> tuple[list[str], list[str]]:
    """(lead, participating) from "牵头单位:…;责任单位:…;配合单位:…".

    牵头 names the leads; 责任/配合/参与/协办 the participants. A bare 责任单位 list with no
    牵头 part makes its first name the lead and the rest participants (docs/architecture.md
    "Domain model").
    """
    parts = list(g.DEPT_ROLE.finditer(annotation))
    lead: list[str] = []
    others: list[str] = []
    has_lead = any(p.group(1) in ("牵头", "主办") for p in parts)
    for i, part in enumerate(parts):
        end = parts[i + 1].start() if i + 1 < len(parts) else len(annotation)
        names = split_names(annotation[part.end() : end].strip(" ;；。|"))
        if part.group(1) in ("牵头", "主办"):
            lead += names
        elif not has_lead and part.group(1) == "责任" and not lead:
            lead, others = names[:1], others + names[1:]
        else:
            others += names
    others = [n for n in others if n not in lead]
    return lead, others


# --------------------------------------------------------------------------- the reader


@dataclass
class _State:
    plan_year: int | None
    carried_year: int | None = None
    skip_level: int | None = None
    section: str = ""
    in_table: bool = False
    table_year: int | None = None
    row_name: tuple[int, int, str] | None = None
    row_unit: str | None = None
    row_done: bool = False
    row_values: int = 0
    headers: list[str] = field(default_factory=list)
    skip_values: int = 0  # value columns before the 目标值 column (基期值, 现状值)
    columns: dict[str, int] = field(default_factory=dict)  # docx: 指标/单位/目标 column
    pending: list[Candidate] = field(default_factory=list)


def extract(text: str) -> list[Candidate]:
    """Every candidate target of the document, quantified and qualitative, in text order."""
    state = _State(plan_year=default_deadline(text))
    out: list[Candidate] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        line = raw.strip()
        if not line:
            continue
        lstart = start + (len(raw) - len(raw.lstrip()))
        if g.TOC_LINE.search(line):
            continue
        dept = g.DEPT_LINE.match(line.rstrip(" |"))
        if dept:
            lead, part = parse_departments(dept.group(1))
            for cand in state.pending:
                if not cand.lead_departments and not cand.participating_departments:
                    cand.lead_departments, cand.participating_departments = lead, part
            state.pending = []
            continue
        level = _heading_level(line)
        if level is not None or g.TABLE_CAPTION.search(line):
            state.pending = []  # a new task: a later 牵头部门 line belongs to it alone
        if level is not None and level <= 2 and len(line) <= 40:
            _enter_heading(state, level, line)
        if level is not None and level <= 1:
            state.in_table = False
        if g.TABLE_CAPTION.search(line) and len(line) <= 60:
            _new_table(state)
            continue
        if "\t" in raw:
            found = _table_row(text, state, raw, start)
        elif state.in_table and len(line) <= 60 and not re.search(r"[。；;，,]", line):
            found = _table_cell(text, state, line, lstart)
        else:
            if state.in_table and len(line) > 60:
                state.in_table = False
            if state.skip_level is not None:
                continue
            found = _paragraph(text, state, lstart, lstart + len(line.rstrip(" |")))
        if any(c.lead_departments or c.participating_departments for c in found):
            state.pending = []  # the paragraph named its own departments
        else:
            state.pending.extend(found)
        out.extend(found)
        if found and state.section:
            for cand in found:
                cand.section = cand.section or state.section
    return _dedupe(out)


def extract_targets(text: str, *, qualitative: bool = True) -> list[Candidate]:
    """The public entry: candidates, optionally without the qualitative ones."""
    found = extract(text)
    return found if qualitative else [c for c in found if not c.qualitative]


def _new_table(state: _State) -> None:
    state.in_table, state.table_year = True, None
    state.row_name, state.row_unit, state.row_done, state.row_values = None, None, False, 0
    state.headers, state.skip_values, state.columns = [], 0, {}


def _heading_level(line: str) -> int | None:
    for level, pattern in g.HEADINGS:
        if pattern.match(line):
            return level
    return None


def _enter_heading(state: _State, level: int, line: str) -> None:
    if state.skip_level is not None and level <= state.skip_level:
        state.skip_level = None
    if state.skip_level is None and g.SKIP_SECTIONS.search(line):
        state.skip_level = level
    if level <= 1:
        state.carried_year = None
        state.section = re.sub(r"^[^、．.]*[、．.]\s*|^第\S+?[章部分篇]\s*", "", line)[:40]


# --------------------------------------------------------------------------- paragraphs


def _paragraph(text: str, state: _State, pstart: int, pend: int) -> list[Candidate]:
    para = text[pstart:pend]
    if re.search(r"附件[:：]|^附件$|解读|索引号|文号|发布机构|成文日期", para[:12]):
        return []
    # Department annotation inside the paragraph applies to all its candidates.
    lead: list[str] = []
    part: list[str] = []
    masks: list[tuple[int, int]] = []
    for block in g.DEPT_BLOCK.finditer(para):
        lead, part = parse_departments(next(x for x in block.groups() if x))
        masks.append((block.start(), block.end()))
    # Years governing inside this paragraph.
    govs = [
        (m.start(), int(m.group(1) or m.group(2)))
        for m in g.YEAR_GOV.finditer(para)
        if not g.BASELINE_YEAR.match(para, max(0, m.start() - 2))
    ]
    first_clause = re.split(r"[，,。；;]", para, maxsplit=1)[0]
    if govs and govs[0][0] < len(first_clause):
        state.carried_year = govs[0][1]

    found: list[Candidate] = []
    offset = 0
    for sentence in re.split(r"(?<=[。；;！？!?])", para):
        s_start = offset
        offset += len(sentence)
        if not sentence.strip():
            continue
        found += _sentence(text, state, pstart, para, s_start, sentence, govs, masks)
    for cand in found:
        cand.lead_departments, cand.participating_departments = list(lead), list(part)
    return found


def _governing_year(state: _State, govs: list[tuple[int, int]], pos: int) -> int | None:
    before = [year for at, year in govs if at <= pos]
    if before:
        return before[-1]
    if state.carried_year is not None:
        return state.carried_year
    return state.plan_year


def _sentence(
    text: str,
    state: _State,
    pstart: int,
    para: str,
    s_start: int,
    sentence: str,
    govs: list[tuple[int, int]],
    masks: list[tuple[int, int]],
) -> list[Candidate]:
    found: list[Candidate] = []
    annual = g.ANNUAL.search(sentence)
    asp = g.ASPIRATIONAL.search(sentence)
    prev_end = 0
    carry: int | None = None
    mentions = list(_MENTION.finditer(sentence))
    for m in mentions:
        at = s_start + m.start()
        if any(a <= at < b for a, b in masks):
            continue
        reading = _read_mention(sentence, m, prev_end, carry)
        if reading is None:
            continue
        prev_end = max(m.end(), reading[2])  # a number-first mention owns its object
        if carry is None:
            carry = max(sentence.rfind(c, 0, m.start()) for c in _CLAUSE_SEP) + 1
        names, q_from, q_to, comparator, kind, change = reading
        year = _governing_year(state, govs, s_start + m.start())
        kind = _yearly_flow(kind, m, annual)
        deadline = None if kind == "annual_increment" else year
        offset = pstart + s_start
        found += [
            _mention_candidate(
                text, m, name,
                comparator=comparator,
                kind=kind,
                deadline=deadline,
                span=(offset + q_from, offset + q_to),
                aspirational=bool(asp and asp.start() < m.start()),
                change=change,
            )
            for name in names
        ]
    found += _chinese_counts(text, state, pstart, s_start, sentence, govs, annual, asp)
    if not found:
        found += _qualitative(text, state, pstart, s_start, sentence, govs, asp)
    return found


def _yearly_flow(kind: str, m: re.Match[str], annual: re.Match[str] | None) -> str:
    """每年 makes a count a yearly flow; a rate in the same sentence stays a level."""
    is_annual = bool(annual and annual.start() < m.start())
    if (
        is_annual
        and kind in ("cumulative_new", "level")
        and _unit(m.group("unit")) in (g.COUNT_UNITS | g.MONEY_UNITS)
    ):
        return "annual_increment"
    return kind


def _mention_candidate(
    text: str,
    m: re.Match[str],
    name: str,
    *,
    comparator: str,
    kind: str,
    deadline: int | None,
    span: tuple[int, int],
    aspirational: bool,
    change: bool,
) -> Candidate:
    """The proposal of one indicator named by a number mention; ``span`` is its quote."""
    high = m.group("hi")
    return Candidate(
        indicator_name=name,
        comparator=comparator,
        value=Decimal(m.group("v")),
        value_high=Decimal(high) if high else None,
        unit=_unit(m.group("unit")),
        deadline_year=deadline,
        kind=kind,
        aspirational=aspirational,
        lead_departments=[],
        participating_departments=[],
        source_quote=text[span[0] : span[1]],
        start=span[0],
        end=span[1],
        vision=bool(deadline and deadline >= g.VISION_YEAR),
        rule="change" if change else "sentence",
    )


def _unit(raw: str | None) -> str:
    return {"％": "%"}.get(raw or "", raw or "")


def _in_quotes(sentence: str, pos: int) -> bool:
    before = sentence[:pos]
    return before.count("“") > before.count("”") or before.count("〔") > before.count("〕")


def _read_mention(
    sentence: str, m: re.Match[str], prev_end: int, carry: int | None = None
) -> tuple[list[str], int, int, str, str, bool] | None:
    """Whether a number is a commitment, and if so: names, quote span, comparator, kind."""
    if _not_a_figure(sentence, m):
        return None
    mention = _Mention.read(sentence, m, prev_end, carry)
    if not _is_commitment(mention):
        return None
    comparator = _comparator(mention)
    seg_from, subject, obj = _subject(mention)
    name = (subject + obj).strip() or sentence[mention.start : m.start()].strip()
    if not subject and not obj:
        return None
    if (
        comparator == "ge"
        and not mention.change
        and g.LOWER_BETTER.search(name)
        and not (mention.symbol or mention.prefix_cmp or mention.suffix)
    ):
        comparator = "le"
    kind = _kind(mention)
    if mention.change and kind == "level" and mention.unit in ("%", "个百分点"):
        # A change against the baseline is a level of the change (docs/onboarding.md §2.5).
        name = _change_name(name, mention.change)
    q_from, q_to = _quote_span(mention, seg_from, obj)
    names = _split_conjuncts(name, mention.head)
    return names, q_from, q_to, comparator, kind, bool(mention.change)


def _not_a_figure(sentence: str, m: re.Match[str]) -> bool:
    """The number is part of something else: a code, a name, a date, an attribute."""
    v, unit, suffix = m.group("v"), m.group("unit"), m.group("suf")
    before_char = sentence[m.start() - 1] if m.start() else ""
    after = sentence[m.end() : m.end() + 2]
    # Part of a code, a name or a number: PM2.5, ISO9001, 第3, 5G, 4A级, 〔2025〕10.
    return bool(
        (before_char and ((before_char.isascii() and before_char.isalnum())
                          or before_char in "第./"))
        or (after[:1].isascii() and after[:1].isalpha()) or after[:1] in "+×级版期号届·"
        or _in_quotes(sentence, m.start())
        or (not unit and re.match(r"\s*(年|月|日|岁|周|代|大|点|类|批|号|轮|季|倍|层|星)", after))
        or (re.fullmatch(r"(19|20)\d\d", v) and not unit)
        or (unit and after[:1] and after[:1] in g.UNIT_WORD_BREAKERS.get(unit, ""))
        or (unit and not suffix and after.startswith("的"))  # an attribute: 面积不少于1000平方米的…
        or (unit and unit[0] == "万" and after[:1] == "级")
    )


@dataclass(frozen=True)
class _Mention:
    """A number in a sentence and the clause around it, as ``_read_mention`` reads them."""

    sentence: str
    m: re.Match[str]
    prev_end: int  # where the previous mention of the sentence ended
    carry: int | None  # the start of the clause that opened a list of mentions
    unit: str | None
    suffix: str | None
    symbol: str
    start: int  # the clause
    end: int
    head: str  # clause start to the number
    stripped_head: str  # the head, trailing blanks and a comparator word taken off
    prefix_cmp: str | None  # the comparator word before the number
    change: str | None  # "up" / "down" when the head ends in a change word
    tail: str  # the number to the clause end

    @classmethod
    def read(
        cls, sentence: str, m: re.Match[str], prev_end: int, carry: int | None
    ) -> _Mention:
        clause_start = max(sentence.rfind(c, 0, m.start()) for c in _CLAUSE_SEP) + 1
        clause_end = min(
            [i for i in (sentence.find(c, m.end()) for c in _CLAUSE_SEP) if i >= 0]
            or [len(sentence)]
        )
        head = sentence[clause_start : m.start()]
        stripped_head = head.rstrip()
        prefix_cmp = None
        for word, cmp in g.PREFIX_COMPARATORS:
            if stripped_head.endswith(word):
                prefix_cmp, stripped_head = cmp, stripped_head[: -len(word)]
                break
        change = None
        for word in g.DECREASE_WORDS:
            if stripped_head.endswith(word):
                change = "down"
        for word in g.INCREASE_WORDS:
            if stripped_head.endswith(word):
                change = "up"
        return cls(
            sentence, m, prev_end, carry, m.group("unit"), m.group("suf"),
            (m.group("sym") or "").strip(), clause_start, clause_end, head, stripped_head,
            prefix_cmp, change, sentence[m.end() : clause_end],
        )

    @property
    def number_first(self) -> bool:
        """The number comes before what it counts: 新增10家企业."""
        own = _clean_name(self.head[max(0, self.prev_end - self.start) :])
        return not own or _is_verb_only(own)


def _is_commitment(c: _Mention) -> bool:
    """A target, not a fact: a comparator, or a commitment verb or indicator noun near it."""
    sentence, m, unit = c.sentence, c.m, c.unit
    if g.EXISTING.search(c.head):
        return False
    if unit in g.MONEY_UNITS and g.MONEY_REWARD.search(sentence):
        return False
    if c.prefix_cmp is None and g.CONTEXT_ONLY_END.search(c.stripped_head):
        return False
    if unit and re.match(r"[\u4e00-\u9fff]{0,6}标准", sentence[m.end() :]):
        return False  # the name of a standard: 执行75%节能标准
    has_cmp = bool(c.symbol or c.prefix_cmp or c.suffix)
    # A list continues the commitment of the clause that opened it:
    # "完成省级标准化试点项目1个,市级标准化试点项目3个".
    context = sentence[c.carry : m.start()] if c.carry is not None else c.head
    commit_before = bool(g.COMMIT_VERBS.search(context))
    if re.match(rf"(?:{g.SUFFIX_RE})?(?:达标|覆盖|实现|完成)", c.tail):
        commit_before = True
    noun_before = bool(g.INDICATOR_NOUN_END.search(c.stripped_head))
    commit_after = c.number_first and bool(g.COMMIT_VERBS.search(c.tail))
    if not unit and not (c.symbol or c.prefix_cmp):
        return False  # a bare number counts only right after 达到/超过/≥ …
    if unit == "%" and not (has_cmp or commit_before or noun_before or commit_after):
        return False
    if unit != "%" and not (has_cmp or commit_before or noun_before or commit_after or c.change):
        return False
    return bool(unit or re.match(r"\s*($|[，,。；;、）)])", sentence[m.end() :]))


def _comparator(c: _Mention) -> str:
    """以上/不低于/达到 ≥, 以下/以内/不超过 ≤, 超过/高于 >, 低于 <.

    docs/progress.md "Direction and comparator".
    """
    if c.symbol:
        comparator = g.SYMBOL_COMPARATORS[c.symbol]
    elif c.prefix_cmp in ("gt", "lt"):
        comparator = c.prefix_cmp
    elif c.suffix:
        comparator = dict(g.SUFFIX_COMPARATORS)[c.suffix]
    elif c.prefix_cmp:
        comparator = c.prefix_cmp
    else:
        comparator = "ge"
    if c.m.group("hi") and c.m.group("sep"):
        comparator = "range"
    return comparator


def _subject(c: _Mention) -> tuple[int, str, str]:
    """Where the subject starts, the subject (clause start, or the previous mention in the
    clause, to the number) and, when the subject is only a verb, the object after the number."""
    sentence, m = c.sentence, c.m
    seg_from = max(c.start, c.prev_end)
    while seg_from < m.start() and sentence[seg_from] in "、和及与 ":
        seg_from += 1
    subject = _clean_name(sentence[seg_from : m.start()])
    obj = ""
    ends_with_verb = bool(
        re.search(r"(搭建|建设|建成|培育|创建|打造|建立|设立|实现|对|为|向|等)$", subject)
    )
    if not subject or _is_verb_only(subject) or ends_with_verb:
        obj_end = c.end
        nxt = re.search(r"[、和及与]|实现|达到|通过|完成", sentence[m.end() : c.end])
        if nxt and nxt.start() > 0:
            obj_end = m.end() + nxt.start()
        obj = sentence[m.end() : obj_end].strip()
        obj = re.sub(r"^(?:" + g.SUFFIX_RE + r")", "", obj)
    return seg_from, subject, obj


def _kind(c: _Mention) -> str:
    """Period average, maintain, a count created (cumulative), else a level.

    docs/progress.md "Kinds".
    """
    sentence, m, unit = c.sentence, c.m, c.unit
    clause = sentence[c.start : c.end]
    if g.PERIOD_AVERAGE.search(clause):
        return "period_average"
    if any(w in c.stripped_head[-4:] for w in g.MAINTAIN_WORDS) or (
        c.prefix_cmp
        and any(sentence[c.start : m.start()].rstrip().endswith(w) for w in g.MAINTAIN_WORDS)
    ):
        return "maintain"
    if (_unit(unit) in g.COUNT_UNITS or unit in ("亿元", "万元")) and g.CREATE_VERBS.search(
        sentence[min(c.start, c.carry if c.carry is not None else c.start) : m.end()]
        + (c.tail if c.number_first else "")
    ):
        stock = g.STOCK_WORDS.search(c.head) and "新增" not in c.head
        return "level" if stock else "cumulative_new"
    if "累计" in clause:
        return "cumulative_new"
    return "level"


def _change_name(name: str, change: str) -> str:
    """The indicator of a change: 降幅 / 增幅 of the name, the base year taken off."""
    suffix_name = "降幅" if change == "down" else "增幅"
    name = re.sub(r"(?:较|比|与)\s*20\d\d\s*年(?:相比)?", "", name)
    name = re.sub("(?:{})$".format("|".join(g.DECREASE_WORDS + g.INCREASE_WORDS)), "", name)
    return name if name.endswith(suffix_name) else name + suffix_name


def _quote_span(c: _Mention, seg_from: int, obj: str) -> tuple[int, int]:
    """The quote in the sentence: subject to number (and its object), leading marks off."""
    sentence, m = c.sentence, c.m
    q_from = seg_from if c.prev_end > c.start else c.start
    q_to = m.end() + (
        len(obj) + (len(sentence[m.end() :]) - len(sentence[m.end() :].lstrip())) if obj else 0
    )
    q_to = min(max(q_to, m.end()), len(sentence))
    quote_text = sentence[q_from:q_to]
    lead_ws = len(quote_text) - len(quote_text.lstrip(" ,，、"))
    return q_from + lead_ws, q_to


_VERBS_ONLY = re.compile(
    r"^(?:新增|培育|建成|建设|创建|争创|创成|获评|获得|完成|实现|开展|打造|申报|建立|引进|评选|"
    r"发展|推动|推广|升级建设|升级|设立|搭建|组织|认定|通过|累计|累计完成|落户|邀请|力争|争取|"
    r"确保|主导|参与|建|有|超过|达到|其中|另外|以及|并|和|、|\s)*$"
)


def _is_verb_only(subject: str) -> bool:
    return bool(_VERBS_ONLY.match(subject))


def _clean_name(raw: str) -> str:
    name = _ITEM_NUMBER.sub("", raw)
    name = _LEAD_NOISE.sub("", name)
    name = _TRAIL_NOISE.sub("", name).strip()
    name = _LEAD_NOISE.sub("", name).strip(" ,，、:：")
    if name.count("”") > name.count("“"):
        name = name.lstrip("”")
        name = "“" + name if "”" in name and not name.startswith("“") else name
    return name


def _split_conjuncts(name: str, head: str) -> list[str]:
    """One sentence, several targets: "A合格率和B合格率均达到98%" → A合格率, B合格率.

    Split on 、/和/及/与 (outside parentheses) when 均/都 stands before the number or at least
    two conjuncts end in a rate noun; a conjunct lacking the measure borrows the last
    conjunct's (制造业产品、消费品质量合格率 → 制造业产品质量合格率).
    """
    parts = [p for p in re.split(r"(?<![(（])[、和及与](?![^(（]*[)）])", name) if p.strip()]
    if len(parts) < 2:
        return [name]
    rated = [p for p in parts if g.RATE_NOUN_END.search(p.strip())]
    shared = re.search(r"(均|都)\s*(?:不低于|不少于|达到|达|超过|高于|保持|稳定在)?\s*$", head)
    if not (shared or len(rated) >= 2):
        return [name]
    measure = re.search(
        r"(?:质量)?[\u4e00-\u9fff]{0,2}(?:率|比例|比重|满意度|指数|浓度)$", parts[-1].strip()
    )
    out = []
    for part in parts:
        part = part.strip()
        if not g.RATE_NOUN_END.search(part) and measure and part is not parts[-1]:
            part += measure.group(0)
        out.append(part)
    return out


def _chinese_counts(
    text: str,
    state: _State,
    pstart: int,
    s_start: int,
    sentence: str,
    govs: list[tuple[int, int]],
    annual: re.Match[str] | None,
    asp: re.Match[str] | None,
) -> list[Candidate]:
    """ "每年举行一次…": a count written in Chinese numerals, only under 每年 (§2.9).

    A list of quoted events after it ("“世界计量日”、“质量月”等…活动") gives one target
    each, all with the sentence as quote.
    """
    if not annual:
        return []
    found = []
    for m in g.CN_COUNT.finditer(sentence):
        if m.start() < annual.start():
            continue
        rest = sentence[m.end() :]
        events = re.findall(r"“([^”]{2,20})”", rest)
        names = events if len(events) >= 2 else [re.split(r"[，,。；;]", rest)[0] or m.group(0)]
        end = s_start + len(sentence.rstrip("。；; \n"))
        for name in names:
            found.append(
                Candidate(
                    indicator_name=name,
                    comparator="ge",
                    value=Decimal(g.CN_DIGITS[m.group(2)]),
                    value_high=None,
                    unit=m.group(3),
                    deadline_year=None,
                    kind="annual_increment",
                    aspirational=bool(asp and asp.start() < m.start()),
                    lead_departments=[],
                    participating_departments=[],
                    source_quote=text[pstart + s_start : pstart + end],
                    start=pstart + s_start,
                    end=pstart + end,
                    rule="chinese_count",
                )
            )
    return found


def _qualitative(
    text: str,
    state: _State,
    pstart: int,
    s_start: int,
    sentence: str,
    govs: list[tuple[int, int]],
    asp: re.Match[str] | None,
) -> list[Candidate]:
    """A goal without a number (全覆盖, 稳步下降, 创成…示范区): listed, never given one."""
    found: list[Candidate] = []
    taken = -1
    for m in g.QUALITATIVE_GOAL.finditer(sentence):
        if m.start() < taken:
            continue
        cand = _qualitative_one(text, state, pstart, s_start, sentence, govs, asp, m)
        taken = cand.end - pstart - s_start
        found.append(cand)
    return found


def _qualitative_one(
    text: str,
    state: _State,
    pstart: int,
    s_start: int,
    sentence: str,
    govs: list[tuple[int, int]],
    asp: re.Match[str] | None,
    m: re.Match[str],
) -> Candidate:
    clause_start = max(sentence.rfind(c, 0, m.start()) for c in "，,；;：:") + 1
    clause_end = min(
        [i for i in (sentence.find(c, m.end()) for c in "，,。；;") if i >= 0] or [len(sentence)]
    )
    word = m.group(0)
    if re.search(r"下降|降低", word):
        kind, comparator = "direction", "le"
    elif re.search(r"提升|提高", word):
        kind, comparator = "direction", "ge"
    elif "全覆盖" in word:
        kind, comparator = "level", "ge"
    else:
        kind, comparator = "milestone", "ge"
    year = _governing_year(state, govs, s_start + m.start())
    name = _clean_name(sentence[clause_start:clause_end]) or word
    start = pstart + s_start + clause_start
    end = pstart + s_start + clause_end
    while start < end and text[start] in " \u3000":
        start += 1
    return Candidate(
        indicator_name=name,
        comparator=comparator,
        value=None,
        value_high=None,
        unit="%" if kind == "level" else "",
        deadline_year=year,
        kind=kind,
        aspirational=bool(asp and asp.start() < m.start()),
        lead_departments=[],
        participating_departments=[],
        source_quote=text[start:end],
        start=start,
        end=end,
        vision=bool(year and year >= g.VISION_YEAR),
        qualitative=True,
        rule="qualitative",
    )


# --------------------------------------------------------------------------- tables


def _table_cell(text: str, state: _State, cell: str, start: int) -> list[Candidate]:
    """One cell per line (a table pasted as text): name, unit, value, then actuals."""
    return _cell(text, state, cell, start)


def _table_row(text: str, state: _State, raw: str, start: int) -> list[Candidate]:
    """A docx table row: cells separated by tabs; prose cells are read as paragraphs."""
    found: list[Candidate] = []
    state.row_name, state.row_unit, state.row_done, state.row_values = None, None, False, 0
    offset = start
    cells = raw.split("\t")
    dept_cells = [c for c in cells if g.DEPT_LINE.match(c.strip())]
    if sum(bool(g.HEADER_CELL.search(c.strip())) for c in cells) >= 2:
        # A header row: remember which column holds the name, the unit and the target.
        if not state.in_table:
            _new_table(state)
        for i, cell in enumerate(c.strip() for c in cells):
            for key, pattern in (("name", "指标"), ("unit", "^单位$"), ("target", "目标")):
                if re.search(pattern, cell) and key not in state.columns:
                    state.columns[key] = i
    spans = []
    for cell in cells:
        spans.append((offset + (len(cell) - len(cell.lstrip())), cell.strip()))
        offset += len(cell) + 1
    target_col = state.columns.get("target")
    if (
        target_col is not None
        and len(spans) > target_col
        and not g.HEADER_CELL.search(spans[target_col][1])
    ):
        # A data row under a known header: the name, unit and target columns only.
        keep = [state.columns.get("name"), state.columns.get("unit"), target_col]
        if keep[0] is None:
            keep[0] = next(
                (
                    i
                    for i, (_, c) in enumerate(spans[:target_col])
                    if re.search(r"[\u4e00-\u9fff]", c) and i not in keep
                ),
                None,
            )
        spans = [spans[i] for i in keep if i is not None and i < len(spans)]
        state.skip_values = 0
    for cstart, stripped in spans:
        if not stripped or g.DEPT_LINE.match(stripped):
            continue
        if len(stripped) > 60 or stripped.endswith("。"):
            if state.skip_level is None:
                found += _paragraph(text, state, cstart, cstart + len(stripped))
        else:
            found += _cell(text, state, stripped, cstart)
    if dept_cells:
        lead, part = parse_departments(dept_cells[0].strip())
        for cand in found:
            cand.lead_departments, cand.participating_departments = lead, part
    state.row_name, state.row_unit, state.row_done, state.row_values = None, None, False, 0
    return found


def _cell(text: str, state: _State, cell: str, start: int) -> list[Candidate]:
    if g.HEADER_CELL.search(cell):
        _header(state, cell)
        return []
    if g.STATUS_CELL.match(cell):
        return []
    value = g.VALUE_CELL.match(cell)
    if value:
        if state.row_name is None or state.row_done:
            return []
        if state.row_values < state.skip_values:  # a 基期值/现状值 column before 目标值
            state.row_values += 1
            return []
        state.row_done = True
        return [_table_candidate(text, state, value, start + len(cell))]
    if state.row_name is not None and not state.row_done and g.UNIT_CELL.match(cell):
        state.row_unit = cell
        return []
    if state.row_name is not None and not state.row_done and g.QUALITATIVE_CELL.search(cell):
        state.row_done = True
        return [_table_qualitative(text, state, cell, start + len(cell))]
    if re.search(r"[\u4e00-\u9fff]", cell):
        state.row_name = (start, start + len(cell), _ITEM_NUMBER.sub("", cell).strip())
        state.row_unit, state.row_done, state.row_values = None, False, 0
    return []


def _header(state: _State, cell: str) -> None:
    """A header cell: the table's target year, and how many value columns precede 目标值.

    The year of the 目标 column wins ("2025年目标值", or a bare "2020" right above
    "目标值"); another year (2020年基期值) counts only when no target year is written.
    """
    year = re.search(r"(20\d\d)", cell)
    previous = state.headers[-1] if state.headers else ""
    if "目标" in cell:
        if year:
            state.table_year = int(year.group(1))
        elif re.fullmatch(r"\d{4}\s*年?", previous):
            state.table_year = int(previous[:4])
        if not any("目标" in h for h in state.headers):
            state.skip_values = sum(
                bool(re.search(r"基期|现状|实际|基准", h)) for h in state.headers
            )
    elif year and state.table_year is None:
        state.table_year = int(year.group(1))
    state.headers.append(cell)


def _table_candidate(text: str, state: _State, m: re.Match[str], end: int) -> Candidate:
    assert state.row_name is not None
    nstart, _nend, name = state.row_name
    symbol, suffix = m.group("sym"), m.group("suf")
    if symbol:
        comparator = g.SYMBOL_COMPARATORS[symbol]
    elif suffix:
        comparator = dict(g.SUFFIX_COMPARATORS)[suffix]
    elif g.LOWER_BETTER.search(name):
        comparator = "le"
    else:
        comparator = "ge"
    if m.group("hi"):
        comparator = "range"
    unit = _unit(m.group("unit") or state.row_unit)
    inferred = False
    if not unit:
        unit = classify(name)
        inferred = bool(unit)
    note = m.group("note") or ""
    if g.PERIOD_AVERAGE.search(note):
        kind = "period_average"
    elif re.search(r"新增|累计", name):
        kind = "cumulative_new"
    else:
        kind = "level"
    year = state.table_year or state.carried_year or state.plan_year
    return Candidate(
        indicator_name=re.sub(r"[(（](新增|累计)[)）]", "", name),
        comparator=comparator,
        value=Decimal(m.group("v")),
        value_high=Decimal(m.group("hi")) if m.group("hi") else None,
        unit=unit,
        deadline_year=year,
        kind=kind,
        aspirational=False,
        lead_departments=[],
        participating_departments=[],
        source_quote=text[nstart:end],
        start=nstart,
        end=end,
        vision=bool(year and year >= g.VISION_YEAR),
        unit_inferred=inferred,
        rule="table",
    )


def classify(name: str) -> str:
    """The classifier of the name's head noun: the rightmost match, the longer on a tie."""
    best: tuple[int, int, str] | None = None
    for pattern, classifier in g.CLASSIFIERS:
        for m in pattern.finditer(name):
            key = (m.end(), m.end() - m.start(), classifier)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else ""


def _table_qualitative(text: str, state: _State, cell: str, end: int) -> Candidate:
    assert state.row_name is not None
    nstart, _nend, name = state.row_name
    if re.search(r"任务|^完成", cell):
        kind, comparator = "assigned", "ge"
    elif re.search(r"下降", cell):
        kind, comparator = "direction", "le"
    elif re.search(r"提升|提高", cell):
        kind, comparator = "direction", "ge"
    else:
        kind, comparator = "milestone", "ge"
    year = state.table_year or state.carried_year or state.plan_year
    return Candidate(
        indicator_name=name,
        comparator=comparator,
        value=None,
        value_high=None,
        unit=_unit(state.row_unit),
        deadline_year=year,
        kind=kind,
        aspirational=False,
        lead_departments=[],
        participating_departments=[],
        source_quote=text[nstart:end],
        start=nstart,
        end=end,
        qualitative=True,
        rule="table",
    )


# --------------------------------------------------------------------------- dedupe


def _dedupe(found: list[Candidate]) -> list[Candidate]:
    """Drop exact repeats (same span, name and value) that two rules produced."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for cand in found:
        key = (cand.start, cand.end, cand.indicator_name, cand.value, cand.unit)
        if key in seen:
            continue
        seen.add(key)
        out.append(cand)
    return out
