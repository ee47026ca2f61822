"""The quarterly PDF as a 公文 (issue 17; docs/report.md): GB/T 9704 typefaces embedded, the
office's own 文号, the same bytes from the page and the CLI, names written once, gaps in words
with units, and a summary that says what its table shows.

Read with poppler-utils as a filing clerk's tools see the file. Page 1 and a table page are
written to artifacts/pdf/ (gitignored) as PNG for a human look.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from reports.models import ReportRun
from reports.pdf.data import report_scope_resolve
from reports.pdf.render import FONT_ROLES, report_fonts_missing
from reports.services import report_pdf_render, report_run_request
from tests.factories import ARTIFACTS, pdf_fonts, pdf_text, seed_report_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]

DOC_NUMBER = "赣榆质强办〔2026〕7号"
ISSUED = dt.date(2026, 1, 20)

fandol_installed = pytest.mark.skipif(
    bool(report_fonts_missing()),
    reason="Fandol 字体未安装（scripts/system-deps.sh 以 root 运行时安装）",
)


@pytest.fixture
def two_city_pdf(district, other_city):
    """Everything under the one root region (江苏省): 赣榆区 and 盐城市 side by side."""
    seed_report_world(district, other_city)
    return report_pdf_render(scope=report_scope_resolve(scope="all"), year=2025, quarter=4,
                             doc_number=DOC_NUMBER, date=ISSUED)


@fandol_installed
def test_the_four_gbt9704_typefaces_are_embedded(two_city_pdf, tmp_path):
    fonts = pdf_fonts(two_city_pdf, tmp_path)
    names = " ".join(row[0] for row in fonts)

    for role in FONT_ROLES:  # 仿宋 body, 宋 title, 黑 and 楷 headings
        assert role.family in names, (role, names)
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in fonts), fonts  # emb, sub


def test_the_doc_number_is_the_one_entered_and_the_date_too(two_city_pdf, tmp_path):
    text = pdf_text(two_city_pdf, tmp_path)

    assert DOC_NUMBER in text
    assert "质强办〔2026〕3" not in text  # no number made up by the system
    assert "2026年1月20日" in text


def test_a_report_without_a_doc_number_leaves_it_to_fill_in(district, tmp_path):
    seed_report_world(district)
    pdf = report_pdf_render(scope=report_scope_resolve(scope="region", region=district),
                            year=2025, quarter=4)

    assert "〔 〕号" in pdf_text(pdf, tmp_path)


def test_titles_read_naturally_for_every_scope(district, other_city, tmp_path):
    world = seed_report_world(district, other_city)
    scopes = {
        "all": report_scope_resolve(scope="all"),
        "region": report_scope_resolve(scope="region", region=district),
        "plan": report_scope_resolve(scope="plan", plan=world["plan"]),
        "department": report_scope_resolve(scope="department", department=world["scjg"]),
    }
    titles = {kind: pdf_text(report_pdf_render(scope=scope, year=2025, quarter=4), tmp_path)
              .replace("\n", "") for kind, scope in scopes.items()}

    assert "关于江苏省2025年第四季度质量目标推进情况的报告" in titles["all"]
    assert "关于赣榆区2025年第四季度质量目标推进情况的报告" in titles["region"]
    assert "关于赣榆区市场监管局2025年第四季度" in titles["department"]
    assert "关于《“品质赣榆”建设行动方案(2025-2027年)》2025年第四季度" in titles["plan"]
    for text in titles.values():
        assert "全域" not in text
        assert "全部地区" not in text


def test_departments_of_several_regions_carry_their_region_once(two_city_pdf, tmp_path):
    text = pdf_text(two_city_pdf, tmp_path)

    assert "赣榆区市场监管局" in text
    assert "盐城市市场监管局" in text
    assert "赣榆区区" not in text
    assert "盐城市市市" not in text
    assert "（赣榆区）" not in text  # no longer 区市场监管局（赣榆区）


def test_gaps_are_words_with_units_and_the_columns_use_the_pages_words(district, tmp_path):
    seed_report_world(district)
    pdf = report_pdf_render(scope=report_scope_resolve(scope="region", region=district),
                            year=2025, quarter=4)
    text = pdf_text(pdf, tmp_path, layout=True)
    # A narrow cell may wrap between figure and unit: read it in reading order, unspaced.
    cells = re.sub(r"\s+", "", pdf_text(pdf, tmp_path))

    assert "落后0.33家" in cells  # 省长质量奖企业数: 1 of 1.33 expected
    assert "落后0.23%" in cells
    assert "超前0.4%" in cells
    assert "应达值" in text
    assert "预期值" not in text
    assert not re.search(r"\s[+-]0\.\d+\s", text), "a bare signed gap without words or unit"


def test_the_summary_says_what_table_1_shows(district, tmp_path):
    seed_report_world(district)
    pdf = report_pdf_render(scope=report_scope_resolve(scope="region", region=district),
                            year=2025, quarter=4)
    flat = pdf_text(pdf, tmp_path).replace("\n", "")
    layout = pdf_text(pdf, tmp_path, layout=True)

    table = {label: int(count) for label, count in re.findall(
        r"■?\s*(已完成|进度正常|进度滞后|严重滞后|未完成|数据不足|待填报|待下达|不再考核)\s+(\d+)\s",
        layout)}
    said = re.search(r"可评估目标(\d+)项中，已完成或进度正常(\d+)项", flat)
    assert said, flat[:800]
    assert int(said.group(2)) == table.get("已完成", 0) + table.get("进度正常", 0)
    assessable = sum(table.get(k, 0) for k in ("已完成", "进度正常", "进度滞后", "严重滞后",
                                                 "未完成"))
    assert int(said.group(1)) == assessable
    total = re.search(r"形成进度评估(\d+)项", flat)
    assert total
    assert int(total.group(1)) == sum(table.values())


def test_the_page_and_the_cli_give_the_same_bytes(district, office_user, tmp_path,
                                                  django_capture_on_commit_callbacks):
    seed_report_world(district)
    with django_capture_on_commit_callbacks(execute=True):  # the build, eager in the tests
        run = report_run_request(by=office_user, scope=ReportRun.Scope.REGION, year=2025,
                                 quarter=4, region=district, doc_number=DOC_NUMBER,
                                 issue_date=ISSUED)
    run.refresh_from_db()
    assert run.state == ReportRun.State.DONE, run.error
    output = tmp_path / "cli.pdf"

    call_command("export_report", "--quarter", "2025Q4", "--region", "赣榆区",
                 "--doc-number", DOC_NUMBER, "--date", "2026-01-20", "--output", str(output))

    with run.file.open("rb") as handle:
        assert handle.read() == output.read_bytes()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_page_one_and_a_table_page_as_png(two_city_pdf, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "report-gbt9704.pdf"
    source.write_bytes(two_city_pdf)
    pages = pdf_text(two_city_pdf, tmp_path).split("\f")
    table_page = next(i for i, page in enumerate(pages, 1) if "应达值" in page and i > 1)
    for page, name in ((1, "page1"), (table_page, "table-page")):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page),
                        "-singlefile", str(source), str(ARTIFACTS / f"report-gbt9704-{name}")],
                       check=True)
        assert (ARTIFACTS / f"report-gbt9704-{name}.png").stat().st_size > 10_000


def test_the_office_types_the_doc_number_and_date_on_the_request_form(
    client, office_user, district, django_capture_on_commit_callbacks, tmp_path
):
    from django.urls import reverse
    from pytest_django.asserts import assertContains

    seed_report_world(district)
    client.force_login(office_user)
    page = client.get(reverse("reports:report-list"))
    assertContains(page, 'name="doc_number"')
    assertContains(page, 'name="issue_date"')

    too_long = client.post(reverse("reports:report-create"), {
        "quarter": "2025Q4", "scope": "region", "region": district.pk, "doc_number": "号" * 41,
    })
    assert too_long.status_code == 400
    assert not ReportRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report-create"), {
            "quarter": "2025Q4", "scope": "region", "region": district.pk,
            "doc_number": DOC_NUMBER, "issue_date": "2026-01-20",
        })
    run = ReportRun.objects.get()
    assert (run.doc_number, run.issue_date, run.state) == (DOC_NUMBER, ISSUED, "done")
    with run.file.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert DOC_NUMBER in text
    assert "2026年1月20日" in text


def test_a_missing_typeface_is_named_on_the_cover_and_noto_stands_in(district, monkeypatch,
                                                                     tmp_path):
    """As on a machine where scripts/system-deps.sh could not install 楷体 (FandolKai)."""
    import reports.pdf.render

    installed = "Noto Serif CJK SC\nNoto Sans CJK SC\nFandolFang\nFandolSong\nFandolHei\n"
    monkeypatch.setattr(reports.pdf.render, "_installed_families", lambda: installed)
    seed_report_world(district)

    pdf = report_pdf_render(scope=report_scope_resolve(scope="region", region=district),
                            year=2025, quarter=4)

    flat = pdf_text(pdf, tmp_path).replace("\n", "")
    assert "本机未安装FandolKai（楷体（二级标题）），以Noto Serif CJK SC代替" in flat
    assert "FandolFang（" not in flat  # only the missing one is named
