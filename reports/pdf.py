"""HTML → PDF with WeasyPrint, offline and with the CJK fonts embedded.

GB/T 9704-2012 sets a 公文 in four typefaces (docs/report.md "Fonts"): 仿宋 for the body,
小标宋 for the title, 黑体 for level-1 and 楷体 for level-2 headings. The stylesheet names the
free Fandol families for them (FandolFang, FandolSong, FandolHei, FandolKai: GPL with the font
exception, from Debian's texlive-lang-chinese, installed by scripts/system-deps.sh and the
Dockerfile) with Noto CJK (fonts-noto-cjk) after each, found through fontconfig; WeasyPrint
embeds the subset it uses. When a Fandol family is missing, the text falls back to Noto (never
tofu) and the report says which font stood in (``report_fonts_missing``). Nothing is fetched
at run time: the URL fetcher accepts only ``file:`` and ``data:`` URLs, so a stray ``http``
reference fails loudly in tests instead of reaching the network from an offline intranet.

This module knows nothing about reports or Django models: HTML in, bytes out.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from dataclasses import dataclass

from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

logger = logging.getLogger(__name__)

#: The fallback families the report stylesheet uses; fontconfig must know both.
CJK_SERIF = "Noto Serif CJK SC"
CJK_SANS = "Noto Sans CJK SC"


@dataclass(frozen=True)
class FontRole:
    role: str  # what GB/T 9704 asks for
    family: str  # the free font that provides it
    fallback: str  # what the stylesheet falls back to


#: The four typefaces of a 公文 (GB/T 9704-2012 and its usual practice), in the stylesheet.
FONT_ROLES = (
    FontRole("仿宋（正文）", "FandolFang", CJK_SERIF),
    FontRole("小标宋（标题）", "FandolSong", CJK_SERIF),
    FontRole("黑体（一级标题）", "FandolHei", CJK_SANS),
    FontRole("楷体（二级标题）", "FandolKai", CJK_SERIF),
)


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


@functools.cache
def _installed_families() -> str:
    if shutil.which("fc-list") is None:
        return ""
    return subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False,
    ).stdout


def cjk_fonts_missing() -> list[str]:
    """The fallback families fontconfig cannot find (empty when all are installed)."""
    listed = _installed_families()
    return [family for family in (CJK_SERIF, CJK_SANS) if family not in listed]


def report_fonts_missing() -> list[FontRole]:
    """The 公文 typefaces not installed here: the report then says which font stood in."""
    listed = _installed_families()
    missing = [role for role in FONT_ROLES if role.family not in listed]
    for role in missing:
        logger.warning("font %s for %s is not installed; %s stands in (scripts/system-deps.sh)",
                       role.family, role.role, role.fallback)
    return missing
