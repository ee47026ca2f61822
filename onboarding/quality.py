"""How well the extractor reads the five seed plans (issue 14 item 5, docs/onboarding.md §4).

Compares the extractor's proposals for each seed document with the targets that
``fixtures/seed_targets.json`` transcribed by hand from it:

* **recall**: a fixture target whose value is written in digits in its quote counts as
  found when a proposal has the same value, value_high, unit, comparator and deadline year
  and its quote overlaps the fixture's quote in the document;
* **extra**: a quantified proposal that no fixture target (with a value) matches that way.
  A proposal that repeats a matched target elsewhere in the document (the 主要目标 prose
  and the 指标表 state the same goal) counts as found, not extra, when its value, unit,
  comparator and deadline agree and its indicator name is similar (rapidfuzz ≥ 80).

Fixture targets whose value is a word (全覆盖 → 100, 无 → 0) are reported separately: the
extractor lists those as qualitative and never gives them a number (issue 14 item 2).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from onboarding.extract import Candidate, extract_targets
from targets.seed import SEED_FILES, load_seed

_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class SeedQuality:
    fixture_quantified: int = 0
    fixture_found: int = 0
    fixture_word_valued: int = 0
    proposals: int = 0
    extra: int = 0
    qualitative: int = 0
    per_document: dict[str, dict[str, int]] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.fixture_found / self.fixture_quantified if self.fixture_quantified else 0.0

    @property
    def extra_share(self) -> float:
        return self.extra / self.proposals if self.proposals else 0.0

    def summary(self) -> str:
        return (
            f"种子规划 {len(self.per_document)} 份:定量目标 {self.fixture_quantified} 个,"
            f"正确提出 {self.fixture_found} 个(召回 {self.recall:.1%});"
            f"定量提议 {self.proposals} 个,固件之外 {self.extra} 个({self.extra_share:.1%});"
            f"另有定性目标 {self.qualitative} 个;固件中以文字写值的目标 "
            f"{self.fixture_word_valued} 个(全覆盖、无…,按规则不给数值)"
        )


def _dec(raw: Any) -> Decimal | None:
    return None if raw in (None, "") else Decimal(str(raw))


def _spans(doc: str, quote: str) -> list[tuple[int, int]]:
    spans, at = [], doc.find(quote)
    while at >= 0:
        spans.append((at, at + len(quote)))
        at = doc.find(quote, at + 1)
    return spans


def _same(cand: Candidate, f: dict[str, Any]) -> bool:
    return (
        cand.value == _dec(f["value"])
        and cand.value_high == _dec(f.get("value_high"))
        and cand.unit == (f.get("unit") or "")
        and cand.comparator == f["comparator"]
        and cand.deadline_year == f.get("deadline_year")
    )


def measure(fixture: Path | str, seeds_dir: Path | str) -> SeedQuality:
    objects = load_seed(fixture)
    names = {
        o["fields"]["code"]: o["fields"]["name"]
        for o in objects
        if o["model"] == "indicators.indicator"
    }
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in objects:
        if obj["model"] == "targets.target":
            f = obj["fields"]
            by_doc[SEED_FILES[f["plan"][0]]].append(f)
    result = SeedQuality()
    for doc_name in sorted(set(SEED_FILES.values())):
        doc = (Path(seeds_dir) / doc_name).read_text(encoding="utf-8")
        _measure_document(result, doc_name, doc, by_doc[doc_name], names)
    return result


def _measure_document(
    result: SeedQuality,
    doc_name: str,
    doc: str,
    targets: list[dict[str, Any]],
    names: dict[str, str],
) -> None:
    """One source document: the extractor's proposals against the fixture's targets."""
    proposals = [c for c in extract_targets(doc) if not c.qualitative]
    result.qualitative += sum(1 for c in extract_targets(doc) if c.qualitative)
    used: set[int] = set()
    matched, quantified, found = _match_fixture(result, doc, targets, proposals, used)
    extra = _count_extras(result, doc_name, proposals, used, matched, names)
    result.fixture_quantified += quantified
    result.fixture_found += found
    result.proposals += len(proposals)
    result.extra += extra
    result.per_document[doc_name] = {
        "quantified": quantified,
        "found": found,
        "proposals": len(proposals),
        "extra": extra,
    }


def _match_fixture(
    result: SeedQuality,
    doc: str,
    targets: list[dict[str, Any]],
    proposals: list[Candidate],
    used: set[int],
) -> tuple[list[tuple[dict[str, Any], Candidate]], int, int]:
    """Each valued fixture target matched to an unused proposal over the same words; the
    pairs, how many targets have their number written, and how many of those were found."""
    matched: list[tuple[dict[str, Any], Candidate]] = []
    found = quantified = 0
    for f in [f for f in targets if f.get("value") is not None]:
        written = any(
            Decimal(n) == _dec(f["value"]) for n in _DIGITS.findall(f["source_quote"])
        )
        if written:
            quantified += 1
        else:
            result.fixture_word_valued += 1
        spans = _spans(doc, f["source_quote"])
        hit = next(
            (
                i
                for i, c in enumerate(proposals)
                if i not in used
                and _same(c, f)
                and any(c.start < b and a < c.end for a, b in spans)
            ),
            None,
        )
        if hit is not None:
            used.add(hit)
            matched.append((f, proposals[hit]))
            found += written
        elif written:
            result.missed.append(
                f"{f['plan'][0]} {f['code']} {f['value']}{f.get('unit') or ''} "
                f"{f['comparator']} {f.get('deadline_year')}:{f['source_quote'][:40]!r}"
            )
    return matched, quantified, found


def _count_extras(
    result: SeedQuality,
    doc_name: str,
    proposals: list[Candidate],
    used: set[int],
    matched: list[tuple[dict[str, Any], Candidate]],
    names: dict[str, str],
) -> int:
    """Proposals that match no fixture target, nor restate a matched one (a twin)."""
    extra = 0
    for i, c in enumerate(proposals):
        if i in used:
            continue
        twin = any(
            (
                _same(c, f)
                and fuzz.partial_ratio(c.indicator_name, names.get(f["indicator"][0], "")) >= 80
            )
            or (_same(c, f) and fuzz.partial_ratio(c.indicator_name, f["source_quote"]) >= 80)
            for f, _ in matched
        )
        if not twin:
            extra += 1
            result.extras.append(
                f"{doc_name[:3]} {c.indicator_name} {c.value}{c.unit} {c.comparator} "
                f"{c.deadline_year}:{c.source_quote[:40]!r}"
            )
    return extra
