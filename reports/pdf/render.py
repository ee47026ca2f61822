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

Speed (docs/report.md "Speed"): WeasyPrint's own user-agent stylesheet styles six
pseudo-elements on *every* element (``::marker``, ``::footnote-call``…), so a 62-page report of
7,000 elements computed 42,000 pseudo-element styles it never drew: about a seventh of the
render. ``render_pdf`` uses that stylesheet with those rules scoped to the elements that can
have them and the ``[dir]`` rules (our documents set no ``dir``) left out, parsed once per
process; the PDF's bytes are the same as with the stock stylesheet. And Python's cyclic garbage
collector is paused while WeasyPrint works: the boxes and styles it allocates live until the
render ends, yet set off collection after collection that walks them and frees little (pausing
saved ~8 % of the render, peak memory unchanged).

This module knows nothing about reports or Django models: HTML in, bytes out.
"""

from __future__ import annotations

import functools
import gc
import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as STOCK_UA_CSS
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


#: Rules of WeasyPrint's user-agent stylesheet that match every element, each as it is written
#: there and as ``render_pdf`` writes it: scoped to the elements that can use it (list items;
#: footnotes and notes must carry the class ``footnote`` / ``note``, none of ours has any).
UA_PSEUDO_RULES = (
    ("\n::marker {", "\nli::marker, summary::marker {"),
    ("\n::footnote-call {", "\n.footnote::footnote-call {"),
    ("\n::footnote-marker {", "\n.footnote::footnote-marker {"),
    ("\n::note-call {", "\n.note::note-call {"),
    ("\n::note-marker {", "\n.note::note-marker {"),
    ("\n::note-callback {", "\n.note::note-callback {"),
)


@functools.cache
def lean_ua_stylesheet() -> CSS | None:
    """WeasyPrint's user-agent stylesheet without the rules that cost and draw nothing here.

    Parsed once per process (CSS objects are read-only once built, WeasyPrint shares its own
    the same way). None when a WeasyPrint upgrade changed the rules: the stock one is used.
    """
    text = STOCK_UA_CSS
    for stock, lean in UA_PSEUDO_RULES:
        if stock not in text:
            logger.warning("WeasyPrint's UA stylesheet has no %r: using it unchanged", stock)
            return None
        text = text.replace(stock, lean)
    # direction rules ([dir=rtl i] dd …): tested on every element, and no page of ours sets dir
    text = "\n".join(line for line in text.splitlines() if "[dir" not in line)
    # a counter-style registry of its own: the stock sheet registered these rules already
    return CSS(string=text, counter_style=CounterStyle())


class LeanHTML(HTML):
    """``weasyprint.HTML`` styled by ``lean_ua_stylesheet`` (WeasyPrint's hook for it)."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        lean = lean_ua_stylesheet()
        if lean is None or forms:
            return super()._ua_stylesheets(forms=forms)
        return [lean]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees).

    Process-wide, so it is switched back on only by whoever switched it off: with two renders
    in two threads, the first to finish turns it on again, which is merely slower.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html: str, base_url: str) -> bytes:
    """Render ``html`` to PDF bytes; relative URLs resolve against ``base_url``.

    Deterministic: the PDF's dates come from the document's ``dcterms.created`` and
    ``dcterms.modified`` meta tags, and its /ID is derived from the content, so the same
    HTML gives the same bytes.
    """
    with gc_paused():
        font_config = FontConfiguration()
        document = LeanHTML(string=html, base_url=base_url, url_fetcher=OfflineURLFetcher())
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
