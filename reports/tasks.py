"""Celery entry points for reports. Each task: ids in → one service call."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="reports.build_report",
    acks_late=True,  # safe: report_run_build claims the run with a conditional UPDATE
    autoretry_for=(OperationalError,),  # transient database trouble only
    retry_backoff=True,
    max_retries=3,
)
def build_report(*, run_id: int) -> str:
    """Build the PDF of ReportRun ``run_id``. Idempotent; returns the run's final state."""
    from reports.services import report_run_build

    return report_run_build(run_id=run_id).state
