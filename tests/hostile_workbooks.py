"""Hostile .xlsx files for the upload limits (issue 12 row 1) and the bad-input fuzzing.

Built by hand with zipfile, as an attacker would, rather than with openpyxl: rows without
``r=`` attributes, inline strings, forged dimensions, and sheets that inflate far beyond the
5 MB upload limit. Each builder streams its sheet into the zip, so building stays cheap.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

from indicators.excel.reader import COLUMNS, SHEET_NAME

_OOXML = "http://schemas.openxmlformats.org"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = f"{_OOXML}/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Types xmlns="{_OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{_OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{_OOXML}/spreadsheetml/2006/main" xmlns:r="{_REL}">'
    f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{_OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _sheet(rows: int, columns: int, dimension: str = "") -> Iterator[bytes]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<worksheet xmlns="{_OOXML}/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + "<sheetData>"
    ).encode()
    header = [*COLUMNS, *(f"备注{i}" for i in range(columns - len(COLUMNS)))][:columns]
    yield ("<row>" + "".join(_cell(name) for name in header) + "</row>").encode()
    row = ("<row>" + _cell("x") * columns + "</row>").encode()
    chunk = row * 1000
    full, rest = divmod(rows, 1000)
    for _ in range(full):
        yield chunk
    yield row * rest
    yield b"</sheetData></worksheet>"


def workbook(rows: int, columns: int = len(COLUMNS), *, dimension: str = "",
             extra_members: int = 0) -> bytes:
    """A workbook whose sheet 填报数据 has a header and ``rows`` rows of ``columns`` tiny inline
    cells, none with an ``r=`` attribute."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in _sheet(rows, columns, dimension):
                sheet.write(part)
        for i in range(extra_members):
            archive.writestr(f"xl/media/pad{i}.bin", b"")
    return buffer.getvalue()


def forged_size_bomb() -> bytes:
    """A small, valid sheet whose zip *declares* a member of 4 GB (a lying central directory)."""
    data = bytearray(workbook(1))
    # Patch the sheet's declared uncompressed size in the central directory (field at +24).
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02" + bytes(0), 0)
    while at != -1:
        name_length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_length] == name:
            data[at + 24:at + 28] = (0xFFFFFFFE).to_bytes(4, "little")
            break
        at = data.rfind(b"PK\x01\x02", 0, at)
    return bytes(data)


#: name → (builder, words the refusal must contain). The 300,000-row sheet is the reported one.
HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "300000 rows x 11 inline cells, no r=": (lambda: workbook(300_000), "超过上限"),
    "30000 rows (under the size limit)": (lambda: workbook(30_000), "文件超过20000行"),
    "a row of 5000 columns": (lambda: workbook(3, 5000), "列"),
    "forged dimension A1:XFD1048576": (lambda: workbook(2, dimension="A1:XFD1048576"), "列"),
    "600 zip members": (lambda: workbook(2, extra_members=600), "部件"),
    "a declared 4 GB member": (forged_size_bomb, "超过上限"),
    "not a zip at all": (lambda: b"\x00" * 1024 + b"PK", "不是Excel"),
    "a truncated zip": (lambda: workbook(50)[:-200], "不是Excel"),
}
