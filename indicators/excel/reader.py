"""Workbook → (rows, errors). Pure: no database, no request; it parses shape, nothing more.

Columns are found by their header text, not their position, so a user may reorder them.
Every problem is collected (not just the first), as a RowError naming the row as Excel shows
it, the column header and the reason. Whether a value is *allowed* (bounds, plan period,
duplicates in the database …) is decided by the service, not here.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..calendar import Period
from .errors import RowError, WorkbookError

SHEET_NAME = "填报数据"

COL_CODE = "指标代码"
COL_NAME = "指标名称"
COL_UNIT = "单位"
COL_TARGET = "目标"
COL_LAST = "上期数值"
COL_RANGE = "允许范围"
COL_PERIOD = "报告期"
COL_VALUE = "本期数值"
COL_STATE = "进展状态"
COL_EVIDENCE = "佐证说明"
COL_CONFIRM = "确认异常值"

#: The template's columns, in the order the writer prints them.
COLUMNS = [
    COL_CODE,
    COL_NAME,
    COL_UNIT,
    COL_TARGET,
    COL_LAST,
    COL_RANGE,
    COL_PERIOD,
    COL_VALUE,
    COL_STATE,
    COL_EVIDENCE,
    COL_CONFIRM,
]
REQUIRED = [COL_CODE, COL_PERIOD, COL_VALUE]
YES = {"是", "y", "yes", "1", "true", "确认", "√", "✓"}
MAX_ROWS = 20_000
_HEADER_SEARCH_ROWS = 5
_PERIOD_LABEL = re.compile(r"^(\d{4})年?(?:第?([1-4一二三四])季度?)?$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class ParsedRow:
    row: int
    code: str
    period: Period | None
    value: Decimal | None
    state: str = ""
    evidence: str = ""
    confirm: bool = False


@dataclass
class ReadResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_workbook(data: bytes) -> ReadResult:
    """Parse an uploaded template. Raises WorkbookError when the file cannot be read at all."""
    if not data:
        raise WorkbookError(_("上传的文件是空的，请选择填写好的Excel模板。"))
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise WorkbookError(
            _("无法读取该文件：它不是Excel（.xlsx）文件。请使用下载的模板填写后上传。")
        ) from error
    if SHEET_NAME not in book.sheetnames:
        raise WorkbookError(
            _(
                "找不到工作表“%(sheet)s”（文件中的工作表：%(found)s）。请使用下载的模板，不要修改工作表名称。"
            )
            % {"sheet": SHEET_NAME, "found": "、".join(book.sheetnames)}
        )
    sheet = book[SHEET_NAME]
    header_row, columns = _find_header(sheet)
    result = ReadResult()
    result.errors.extend(_merged_cell_errors(sheet, header_row, columns))
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=header_row + 1), start=header_row + 1
    ):
        if row_number - header_row > MAX_ROWS:
            raise WorkbookError(_("文件超过%(max)d行，请分批上传。") % {"max": MAX_ROWS})
        by_header = {name: cells[index] for name, index in columns.items() if index < len(cells)}
        if all(_is_blank(cell.value) for cell in by_header.values()):
            continue
        parsed = _parse_row(row_number, by_header, result.errors)
        if parsed is not None:
            result.rows.append(parsed)
    if not result.rows and not result.errors:
        raise WorkbookError(_("文件中没有填写任何数据行。"))
    return result


def _find_header(sheet) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    """The header row (1-based) and each known column's 0-based index, found by name."""
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=_HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        names = [_normalise_header(value) for value in cells]
        if COL_CODE not in names:
            continue
        columns: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in COLUMNS and name not in columns:
                columns[name] = index
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise WorkbookError(
                _("表头缺少列：%(missing)s。请使用下载的模板，可以调整列的顺序，但不要修改列名。")
                % {"missing": "、".join(f"“{name}”" for name in missing)}
            )
        return row_number, columns
    raise WorkbookError(
        _("在工作表“%(sheet)s”的前%(n)d行中找不到表头“%(code)s”。请使用下载的模板。")
        % {"sheet": SHEET_NAME, "n": _HEADER_SEARCH_ROWS, "code": COL_CODE}
    )


