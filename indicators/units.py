"""Units as each language reads them (docs/roles.md, "English").

Chinese shows a unit as the plan writes it, glued to the number: 93.5%, 5个, 12家. English
keeps symbols (%, μg/m³ spelled as a symbol) and translates unit *words* through gettext, with
a space: "12 firms", "3 batches". A plain counting word that English leaves out (个) shows
nothing: "5". The msgids carry a 「单位：」 prefix so that a unit word (项 = items) never
shares its translation with the same character used elsewhere (项 = targets).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Never translated: the same in every language.
SYMBOLS = frozenset({"%", "‰", "℃"})
#: Counting words English leaves out.
SILENT_IN_ENGLISH = frozenset({"个"})
#: Unit words of the seed plans and their English.
WORDS = {
    "家": _("单位：家"),
    "项": _("单位：项"),
    "件": _("单位：件"),
    "次": _("单位：次"),
    "名": _("单位：名"),
    "张": _("单位：张"),
    "人": _("单位：人"),
    "起": _("单位：起"),
    "条": _("单位：条"),
    "分": _("单位：分"),
    "元": _("单位：元"),
    "吨": _("单位：吨"),
    "亿元": _("单位：亿元"),
    "批次": _("单位：批次"),
    "万批次": _("单位：万批次"),
    "批次/千人": _("单位：批次/千人"),
    "万元/人": _("单位：万元/人"),
    "吨/万元GDP": _("单位：吨/万元GDP"),
    "微克/立方米": _("单位：微克/立方米"),
}


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def unit_label(unit: str | None) -> str:
    """The unit as the current language writes it ("" for none)."""
    unit = unit or ""
    if not unit or _chinese() or unit in SYMBOLS:
        return unit
    if unit in SILENT_IN_ENGLISH:
        return ""
    word = WORDS.get(unit)
    return str(word) if word is not None else unit


def with_unit(text: str, unit: str | None) -> str:
    """A formatted number and its unit: "93.5%", "5个" / "5", "12家" / "12 firms"."""
    label = unit_label(unit)
    if not label:
        return text
    if _chinese() or label in SYMBOLS:
        return f"{text}{label}"
    return f"{text} {label}"
