"""The real deployment's parts: PostgreSQL, Redis and a Celery worker process.

These tests run in CI's second pass (DATABASE_URL on PostgreSQL, CELERY_BROKER_URL on Redis)
and are skipped on the embedded default. The worker is started here, pointed at the test
database that pytest-django created, so tasks it runs see what the tests commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from .services import database_url


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` on the test database; stopped (and its connections closed) after."""
    from django.db import connection

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DB_CONN_MAX_AGE": "0",  # let pytest-django drop the test database afterwards
    }
    root = Path(settings.BASE_DIR)
    log = open(root / ".pytest_worker.log", "w")  # noqa: SIM115 — closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qualitytrack",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"ci-{os.getpid()}@%h",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from qualitytrack.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"celery worker exited early; see {log.name}")
        if app.control.ping(timeout=1.0):
            break
    else:
        worker.terminate()
        raise RuntimeError("celery worker did not answer within 60 s")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()