def _merged_cell_errors(sheet, header_row: int, columns: dict[str, int]) -> list[RowError]:  # type: ignore[no-untyped-def]
    by_index = {index: name for name, index in columns.items()}
    errors = []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.max_row <= header_row:
            continue
        column = by_index.get(merged.min_col - 1, get_column_letter(merged.min_col))
        errors.append(
            RowError(
                max(merged.min_row, header_row + 1),
                column,
                _("存在合并单元格（%(range)s），请取消合并后重新上传。") % {"range": merged.coord},
            )
        )
    return errors


def _parse_row(row: int, cells: dict, errors: list[RowError]) -> ParsedRow | None:  # type: ignore[type-arg]
    problems_before = len(errors)
    for name, cell in cells.items():
        # Only a real formula is refused: text such as "=1+1" in a string cell (what our own
        # template writes for such evidence, quote-prefixed) is text (reliability.md row 4).
        if cell.data_type == "f":
            errors.append(RowError(row, name, _("不能使用公式，请直接填写数值。")))
    if len(errors) > problems_before:
        return None

    code = _text(cells.get(COL_CODE))
    if not code:
        errors.append(RowError(row, COL_CODE, _("不能为空。")))
    period = _parse_period(row, cells.get(COL_PERIOD), errors)
    value = _parse_number(row, COL_VALUE, cells.get(COL_VALUE), errors)
    state = _text(cells.get(COL_STATE))
    if len(errors) > problems_before:
        return None
    return ParsedRow(
        row=row,
        code=code,
        period=period,
        value=value,
        state=state,
        evidence=_text(cells.get(COL_EVIDENCE), normalise=False),
        confirm=_text(cells.get(COL_CONFIRM)).lower() in YES,
    )


def _parse_period(row: int, cell, errors: list[RowError]) -> Period | None:  # type: ignore[no-untyped-def]
    text = _text(cell)
    if not text:
        errors.append(RowError(row, COL_PERIOD, _("不能为空。")))
        return None
    compact = text.replace(" ", "")
    try:
        return Period.parse(compact)
    except ValueError:
        pass
    match = _PERIOD_LABEL.match(compact)
    if match:
        quarter = match[2]
        return Period(int(match[1]), _CN_DIGITS.get(quarter) or int(quarter) if quarter else None)
    errors.append(
        RowError(
            row,
            COL_PERIOD,
            _("“%(text)s”不是有效的报告期，应为如“2024年第1季度”或“2024年”的形式。")
            % {"text": text},
        )
    )
    return None


def _parse_number(row: int, column: str, cell, errors: list[RowError]) -> Decimal | None:  # type: ignore[no-untyped-def]
    value = cell.value if cell is not None else None
    if _is_blank(value):
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        errors.append(RowError(row, column, _("不是有效数字，请填写数值。")))
        return None
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            errors.append(
                RowError(
                    row,
                    column,
                    _("“%(text)s”不是有效数字，请只填写数值（不带单位或文字）。") % {"text": value},
                )
            )
            return None
    if not number.is_finite():
        errors.append(RowError(row, column, _("不是有效数字，请填写数值。")))
        return None
    return number


def _normalise_header(value: object) -> str:
    if value is None:
        return ""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(value)))


def _text(cell, *, normalise: bool = True) -> str:  # type: ignore[no-untyped-def]
    """A cell as trimmed text; codes and periods are NFKC-folded (全角 digits → ASCII)."""
    if cell is None or cell.value is None:
        return ""
    text = str(cell.value)
    return (unicodedata.normalize("NFKC", text) if normalise else text).strip()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
