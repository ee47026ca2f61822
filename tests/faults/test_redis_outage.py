"""Redis down during data entry (docs/reliability.md AT-05, on the demo data).

With the broker killed, a department saves, submits and has its figures approved through the
real pages; no request waits on the broker; every approval leaves its recompute request in
the outbox, written by the approval's own transaction. Once Redis is back, beat's tick and the
worker drain the outbox with no further approval, and progress equals a clean recompute.
"""

from __future__ import annotations

import time

import pytest

from .entry_steps import approve, entry_lines, observation_of, save_draft, submit
from .logs import report
from .stack import Stack, progress_checksum
from .waiting import wait_until

pytestmark = pytest.mark.faults

MAX_REQUEST_SECONDS = 5.0


def pending(stack: Stack) -> int:
    ((count,),) = stack.sql("SELECT count(*) FROM targets_recomputerequest WHERE done_at IS NULL")
    return int(count)


def test_entry_and_approval_work_with_redis_down_and_the_outbox_drains_after(site: Stack):
    reporter, office = site.browser("reporter"), site.browser("office")
    lines = entry_lines(site, reporter)
    assert len(lines) >= 3, "the demo reporter should have figures due"
    wait_until(lambda: pending(site) == 0, 30, "outbox empty before the outage")
    before = progress_checksum(site)

    site.redis.stop()  # SIGKILL: the broker vanishes under the web and the worker
    latencies: list[float] = []
    approved: list[int] = []
    for line in lines:
        steps = [save_draft(reporter, line)]
        observation_id, version, status = observation_of(site, line.indicator_id)
        assert status == "draft", steps[-1].body[:500]
        steps.append(submit(reporter, observation_id, version))
        observation_id, version, status = observation_of(site, line.indicator_id)
        assert status == "submitted"
        steps.append(approve(office, observation_id, version))
        assert observation_of(site, line.indicator_id)[2] == "approved"
        approved.append(observation_id)
        for step in steps:
            assert step.status == 200, (step.status, step.url, step.body[:300])
            latencies.append(step.seconds)
    outage_pending = pending(site)

    # Every approval wrote its outbox row in its own transaction: same xmin as the approved
    # figure's UPDATE. Nothing has been recomputed yet.
    same_transaction = site.sql(
        """
        SELECT count(*) FROM indicators_observation o
        JOIN targets_recomputerequest r ON r.indicator_id = o.indicator_id
            AND r.region_id = o.region_id AND r.done_at IS NULL AND r.xmin = o.xmin
        WHERE o.id = ANY(%s)
        """, (approved,),
    )[0][0]
    assert outage_pending == len(approved)
    assert same_transaction == len(approved)
    assert max(latencies) < MAX_REQUEST_SECONDS, latencies
    assert progress_checksum(site) == before

    restarted = time.monotonic()
    site.redis.start()
    # AT-05: within 60 s of the restart (the worker and beat back off at most 30 s between
    # reconnect attempts; a drain tick comes every DRAIN_SECONDS after that)
    drained = wait_until(lambda: pending(site) == 0, 60, "outbox drained after Redis is back",
                         interval=0.25)
    after_drain = progress_checksum(site)
    assert after_drain != before, "the approved figures should change progress"

    site.manage("compute_progress", "--all")  # a clean recompute of everything
    assert progress_checksum(site) == after_drain
    latencies.sort()
    report(
        "redis-outage", requests=len(latencies), approvals=len(approved),
        p50_s=round(latencies[len(latencies) // 2], 3),
        p95_s=round(latencies[int(len(latencies) * 0.95) - 1], 3),
        max_s=round(latencies[-1], 3), outbox_pending=outage_pending,
        drained_after_restart_s=round(drained, 1),
        worker_restarts_needed=not site.procs["worker"].alive(),
        since_restart_s=round(time.monotonic() - restarted, 1),
    )
    assert site.procs["worker"].alive(), "the worker must survive a broker outage"
    assert site.procs["beat"].alive(), "beat must survive a broker outage"


def test_the_worker_survives_a_redis_outage_while_it_holds_a_scheduled_retry(site: Stack):
    """A task waiting out its countdown (a retry with back-off, such as the outbox drain makes
    while PostgreSQL restarts) sits in the worker unacknowledged. Redis dying then must cost a
    reconnect, not the worker: with kombu 5.7 closing the broken connection raised
    AttributeError and Celery stopped the worker ("Unrecoverable error"), so nothing drained
    until someone restarted it."""
    worker = site.procs["worker"]
    held = site.send("qualitytrack.ping", countdown=600)
    wait_until(lambda: f"[{held}] received" in worker.output(), 30, "the worker holds the task")

    site.redis.stop()
    wait_until(lambda: "Cannot connect to redis" in worker.output() or not worker.alive(), 60,
               "the worker trying to reconnect")
    assert worker.alive(), worker.output()[-3000:]

    site.redis.start()
    probe = site.send("qualitytrack.ping")
    reconnected = wait_until(lambda: f"[{probe}] succeeded" in worker.output(), 90,
                             "a task run after Redis is back")
    assert worker.alive()
    report("redis-outage-held-task", task_run_after_restart_s=round(reconnected, 1))
