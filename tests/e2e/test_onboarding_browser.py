"""End to end (issue 14): the office onboards a plan from a .docx in headless Chromium.

The .docx is made here with python-docx from the 赣榆 seed plan. The office uploads it from
the 城市/规划 list, sees the proposals with their quotes highlighted in the text, edits one,
rejects one, adds one the extractor missed by selecting its sentence, publishes; the
reporter of a lead department (区市场监管局) then sees the new targets due. Screenshots in
``artifacts/screenshots/onboarding-*.png``.
"""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts import roles
from onboarding.models import Proposal
from targets.models import Plan
from tests.e2e.browser import CHROMIUM, DESKTOP, console_errors, log_in, save
from tests.factories import DepartmentFactory, RegionFactory, UserFactory
from tests.onboarding.docs import docx_bytes

SEED = Path(settings.SEEDS_DIR) / "000_5930297db1fd55d6.txt"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ADDED = "培育省级中小企业公共服务示范平台"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not SEED.is_file(), reason="seed documents not available"),
]


def _wait(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _click_and_reload(driver, element):
    from selenium.webdriver.support import expected_conditions

    element.click()
    _wait(driver, expected_conditions.staleness_of(element))


def _row(driver, proposal: Proposal):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, f"row-{proposal.pk}")


SELECT_SENTENCE = """
const doc = document.getElementById('document-text');
const walker = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
let node;
while ((node = walker.nextNode())) {
  const i = node.data.indexOf(arguments[0]);
  if (i >= 0) {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + arguments[0].length);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return true;
  }
}
return false;
"""


def test_office_onboards_a_docx_and_the_reporter_sees_its_targets(
    live_server, transactional_db, browser, screenshots, tmp_path, time_machine
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # Mid-January 2026: the 2025 figures of the 2025–2027 plan are due.
    time_machine.move_to(datetime.datetime(2026, 1, 15, 9, tzinfo=SHANGHAI), tick=True)
    province = RegionFactory(code="320000", name="江苏省", level="province")
    city = RegionFactory(code="320700", name="连云港市", level="city", parent=province)
    district = RegionFactory(code="320707", name="赣榆区", level="district", parent=city)
    scjg = DepartmentFactory(region=district, name="区市场监管局")
    DepartmentFactory(region=district, name="区工信局")
    UserFactory.with_role("e2e-office", roles.OFFICE, district).first_name = "办公室"
    UserFactory.with_role("e2e-scjg", roles.REPORTER, district, scjg)
    path = tmp_path / "品质赣榆建设行动方案.docx"
    path.write_bytes(docx_bytes(SEED.read_text(encoding="utf-8").split("\n")))

    # The office: 城市/规划 → 录入新规划 → upload with the metadata.
    log_in(browser, live_server.url, "e2e-office")
    browser.get(live_server.url + reverse("reports:plan-list"))
    browser.find_element(By.ID, "onboard-link").click()
    fields = {
        "id_title": "“品质赣榆”建设行动方案(2025-2027年)", "id_doc_number": "赣政办发〔2025〕10",
        "id_issuer": "连云港市赣榆区人民政府办公室", "id_start_year": "2025",
        "id_end_year": "2027",
    }
    for field, value in fields.items():
        browser.find_element(By.ID, field).send_keys(value)
    browser.execute_script("document.getElementById('id_issue_date').value = '2025-07-02'")
    Select(browser.find_element(By.ID, "id_region")).select_by_visible_text("赣榆区")
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    save(browser, screenshots, "onboarding-upload-1366x768", DESKTOP)
    _click_and_reload(browser, browser.find_element(By.ID, "upload-submit"))

    # The review page: proposals beside the document, quotes highlighted.
    plan = Plan.objects.get(status=Plan.Status.DRAFT)
    marks = browser.find_elements(By.CSS_SELECTOR, "#document-text mark.quote")
    assert len(marks) >= 20
    assert "力争获评省长质量奖1家" in "".join(m.text for m in marks)
    rows = browser.find_elements(By.CSS_SELECTOR, "#proposals tr.proposal")
    assert len(rows) == Proposal.objects.filter(document__plan=plan).count() >= 26
    first = Proposal.objects.filter(document__plan=plan).order_by("order").first()
    _row(browser, first).find_element(By.CSS_SELECTOR, ".show-quote").click()
    assert browser.find_elements(By.CSS_SELECTOR, f"mark.q-{first.pk}.active")
    save(browser, screenshots, "onboarding-review-1366x768", DESKTOP)

    # Edit one: the 市长质量奖 target gets the office's indicator name.
    award = Proposal.objects.get(document__plan=plan, indicator_name="市长质量奖")
    name = _row(browser, award).find_element(By.ID, f"id_p{award.pk}-indicator_name")
    name.clear()
    name.send_keys("市长质量奖获奖企业数(新增)")
    _click_and_reload(browser, _row(browser, award).find_element(By.CSS_SELECTOR, "button.save"))
    # Reject one: the 60 次 of culture events, and the qualitative goals.
    events = Proposal.objects.get(document__plan=plan, value=60)
    for proposal in [events, *Proposal.objects.filter(document__plan=plan, qualitative=True)]:
        _click_and_reload(
            browser, _row(browser, proposal).find_element(By.CSS_SELECTOR, "button.reject")
        )
    # Add one the extractor missed: select its sentence in the document.
    assert browser.execute_script(SELECT_SENTENCE, ADDED)
    _wait(browser, lambda d: d.find_element(By.ID, "id_end").get_attribute("value"))
    _click_and_reload(browser, browser.find_element(By.ID, "add-selected"))
    added = Proposal.objects.get(document__plan=plan, origin="office")
    assert added.source_quote == ADDED
    Select(_row(browser, added).find_element(By.ID, f"id_p{added.pk}-kind")).select_by_value(
        "milestone"
    )
    lead = _row(browser, added).find_element(By.ID, f"id_p{added.pk}-lead_text")
    lead.clear()
    lead.send_keys("区工信局")
    _click_and_reload(browser, _row(browser, added).find_element(By.CSS_SELECTOR, "button.save"))
    _click_and_reload(browser, browser.find_element(By.ID, "accept-pending"))
    assert browser.find_element(By.ID, "count-pending").text == "0"
    save(browser, screenshots, "onboarding-reviewed-1366x768", DESKTOP)

    # Publish: the plan page of the new plan.
    _click_and_reload(browser, browser.find_element(By.ID, "publish"))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.IN_FORCE
    assert plan.targets.count() == 26  # 26 proposed, 1 rejected, 1 added
    assert plan.targets.get(source_quote=award.source_quote).indicator.name == (
        "市长质量奖获奖企业数(新增)"
    )
    assert "“品质赣榆”建设行动方案" in browser.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []
    save(browser, screenshots, "onboarding-published-1366x768", DESKTOP)

    # The reporter of a lead department sees its new targets due.
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "e2e-scjg")
    browser.get(live_server.url + reverse("indicators:due"))
    due = browser.find_element(By.TAG_NAME, "main").text
    assert "叉车智慧监管系统接入率" in due
    assert "省长质量奖" in due
    save(browser, screenshots, "onboarding-reporter-due-1366x768", DESKTOP)
