"""Workbook → (rows, errors). Pure: no database, no request; it parses shape, nothing more.

Columns are found by their header text, not their position, so a user may reorder them.
Every problem is collected (not just the first), as a RowError naming the row as Excel shows
it, the column header and the reason. Whether a value is *allowed* (bounds, plan period,
duplicates in the database …) is decided by the service, not here.

Bounded work (issue 12 row 1, docs/reliability.md): a small .xlsx can hold a huge sheet (XML
compresses a thousandfold), so before parsing, the zip's declared member sizes are added up
and refused above MAX_UNCOMPRESSED_BYTES (zipfile never inflates a member past its declared
size, so the declaration bounds the work); the worksheets' XML is then streamed once through a
byte scan that counts ``<row`` and ``<c`` tags (milliseconds, where openpyxl's parser needs
seconds per 10,000 rows), refusing a sheet over MAX_ROWS or MAX_CELLS before it is parsed;
finally the sheet is *streamed* by openpyxl (read-only, row by row, constant memory) and rows,
columns and cells are counted again while reading, refused at the first row past a limit.
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
from openpyxl.worksheet.cell_range import CellRange

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
#: Columns a row may span (the template has 11; users add a few notes columns at most).
MAX_COLUMNS = 50
#: Cells read in all (header search included) before the file is refused.
MAX_CELLS = MAX_ROWS * 20
#: Sum of the zip members' uncompressed sizes: a full 20,000-row template is ~30 MB.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
#: Members in the zip: an Excel workbook has a few dozen.
MAX_MEMBERS = 500
_ROW_TAG = re.compile(rb"<(?:\w{1,10}:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:\w{1,10}:)?c[\s>/]")
_TAG_SPAN = 16  # the longest match of _ROW_TAG / _CELL_TAG
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SCAN_CHUNK = 1024 * 1024
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
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
    """Parse an uploaded template. Raises WorkbookError when the file cannot be read at all,
    or when it is larger than the limits (checked before and while reading)."""
    if not data:
        raise WorkbookError(_("上传的文件是空的，请选择填写好的Excel模板。"))
    not_excel = _("无法读取该文件：它不是Excel（.xlsx）文件。请使用下载的模板填写后上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_archive(archive)
        _scan_worksheets(archive)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise WorkbookError(not_excel) from error
    try:
        return _read_book(book, archive)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise WorkbookError(not_excel) from error
    finally:
        book.close()


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip that would inflate to more than MAX_UNCOMPRESSED_BYTES (a zip bomb)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(
            _("文件包含%(n)d个部件，超过上限%(max)d个，不是正常的Excel模板，请使用下载的模板。")
            % {"n": len(members), "max": MAX_MEMBERS}
        )
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            _("文件解压后约%(size)dMB，超过上限%(max)dMB（表格过大或文件异常）。"
              "请删除多余的行和列，或分批上传（每次不超过%(rows)d行）。")
            % {"size": total // (1024 * 1024), "max": MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
               "rows": MAX_ROWS}
        )


def _scan_worksheets(archive: zipfile.ZipFile) -> None:
    """Count row and cell tags of every worksheet in one streamed byte scan; refuse early."""
    for member in archive.infolist():
        if not _WORKSHEET.match(member.filename):
            continue
        rows = cells = 0
        carry = b""
        with archive.open(member) as source:
            while True:
                chunk = source.read(_SCAN_CHUNK)
                buffer = carry + chunk
                # Tags starting in the last few bytes are counted with the next chunk.
                end = len(buffer) if not chunk else max(0, len(buffer) - _TAG_SPAN)
                rows += sum(1 for m in _ROW_TAG.finditer(buffer) if m.start() < end)
                cells += sum(1 for m in _CELL_TAG.finditer(buffer) if m.start() < end)
                if rows > MAX_ROWS + _HEADER_SEARCH_ROWS:
                    raise WorkbookError(_("文件超过%(max)d行，请分批上传。") % {"max": MAX_ROWS})
                if cells > MAX_CELLS:
                    raise WorkbookError(
                        _("文件的单元格超过%(max)d个，请删除多余的行和列或分批上传。")
                        % {"max": MAX_CELLS}
                    )
                if not chunk:
                    break
                carry = buffer[end:]


def _read_book(book, archive: zipfile.ZipFile) -> ReadResult:
    if SHEET_NAME not in book.sheetnames:
        raise WorkbookError(
            _(
                "找不到工作表“%(sheet)s”（文件中的工作表：%(found)s）。请使用下载的模板，不要修改工作表名称。"
            )
            % {"sheet": SHEET_NAME, "found": "、".join(book.sheetnames)}
        )
    sheet = book[SHEET_NAME]
    budget = _Budget()
    header_row, columns = _find_header(sheet, budget)
    result = ReadResult()
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=header_row + 1), start=header_row + 1
    ):
        if row_number - header_row > MAX_ROWS:
            raise WorkbookError(_("文件超过%(max)d行，请分批上传。") % {"max": MAX_ROWS})
        budget.spend(row_number, cells)
        by_header = {name: cells[index] for name, index in columns.items() if index < len(cells)}
        if all(_is_blank(cell.value) for cell in by_header.values()):
            continue
        parsed = _parse_row(row_number, by_header, result.errors)
        if parsed is not None:
            result.rows.append(parsed)
    merged = _merged_cell_errors(_merged_ranges(archive, sheet), header_row, columns)
    result.errors[:0] = merged
    if not result.rows and not result.errors:
        raise WorkbookError(_("文件中没有填写任何数据行。"))
    return result


class _Budget:
    """Columns per row and cells in all, counted while the sheet streams by."""

    def __init__(self) -> None:
        self.cells = 0

    def spend(self, row_number: int, cells: tuple) -> None:
        if len(cells) > MAX_COLUMNS:
            raise WorkbookError(
                _("第%(row)d行有%(n)d列，超过上限%(max)d列。请删除模板以外的多余列后重新上传。")
                % {"row": row_number, "n": len(cells), "max": MAX_COLUMNS}
            )
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            raise WorkbookError(
                _("文件的单元格超过%(max)d个（读到第%(row)d行），请删除多余的行和列或分批上传。")
                % {"max": MAX_CELLS, "row": row_number}
            )


def _merged_ranges(archive: zipfile.ZipFile, sheet) -> list[CellRange]:
    """The sheet's merged ranges (read-only mode does not read them): its <mergeCell> tags.

    The member's size is bounded by ``_check_archive``, so one pass over it is cheap."""
    path = getattr(sheet, "_worksheet_path", "")
    if not path:
        return []
    with archive.open(path) as member:
        xml = member.read()
    return [CellRange(match.decode()) for match in _MERGE_CELL.findall(xml)]


def _find_header(sheet, budget: _Budget) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and each known column's 0-based index, found by name."""
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=_HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        budget.spend(row_number, cells)
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


def _merged_cell_errors(
    ranges: list[CellRange], header_row: int, columns: dict[str, int]
) -> list[RowError]:
    by_index = {index: name for name, index in columns.items()}
    errors = []
    for merged in sorted(ranges, key=lambda r: (r.min_row, r.min_col)):
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


def _parse_row(row: int, cells: dict, errors: list[RowError]) -> ParsedRow | None:
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


def _parse_period(row: int, cell, errors: list[RowError]) -> Period | None:
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


def _parse_number(row: int, column: str, cell, errors: list[RowError]) -> Decimal | None:
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


def _text(cell, *, normalise: bool = True) -> str:
    """A cell as trimmed text; codes and periods are NFKC-folded (全角 digits → ASCII)."""
    if cell is None or cell.value is None:
        return ""
    text = str(cell.value)
    return (unicodedata.normalize("NFKC", text) if normalise else text).strip()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
