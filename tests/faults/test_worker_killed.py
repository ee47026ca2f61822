"""Worker killed with SIGKILL in the middle of a task (docs/reliability.md AT-04, at small scale).

* Recompute: a synthetic data set (bench.generate_national, 40 plans × 150 targets, 20
  quarters of figures) on its own database, with its own worker on its own Redis database.
  A clean run gives the reference; then Progress is emptied, the task sent again and the
  worker's pool process killed once about a third of the rows are written. The main process
  sees the worker lost and, with ``task_reject_on_worker_lost``, puts the message back: the
  task runs again and Progress is identical to the clean run, no (target, quarter) twice.
* Report: the office requests the quarterly PDF on the site; the whole worker (main process
  and pool, as ``docker kill`` does) is killed while the build is running, and a new worker is
  started. Redis hands the unacknowledged message out again after the visibility timeout
  (12 s here via CELERY_VISIBILITY_TIMEOUT); the run must end "done" with the same PDF bytes
  as an undisturbed build, not stay "running".
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import time

import pytest

from .environment import VISIBILITY_TIMEOUT
from .logs import report
from .stack import Stack, progress_checksum
from .waiting import wait_until

pytestmark = pytest.mark.faults

BENCH_DB = "qt_faults_bench"
AS_OF = "2025-12-31"


def _progress_rows(stack: Stack) -> int:
    return int(stack.sql("SELECT count(*) FROM targets_progress", database=BENCH_DB)[0][0])


def _succeeded(log: str, task_id: str) -> bool:
    return f"[{task_id}] succeeded" in log


@pytest.fixture(scope="module")
def bench(stack: Stack) -> str:
    stack.ensure_services()
    stack.pg.sql("postgres", f"CREATE DATABASE {BENCH_DB}")
    result = stack.python(
        "import sys; sys.argv = ['generate_national', '--regions', '40', '--targets', '150'];"
        "from bench.generate_national import main; main()",
        database=BENCH_DB,
    )
    assert "done:" in result, result
    return BENCH_DB


def test_recompute_is_redelivered_after_its_worker_process_is_killed(stack: Stack, bench: str):
    stack.ensure_services()
    worker = stack.ensure_worker("bench-worker", database=bench, redis_db=1)

    started = time.monotonic()
    clean_id = stack.send("targets.recompute_progress", redis_db=1, as_of=AS_OF, all_quarters=True)
    wait_until(lambda: _succeeded(worker.output(), clean_id), 120, "clean recompute")
    clean_seconds = time.monotonic() - started
    clean = progress_checksum(stack, bench)
    assert clean[0] > 0

    stack.sql("TRUNCATE targets_progress", database=bench)
    task_id = stack.send("targets.recompute_progress", redis_db=1, as_of=AS_OF, all_quarters=True)
    wait_until(lambda: _progress_rows(stack) >= clean[0] // 3, 120, "recompute a third done",
               interval=0.02)
    (pool,) = worker.children()
    killed_at, rows_at_kill = time.monotonic(), _progress_rows(stack)
    assert rows_at_kill < clean[0], "the kill must land before the task finishes"
    os.kill(pool, signal.SIGKILL)

    wait_until(lambda: _succeeded(worker.output(), task_id), 120, "redelivered recompute")
    recovered = time.monotonic() - killed_at
    log = worker.output()
    assert "WorkerLostError" in log, "the main process should see its pool process lost"
    assert log.count(f"Task targets.recompute_progress[{task_id}] received") == 2, (
        "the message must be delivered a second time"
    )
    assert progress_checksum(stack, bench) == clean
    ((duplicates,),) = stack.sql(
        "SELECT count(*) - count(DISTINCT (target_id, year, quarter)) FROM targets_progress",
        database=bench,
    )
    assert duplicates == 0
    report("worker-killed-recompute", progress_rows=clean[0], clean_run_s=round(clean_seconds, 1),
           rows_written_at_kill=rows_at_kill, completed_after_kill_s=round(recovered, 1))
    worker.stop()


def _report_state(stack: Stack, run_id: int) -> tuple[str, int, str]:
    ((state, progress, name),) = stack.sql(
        "SELECT state, progress, file FROM reports_reportrun WHERE id = %s", (run_id,)
    )
    return state, progress, name


def _request_report(stack: Stack) -> int:
    office = stack.browser("office")
    page = office.get("/reports/")
    assert page.status == 200, page.body[:300]
    quarter = re.search(r'name="quarter"[^>]*>\s*<option value="([^"]+)"', page.body)
    assert quarter, "no quarter to report on"
    before = stack.sql("SELECT coalesce(max(id), 0) FROM reports_reportrun")[0][0]
    answer = office.post("/reports/new/", {"quarter": quarter.group(1), "scope": "all"})
    assert answer.status == 200, answer.body[:300]
    ((run_id,),) = stack.sql("SELECT max(id) FROM reports_reportrun")
    assert run_id > before
    return int(run_id)


def _pdf_digest(stack: Stack, run_id: int) -> str:
    name = _report_state(stack, run_id)[2]
    return hashlib.sha256((stack.media / name).read_bytes()).hexdigest()


def test_report_build_is_taken_over_after_the_whole_worker_is_killed(site: Stack):
    reference = _request_report(site)
    started = time.monotonic()
    wait_until(lambda: _report_state(site, reference)[0] == "done", 120, "undisturbed build")
    build_seconds = time.monotonic() - started

    run_id = _request_report(site)
    wait_until(lambda: _report_state(site, run_id)[:2] >= ("running", 40)
               and _report_state(site, run_id)[0] == "running", 60,
               "build running", interval=0.02)
    site.procs["worker"].kill()  # main process and pool at once
    killed_at = time.monotonic()
    state_at_kill = _report_state(site, run_id)
    assert state_at_kill[0] == "running", "the kill must land during the build"

    site.ensure_worker()
    wait_until(lambda: _report_state(site, run_id)[0] in {"done", "failed"},
               VISIBILITY_TIMEOUT + 60, "killed build redelivered and finished")
    recovered = time.monotonic() - killed_at
    state, progress, _ = _report_state(site, run_id)
    assert (state, progress) == ("done", 100)
    assert _pdf_digest(site, run_id) == _pdf_digest(site, reference)
    report("worker-killed-report", undisturbed_build_s=round(build_seconds, 1),
           progress_at_kill=state_at_kill[1], visibility_timeout_s=VISIBILITY_TIMEOUT,
           done_after_kill_s=round(recovered, 1))
