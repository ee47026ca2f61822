"""`make run`'s processes: the Procfile under honcho (web, Celery worker, beat) on SQLite and
kombu's filesystem broker, as a new user starts them (issue 17 acceptance).

The same setup as ``make setup`` (migrate, seed, progress, demo accounts) into a database of
its own in a temporary folder, then ``honcho start`` on a free port with
``CELERY_BROKER_URL=filesystem://`` as the Makefile sets it. Through the pages, the office
(password and TOTP code) requests a report and watches its progress move to done, built by the
worker; a reporter's figure approved by the office has its targets recomputed by the worker
(the outbox's after-commit nudge). Ctrl-C (SIGINT to honcho) then stops all three.

Marked ``processes``: it starts subprocesses and takes a couple of minutes. It runs in the
embedded pass (``make test``) and skips in CI's PostgreSQL/Redis pass, which has its own
worker tests (test_recompute_worker.py) and would only repeat this one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.entry_steps import approve, entry_lines, observation_of, save_draft, submit
from tests.faults.environment import PASSWORD, SETUP_SCRIPT
from tests.faults.stack import Stack
from tests.faults.waiting import free_port, wait_until
from tests.faults.web import Browser

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(bool(settings.CELERY_BROKER_URL),
                       reason="make run 的进程测试只在内置（SQLite）一轮运行"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class RunStack:
    """What ``make run`` started: honcho's process group, its log, the SQLite file."""

    base: Path
    database: Path
    process: subprocess.Popen[bytes]
    log: Path
    web_port: int

    def sql(self, query: str, params: tuple = (), database: str | None = None) -> list[tuple]:
        """The faults helpers' queries (psycopg placeholders) on the SQLite file."""
        with contextlib.closing(sqlite3.connect(self.database, timeout=20)) as conn:
            return conn.execute(query.replace("%s", "?"), params).fetchall()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def browser(self, username: str) -> Browser:
        browser = Browser(f"http://127.0.0.1:{self.web_port}", timeout=30)
        browser.login(username, PASSWORD,
                      one_time_code=lambda: Stack.totp_code(self, username))  # type: ignore[arg-type]
        return browser


def _env(base: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_", "CELERY_", "DJANGO_", "PYTEST", "DB_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qualitytrack.settings",
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        MEDIA_ROOT=str(base / "media"),
        DEMO_PASSWORD=PASSWORD,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def make_run() -> Iterator[RunStack]:
    honcho = BIN / "honcho"
    if not honcho.exists():
        pytest.skip("honcho 未安装（make install 会安装）")
    base = Path(tempfile.mkdtemp(prefix="qt-make-run-"))
    subprocess.run([sys.executable, "-c", SETUP_SCRIPT], cwd=ROOT, env=_env(base), check=True,
                   capture_output=True, timeout=600)
    port = free_port()
    log = base / "honcho.log"
    handle = open(log, "wb")  # noqa: SIM115 — closed below
    process = subprocess.Popen(
        [str(honcho), "start", "--procfile", "Procfile", "--port", str(port)], cwd=ROOT,
        env=_env(base, CELERY_BROKER_URL="filesystem://",
                 CELERY_BROKER_FOLDER=str(base / "broker")),
        stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
    )
    stack = RunStack(base, base / "db.sqlite3", process, log, port)
    try:
        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"honcho exited early:\n{stack.output()[-3000:]}")
            text = stack.output()
            return (" ready." in text and "beat: Starting" in text
                    and f"127.0.0.1:{port}" in text)

        wait_until(ready, 120, "web, worker and beat started", interval=0.5)
        yield stack
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # any child left behind
        handle.close()
        shutil.rmtree(base, ignore_errors=True)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_a_report_requested_on_the_page_is_built_by_the_worker(make_run: RunStack):
    office = make_run.browser("office")
    page = office.get("/reports/")
    assert page.status == 200, page.body[:300]
    quarter = re.search(r'name="quarter"[^>]*>\s*<option value="([^"]+)"', page.body)
    assert quarter, "the 报告 page should offer a quarter"

    answer = office.post("/reports/new/", {"quarter": quarter.group(1), "scope": "all"})
    assert answer.status == 200, answer.body[:500]
    assert answer.seconds < 5, f"the request should not wait for the build ({answer.seconds:.1f} s)"
    status_url = re.search(r'data-status-url="([^"]+)"', answer.body)
    assert status_url, "the new run should show a progress bar on the page"
    assert "<progress" in answer.body

    seen: list[tuple[str, int]] = []

    def finished() -> bool:
        data = json.loads(office.get(status_url.group(1)).body)
        if not seen or seen[-1] != (data["state"], data["progress"]):
            seen.append((data["state"], data["progress"]))
        return data["finished"]

    wait_until(finished, 240, "the report built by the worker", interval=0.3)
    assert seen[0][0] in {"pending", "running"}, seen
    assert seen[-1] == ("done", 100), seen
    progress = [percent for _, percent in seen]
    assert progress == sorted(progress), f"progress only moves forward: {seen}"
    assert len(seen) >= 2, seen
    assert re.search(r"worker\.1 .*reports\.build_report\[[^]]+\] succeeded", make_run.output())

    data = json.loads(office.get(status_url.group(1)).body)
    pdf = office.get(data["download_url"])
    assert pdf.status == 200
    assert pdf.body.startswith("%PDF")


def test_an_approval_is_recomputed_by_the_worker(make_run: RunStack):
    reporter, office = make_run.browser("reporter"), make_run.browser("office")
    line = entry_lines(make_run, reporter)[0]  # type: ignore[arg-type]
    assert save_draft(reporter, line).status == 200
    observation_id, version, status = observation_of(make_run, line.indicator_id)  # type: ignore[arg-type]
    assert status == "draft"
    assert submit(reporter, observation_id, version).status == 200
    observation_id, version, status = observation_of(make_run, line.indicator_id)  # type: ignore[arg-type]
    assert status == "submitted"
    ((before,),) = make_run.sql(
        "SELECT max(p.computed_at) FROM targets_progress p JOIN targets_target t"
        " ON t.id = p.target_id WHERE t.indicator_id = %s", (line.indicator_id,))

    answer = approve(office, observation_id, version)
    assert answer.status == 200
    assert observation_of(make_run, line.indicator_id)[2] == "approved"  # type: ignore[arg-type]

    def recomputed() -> bool:
        ((pending,),) = make_run.sql(
            "SELECT count(*) FROM targets_recomputerequest WHERE done_at IS NULL")
        ((after,),) = make_run.sql(
            "SELECT max(p.computed_at) FROM targets_progress p JOIN targets_target t"
            " ON t.id = p.target_id WHERE t.indicator_id = %s", (line.indicator_id,))
        return pending == 0 and after is not None and after != before

    wait_until(recomputed, 90, "the approved figure's targets recomputed", interval=0.3)
    assert re.search(r"worker\.1 .*targets\.drain_recompute_outbox\[[^]]+\] succeeded",
                     make_run.output())


def test_ctrl_c_stops_web_worker_and_beat(make_run: RunStack):
    roles = _children(make_run.process.pid)
    assert len(roles) == 3, roles  # web, worker, beat
    make_run.process.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
    make_run.process.wait(timeout=60)
    wait_until(lambda: not any(_alive(pid) for pid in roles), 30, "all three stopped")
    for role in ("web", "worker", "beat"):
        assert f"{role}.1 stopped" in make_run.output(), make_run.output()[-2000:]
