"""End to end: every dashboard page in headless Chromium against a live server.

Debian's chromium and chromedriver (package chromium-driver) drive the pages through
selenium; nothing is downloaded. Each page must draw its Plotly charts (``.js-plotly-plot``
with a ``.main-svg``) and log no console error. Screenshots go to ``artifacts/screenshots/``
(CI keeps them as artifacts): every page at 1366x768, plus the overview at phone width.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.browser import CHROMIUM, DESKTOP, PHONE, console_errors, load, log_in, save
from tests.e2e.seed import build_seed
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) "
                       "is not installed: apt-get install chromium chromium-driver"),
]


def test_every_dashboard_page_draws_its_charts_without_console_errors(
    live_server, transactional_db, browser, screenshots
):
    seed = build_seed()
    admin = UserFactory(username="e2e-admin", is_superuser=True, is_staff=True,
                        first_name="演示·管理员")
    admin.save()  # keep the password the factory set
    log_in(browser, live_server.url, "e2e-admin")
    pages = {
        "overview": (reverse("reports:overview"), 2),
        "plan-list": (reverse("reports:plan-list"), 1),
        "plan-detail": (reverse("reports:plan-detail", args=[seed.plans["ganyu"].code]), 1),
        "plan-detail-closed": (
            reverse("reports:plan-detail", args=[seed.plans["dongtou"].code]), 1),
        "department-list": (reverse("reports:department-list"), 1),
        "department-detail": (
            reverse("reports:department-detail", args=[seed.departments["scjg"].pk]), 1),
        "indicator-list": (reverse("reports:indicator-list"), 0),
        "indicator-detail": (
            reverse("reports:indicator-detail", args=[seed.indicators["quality"].code]), 1),
        "target-detail": (
            reverse("reports:target-detail", args=[seed.targets["quality"].pk]), 1),
    }
    for name, (path, expected_charts) in pages.items():
        charts = load(browser, live_server.url + path)

        assert charts == expected_charts, name
        assert browser.title.endswith("· QualityTrack"), name  # our page, not an error page
        assert console_errors(browser) == [], name
        save(browser, screenshots, f"{name}-1366x768", DESKTOP)

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    for name in ("overview", "target-detail"):
        load(browser, live_server.url + pages[name][0])
        assert console_errors(browser) == [], name
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"
        save(browser, screenshots, f"{name}-390x844", PHONE)


def test_charts_use_the_local_plotly_and_the_chinese_locale(
    live_server, transactional_db, browser
):
    seed = build_seed()
    admin = UserFactory(username="e2e-admin", is_superuser=True, is_staff=True)
    admin.save()
    log_in(browser, live_server.url, "e2e-admin")

    load(browser, live_server.url + reverse("reports:plan-detail", args=[seed.plans["ganyu"].code]))

    sources = browser.execute_script(
        "return Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    assert sources
    assert all(src.startswith(live_server.url) for src in sources)
    assert browser.execute_script("return Plotly.version").startswith(("2.", "3.", "4."))
    modebar = browser.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => b.getAttribute('data-title'))")
    assert "下载为PNG图片" in modebar
    assert "分享图表…" not in modebar  # no upload to Plotly's cloud from an intranet
    assert not browser.find_elements("css selector", ".modebar .plotlyjsicon")  # no logo
