"""An Excel upload goes through the outbox like approvals and reports (issue 13).

The pending ``ImportJob`` is written in the upload's transaction; the task is sent after
commit by ``core.broker.enqueue_on_commit``, so with the broker down the upload
still answers and beat's ``indicators.dispatch_pending_imports`` sends it once Redis is back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from indicators.models import ImportJob, Observation
from tests.factories import celery_broker_down, download, fill, uploaded_file

pytestmark = pytest.mark.django_db
UPLOAD = reverse("indicators:excel-upload", kwargs={"period": "2025Q2"})


def test_an_upload_succeeds_with_the_broker_down_and_is_imported_later(
    client, scjg_user, rate, django_capture_on_commit_callbacks
):
    from indicators.services.imports import import_jobs_dispatch_pending

    client.force_login(scjg_user)
    content = fill(download(client), {"product_pass_rate": 95.5})
    with celery_broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": uploaded_file(content, "填报.xlsx")})

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.PENDING
    assert not Observation.objects.exists()
    assert import_jobs_dispatch_pending() == 0  # just made: its message may still be on its way

    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=5))
    assert import_jobs_dispatch_pending() == 1  # eager again: the import runs now
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Observation.objects.get().value == pytest.approx(95.5)
    assert import_jobs_dispatch_pending() == 0  # done jobs are not sent again
