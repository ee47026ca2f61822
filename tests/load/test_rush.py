"""The short quarter-end rush (issue #9): 20 reporters for 30 s against the real services.

Runs ``bench/load/run_rush.py`` end to end — fresh PostgreSQL database, gunicorn, a Celery
worker on a Redis database of its own, locust headless — and requires its exit code 0:
no failed request, no 5xx, every acknowledged figure in the database exactly once with its
history, every approval approved, the recompute outbox drained. CI's second pass runs it
(DATABASE_URL on PostgreSQL, CELERY_BROKER_URL on Redis); elsewhere it is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and BROKER_URL),
        reason="需要 PostgreSQL 与 Redis（CI 第二轮：DATABASE_URL 指向 PostgreSQL、"
        "CELERY_BROKER_URL 已设置）",
    ),
]


def _own_redis_db(url: str) -> str:
    """The suite's Redis with another database number, so the suite's worker stays out."""
    parts = urlsplit(url)
    db = parts.path.strip("/") or "0"
    return urlunsplit(parts._replace(path="/12" if db != "12" else "/11"))


def test_short_rush_passes_every_threshold(tmp_path: Path) -> None:
    parts = urlsplit(DATABASE_URL)
    server = urlunsplit(parts._replace(path="/postgres"))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load.run_rush",
            "--users",
            "20",
            "--duration",
            "30s",
            "--ramp",
            "5",
            "--approvers",
            "1",
            "--workers",
            "2",
            "--plain-static",
            "--pg",
            server,
            "--broker",
            _own_redis_db(BROKER_URL),
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["failures"] == 0
    assert summary["server_errors"] == 0
    assert summary["figures_acknowledged"] == summary["figures_in_db"] == 200
    assert summary["duplicates"] == 0
