"""End to end: every dashboard page in headless Chromium against a live server.

Debian's chromium and chromedriver (package chromium-driver) drive the pages through
selenium; nothing is downloaded. Each page must draw its Plotly charts (``.js-plotly-plot``
with a ``.main-svg``) and log no console error. Screenshots go to ``artifacts/screenshots/``
(CI keeps them as artifacts): every page at 1366x768, plus the overview at phone width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.e2e.seed import build_seed
from tests.factories import PASSWORD, UserFactory
from tests.otp import code, device_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) "
                       "is not installed: apt-get install chromium chromium-driver"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver

    if not CHROMEDRIVER.exists():
        pytest.fail("chromium is installed but chromedriver is not: "
                    "apt-get install chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1366,768",
                 "--lang=zh-CN"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    )
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
    yield driver
    driver.quit()


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def console_errors(driver) -> list[str]:
    """Drain the browser log; return the errors (SEVERE) in it."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def log_in(driver, base_url: str, username: str) -> None:
    """The password, then (a superuser needs it) the code of the user's authenticator."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    device = device_for(get_user_model().objects.get(username=username))
    driver.get(base_url + reverse("login"))
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    # logged in: wait for the next page, the click does not wait for the navigation
    WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".account .who"))
    )
    if reverse("otp-verify") in driver.current_url:
        driver.find_element(By.ID, "id_otp_token").send_keys(code(device))
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda d: reverse("otp-verify") not in d.current_url)
    console_errors(driver)  # the login page is not ours to judge


def load(driver, url: str) -> int:
    """Open a page, wait until every chart on it is drawn; return the number of charts."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    islands = len(driver.find_elements(By.CSS_SELECTOR, "[data-figure]"))

    def drawn(d) -> bool:
        return len(d.find_elements(By.CSS_SELECTOR, "[data-figure].js-plotly-plot .main-svg")) \
            >= islands

    WebDriverWait(driver, 15).until(drawn)
    return islands


def save(driver, folder: Path, name: str, metrics: dict[str, object]) -> None:
    """The viewport as the user sees it, and the whole page for review."""
    driver.save_screenshot(str(folder / f"{name}.png"))
    height = driver.execute_script("return document.documentElement.scrollHeight")
    full = {**metrics, "height": min(int(height), 6000)}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", full)
    driver.save_screenshot(str(folder / f"{name}-full.png"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


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
