"""The gap says the same thing, with the same sign and words, on every surface (issue 16).

Four targets computed by the real engine from approved figures: a ≥ target ahead and
behind, a ≤ target ahead and behind. The plan page, the PDF report, the CSV export and the
public feed must each show 超前/落后 with the same number and unit (docs/monitoring.md
"Gap words"; docs/progress.md "Gap, one sign everywhere").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from indicators.models import Indicator
from reports.pdf.data import report_scope_resolve
from reports.services import report_pdf_render
from targets.services import progress_recompute
from tests.factories import (
    DepartmentFactory,
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    TargetFactory,
)

QUARTER = "2024Q1"

#: code → (comparator, target, baseline, 2023 figure, expected words). Elapsed share at the
#: 2023 figure is 12/20 quarters = 0.6, so the expected value is b + 0.6·(T - b).
CASES = {
    "G01": ("ge", 96, 90, "95.5", "超前 1.9%"),  # expected 93.6
    "G02": ("ge", 96, 90, "91", "落后 2.6%"),
    "G03": ("le", 30, 40, "32", "超前 2微克/立方米"),  # expected 34
    "G04": ("le", 30, 40, "38", "落后 4微克/立方米"),
}
SIGNS = {"G01": 1, "G02": -1, "G03": 1, "G04": -1}


@pytest.fixture
def gap_world(district):
    plan = PlanFactory(code="gap-plan", region=district, title="差距测试方案",
                       start_year=2021, end_year=2025, base_year=2020)
    department = DepartmentFactory(region=district, name="区市场监管局")
    targets = {}
    for code, (comparator, value, baseline, figure, _words) in CASES.items():
        lower = comparator == "le"
        indicator = IndicatorFactory(
            code=f"gap_{code.lower()}", name=f"差距指标{code}",
            unit="微克/立方米" if lower else "%",
            direction=Indicator.Direction.LOWER if lower else Indicator.Direction.HIGHER,
            upper_bound=None if lower else 100,
        )
        target = TargetFactory(plan=plan, code=code, indicator=indicator, comparator=comparator,
                               value=value, baseline_value=baseline, baseline_year=2020,
                               deadline_year=2025, unit=indicator.unit)
        target.lead_departments.add(department)
        ObservationFactory(indicator=indicator, region=district, year=2023,
                           value=Decimal(figure), department=department)
        targets[code] = target
    progress_recompute(as_of=dt.date(2024, 3, 31))
    return plan, targets


def test_the_engine_signs_the_gap_by_direction(gap_world):
    _plan, targets = gap_world
    for code, target in targets.items():
        row = target.progress.get(year=2024, quarter=1)
        assert row.status in ("on_track", "lagging", "off_track"), code
        assert (row.gap > 0) == (SIGNS[code] > 0), (code, row.gap)


def test_plan_page_shows_the_gap_in_words(client, office_user, gap_world):
    plan, _targets = gap_world
    client.force_login(office_user)

    response = client.get(reverse("reports:plan-detail", args=[plan.code]),
                          {"quarter": QUARTER})

    html = response.content.decode()
    for code, case in CASES.items():
        assert case[4] in html, code
    assert "\u2212" not in html.split("<tbody>")[1]  # no bare minus signs left in the table


def test_csv_carries_the_signed_number_and_the_same_words(client, office_user, gap_world):
    plan, _targets = gap_world
    client.force_login(office_user)

    response = client.get(reverse("reports:plan-detail", args=[plan.code]),
                          {"quarter": QUARTER, "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row["编号"]: row for row in rows}
    for code, case in CASES.items():
        assert by_code[code]["差距说明"] == case[4], code
        assert (float(by_code[code]["差距"]) > 0) == (SIGNS[code] > 0), code


def test_feed_keeps_the_number_and_adds_the_words(gap_world):
    _plan, _targets = gap_world

    response = APIClient().get("/api/v1/progress/", {"quarter": QUARTER})

    assert response.status_code == 200
    body = response.json()
    items = body["results"] if isinstance(body, dict) else body
    by_code = {item["target_code"]: item for item in items}
    for code, case in CASES.items():
        assert by_code[code]["gap_text"] == case[4], code
        assert (by_code[code]["gap"] > 0) == (SIGNS[code] > 0), code


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_report_prints_the_same_words(district, gap_world, tmp_path):
    scope = report_scope_resolve(scope="region", region=district)

    pdf = report_pdf_render(scope=scope, year=2024, quarter=1)

    path = tmp_path / "gap.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = "".join(text.split())
    for code, case in CASES.items():
        assert "".join(case[4].split()) in flat, code
