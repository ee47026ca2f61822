"""Celery entry points of the indicators app. Each: primitives in → one service call.

All are idempotent (a finished import job is left alone; reminders change no data; pruning
twice removes nothing more), hence ``acks_late``; only transient database errors are retried.
Both come from ``core.broker.TASK_POLICY``, the one policy of every task.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.broker import task


@task(name="indicators.send_reminders")
def send_reminders(as_of: str | None = None) -> int:
    """Daily 09:00 (settings.CELERY_BEAT_SCHEDULE). Returns the number of e-mails sent; what
    could not be sent, and why, goes to the worker's log."""
    import logging

    from .services import reminders_send

    today = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    outcome = reminders_send(today=today)
    logging.getLogger(__name__).info("%s", outcome.summary())
    return outcome.sent


@task(name="indicators.import_observations")
def import_observations(job_id: int) -> str:
    """Validate and write one uploaded Excel file (ImportJob); returns its final state."""
    from .services import observation_import_run

    return observation_import_run(job_id=job_id).state


@task(name="indicators.prune_audit")
def prune_audit() -> int:
    """Weekly (settings.CELERY_BEAT_SCHEDULE): security events older than the retention."""
    from accounts.audit import prune_audit_events

    return prune_audit_events()


@task(name="indicators.sweep_imports")
def sweep_imports() -> int:
    """Every 5 minutes (settings.CELERY_BEAT_SCHEDULE): import jobs whose process died → failed."""
    from .services.imports import import_jobs_sweep

    return import_jobs_sweep()


@task(name="indicators.dispatch_pending_imports")
def dispatch_pending_imports() -> int:
    """Beat, every minute: send the imports of uploads left pending (broker was down)."""
    from .services.imports import import_jobs_dispatch_pending

    return import_jobs_dispatch_pending()


@task(name="indicators.sweep_reporting_due")
def sweep_reporting_due(as_of: str | None = None) -> int:
    """Daily just after midnight (settings.CELERY_BEAT_SCHEDULE): figures whose due date has
    passed become overdue in ReportingDue. Returns the rows changed."""
    from .services.reporting import reporting_due_sweep

    today = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return reporting_due_sweep(today=today)
