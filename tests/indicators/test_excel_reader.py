"""The pure reader: every shape problem named by row, column and reason; no database."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from indicators.calendar import Period
from indicators.excel.errors import WorkbookError
from indicators.excel.reader import COLUMNS, read_workbook


def workbook(rows, *, headers=COLUMNS, title="填报数据", edit=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROW = {"指标代码": "product_pass_rate", "报告期": "2025年第2季度", "本期数值": 95.5}


def test_a_valid_row_is_parsed():
    result = read_workbook(workbook([ROW]))

    assert result.errors == []
    (row,) = result.rows
    assert (row.row, row.code, row.period, row.value) == (
        2,
        "product_pass_rate",
        Period(2025, 2),
        Decimal("95.5"),
    )


def test_columns_are_found_by_header_name_not_position():
    headers = list(reversed(COLUMNS))

    result = read_workbook(workbook([ROW], headers=headers))

    assert result.rows[0].value == Decimal("95.5")


def test_text_in_a_number_cell_is_named_with_row_and_column():
    result = read_workbook(workbook([ROW, {**ROW, "本期数值": "九十五"}]))

    assert [str(e) for e in result.errors] == [
        "第3行“本期数值”：“九十五”不是有效数字，请只填写数值（不带单位或文字）。"
    ]


def test_numbers_typed_as_text_are_accepted():
    assert read_workbook(workbook([{**ROW, "本期数值": " 1,200 "}])).rows[0].value == Decimal(1200)


def test_a_formula_is_refused():
    result = read_workbook(workbook([{**ROW, "本期数值": "=95+1"}]))

    assert "第2行“本期数值”：不能使用公式" in str(result.errors[0])


def test_merged_cells_are_refused():
    def merge(sheet):
        sheet.merge_cells("H2:H3")

    result = read_workbook(workbook([ROW, ROW], edit=merge))

    assert any("合并单元格（H2:H3）" in str(e) for e in result.errors)


def test_a_wrong_sheet_is_named():
    with pytest.raises(WorkbookError, match="找不到工作表“填报数据”（文件中的工作表：Sheet1）"):
        read_workbook(workbook([ROW], title="Sheet1"))


def test_a_missing_column_is_named():
    headers = [h for h in COLUMNS if h != "本期数值"]

    with pytest.raises(WorkbookError, match="表头缺少列：“本期数值”"):
        read_workbook(workbook([ROW], headers=headers))


def test_an_empty_file_and_a_file_without_rows_are_explained():
    with pytest.raises(WorkbookError, match="文件是空的"):
        read_workbook(b"")
    with pytest.raises(WorkbookError, match="没有填写任何数据行"):
        read_workbook(workbook([]))


@pytest.mark.parametrize(
    "content", [b"name,value\n1,2\n", b"%PDF-1.4 not excel", b"PK\x03\x04junk"]
)
def test_a_file_that_is_not_excel_is_explained(content):
    with pytest.raises(WorkbookError, match=r"不是Excel（\.xlsx）文件"):
        read_workbook(content)


def test_a_bad_period_is_named():
    result = read_workbook(workbook([{**ROW, "报告期": "今年二季度"}]))

    assert "第2行“报告期”：“今年二季度”不是有效的报告期" in str(result.errors[0])
