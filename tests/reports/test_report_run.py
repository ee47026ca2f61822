"""The 报告 page flow: the office requests, the task builds, the office and leaders download.

Celery runs eagerly in tests, and ``delay_on_commit`` fires only when the test commits the
callbacks (django_capture_on_commit_callbacks), as it would after a real request.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reports.models import ReportRun
from reports.services import report_run_build, report_run_request
from tests.factories import ReportRunFactory, pdf_text, seed_report_world

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def request_report(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reports:report-create"), {"quarter": "2025Q4", **data})


def test_report_page_office_requests_and_downloads_a_region_report(
    client, office_user, district, django_capture_on_commit_callbacks
):
    seed_report_world(district)
    client.force_login(office_user)

    response = request_report(client, django_capture_on_commit_callbacks,
                              scope="region", region=district.pk)

    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.state, run.progress, run.requested_by) == ("done", 100, office_user)
    assert run.finished_at is not None
    page = client.get(reverse("reports:report-list"))
    assertContains(page, "赣榆区")
    assertContains(page, reverse("reports:report-download", args=[run.pk]))
    download = client.get(reverse("reports:report-download", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_report_status_json_reports_state_and_progress(
    client, office_user, district, django_capture_on_commit_callbacks
):
    seed_report_world(district)
    client.force_login(office_user)
    request_report(client, django_capture_on_commit_callbacks, scope="all")
    run = ReportRun.objects.get()

    data = client.get(reverse("reports:report-status", args=[run.pk])).json()

    assert data["state"] == "done"
    assert data["progress"] == 100
    assert data["finished"] is True
    assert data["download_url"] == reverse("reports:report-download", args=[run.pk])


def test_report_page_shows_a_progress_bar_and_its_script_while_building(client, office_user,
                                                                        district):
    run = ReportRunFactory(scope="region", region=district, requested_by=office_user,
                           state="running", progress=40)
    client.force_login(office_user)

    page = client.get(reverse("reports:report-list"))

    assertContains(page, 'value="40"')
    assertContains(page, reverse("reports:report-status", args=[run.pk]))
    assertContains(page, "reports/js/report_progress.js")
    assertNotContains(page, "<script>")  # no inline script


def test_report_page_leader_reads_and_downloads_but_cannot_request(
    client, leader_user, office_user, district, django_capture_on_commit_callbacks
):
    seed_report_world(district)
    run = report_run_request(by=office_user, scope="region", year=2025, quarter=4,
                             region=district)
    report_run_build(run_id=run.pk)
    client.force_login(leader_user)

    page = client.get(reverse("reports:report-list"))
    download = client.get(reverse("reports:report-download", args=[run.pk]))
    refused = request_report(client, django_capture_on_commit_callbacks, scope="all")

    assert page.status_code == 200
    assertNotContains(page, "生成 PDF 报告")
    assert download.status_code == 200
    assert refused.status_code == 403


def test_report_pages_refuse_reporters(client, scjg_user, office_user, district):
    run = ReportRunFactory(scope="region", region=district, requested_by=office_user)
    client.force_login(scjg_user)

    assert client.get(reverse("reports:report-list")).status_code == 403
    assert client.post(reverse("reports:report-create"), {"quarter": "2025Q4",
                                                          "scope": "all"}).status_code == 403
    assert client.get(reverse("reports:report-status", args=[run.pk])).status_code == 403
    assert client.get(reverse("reports:report-download", args=[run.pk])).status_code == 403


def test_report_of_another_region_is_hidden_from_an_office(client, office_user, other_city):
    run = ReportRunFactory(scope="region", region=other_city, state="done")
    client.force_login(office_user)

    assert client.get(reverse("reports:report-download", args=[run.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        report_run_request(by=office_user, scope="region", year=2025, quarter=4,
                           region=other_city)


def test_report_request_without_the_scope_object_is_refused_with_the_field_named(
    client, office_user, district
):
    client.force_login(office_user)

    response = client.post(reverse("reports:report-create"), {"quarter": "2025Q4",
                                                               "scope": "plan"})

    assert response.status_code == 400
    assertContains(response, "按此范围生成报告时须选择一项", status_code=400)
    assert not ReportRun.objects.exists()


def test_report_build_is_idempotent(office_user, district):
    seed_report_world(district)
    run = report_run_request(by=office_user, scope="region", year=2025, quarter=4,
                             region=district)

    first = report_run_build(run_id=run.pk)
    name = first.file.name
    again = report_run_build(run_id=run.pk)

    assert first.state == again.state == "done"
    assert again.file.name == name  # the second delivery found it done and did nothing


def test_report_build_failure_marks_the_run_failed_with_the_reason(office_user, district,
                                                                   monkeypatch):
    run = report_run_request(by=office_user, scope="region", year=2025, quarter=4,
                             region=district)

    def broken(**kwargs):
        raise RuntimeError("模板错误")

    monkeypatch.setattr("reports.services.report_pdf_render", broken)
    failed = report_run_build(run_id=run.pk)

    assert failed.state == "failed"
    assert "模板错误" in failed.error


@needs_poppler
def test_report_export_command_writes_the_pdf(district, tmp_path):
    seed_report_world(district)
    output = tmp_path / "out" / "report.pdf"

    call_command("export_report", "--quarter", "2025Q4", "--department", "区工信局",
                 "--region", "赣榆区", "--output", str(output))

    assert output.read_bytes().startswith(b"%PDF")

    text = pdf_text(output.read_bytes(), tmp_path)
    assert "区工信局" in text
    assert "严重滞后" in text
    assert "区住建局" not in text


def test_report_export_command_names_an_unknown_plan(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到规划"):
        call_command("export_report", "--quarter", "2025Q4", "--plan", "nope",
                     "--output", str(tmp_path / "x.pdf"))


def test_report_export_command_for_an_empty_quarter_says_so(district, tmp_path):
    seed_report_world(district)
    output = Path(tmp_path) / "empty.pdf"

    call_command("export_report", "--quarter", "2020Q1", "--region", "赣榆区",
                 "--output", str(output))


    assert "本季度暂无进度数据" in pdf_text(output.read_bytes(), tmp_path)


def test_a_report_request_succeeds_with_the_broker_down_and_is_sent_later(
    office_user, district, django_capture_on_commit_callbacks
):
    """With Redis unreachable the request still answers and the run waits as pending;
    beat's dispatch_pending_reports sends it when the broker is back."""
    import datetime as dt

    from reports.models import ReportRun
    from reports.services import report_run_request, report_runs_dispatch_pending
    from tests.factories import celery_broker_down

    with celery_broker_down(), django_capture_on_commit_callbacks(execute=True):
        run = report_run_request(by=office_user, scope="region", region=district,
                                 year=2025, quarter=4)
    run.refresh_from_db()
    assert run.state == ReportRun.State.PENDING

    ReportRun.objects.filter(pk=run.pk).update(
        created_at=run.created_at - dt.timedelta(minutes=5)
    )
    assert report_runs_dispatch_pending() == 1  # eager again: the build runs now
    run.refresh_from_db()
    assert run.state == ReportRun.State.DONE
