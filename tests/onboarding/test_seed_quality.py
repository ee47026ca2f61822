"""The extractor over the five seed plans vs the hand-made fixture (issue 14 item 5).

Run with ``-s`` to see the figures; README 「新规划录入」 quotes them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from onboarding.quality import measure
from targets.seed import default_fixture_path

SEEDS = Path(settings.SEEDS_DIR)
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")


def test_seed_quality_recall_and_extras():
    result = measure(default_fixture_path(), SEEDS)
    print("\n" + result.summary())
    for doc, row in result.per_document.items():
        print(f"  {doc}: {row}")
    for line in result.missed:
        print("  未提出:", line)
    for line in result.extras:
        print("  固件之外:", line)
    assert result.fixture_quantified >= 200
    assert result.recall >= 0.95
    assert result.extra_share <= 0.10


def test_cli_json_has_exactly_the_issue_fields_and_verbatim_quotes(capsys):
    path = SEEDS / "001_6b5501c50f8a3873.txt"
    call_command("extract_targets", str(path), "--json")
    rows = json.loads(capsys.readouterr().out)
    text = path.read_text(encoding="utf-8")
    assert len(rows) >= 20
    for row in rows:
        assert set(row) == {
            "indicator_name",
            "comparator",
            "value",
            "value_high",
            "unit",
            "deadline_year",
            "kind",
            "aspirational",
            "lead_departments",
            "participating_departments",
            "source_quote",
        }
        assert row["comparator"] in {"ge", "le", "gt", "lt", "eq", "range"}
        assert row["source_quote"] in text
        assert row["value"] is not None
    first = rows[0]
    assert (first["indicator_name"], first["value"], first["unit"], first["deadline_year"]) == (
        "数字经济核心产业增加值占GDP比重",
        10,
        "%",
        2025,
    )


def test_cli_text_lists_quantified_then_qualitative(capsys):
    call_command("extract_targets", str(SEEDS / "000_5930297db1fd55d6.txt"))
    out = capsys.readouterr().out
    assert "定量目标 26 个" in out
    assert "获评省长质量奖 ≥ 1家" in out
    assert "〔力争〕" in out
    assert "定性目标" in out
    assert "首席质量官制度全覆盖" in out


def test_cli_refuses_a_bad_file(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "plan.doc"
    bad.write_bytes(b"old word")
    with pytest.raises(CommandError, match="类型不受支持"):
        call_command("extract_targets", str(bad))
