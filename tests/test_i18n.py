"""English second: the zh-hans UI translated to English, chosen by header or the header switch.

The catalog (locale/en/LC_MESSAGES/django.po) and its compiled .mo are committed, so the
checks below also guard against a msgid left untranslated or marked fuzzy, a placeholder
lost in translation, or a .mo that was not recompiled after the .po changed.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{[^{}]*\}|</?[a-zA-Z][^>]*>")


def _catalog() -> list[dict[str, object]]:
    """Every entry of the English .po (header included): its flags and fields, unquoted."""
    text = (LOCALE_DIR / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        entry: dict[str, object] = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}  # type: ignore[operator]
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)  # type: ignore[index]
            else:
                key, _, quoted = line.partition(" ")
                entry[key] = ast.literal_eval(quoted)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _translations(entry: dict[str, object]) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]  # type: ignore[misc]


def test_an_english_browser_still_gets_chinese_first(client):
    response = client.get(reverse("reports:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assertContains(response, ">总览</a>")
    assertContains(response, '<html lang="zh-hans">')


def test_home_page_in_english_once_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("reports:home"))

    assertContains(response, ">Overview</a>")
    assertContains(response, '<html lang="en">')
    assertNotContains(response, "总览")


def test_home_page_defaults_to_chinese(client):
    response = client.get(reverse("reports:home"))

    assertContains(response, ">总览</a>")
    assertContains(response, '<html lang="zh-hans">')
    assertNotContains(response, "Overview")


def test_header_switch_posts_to_set_language_without_script(client):
    response = client.get(reverse("reports:home") + "?page=1")
    html = response.content.decode()
    switch = html[
        html.index('class="langswitch"') : html.index("</form>", html.index("langswitch"))
    ]

    assert f'action="{reverse("set_language")}"' in html
    assert 'name="csrfmiddlewaretoken"' in switch
    assert '<input type="hidden" name="next" value="/?page=1">' in switch
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in switch
    assert '<option value="en" lang="en">English</option>' in switch
    assert "切换/Switch" in switch
    assert "<script" not in switch
    assert not re.search(r"\son[a-z]+=", switch)


def test_posting_to_set_language_switches_and_back(client, office_user):
    client.force_login(office_user)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assertRedirects(response, "/", fetch_redirect_response=False)
    english = client.get(reverse("reports:home"))
    for label in ["Overview", "Cities", "Departments", "Indicators", "Data entry", "Reports"]:
        assertContains(english, f">{label}</a>")
    assertContains(english, ">Approvals</a>")
    assertContains(english, "Log out")
    assertNotContains(english, "总览")

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assertContains(client.get(reverse("reports:home")), ">总览</a>")


def test_setlang_does_not_redirect_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_english_period_labels_still_parse_back_from_an_excel_template():
    """The entry template carries period.label; in English it must still read back."""
    from indicators.calendar import Period

    with translation.override("en"):
        assert Period(2024, 1).label == "2024 Q1"
        assert Period(2024).label == "2024"
        for period in (Period(2024, 1), Period(2024)):
            assert Period.parse(period.label.replace(" ", "")) == period


def test_every_msgid_is_translated_and_none_is_fuzzy():
    entries = _catalog()
    header, messages = entries[0], entries[1:]

    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"]
    assert len(messages) > 600
    for entry in messages:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translations = _translations(entry)
        assert translations, entry["msgid"]
        assert all(translations), entry["msgid"]
        if "msgid_plural" in entry:
            assert set(entry) >= {"msgstr[0]", "msgstr[1]"}, entry["msgid"]


def test_translations_keep_every_placeholder():
    for entry in _catalog()[1:]:
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for translation_ in _translations(entry):
            assert sorted(PLACEHOLDER.findall(translation_)) == expected, entry["msgid"]


def test_compiled_catalog_matches_the_po():
    with (LOCALE_DIR / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    for entry in _catalog()[1:]:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[1]"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


def test_milestone_states_are_read_in_either_language():
    from indicators.services.rules import normalise_state

    assert normalise_state("推进中") == "in_progress"
    assert normalise_state("In progress") == "in_progress"
    assert normalise_state("in_progress") == "in_progress"
    assert normalise_state("进行中吧") is None
