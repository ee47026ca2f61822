"""PostgreSQL stopped and started again while the site is in use (docs/reliability.md
AT-06, the cut).

During the outage every page and API call answers quickly (well under connect_timeout=5 s)
with a 503 and a Chinese message, and a figure saved then is not half-written. Once the
server is back the site recovers by itself (CONN_HEALTH_CHECKS: gunicorn's stale connections
are replaced), and the worker, whose tasks failed on OperationalError meanwhile and were
retried, drains new work again.
"""

from __future__ import annotations

import time

import pytest

from .entry_steps import entry_lines, save_draft
from .logs import report
from .stack import Stack
from .waiting import wait_until

pytestmark = pytest.mark.faults

MAX_OUTAGE_SECONDS = 5.0


def test_site_answers_503_quickly_during_a_database_restart_and_recovers(site: Stack):
    reporter = site.browser("reporter")
    line = entry_lines(site, reporter)[0]
    pages = ["/", "/entry/", "/departments/", "/api/v1/indicators/"]
    for path in pages:
        assert reporter.get(path).status == 200, path
    count = "SELECT count(*) FROM indicators_observation WHERE indicator_id = %s"
    changes = "SELECT count(*) FROM indicators_observationchange"
    ((figures_before,),), ((changes_before,),) = site.sql(count, (line.indicator_id,)), \
        site.sql(changes)

    site.pg.stop("fast")  # terminates every open connection
    stopped_at = time.monotonic()
    outage = []
    for _ in range(3):
        outage += [(path, reporter.get(path)) for path in pages]
        outage.append(("save draft", save_draft(reporter, line)))
    time.sleep(2)  # let beat send drains that fail on the database and are retried
    site.pg.start()
    restarted = time.monotonic()

    def healthy() -> bool:
        return all(reporter.get(path).status == 200 for path in pages)

    recovered = wait_until(healthy, 30, "site healthy after the restart", interval=0.2)
    after = [reporter.get(path) for path in pages * 5]  # both gunicorn workers, several times

    for what, answer in outage:
        assert answer.status == 503, (what, answer.status, answer.body[:300])
        assert "暂时" in answer.body, (what, answer.body[:300])
        assert answer.seconds < MAX_OUTAGE_SECONDS, (what, answer.seconds)
    assert all(answer.status == 200 for answer in after), [a.status for a in after]
    # Nothing of the refused save was written, neither the figure nor its history.
    assert site.sql(count, (line.indicator_id,))[0][0] == figures_before
    assert site.sql(changes)[0][0] == changes_before

    # The worker and beat lived through it: outbox work queued now is drained.
    ((target_indicator, target_region),) = site.sql(
        "SELECT t.indicator_id, p.region_id FROM targets_target t "
        "JOIN targets_plan p ON p.id = t.plan_id ORDER BY t.id LIMIT 1"
    )
    site.sql("INSERT INTO targets_recomputerequest (indicator_id, region_id, requested_at) "
             "VALUES (%s, %s, now())", (target_indicator, target_region))
    drained = wait_until(
        lambda: site.sql("SELECT count(*) FROM targets_recomputerequest "
                         "WHERE done_at IS NULL")[0][0] == 0,
        60, "outbox drained by the worker after the restart", interval=0.25,
    )
    worker_log = site.procs["worker"].output()
    assert site.procs["worker"].alive()
    assert site.procs["beat"].alive()
    latencies = sorted(answer.seconds for _, answer in outage)
    report("postgres-restart", outage_requests=len(outage), all_503=True,
           max_s=round(latencies[-1], 3), p50_s=round(latencies[len(latencies) // 2], 3),
           outage_s=round(restarted - stopped_at, 1),
           recovered_after_start_s=round(recovered, 2),
           worker_task_retries=worker_log.count("Retry in"),
           outbox_drained_after_s=round(drained, 1))
