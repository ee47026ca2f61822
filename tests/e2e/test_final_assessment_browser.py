"""The final-assessment page (终期评估, issue 15) in headless Chromium, and page 1 of its PDF.

洞头 十四五 enters 终期评估 by the calendar with a few 2025 figures approved; the office
overrides one verdict with a reason. Screenshots go to ``artifacts/screenshots/``:
``final-assessment.png`` (the page as the office sees it) and
``final-assessment-pdf-page1.png`` (pdftoppm of the exported PDF's first page).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import roles
from indicators.models import Observation
from targets import lifecycle
from targets.models import Plan
from tests.e2e.browser import CHROMIUM, console_errors, load, log_in, save
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def test_the_final_assessment_page_and_its_pdf(
    live_server, transactional_db, browser, screenshots
):
    call_command("loaddata", "seed_targets", verbosity=0)
    plan = Plan.objects.get(code="dongtou-14th")
    for code, value in {"T004": "97.0", "T005": "98.6", "T007": "30.0", "T001": "9.9"}.items():
        target = plan.targets.get(code=code)
        Observation.objects.create(indicator=target.indicator, region=plan.region, year=2025,
                                   value=Decimal(value), status=Observation.Status.APPROVED)
    lifecycle.plan_states_advance(today=datetime.date(2026, 1, 1))
    office = UserFactory.with_role("dt_office", roles.OFFICE, plan.region)
    office.first_name = "洞头·办公室"
    office.save()
    lifecycle.final_verdict_set(target=plan.targets.get(code="T007"), status="not_applicable",
                                reason="政策调整不再考核", user=office)
    lifecycle.final_assessment_narrate(
        plan=plan, narrative="“十四五”质量强区规划主要指标总体完成，个别指标因政策调整不再考核。")
    url = reverse("reports:final-assessment", args=[plan.code])

    log_in(browser, live_server.url, "dt_office")
    load(browser, live_server.url + url)
    assert "表1 主要指标完成情况" in browser.page_source
    assert console_errors(browser) == []
    save(browser, screenshots, "final-assessment",
         {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False})

    client = Client()
    client.force_login(office)
    pdf = client.get(url, {"format": "pdf"}).content
    assert pdf.startswith(b"%PDF")
    path = screenshots / "final-assessment.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(path), str(screenshots / "final-assessment-pdf-page1")], check=True)
        text = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "终期评估" in text
        assert "政策调整不再考核" in text or "不再考核" in text
