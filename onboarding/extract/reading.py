"""Read a plan document into plain text (docs/onboarding.md §1).

* ``.txt``: UTF-8 (with or without BOM), GB18030 as the fallback Chinese offices still use;
* ``.docx``: python-docx, paragraphs **and** tables in document order. A table row becomes
  one line, its cells joined by a tab, so the extractor's table grammar sees a row as a row;
* ``.pdf``: pypdf's text layer. A scanned PDF has none and is refused, not OCR'd.

Every refusal is a :class:`DocumentError` with a Chinese message naming the file and the
reason; nothing is saved by the caller when one is raised.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # a 200-page plan is ~2 MB; 20 MB leaves room for images
SUFFIXES = (".txt", ".docx", ".pdf")
# A "text layer" worth the name: at least this many CJK characters or digits.
_MIN_TEXT = 20
_WORD = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


class DocumentError(ValueError):
    """A file that cannot be read as a plan document (message in Chinese)."""


def read_document(name: str, data: bytes) -> str:
    """The document's text; raises :class:`DocumentError` for a bad file."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(
            f"文件“{name}”的类型不受支持:只接受 .docx、.pdf(须有文字层)或 .txt 文件"
        )
    if not data:
        raise DocumentError(f"文件“{name}”是空文件")
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"文件“{name}”过大({len(data) / 1024 / 1024:.1f} MB),上限为 "
            f"{MAX_BYTES // 1024 // 1024} MB"
        )
    if suffix == ".txt":
        text = _read_txt(name, data)
    elif suffix == ".docx":
        text = _read_docx(name, data)
    else:
        text = _read_pdf(name, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_WORD.findall(text)) < _MIN_TEXT:
        if suffix == ".pdf":
            raise DocumentError(
                f"文件“{name}”没有文字层(可能是扫描件):请上传带文字层的 PDF、Word 文件或粘贴文本"
            )
        raise DocumentError(f"文件“{name}”没有可读的正文")
    return text


def read_path(path: Path | str) -> str:
    path = Path(path)
    return read_document(path.name, path.read_bytes())


def _read_txt(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"文件“{name}”不是 UTF-8 或 GB18030 编码的文本")


def _read_docx(name: str, data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a non-docx zip
        raise DocumentError(f"文件“{name}”不是有效的 Word(.docx)文件") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    # Merged cells repeat; keep one copy (they are the same object text).
                    text = " ".join(cell.text.split("\n")).strip()
                    if not cells or text != cells[-1]:
                        cells.append(text)
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _read_pdf(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(f"文件“{name}”已加密,请上传未加密的 PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(f"文件“{name}”不是有效的 PDF 文件") from exc
    return unwrap("\n".join(pages))


_SENTENCE_END = "。；;！!？?：:"


def _width(line: str) -> int:
    return sum(1 if ch.isascii() else 2 for ch in line)


def unwrap(text: str) -> str:
    """Join the lines a PDF wrapped because they were full (docs/onboarding.md §1).

    A PDF's text layer breaks a paragraph at every line end. A line is *full* when its
    display width (CJK 2, ASCII 1) reaches 90 % of the 95th percentile of the document's
    line widths; a full line that does not end a sentence continues on the next line.
    Short lines — headings, table cells, the last line of a paragraph — stay as they are.
    """
    lines = text.split("\n")
    widths = sorted(_width(line.rstrip()) for line in lines if line.strip())
    if len(widths) < 5:
        return text
    full = 0.9 * widths[int(0.95 * (len(widths) - 1))]
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and line.strip():
            previous = out[-1].rstrip()
            if _width(previous) >= full and previous[-1] not in _SENTENCE_END:
                out[-1] = previous + line.strip()
                continue
        out.append(line)
    return "\n".join(out)
