"""Validation of the seed fixture ``fixtures/seed_targets.json`` against its source documents.

The fixture is the source of truth for the five seed plans (issue #3): it is written by hand
and loaded with ``manage.py loaddata seed_targets``. This module reads the JSON file — not the
database — and checks that every target can be traced to its document:

* ``source_quote`` is a verbatim substring of the plan's document (when ``SEEDS_DIR`` exists);
* the target's numbers (value, value_high, baseline) are written in the quote, as the document
  writes them (1.1 with unit 万批次 is found as "1.1万批次"); a baseline taken from elsewhere
  in the document is cited in ``notes`` as ``基期原文:「…」`` and checked the same way;
* target codes are unique per plan, and two targets of one plan on the same indicator, deadline
  and kind each carry a note saying what distinguishes them;
* every lead or participating department exists and belongs to the plan's region;
* the deadline lies in ``start_year - 1 .. max(end_year, vision_year)``.

Rewards (扶持政策) and observations get the same provenance and reference checks. Messages
are Chinese and name the plan and the target, so an office can fix the fixture directly.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .progress import Comparator, Kind

# Plan code → the seed document it was transcribed from (files in settings.SEEDS_DIR).
SEED_FILES: dict[str, str] = {
    "ganyu-2025": "000_5930297db1fd55d6.txt",
    "ganzhou-2024": "001_6b5501c50f8a3873.txt",
    "yancheng-2022": "002_b53bc58765153d59.txt",
    "zhanjiang-2019": "003_5cb87e2d2ab2f10e.txt",
    "dongtou-14th": "004_83bdd5961354bb2e.txt",
    # The closed 十三五 plan survives only as 表1 of the 十四五 plan.
    "dongtou-13th": "004_83bdd5961354bb2e.txt",
}

# The engine owns the vocabulary (targets.progress.schema); the seed must speak it.
TARGET_KINDS = {kind.value for kind in Kind}
COMPARATORS = {comparator.value for comparator in Comparator}
# Kinds whose goal is not a number written in the document.
VALUELESS_KINDS = {"milestone", "assigned", "direction"}

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BASELINE_SOURCE = re.compile(r"基期原文:「(.*?)」", re.DOTALL)
# Words a document uses for a number it does not write in digits ("全覆盖" is 100 %).
_NUMBER_WORDS: dict[Decimal, tuple[str, ...]] = {
    Decimal(100): ("全覆盖", "全部", "全面", "所有"),
    Decimal(0): ("无", "零"),
}
_CHINESE_DIGITS = {
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
    "十": 10,
}


@dataclass
class SeedReport:
    """Counts of what the fixture holds and the problems found (empty when valid)."""

    plans: int = 0
    targets: int = 0
    rewards: int = 0
    observations: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        return f"{self.plans} plans, {self.targets} targets OK"


def default_fixture_path() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "fixtures" / "seed_targets.json"


def load_seed(path: Path | str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise ValueError(f"{path}: 种子文件应为 Django fixture 对象列表")
    return data


def number_in_text(value: Decimal, text: str) -> bool:
    """Whether ``value`` is written in ``text`` (digits, or a word such as 全覆盖 / 一次)."""
    for match in _NUMBER.finditer(text):
        if Decimal(match.group()) == value:
            return True
    if any(word in text for word in _NUMBER_WORDS.get(value, ())):
        return True
    return any(
        digit == value and re.search(f"{char}[次名家个项]", text)
        for char, digit in _CHINESE_DIGITS.items()
    )


def quote_error(where: str, quote: str, document: str | None, source: str = "") -> str | None:
    """The provenance check of a quote: present, and verbatim in ``document`` when given.

    Shared by the seed validator and the publishing of an onboarded plan (issue 14).
    """
    if not quote.strip():
        return f"{where}:原文摘录(source_quote)为空"
    if document is not None and quote not in document:
        return f"{where}:原文摘录不是文件 {source} 的逐字原文:“{quote[:60]}”"
    return None


def number_error(where: str, label: str, value: Decimal | None, text: str) -> str | None:
    """The number check: ``value`` must be written in ``text`` (its quote)."""
    if value is not None and not number_in_text(value, text):
        return f"{where}:{label} {_fmt(value)} 未出现在原文摘录中"
    return None


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _documents(plan_codes: list[str], seeds_dir: Path | None) -> dict[str, str] | None:
    if seeds_dir is None or not Path(seeds_dir).is_dir():
        return None
    docs: dict[str, str] = {}
    for code in plan_codes:
        name = SEED_FILES.get(code)
        if name and (Path(seeds_dir) / name).is_file():
            docs[code] = (Path(seeds_dir) / name).read_text(encoding="utf-8")
    return docs


def validate_seed_data(
    objects: list[dict[str, Any]], seeds_dir: Path | str | None = None
) -> SeedReport:
    """Check a loaded fixture; ``seeds_dir`` enables the verbatim-quote checks.

    Model by model, in the fixture's dependency order, each check reading what the earlier
    ones collected (region codes, departments, indicator codes, plans)."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in objects:
        by_model[obj.get("model", "")].append(obj)
    check = _SeedCheck(seeds=Path(seeds_dir) if seeds_dir is not None else None)
    check.regions(by_model["indicators.region"])
    check.departments(by_model["indicators.department"])
    check.indicators(by_model["indicators.indicator"])
    check.plans(by_model["targets.plan"])
    check.targets(by_model["targets.target"])
    check.rewards(by_model["targets.reward"])
    check.observations(by_model["indicators.observation"])
    return check.report


