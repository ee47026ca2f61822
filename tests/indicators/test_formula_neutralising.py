"""No formula in any file we hand out, and the template survives its own round trip (issue 12,
row 4). One writer (``core.tabular``) serves the auditor's exports, the Excel template
and the feed's CSV; "today" is 2025-07-10 (tests/indicators/conftest.py).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.audit import audit_record
from accounts.models import AuditEvent
from accounts.services.tokens import token_create
from core.tabular import csv_value
from indicators.models import Observation
from tests.factories import UserFactory, download, fill, upload

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("text", ["=1+1", "+1+cmd|x", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_neutralised_in_csv(text):
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("value", ["-5.2", "+3", "12.5%", "赣榆区", "", 120, None])
def test_plain_numbers_and_text_are_left_alone(value):
    assert csv_value(value) == value


def _sheet_xml(content: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return "".join(archive.read(name).decode() for name in archive.namelist()
                   if name.startswith("xl/worksheets/"))


@pytest.fixture
def evil_event(district):
    evil = UserFactory(username=EVIL)
    audit_record(kind=AuditEvent.Kind.LOGIN, user=evil, detail="登录")
    return evil


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_auditors_export_of_a_formula_username_runs_nothing_and_is_audited(
    client, auditor_user, evil_event, fmt
):
    client.force_login(auditor_user)

    response = client.get(reverse("indicators:audit-export"), {"format": fmt, "what": "events"})

    assert response.status_code == 200
    if fmt == "csv":
        assert "'" + EVIL.replace('"', '""') in response.content.decode("utf-8-sig")
    else:
        assert "<f>" not in _sheet_xml(response.content)
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == EVIL]
        assert cells, "the username is in the export, as text"
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert AuditEvent.objects.filter(kind="export", username="auditor").count() == 1


def test_the_template_keeps_formula_evidence_as_text_and_re_uploads(
    client, scjg_user, office_user, scjg, rate, django_capture_on_commit_callbacks
):
    key = token_create(by=office_user, name="业务系统", kind="department", department=scjg)[1]
    created = APIClient().post(
        "/api/v1/observations/",
        {"indicator": rate.code, "year": 2025, "quarter": 2, "value": 95, "evidence": "=1+1"},
        format="json", HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert created.status_code == 201, created.json()
    client.force_login(scjg_user)

    book = download(client)
    evidence = next(row for row in book["填报数据"].iter_rows(min_row=2)
                if row[0].value == rate.code)[9]
    assert (evidence.value, evidence.data_type, evidence.quotePrefix) == ("=1+1", "s", True)
    page = upload(client, fill(book, {rate.code: 95.5}), django_capture_on_commit_callbacks)

    assert "不能使用公式" not in page.content.decode()
    figure = Observation.objects.get()
    assert (str(figure.value), figure.evidence) == ("95.5000", "=1+1")
