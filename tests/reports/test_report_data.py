"""What the quarterly report says: its content, before any PDF is drawn.

``seed_report_world`` builds data shaped like the seeds (品质赣榆 action plan of 赣榆区,
its 责任单位, Progress rows of 2025Q3 and 2025Q4 with every common status, a binding
lagging target) and is shared by the PDF and report-page tests.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from indicators.calendar import Period
from reports.pdf import charts
from reports.pdf.data import (
    DOC_NUMBER_BLANK,
    report_data_build,
    report_date,
    report_scope_resolve,
)
from reports.selectors.reporting import due_period
from reports.services import report_scope_for
from targets.models import Progress
from tests.factories import (
    RegionFactory,
    seed_report_world,
)

pytestmark = pytest.mark.django_db

S = Progress.Status


def test_report_summary_counts_statuses_and_change_since_last_quarter(district):
    seed_report_world(district)
    scope = report_scope_resolve(scope="region", region=district)

    data = report_data_build(scope=scope, year=2025, quarter=4)

    counts = {s.key: (s.count, s.previous) for s in data.statuses}
    assert counts["lagging"] == (2, 3)
    assert counts["on_track"] == (1, 1)
    assert data.total == 8
    assert data.target_count == 8
    assert (data.improved, data.worsened) == (1, 2)  # T01 up; T03 and T04 down
    assert data.quarter_label == "2025年第四季度"


def test_report_lagging_list_is_worst_first_with_binding_targets_ahead(district):
    world = seed_report_world(district)

    data = report_data_build(scope=report_scope_resolve(scope="region", region=district),
                             year=2025, quarter=4)

    assert [line.target_id for line in data.behind] == [
        world["rnd"].pk, world["award"].pk, world["pm25"].pk,  # pace 0.75 before 0.8
    ]
    assert data.behind[0].flags == "倒退"
    assert {line.leads for line in data.binding_behind} == {"区生态环境局", "区市场监管局"}


def test_report_departments_are_the_dashboard_rollup_of_lead_departments(district):
    world = seed_report_world(district)

    data = report_data_build(scope=report_scope_resolve(scope="region", region=district),
                             year=2025, quarter=4)

    sections = {d.name: d for d in data.departments}
    assert set(sections) == {"区市场监管局", "区工信局", "区住建局", "区生态环境局"}
    assert sections["区市场监管局"].counts["achieved"] == 2
    assert [line.target_id for line in data.unled] == [world["farm"].pk]


def test_report_department_scope_keeps_only_that_department(district):
    world = seed_report_world(district)
    scope = report_scope_resolve(scope="department", department=world["gxj"])

    data = report_data_build(scope=scope, year=2025, quarter=4)

    assert [d.name for d in data.departments] == ["区工信局"]
    assert data.total == 2
    assert [row.department for row in data.completeness] == ["区工信局"]


def test_report_completeness_counts_due_and_reported_figures_per_lead_department(district):
    seed_report_world(district)

    data = report_data_build(scope=report_scope_resolve(scope="region", region=district),
                             year=2025, quarter=4)

    rows = {row.department: row for row in data.completeness}
    assert (rows["区市场监管局"].due, rows["区市场监管局"].reported,
            rows["区市场监管局"].approved) == (4, 2, 1)
    assert rows["区住建局"].missing == 1
    overdue = {(item.indicator, item.period) for item in data.overdue}
    assert ("建设工程质量一次验收合格率", "2025年") in overdue
    assert ("产品质量监督抽查合格率", "2025年第3季度") in overdue  # earlier quarters count too
    assert ("产品质量监督抽查合格率", "2025年第4季度") not in overdue  # approved


def test_report_annual_figures_fall_due_with_the_year():
    assert due_period("annual", 2025, 4) == Period(2025)
    assert due_period("annual", 2025, 2) == Period(2024)
    assert due_period("quarterly", 2025, 2) == Period(2025, 2)


def test_report_number_is_the_offices_and_the_date_is_stable_for_a_quarter(district):
    """Issue 17: the 文号 is what the office entered, or a blank to fill in by hand; the system
    never makes one up (it used to derive 质强办〔2026〕3xx号 from a checksum of the scope)."""
    scope = report_scope_resolve(scope="region", region=district)

    blank = report_data_build(scope=scope, year=2025, quarter=4)
    entered = report_data_build(scope=scope, year=2025, quarter=4,
                                doc_number=" 赣质强办〔2026〕7号 ", date=dt.date(2026, 1, 20))

    assert blank.doc_number == DOC_NUMBER_BLANK == "〔 〕号"
    assert blank.date == report_date(2025, 4) == dt.date(2026, 1, 15)
    assert entered.doc_number == "赣质强办〔2026〕7号"
    assert entered.date == dt.date(2026, 1, 20)
    assert scope.office == "赣榆区质量强区工作领导小组办公室"


def test_report_all_scope_of_an_office_covers_its_region_and_below(district, office_user,
                                                                   other_city):
    seed_report_world(district, other_city)

    scope = report_scope_for(user=office_user, scope="all")
    data = report_data_build(scope=scope, year=2025, quarter=4)

    assert scope.label == "赣榆区"  # 关于赣榆区…的报告, not 关于赣榆区全域… (issue 17)
    assert scope.office == "赣榆区质量强区工作领导小组办公室"
    assert "盐城市" not in {line.region for d in data.departments for line in d.lines}


def test_report_of_an_empty_quarter_or_scope_has_no_rows_and_no_error(district):
    seed_report_world(district)
    empty_region = RegionFactory(code="320999", name="测试空区", level="district")

    quiet = report_data_build(scope=report_scope_resolve(scope="region", region=district),
                              year=2024, quarter=2)
    nothing = report_data_build(scope=report_scope_resolve(scope="region", region=empty_region),
                                year=2025, quarter=4)

    assert not quiet.has_progress
    assert quiet.target_count == 8
    assert not nothing.has_progress
    assert nothing.target_count == 0
    assert not nothing.appendix


def test_report_charts_name_every_status_in_text():
    svg = charts.department_status_chart(
        [charts.ChartRow("区市场监管局", {"achieved": 2, "lagging": 1})], title="各部门"
    )

    assert "进度滞后" in svg
    assert "已完成" in svg
    assert "区市场监管局" in svg
    assert svg == charts.department_status_chart(
        [charts.ChartRow("区市场监管局", {"achieved": 2, "lagging": 1})], title="各部门"
    )


def test_report_chart_escapes_names():
    svg = charts.department_status_chart([charts.ChartRow("<b>&局", {"achieved": 1})], title="x")

    assert "&lt;b&gt;&amp;局" in svg


TYPE_AREA_PT = 156 / 25.4 * 72


def svg_width_pt(svg: str) -> float:
    return float(re.match(r'<svg [^>]*?width="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]


def test_report_charts_are_inline_svg_text_within_the_type_area():
    svg = charts.status_summary_chart(
        {"achieved": 2, "lagging": 1}, {"achieved": 1, "lagging": 3}, title="目标状态分布"
    )

    assert svg.startswith("<svg ")  # no XML declaration or doctype inside the HTML
    assert "<?xml" not in svg
    assert "DOCTYPE" not in svg
    assert 'role="img"><title>目标状态分布</title>' in svg
    assert ">已完成</text>" in svg  # labels stay text (svg.fonttype none) for pdftotext
    assert "font-family=\"'Noto Serif CJK SC'" in svg
    assert "2（上季度1，+1）" in svg
    assert "1（上季度3，-2）" in svg
    # neither matplotlib's numbered ids (duplicate PDF anchors) nor style attributes
    # (WeasyPrint's HTML cascade warns about fill, stroke…) reach the report
    assert ' id="' not in svg
    assert ' style="' not in svg
    assert svg_width_pt(svg) <= TYPE_AREA_PT
    assert svg == charts.status_summary_chart(
        {"achieved": 2, "lagging": 1}, {"achieved": 1, "lagging": 3}, title="目标状态分布"
    )


def test_report_department_chart_fits_long_names_and_many_rows():
    keys = [key for key, *_ in charts.STATUS_STYLES]
    rows = [
        charts.ChartRow(f"某某市某某区市场监督管理局食品监管科{i}", dict.fromkeys(keys, i % 3))
        for i in range(28)
    ]
    svg = charts.department_status_chart(rows, title="各部门")

    assert svg_width_pt(svg) <= TYPE_AREA_PT
    assert "…</text>" in svg  # names past a third of the width are cut
    for _key, label, *_ in charts.STATUS_STYLES:
        assert f">{label}</text>" in svg  # the legend names every status


def test_report_charts_take_dollar_signs_literally_and_draw_empty_data():
    svg = charts.department_status_chart([charts.ChartRow("A$1$局", {"achieved": 1})], title="x")

    assert ">A$1$局</text>" in svg  # not parsed as mathtext
    assert charts.department_status_chart([], title="x").startswith("<svg ")
    assert charts.status_summary_chart({}, None, title="x").startswith("<svg ")
