"""HTML → PDF with WeasyPrint, offline and with the CJK font embedded.

Fonts come from Debian's fonts-noto-cjk through fontconfig: the stylesheets name the
families ("Noto Serif CJK SC" for the 仿宋/宋体-style body, "Noto Sans CJK SC" for 黑体-style
headings) and WeasyPrint embeds the subset it uses. Nothing is fetched at run time: the URL
fetcher accepts only ``file:`` and ``data:`` URLs, so a stray ``http`` reference fails
loudly in tests instead of reaching the network from a server on an offline intranet.

This module knows nothing about reports or Django models: HTML in, bytes out.
"""

from __future__ import annotations

import shutil
import subprocess

from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

#: The families the report stylesheet uses; fontconfig must know both.
CJK_SERIF = "Noto Serif CJK SC"
CJK_SANS = "Noto Sans CJK SC"


class OfflineURLFetcher(URLFetcher):
    """WeasyPrint's fetcher restricted to local files and inline data."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)


def render_pdf(html: str, base_url: str) -> bytes:
    """Render ``html`` to PDF bytes; relative URLs resolve against ``base_url``.

    Deterministic: the PDF's dates come from the document's ``dcterms.created`` and
    ``dcterms.modified`` meta tags, and its /ID is derived from the content, so the same
    HTML gives the same bytes.
    """
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=base_url, url_fetcher=OfflineURLFetcher())
    return document.write_pdf(font_config=font_config)


def cjk_fonts_missing() -> list[str]:
    """The report font families fontconfig cannot find (empty when all are installed)."""
    if shutil.which("fc-list") is None:
        return [CJK_SERIF, CJK_SANS]
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"],
        capture_output=True, text=True, check=False,
    ).stdout
    return [family for family in (CJK_SERIF, CJK_SANS) if family not in listed]
