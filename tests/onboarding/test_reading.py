"""Reading plan files (docs/onboarding.md §1): .docx with tables, .pdf, .txt, and bad files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from onboarding.extract import DocumentError, extract_targets, read_document
from onboarding.extract.reading import MAX_BYTES

from .docs import docx_bytes, pdf_bytes, scanned_pdf_bytes

SEED_000 = Path(settings.SEEDS_DIR) / "000_5930297db1fd55d6.txt"
GOALS = "到2025年,制造业产品质量合格率达到96%以上,基本药物抽检合格率达到100%。"


def test_docx_paragraphs_and_tables_in_document_order():
    data = docx_bytes(
        ["温州市洞头区质量强区“十四五”发展规划", "三、主要目标", GOALS, "第三章  主要任务"],
        table=[
            ("关键领域", "主要指标", "单位", "2025年目标值"),
            ("产品质量", "规模以上工业新产品产值率", "%", "35"),
            ("产品质量", "制订“浙江制造”标准(新增)", "", "7"),
        ],
        table_after=3,
    )
    text = read_document("洞头规划.docx", data)
    assert text.index(GOALS) < text.index("规模以上工业新产品产值率") < text.index("第三章")
    found = [c for c in extract_targets(text) if not c.qualitative]
    assert [(c.value, c.unit) for c in found] == [
        (Decimal(96), "%"),
        (Decimal(100), "%"),
        (Decimal(35), "%"),
        (Decimal(7), "项"),
    ]
    for cand in found:
        assert cand.source_quote in text


def test_pdf_with_a_text_layer():
    text = read_document("plan.pdf", pdf_bytes("洞头区质量强区规划\n" + GOALS))
    assert "制造业产品质量合格率达到96%以上" in text.replace("\n", "")


def test_txt_in_gb18030_is_read():
    assert GOALS in read_document("plan.txt", ("规划\n" + GOALS).encode("gb18030"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.doc", b"\xd0\xcf\x11\xe0 old word", "类型不受支持"),
        ("plan.xlsx", b"PK\x03\x04", "类型不受支持"),
        ("plan.txt", b"", "空文件"),
        ("plan.docx", b"", "空文件"),
        ("plan.docx", b"not a zip at all", "不是有效的 Word"),
        ("plan.pdf", b"%PDF-1.4 broken", "不是有效的 PDF"),
        ("plan.txt", b"   \n\n  ", "没有可读的正文"),
    ],
)
def test_bad_files_get_a_chinese_error(name, data, message):
    with pytest.raises(DocumentError, match=message) as raised:
        read_document(name, data)
    assert name in str(raised.value)


def test_pdf_without_a_text_layer_is_refused():
    with pytest.raises(DocumentError, match="没有文字层"):
        read_document("scan.pdf", scanned_pdf_bytes())


def test_oversized_file_is_refused():
    with pytest.raises(DocumentError, match="过大"):
        read_document("huge.txt", b"a" * (MAX_BYTES + 1))


def test_docx_table_reads_the_target_column_not_the_baseline():
    # 洞头's 表2 rows, in the layout many plans use: 基期值 before 目标值, then 属性.
    data = docx_bytes(
        ["温州市洞头区质量强区“十四五”发展规划", "表2:主要目标"],
        table=[
            ("序号", "主要指标", "单位", "2020年基期值", "2025年目标值", "属性"),
            ("1", "制造业产品质量合格率", "%", "94", "96", "预期性"),
            ("2", "培育“品字标”企业(新增)", "", "4", "7", "预期性"),
        ],
    )
    text = read_document("plan.docx", data)
    found = [c for c in extract_targets(text) if not c.qualitative]
    assert [(c.indicator_name, c.value, c.unit, c.deadline_year) for c in found] == [
        ("制造业产品质量合格率", Decimal(96), "%", 2025),
        ("培育“品字标”企业", Decimal(7), "家", 2025),
    ]


def test_cli_reads_a_docx(tmp_path, capsys):
    import json

    from django.core.management import call_command

    path = tmp_path / "plan.docx"
    path.write_bytes(docx_bytes(["温州市洞头区质量强区“十四五”发展规划", "三、主要目标", GOALS]))
    call_command("extract_targets", str(path), "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [(r["value"], r["unit"], r["deadline_year"]) for r in rows] == [
        (96, "%", 2025), (100, "%", 2025)
    ]
    text = read_document("plan.docx", path.read_bytes())
    assert all(r["source_quote"] in text for r in rows)


@pytest.mark.skipif(not SEED_000.is_file(), reason="seed documents not available")
def test_a_seed_plan_as_pdf_proposes_what_its_text_does():
    # A PDF's text layer wraps every line; unwrap() joins the full ones again.
    text = SEED_000.read_text(encoding="utf-8")
    from_pdf = read_document("ganyu.pdf", pdf_bytes(text))

    def figures(doc: str) -> list[tuple[object, ...]]:
        return [(c.value, c.unit, c.comparator, c.deadline_year, c.kind)
                for c in extract_targets(doc) if not c.qualitative]

    assert len(figures(text)) == 26
    assert figures(from_pdf) == figures(text)
    assert all(c.source_quote in from_pdf for c in extract_targets(from_pdf))
