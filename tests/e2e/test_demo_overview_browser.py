"""The office's 总览 on the demo history, in headless Chromium (issue 16 acceptance).

The database gets the seed plans, the demo accounts and the demo history exactly as
``make run`` loads them; the office logs in through the real forms (password, then the code
of its demo authenticator). 总览 must list the lagging targets worst first with their gaps in
words, list what changed with a link to each target, and print to A4 PDF pages that carry
the charts (checked with poppler's pdfinfo and pdfimages).
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from indicators.management.commands.create_demo_users import DEFAULT_PASSWORD
from tests.e2e.browser import CHROMIUM, console_errors, load
from tests.otp import code, device_for

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler-utils"),
]


@pytest.fixture
def demo_history(transactional_db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("loaddata", "seed_targets", verbosity=0)
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo_history", stdout=open("/dev/null", "w"))  # noqa: SIM115


def log_in_office(driver, base_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    device = device_for(get_user_model().objects.get(username="office"))
    driver.get(base_url + reverse("login"))
    driver.find_element(By.ID, "id_username").send_keys("office")
    driver.find_element(By.ID, "id_password").send_keys(DEFAULT_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: reverse("login") not in d.current_url)
    if reverse("otp-verify") in driver.current_url:
        driver.find_element(By.ID, "id_otp_token").send_keys(code(device))
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda d: reverse("otp-verify") not in d.current_url)
    console_errors(driver)


def _pace(text: str) -> float:
    match = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(match.group()) if match else float("inf")


def test_office_overview_on_the_demo_history(live_server, demo_history, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_page_load_timeout(180)  # a loaded CI box: the first page warms pandas/plotly up
    log_in_office(browser, live_server.url)
    charts = load(browser, live_server.url + reverse("reports:overview"))
    assert charts == 2
    assert "演示数据" in browser.find_element(By.CSS_SELECTOR, ".demo-banner").text

    # Lagging and off-track targets, worst pace first, each gap in words (behind: 落后).
    behind = browser.find_element(
        By.XPATH, "//section[h2[contains(., '进度滞后与严重滞后的目标')]]")
    rows = behind.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows, "the demo history has targets behind"
    gaps = [row.find_element(By.CSS_SELECTOR, "td.gap").text for row in rows]
    assert all(gap.startswith("落后 ") for gap in gaps), gaps
    paces = [_pace(row.find_elements(By.TAG_NAME, "td")[-1].text) for row in rows]
    assert paces == sorted(paces)

    # What changed: not empty, every entry links to its target.
    entries = browser.find_elements(By.CSS_SELECTOR, "#what-changed tbody tr")
    assert entries
    for entry in entries:
        link = entry.find_element(By.CSS_SELECTOR, "a.change-target")
        assert re.search(r"/targets/\d+/$", link.get_attribute("href")), link.get_attribute(
            "href")

    # Print: A4 pages, the charts as images, no navigation.
    WebDriverWait(browser, 20).until(lambda d: len(d.find_elements(
        By.CSS_SELECTOR, "[data-print-ready]")) == charts)
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    options.background = True
    pdf = base64.b64decode(browser.print_page(options))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "overview-print.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size, info
    assert abs(float(size.group(1)) - 595.3) < 2
    assert abs(float(size.group(2)) - 841.9) < 2
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) >= charts, images
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "进度滞后与严重滞后的目标" in text
    assert "API令牌" not in text
    assert "切换/Switch" not in text
    browser.save_screenshot(str(tmp_path / "overview.png"))
