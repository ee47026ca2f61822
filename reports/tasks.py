"""Celery entry points for reports. Each task: ids in → one service call."""

from __future__ import annotations

from core.broker import task


# acks_late is safe: report_run_build claims the run with a conditional UPDATE; the ReportRun
# row is the result (TASK_POLICY keeps none).
@task(name="reports.build_report", bind=True)
def build_report(self, *, run_id: int) -> str:
    """Build the PDF of ReportRun ``run_id``. Idempotent; returns the run's final state.

    A redelivered message means the worker that had it died mid-build (acks_late): the
    service then takes over the run that worker left "running".
    """
    from reports.services import report_run_build

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return report_run_build(run_id=run_id, redelivered=redelivered).state


@task(name="reports.dispatch_pending_reports")
def dispatch_pending_reports() -> int:
    """Beat, every minute: send the builds of runs left pending (broker was down)."""
    from reports.services import report_runs_dispatch_pending

    return report_runs_dispatch_pending()
