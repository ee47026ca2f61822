"""Build real .docx and .pdf plan documents in tests (python-docx, WeasyPrint, pypdf)."""

from __future__ import annotations

import io

SEED_TABLE_HEADER = ("关键领域", "主要指标", "单位", "2025年目标值")


def docx_bytes(
    paragraphs: list[str],
    table: list[tuple[str, ...]] | None = None,
    table_after: int | None = None,
) -> bytes:
    """A Word file: ``paragraphs`` in order, ``table`` (rows of cells) after paragraph
    ``table_after`` (default: at the end)."""
    import docx

    document = docx.Document()
    at = len(paragraphs) if table_after is None else table_after
    for i, text in enumerate(paragraphs):
        if i == at and table:
            _table(document, table)
        document.add_paragraph(text)
    if at >= len(paragraphs) and table:
        _table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document, rows):
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def pdf_bytes(text: str) -> bytes:
    """A PDF with a text layer (WeasyPrint embeds the CJK font)."""
    from html import escape

    from weasyprint import HTML

    body = "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line.strip())
    html = f"<html><body style='font-family: \"Noto Sans CJK SC\"'>{body}</body></html>"
    return HTML(string=html).write_pdf()


def scanned_pdf_bytes() -> bytes:
    """A PDF with pages but no text layer, as a scanner makes it."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
