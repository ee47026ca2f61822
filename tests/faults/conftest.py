"""Fault tests: a private PostgreSQL cluster and Redis, and the real processes on top of them.

Nothing here touches the database or broker of the outer test run (SQLite in pass 1, the CI
PostgreSQL/Redis in pass 2): ``initdb`` makes a throw-away cluster in a temporary directory
(run as the ``postgres`` OS user when we are root, since PostgreSQL refuses to run as root),
``redis-server`` runs on its own port without persistence, and gunicorn (2 workers), a celery
worker and celery beat are started as subprocesses whose environment points at those two.
The tests can then stop, kill and restart any part. Everything is torn down after the last
fault test, on failure too. The whole package SKIPS, with the reason, when the PostgreSQL
server binaries or ``redis-server`` are not installed.

The site is driven over HTTP with :class:`Browser` (urllib: login form with CSRF, then the
second factor's code for the office, computed from its demo device's key in the database; the
entry and approval pages), every request bounded by a timeout; what the tests check in the database
they read with a direct psycopg connection to the private cluster.

This file holds the fixtures and the report hook; the harness is split by concern into the
modules beside it: ``binaries`` (what is installed), ``environment`` (what every app process
is given), ``postgres`` and ``redis_server`` (the private services), ``processes`` (one app
subprocess), ``stack`` (all of them for the session), ``web`` (HTTP as a user), ``waiting``
(ports and polling), ``logs`` (log tails and measured figures) and ``entry_steps`` (the
data-entry pages step by step). Tests import from those modules, never from this file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .binaries import missing_binaries, pg_bindir
from .environment import SETUP_SCRIPT
from .logs import log_tail
from .postgres import PrivatePostgres
from .redis_server import PrivateRedis
from .stack import Stack


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    """The private PostgreSQL and Redis with a migrated, seeded database; no app process yet.

    Package scope: everything is stopped once the last fault test has run, before the rest
    of a whole-suite run goes on."""
    reason = missing_binaries()
    if reason:
        pytest.skip(f"fault tests need their own PostgreSQL and Redis: {reason}")
    # As root, the cluster runs as "postgres", which must reach the folder: /tmp, not $TMPDIR.
    shared = "/tmp" if os.geteuid() == 0 and Path("/tmp").is_dir() else None
    base = Path(tempfile.mkdtemp(prefix="qt-faults-", dir=shared))
    bindir = pg_bindir()
    assert bindir is not None
    stack = Stack(base, PrivatePostgres(base, bindir), PrivateRedis(base))
    stack.media.mkdir()
    try:
        stack.pg.init()
        stack.pg.start()
        stack.redis.start()
        stack.pg.sql("postgres", f"CREATE DATABASE {stack.database}")
        stack.python(SETUP_SCRIPT)
        yield stack
    finally:
        stack.teardown()
        if os.environ.get("QT_FAULTS_KEEP"):
            print(f"fault-test files kept in {base}")  # noqa: T201
        else:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def site(stack: Stack) -> Stack:
    """The services up, and gunicorn, one worker and beat running on them."""
    stack.ensure_services()
    stack.ensure_web()
    stack.ensure_worker()
    stack.ensure_beat()
    return stack


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failed fault test carries the tails of the process logs in its report: a stall seen
    only on a loaded CI machine is then diagnosable from CI's output alone."""
    report = yield
    stack = getattr(item, "funcargs", {}).get("site") or getattr(item, "funcargs", {}).get("stack")
    if report.when == "call" and report.failed and isinstance(stack, Stack):
        logs = [("web", 30), ("redis", 20), ("beat", 40), ("worker", 60)]  # most telling last
        for name, lines in logs:
            path = stack.redis.dir / "redis.log" if name == "redis" else stack.base / f"{name}.log"
            report.sections.append((f"{name} log, last {lines} lines", log_tail(path, lines)))
    return report


