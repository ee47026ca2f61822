"""Workbooks we hand out: the pre-filled entry template, and plain tables for exports.

No database access: callers pass rows already read by a selector. Cells are written through
``core.tabular``: evidence such as ``=1+1`` stays text (a quote-prefixed string
cell), so the template re-uploads with the same value (docs/reliability.md, part B, row 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.tabular import xlsx_bytes, xlsx_row

from .reader import (
    COL_CONFIRM,
    COL_STATE,
    COL_VALUE,
    COLUMNS,
    SHEET_NAME,
)

_HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")
_WIDTHS = {"指标名称": 36, "目标": 22, "允许范围": 18, "佐证说明": 30, "报告期": 16}
_INPUT_COLUMNS = {COL_VALUE, COL_STATE, "佐证说明", COL_CONFIRM}


def template_workbook(
    *,
    department_name: str,
    period_label: str,
    rows: Sequence[Mapping[str, object]],
    state_labels: Sequence[str],
) -> bytes:
    """The entry template: one row per due indicator, inputs shaded, instructions alongside."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append(COLUMNS)
    for index, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 12)
    for row in rows:
        sheet.append(xlsx_row(sheet, [row.get(name, "") for name in COLUMNS]))
    last = max(sheet.max_row, 2)
    for index, name in enumerate(COLUMNS, start=1):
        if name in _INPUT_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=index, max_col=index):
                cell.fill = _INPUT_FILL
    if state_labels:
        state_col = get_column_letter(COLUMNS.index(COL_STATE) + 1)
        states = DataValidation(
            type="list", formula1='"' + ",".join(state_labels) + '"', allow_blank=True
        )
        states.add(f"{state_col}2:{state_col}{last}")
        sheet.add_data_validation(states)
    sheet.freeze_panes = "C2"

    notes = book.create_sheet(_("填报说明"))
    for line in [
        _("填报单位：%(department)s") % {"department": department_name},
        _("报告期：%(period)s") % {"period": period_label},
        _("请只在浅黄色列填写：“本期数值”填数字（不带单位），里程碑类指标填“进展状态”。"),
        _("进展状态可选：%(states)s") % {"states": "、".join(state_labels)},
        _("数值与上期相比变化异常（如把96%填成0.96）时，请核实后在“确认异常值”列填“是”。"),
        _("可以调整列的顺序，但不要修改工作表名称和列名，不要合并单元格或使用公式。"),
        _("整个文件校验通过后才会写入；有任何错误时不会导入任何数据。"),
    ]:
        notes.append(xlsx_row(notes, [line]))
    notes.column_dimensions["A"].width = 90
    for (cell,) in notes.iter_rows(min_col=1, max_col=1):
        cell.alignment = Alignment(wrap_text=True)
    return _save(book)


def _save(book: Workbook) -> bytes:
    return xlsx_bytes(book)