@dataclass
class _SeedCheck:
    """The checks of ``validate_seed_data`` and what they collect on the way."""

    seeds: Path | None
    report: SeedReport = field(default_factory=SeedReport)
    region_codes: set[str] = field(default_factory=set)
    department_keys: set[tuple[str, str]] = field(default_factory=set)
    indicator_codes: set[str] = field(default_factory=set)
    plan_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    docs: dict[str, str] | None = None

    @property
    def errors(self) -> list[str]:
        return self.report.errors

    def regions(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            f = obj["fields"]
            parent = f.get("parent")
            if parent and parent[0] not in self.region_codes:
                self.errors.append(f"地区 {f['code']}:上级地区 {parent[0]} 须排在其前面")
            self.region_codes.add(f["code"])

    def departments(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            f = obj["fields"]
            key = (f["region"][0], f["name"])
            if key[0] not in self.region_codes:
                self.errors.append(f"责任单位 {f['name']}:地区 {key[0]} 不存在")
            if key in self.department_keys:
                self.errors.append(f"责任单位 {f['name']}({key[0]})重复")
            self.department_keys.add(key)

    def indicators(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            code = obj["fields"]["code"]
            if code in self.indicator_codes:
                self.errors.append(f"指标 {code} 重复")
            self.indicator_codes.add(code)

    def plans(self, objects: list[dict[str, Any]]) -> None:
        """The plans, then (with a seeds folder) the source document of each."""
        plans = self.plan_fields
        for obj in objects:
            f = obj["fields"]
            if f["code"] in plans:
                self.errors.append(f"规划 {f['code']} 重复")
            if f["region"][0] not in self.region_codes:
                self.errors.append(f"规划 {f['code']}:地区 {f['region'][0]} 不存在")
            plans[f["code"]] = f
        self.report.plans = len(plans)
        self.docs = _documents(list(plans), self.seeds)
        if self.docs is not None:
            for code in plans:
                if code not in self.docs:
                    self.errors.append(
                        f"规划 {code}:在 {self.seeds} 中找不到原文文件"
                        "(targets/seed.py SEED_FILES 未登记或文件缺失)"
                    )

    def quote(self, where: str, plan_code: str, quote: str) -> None:
        document = self.docs.get(plan_code) if self.docs is not None else None
        error = quote_error(where, quote, document, str(SEED_FILES.get(plan_code)))
        if error:
            self.errors.append(error)

    def number(self, where: str, label: str, value: Decimal | None, text: str) -> None:
        error = number_error(where, label, value, text)
        if error:
            self.errors.append(error)

    def targets(self, objects: list[dict[str, Any]]) -> None:
        """Each target, then the repeats: a target code twice in a plan, or targets alike
        (plan, indicator, year, kind) without notes telling them apart."""
        codes_seen: Counter[tuple[str, str]] = Counter()
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for obj in objects:
            f = obj["fields"]
            self.report.targets += 1
            codes_seen[(f["plan"][0], f.get("code", ""))] += 1
            if self.target(f):
                groups[
                    (f["plan"][0], f["indicator"][0], f.get("deadline_year"), f.get("kind"))
                ].append(f)
        for (plan_code, code), count in codes_seen.items():
            if count > 1:
                self.errors.append(f"规划 {plan_code} 目标 {code}:目标编号重复({count} 次)")
        for (plan_code, indicator, deadline, kind), members in groups.items():
            if len(members) > 1 and any(not m.get("notes", "").strip() for m in members):
                codes = "、".join(m["code"] for m in members)
                self.errors.append(
                    f"规划 {plan_code} 目标 {codes}:同一指标 {indicator}、年份 {deadline}、"
                    f"类型 {kind} 重复,须在备注中说明区别"
                )

    def target(self, f: dict[str, Any]) -> bool:
        """One target's fields; False when its plan does not exist (nothing else checked)."""
        plan_code = f["plan"][0]
        where = f"规划 {plan_code} 目标 {f.get('code', '')}"
        plan = self.plan_fields.get(plan_code)
        if plan is None:
            self.errors.append(f"{where}:规划不存在")
            return False
        indicator = f["indicator"][0]
        if indicator not in self.indicator_codes:
            self.errors.append(f"{where}:指标 {indicator} 不存在")
        value, high = self.target_values(where, f)
        quote = f.get("source_quote", "")
        self.quote(where, plan_code, quote)
        self.number(where, "目标值", value, quote)
        self.number(where, "目标上限", high, quote)
        self.baseline(where, plan_code, f, quote)
        self.target_departments(where, plan["region"][0], f)
        deadline = f.get("deadline_year")
        if deadline is not None:
            low = plan["start_year"] - 1
            high_year = max(plan["end_year"], plan.get("vision_year") or 0)
            if not low <= deadline <= high_year:
                self.errors.append(f"{where}:目标年份 {deadline} 不在规划期 {low}—{high_year} 内")
        if f.get("cancelled") and not f.get("cancel_reason"):
            self.errors.append(f"{where}:不再考核的目标须写明原因")
        return True

    def target_values(
        self, where: str, f: dict[str, Any]
    ) -> tuple[Decimal | None, Decimal | None]:
        """The kind, the comparator and the target value (and upper bound) they call for."""
        kind, comparator = f.get("kind"), f.get("comparator")
        if kind not in TARGET_KINDS:
            self.errors.append(f"{where}:目标类型 {kind} 无效")
        if comparator not in COMPARATORS:
            self.errors.append(f"{where}:比较方式 {comparator} 无效")
        value, high = _decimal(f.get("value")), _decimal(f.get("value_high"))
        if value is None and kind not in VALUELESS_KINDS:
            self.errors.append(f"{where}:{kind} 类目标须有目标值")
        if comparator == "range" and (value is None or high is None):
            self.errors.append(f"{where}:区间目标须同时有下限和上限")
        if value is not None and high is not None and high < value:
            self.errors.append(f"{where}:上限 {_fmt(high)} 低于目标值 {_fmt(value)}")
        return value, high

    def baseline(self, where: str, plan_code: str, f: dict[str, Any], quote: str) -> None:
        """A baseline value is written in the quote or in a cited 基期原文, with its year."""
        baseline = _decimal(f.get("baseline_value"))
        if baseline is None:
            return
        cited = _BASELINE_SOURCE.findall(f.get("notes", ""))
        for source in cited:
            self.quote(f"{where} 基期原文", plan_code, source)
        if not number_in_text(baseline, quote) and not any(
            number_in_text(baseline, s) for s in cited
        ):
            self.errors.append(
                f"{where}:基期值 {_fmt(baseline)} 未出现在原文摘录或备注“基期原文:「…」”中"
            )
        if f.get("baseline_year") is None:
            self.errors.append(f"{where}:有基期值但缺基期年")

    def target_departments(self, where: str, region: str, f: dict[str, Any]) -> None:
        """Lead and participating departments exist, in the plan's region."""
        for role, label in (
            ("lead_departments", "牵头单位"),
            ("participating_departments", "参与单位"),
        ):
            for dept_region, name in f.get(role, []):
                if (dept_region, name) not in self.department_keys:
                    self.errors.append(
                        f"{where}:{label}“{name}”不存在于地区 {dept_region} 的责任单位中"
                    )
                elif dept_region != region:
                    self.errors.append(
                        f"{where}:{label}“{name}”属于地区 {dept_region},不是规划所在地区 {region}"
                    )

    def rewards(self, objects: list[dict[str, Any]]) -> None:
        reward_keys: Counter[Any] = Counter()
        for obj in objects:
            f = obj["fields"]
            self.report.rewards += 1
            reward_keys[("pk", obj.get("pk"))] += 1
            reward_keys[(f["plan"][0], f.get("code"))] += 1
            self.reward(obj)
        self.errors.extend(f"扶持政策 {key[1]} 重复" for key, n in reward_keys.items() if n > 1)

    def reward(self, obj: dict[str, Any]) -> None:
        f = obj["fields"]
        plan_code = f["plan"][0]
        where = f"规划 {plan_code} 扶持政策 {f.get('code', '')}"
        plan = self.plan_fields.get(plan_code)
        if plan is None:
            self.errors.append(f"{where}:规划不存在")
            return
        if obj.get("pk") is None:
            self.errors.append(f"{where}:扶持政策须有整数主键 pk")
        quote = f.get("source_quote", "")
        self.quote(where, plan_code, quote)
        self.number(where, "金额(万元)", _decimal(f.get("amount_wan")), quote)
        dept = f.get("department")
        if dept and tuple(dept) not in self.department_keys:
            self.errors.append(f"{where}:兑现单位“{dept[1]}”不存在于地区 {dept[0]} 的责任单位中")
        elif dept and dept[0] != plan["region"][0]:
            self.errors.append(f"{where}:兑现单位“{dept[1]}”不属于规划所在地区")
        indicator = f.get("indicator")
        if indicator and indicator[0] not in self.indicator_codes:
            self.errors.append(f"{where}:指标 {indicator[0]} 不存在")

    def observations(self, objects: list[dict[str, Any]]) -> None:
        obs_keys: Counter[tuple[Any, ...]] = Counter()
        for obj in objects:
            f = obj["fields"]
            self.report.observations += 1
            key = (f["indicator"][0], f["region"][0], f["year"], f.get("quarter"))
            obs_keys[key] += 1
            if key[0] not in self.indicator_codes:
                self.errors.append(f"填报数据 {key}:指标不存在")
            if key[1] not in self.region_codes:
                self.errors.append(f"填报数据 {key}:地区不存在")
        self.errors.extend(f"填报数据 {key} 重复" for key, n in obs_keys.items() if n > 1)


def validate_seed_file(
    path: Path | str | None = None, seeds_dir: Path | str | None = None
) -> SeedReport:
    """Validate the fixture file; defaults: the project's fixture and ``settings.SEEDS_DIR``."""
    if seeds_dir is None:
        from django.conf import settings

        seeds_dir = getattr(settings, "SEEDS_DIR", None)
    return validate_seed_data(load_seed(path or default_fixture_path()), seeds_dir)
