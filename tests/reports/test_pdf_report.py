"""The quarterly PDF as a reader gets it: text extractable, fonts embedded, laid out on A4.

Checked with poppler-utils (pdftotext, pdffonts, pdftoppm) as a filing clerk's tools would
see the file. Page images go to artifacts/pdf/ (gitignored) for a human look.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from reports.pdf.data import report_scope_resolve
from reports.services import report_pdf_render
from tests.factories import ARTIFACTS, pdf_fonts, pdf_text, seed_report_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]


def save_page_png(pdf: bytes, name: str, *, page: int = 1) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
         str(source), str(ARTIFACTS / f"{name}-p{page}")],
        check=True,
    )
    return ARTIFACTS / f"{name}-p{page}.png"


@pytest.fixture
def region_pdf(district, other_city):
    seed_report_world(district, other_city)
    scope = report_scope_resolve(scope="region", region=district)
    return report_pdf_render(scope=scope, year=2025, quarter=4)


def test_pdf_report_text_names_region_departments_and_statuses(region_pdf, tmp_path):
    text = pdf_text(region_pdf, tmp_path)

    assert "赣榆区质量强区工作领导小组办公室" in text
    assert "关于赣榆区2025年第四季度质量目标推进情况的报告" in text.replace("\n", "")
    for name in ("区市场监管局", "区工信局", "区住建局", "区生态环境局"):
        assert name in text
    for label in ("进度滞后", "严重滞后", "进度正常", "已完成", "待填报", "约束性"):
        assert label in text
    assert "〔 〕号" in text  # no 文号 entered: left for the office to fill in (issue 17)
    assert "2026年1月15日" in text
    assert "盐城市" not in text  # another region's plan stays out of 赣榆区's report


def test_pdf_report_embeds_every_font_and_uses_the_gbt9704_typefaces(region_pdf, tmp_path):
    """Issue 17: 仿宋 body, 宋 title, 黑 and 楷 headings (Fandol) instead of Noto throughout;
    tests/reports/test_pdf_gbt9704.py checks the roles in detail."""
    fonts = pdf_fonts(region_pdf, tmp_path)

    assert fonts
    assert all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert any("FandolFang" in row[0] for row in fonts)


def test_pdf_report_charts_lay_out_without_weasyprint_warnings(district, caplog, tmp_path):
    seed_report_world(district)
    scope = report_scope_resolve(scope="region", region=district)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = report_pdf_render(scope=scope, year=2025, quarter=4)

    # e.g. "Ignored `fill: …`, unknown property" or "Anchor defined twice" from chart markup
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    text = pdf_text(pdf, tmp_path)
    assert "2（上季度" in text  # the summary chart's notes are text in the PDF


def test_pdf_report_has_page_numbers_toc_and_appendix_clauses(region_pdf, tmp_path):
    text = pdf_text(region_pdf, tmp_path, layout=True)

    assert re.search(r"—\s*2\s*—", text)
    assert re.search(r"目\s*录", text)
    assert "附件" in text
    assert "全部目标及来源条款" in text
    assert "表2" in text  # the PM2.5 target's source clause
    assert "“品质赣榆”建设行动方案" in text


def test_pdf_report_is_the_same_when_built_twice_an_hour_apart(district, tmp_path):
    """Byte for byte: a rebuilt report (a worker killed mid-build, a re-run) is the same file.
    The clock matters: a font subsetter that stamps the time (fontTools, WeasyPrint's fallback
    when HarfBuzz's subsetter is missing) would make the second build differ."""
    seed_report_world(district)
    scope = report_scope_resolve(scope="region", region=district)

    first = report_pdf_render(scope=scope, year=2025, quarter=4)
    with time_machine.travel(time.time() + 3600):
        second = report_pdf_render(scope=scope, year=2025, quarter=4)

    assert pdf_text(first, tmp_path) == pdf_text(second, tmp_path)
    assert first == second


def test_pdf_report_is_the_same_with_weasyprint_stock_stylesheet(district):
    """The lean user-agent stylesheet (docs/report.md "Speed") only saves time: laid out with
    WeasyPrint's stock one, the report is the same file, byte for byte."""
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports.pdf.data import report_data_build
    from reports.pdf.render import OfflineURLFetcher, lean_ua_stylesheet, render_pdf
    from reports.services import report_pdf_context

    seed_report_world(district)
    data = report_data_build(scope=report_scope_resolve(scope="region", region=district),
                             year=2025, quarter=4)
    html = render_to_string("reports/pdf/report.html", report_pdf_context(data))
    base_url = settings.BASE_DIR.as_uri() + "/"

    stock = HTML(string=html, base_url=base_url, url_fetcher=OfflineURLFetcher()).write_pdf(
        font_config=FontConfiguration())

    assert lean_ua_stylesheet() is not None  # WeasyPrint's rules are still as expected
    assert render_pdf(html, base_url=base_url) == stock


def test_pdf_report_of_an_empty_quarter_says_so(district, tmp_path):
    seed_report_world(district)
    scope = report_scope_resolve(scope="region", region=district)

    pdf = report_pdf_render(scope=scope, year=2023, quarter=1)

    assert "本季度暂无进度数据" in pdf_text(pdf, tmp_path)


def test_pdf_report_of_a_scope_without_targets_says_so(db, tmp_path):
    pdf = report_pdf_render(scope=report_scope_resolve(scope="all"), year=2025, quarter=4)

    assert "该范围内暂无目标" in pdf_text(pdf, tmp_path)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_report_pages_render_to_png_for_review(region_pdf):
    first = save_page_png(region_pdf, "report-ganyu-2025Q4", page=1)
    second = save_page_png(region_pdf, "report-ganyu-2025Q4", page=2)

    assert first.stat().st_size > 10_000
    assert second.exists()
