"""The worker heartbeat the 系统 page reads, and the full-recompute stamp.

The task keeps its name ``qualitytrack.heartbeat`` (beat's schedule and queued messages name it).
"""

from __future__ import annotations

from celery.signals import task_success

from core.broker import task


@task(name="qualitytrack.heartbeat")
def heartbeat() -> None:
    """Sent by beat every minute; a worker running it proves beat, broker and worker work."""
    from .health import WORKER, heartbeat_stamp

    heartbeat_stamp(name=WORKER)


@task_success.connect
def _stamp_full_recompute(sender=None, result=None, **kwargs) -> None:
    """A full ``targets.recompute_progress`` (the nightly one: no indicator or region given)
    leaves its time on the 系统 page, without targets knowing about the page."""
    if getattr(sender, "name", "") != "targets.recompute_progress":
        return
    called = getattr(getattr(sender, "request", None), "kwargs", None) or {}
    if called.get("indicator_ids") or called.get("region_ids"):
        return
    from .health import RECOMPUTE_ALL, heartbeat_stamp

    heartbeat_stamp(name=RECOMPUTE_ALL, detail=f"{result}")
