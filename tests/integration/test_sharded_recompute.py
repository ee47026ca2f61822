"""The sharded full recompute on two real Celery worker processes (issue 18 item 3): the
shards spread over both workers through Redis, and Progress ends exactly as a single-process
run leaves it. Data is committed (transactional_db) so the workers, other processes, see it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from targets.models import Progress
from targets.services import progress_recompute
from targets.sharding import progress_recompute_sharded
from tests.factories import AS_OF, progress_snapshot

from .services import database_url, requires_real_services

pytestmark = [pytest.mark.integration, requires_real_services]


@pytest.fixture
def two_workers(django_db_setup, django_db_blocker) -> Iterator[list[str]]:
    """Two ``celery worker`` processes of one slot each on the test database; their names."""
    from django.db import connection

    from qualitytrack.celery import app

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": database_url(name), "DB_CONN_MAX_AGE": "0"}
    root = Path(settings.BASE_DIR)
    names = [f"shard{i}-{os.getpid()}@%h" for i in (1, 2)]
    logs = [open(root / f".pytest_shard_worker{i}.log", "w") for i in (1, 2)]  # noqa: SIM115
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qualitytrack", "worker", "--loglevel=INFO",
             "--concurrency=1", "--without-gossip", "--without-mingle", "-n", node],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        for node, log in zip(names, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for worker, log in zip(workers, logs, strict=True):
                if worker.poll() is not None:
                    raise RuntimeError(f"celery worker exited early; see {log.name}")
            answered = {node for reply in app.control.ping(timeout=1.0) for node in reply}  # type: ignore[union-attr]
            if sum(node.startswith(("shard1-", "shard2-")) for node in answered) == 2:
                break
        else:
            raise RuntimeError("the two shard workers did not answer within 90 s")
        yield [n.split("@")[0] for n in names]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        for log in logs:
            log.close()


def test_two_workers_share_the_recompute_and_match_a_single_run(transactional_db, two_workers):
    call_command("loaddata", "seed_targets", verbosity=0)
    single_rows = progress_recompute(as_of=AS_OF, all_quarters=True)
    single = progress_snapshot()
    Progress.objects.all().delete()

    started = time.monotonic()
    done = progress_recompute_sharded(as_of=AS_OF, all_quarters=True, shards=4, timeout=300)
    seconds = time.monotonic() - started

    assert sum(rows for _, rows in done) == single_rows
    assert progress_snapshot() == single
    assert Progress.objects.values("computed_at").distinct().count() == 1
    hosts = {worker.split("@")[0] for worker, _ in done}
    assert set(two_workers) <= hosts, done  # both processes took shards
    print(f"{single_rows} rows in {len(done)} shards on {len(hosts)} workers: {seconds:.1f} s")
