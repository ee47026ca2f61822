"""End to end: each role signs in through the real forms and lands on its work (docs/roles.md).

Headless Chromium (Debian's chromium and chromedriver, as in test_dashboards_browser.py).
Every landing page is saved at 1366x768 and 390x844 into ``artifacts/screenshots/``; on the
phone the navigation is one 「菜单」 line that opens to every entry of the role, 审核 included.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import roles
from tests.e2e.browser import DESKTOP, PHONE, console_errors, load, log_in, save
from tests.e2e.seed import build_seed
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

#: username → (role, landing URL name, an entry its navigation must show)
PERSONAS = {
    "office": (roles.OFFICE, "reports:overview", "审核"),
    "leader": (roles.LEADER, "reports:overview", "报告"),
    "reporter": (roles.REPORTER, "indicators:due", "数据填报"),
    "auditor": (roles.AUDITOR, "indicators:audit-log", "审计日志"),
    "security": (roles.SECURITY, "accounts:account-list", "账号管理"),
    "sysadmin": (roles.ADMIN, "system", "系统"),
}


def _path(driver) -> str:
    return driver.execute_script("return location.pathname")


def test_each_role_lands_on_its_work_on_desktop_and_phone(
    live_server, transactional_db, browser, screenshots
):
    from selenium.webdriver.common.by import By

    seed = build_seed()
    ganyu = seed.regions["赣榆"]
    for username, (role, _landing, _entry) in PERSONAS.items():
        department = seed.departments["scjg"] if role == roles.REPORTER else None
        user = UserFactory.with_role(username, role, ganyu, department)
        user.first_name = f"演示·{username}"
        user.save()

    for username, (_role, landing, entry) in PERSONAS.items():
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
        browser.delete_all_cookies()
        log_in(browser, live_server.url, username)  # no next: the login chooses the page

        assert _path(browser) == reverse(landing), username
        load(browser, browser.current_url)  # wait for its charts, if any
        assert console_errors(browser) == [], username
        nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.mainnav a")]
        assert entry in nav, (username, nav)
        assert not browser.find_element(By.CSS_SELECTOR, ".navmenu > summary").is_displayed()
        save(browser, screenshots, f"landing-{username}-1366x768", DESKTOP)

        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        load(browser, browser.current_url)
        menu = browser.find_element(By.CSS_SELECTOR, "details.navmenu")
        assert menu.get_attribute("open") is None, f"{username}: the menu is not folded"
        save(browser, screenshots, f"landing-{username}-390x844", PHONE)
        browser.find_element(By.CSS_SELECTOR, ".navmenu > summary").click()
        link = browser.find_element(By.LINK_TEXT, entry)
        assert link.is_displayed(), f"{username}: {entry} not reachable on a phone"
        right = browser.execute_script(
            "return arguments[0].getBoundingClientRect().right", link)
        assert right <= PHONE["width"], f"{username}: {entry} is off-screen"
        if username == "office":
            save(browser, screenshots, "landing-office-390x844-menu", PHONE)
            link.click()
            assert _path(browser) == reverse("indicators:approvals")
            summary = browser.find_element(By.CSS_SELECTOR, ".navmenu > summary").text
            assert summary == "菜单 · 审核"
