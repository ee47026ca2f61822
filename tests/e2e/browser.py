"""Headless Chromium for the end-to-end tests: where it is, how it starts, how a page is read.

Debian's chromium and chromedriver (package chromium-driver) drive the pages through
selenium; nothing is downloaded. The fixtures that start it are in tests/e2e/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD
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
