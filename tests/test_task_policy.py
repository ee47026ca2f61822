"""One retry policy for every task, one way to enqueue after commit (issue 13).

Every task is declared with ``core.broker.task`` and so follows ``TASK_POLICY``; no
module sends a task after commit but through ``enqueue_on_commit`` (the outbox's send, which
never fails the request), nor spells the retry options again.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.db import OperationalError

from core.broker import TASK_POLICY
from qualitytrack.celery import app

APPS = (
    "qualitytrack", "web", "onboarding", "reports", "targets", "indicators", "feed", "accounts",
    "core",
)
BASE = Path(settings.BASE_DIR)


def _our_tasks():
    app.loader.import_default_modules()
    return {name: t for name, t in app.tasks.items() if name.split(".")[0] in APPS}


def test_every_task_follows_the_one_policy():
    tasks = _our_tasks()
    assert {"indicators.import_observations", "targets.drain_recompute_outbox",
            "reports.build_report", "qualitytrack.heartbeat"} <= set(tasks)
    for name, t in tasks.items():
        assert t.acks_late is True, name
        assert tuple(t.autoretry_for) == (OperationalError,), name
        assert t.retry_backoff is True, name
        assert t.max_retries == TASK_POLICY["max_retries"], name
    waited_on = {name for name, t in tasks.items() if not t.ignore_result}
    assert waited_on == {"targets.recompute_progress_shard", "qualitytrack.ping"}


def test_every_beat_entry_names_a_task():
    tasks = _our_tasks()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks


def test_no_module_enqueues_or_spells_retries_on_its_own():
    forbidden = re.compile(
        r"delay_on_commit|\.delay\(|shared_task|autoretry_for=|max_retries=|"
        r"on_commit\(partial\(send_or_leave"
    )
    offenders = []
    for package in APPS:
        for path in (BASE / package).rglob("*.py"):
            if path.relative_to(BASE).as_posix() == "core/broker.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if forbidden.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(BASE)}:{number}: {line.strip()}")
    assert offenders == []
