"""The one tabular writer: every CSV and XLSX the system hands out goes through here.

Its job is the rule the files share (docs/reliability.md, part B, row 4): a cell that a
spreadsheet would run as a formula stays text. OWASP's CSV-injection advice names the
starting characters ``= + - @`` and tab and carriage return; text starting with one of them
(a username ``=HYPERLINK(…)``, evidence ``=1+1``) is

* in CSV, prefixed with an apostrophe (Excel shows the text, runs nothing);
* in XLSX, written as a string cell with Excel's own "quote prefix" style — what Excel
  stores when a user types ``'=1+1``. The text is kept as it was (no apostrophe added), it
  stays text if the user edits the cell, and a template read back gives the same value.

A plain number written as text (``-5.2``, ``+3``, ``12.5%``) is not a formula and is left
alone. No app imports: indicators (exports, the Excel template), reports (dashboard CSV)
and the feed's CSV renderer all use it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?\Z")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text)


def csv_value(value: Any) -> Any:
    """A CSV cell: formula-like text gets a leading apostrophe; anything else as it is."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def write_csv(stream: Any, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 BOM (Excel on a Chinese Windows reads GBK without it), header, rows. Row count."""
    stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow([csv_value(str(h)) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
        count += 1
    return count


def csv_text(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, headers, rows)
    return buffer.getvalue()


def xlsx_value(sheet: Any, value: Any) -> Any:
    """A value for ``sheet.append``: formula-like text becomes a quote-prefixed string cell."""
    if isinstance(value, str) and looks_like_formula(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl made it a formula ("f") when the value was set
        cell.quotePrefix = True
        return cell
    return value


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(sheet, value) for value in values]


def xlsx_table(*, title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook (streamed: write-only), header row first."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(xlsx_row(sheet, [str(h) for h in headers]))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    return xlsx_bytes(book)


def xlsx_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
