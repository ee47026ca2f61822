"""The browser of the end-to-end tests (tests/e2e/browser.py says how it is driven)."""

from __future__ import annotations

import pytest

from tests.e2e.browser import CHROMEDRIVER, CHROMIUM, DESKTOP, FLAGS, SCREENSHOTS


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
