"""Issue 12 row 1 (docs/reliability.md, "Penetration-test findings, part A").

A ~1 MB .xlsx of 300,000 rows × 11 inline cells without ``r=`` attributes held a request for
79 s and grew the process by 0.8 GB, because the whole sheet was loaded before the 20,000-row
limit was checked; the worker was killed and the ImportJob stayed 「处理中 5%」 for ever. Now the
zip's sizes are checked before parsing, rows/columns/cells while streaming, and a sweep marks
dead jobs failed. The hostile files are shared with the bad-input fuzzing (tests/hostile_workbooks).
"""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from indicators.excel.errors import WorkbookError
from indicators.excel.reader import read_workbook
from indicators.models import ImportJob, Observation
from indicators.tasks import sweep_imports
from tests.hostile_workbooks import HOSTILE, workbook

pytestmark = pytest.mark.django_db
UPLOAD = reverse("indicators:excel-upload", kwargs={"period": "2025Q2"})


def test_the_reported_300000_row_sheet_is_refused_before_it_is_parsed():
    data = workbook(300_000)
    assert len(data) < 5 * 1024 * 1024  # under the upload limit: only the inflated size is big

    started = time.monotonic()
    with pytest.raises(WorkbookError, match="文件解压后约122MB，超过上限64MB"):
        read_workbook(data)

    assert time.monotonic() - started < 2


def test_a_sheet_within_the_size_limit_is_refused_at_its_row_count_without_parsing_it():
    started = time.monotonic()
    with pytest.raises(WorkbookError, match="文件超过20000行"):
        read_workbook(workbook(30_000))

    assert time.monotonic() - started < 10  # the byte scan, not openpyxl's parse (~60 s here)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_hostile_workbook_is_refused_with_a_chinese_reason_and_the_job_fails(
    client, scjg_user, rate, django_capture_on_commit_callbacks, name
):
    build, words = HOSTILE[name]
    client.force_login(scjg_user)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile("填报.xlsx", build())})
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    page = client.get(response["Location"])
    assertContains(page, words)
    job = ImportJob.objects.get()
    assert (job.state, job.progress, job.written) == ("failed", 100, 0)
    assert not Observation.objects.exists()
    assert elapsed < 15, f"{name}: {elapsed:.1f} s"


def _job(user, department, *, state, minutes_ago):
    job = ImportJob.objects.create(
        department=department, year=2025, quarter=2, file="imports/x.xlsx", filename="x.xlsx",
        created_by=user, state=state, progress=5 if state == "running" else 0,
    )
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=moment, started_at=moment if state == "running" else None
    )
    return job


def test_the_sweep_marks_a_job_whose_worker_died_failed(client, scjg_user, scjg):
    dead = _job(scjg_user, scjg, state="running", minutes_ago=11)
    lost = _job(scjg_user, scjg, state="pending", minutes_ago=61)
    busy = _job(scjg_user, scjg, state="running", minutes_ago=2)
    queued = _job(scjg_user, scjg, state="pending", minutes_ago=5)

    assert sweep_imports.delay().get() == 2  # the Celery beat task

    states = dict(ImportJob.objects.values_list("pk", "state"))
    assert states == {dead.pk: "failed", lost.pk: "failed", busy.pk: "running",
                      queued.pk: "pending"}
    client.force_login(scjg_user)
    status = client.get(reverse("indicators:import-status", kwargs={"pk": dead.pk})).json()
    assert status["finished"]
    assert status["state"] == "failed"
    assert status["errors"][0].startswith("处理中断")


def test_the_management_command_twin_sweeps_too(scjg_user, scjg):
    _job(scjg_user, scjg, state="running", minutes_ago=30)
    out = StringIO()

    call_command("sweep_imports", stdout=out)

    assert "已将 1 个中断的导入标记为失败" in out.getvalue()
    assert ImportJob.objects.get().state == "failed"
