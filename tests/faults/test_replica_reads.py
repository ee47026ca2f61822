"""Reads from a streaming replica (issue 18 item 4, docs/scale.md), against a real one.

The test makes its own pair: ``initdb`` a primary on a free port, ``pg_basebackup -R`` a hot
standby from it, start both, and point the application at them (``DATABASE_URL`` and
``DATABASE_REPLICA_URL``), in subprocesses so the outer run's database is never touched. With
replay on the standby paused, a change made on the primary is what tells the two apart:

* an anonymous GET of the feed or a dashboard reads the replica only (the old value);
* a client that has just posted (here: signed in) reads the primary (the new value), and so
  does every request but GET/HEAD;
* once replay resumes, the replica catches up and the feed shows the new value too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .binaries import missing_binaries, pg_bindir
from .environment import PASSWORD, PYTHON, ROOT, app_env
from .postgres import PrivatePostgres
from .waiting import wait_until

pytestmark = pytest.mark.faults

DATABASE = "qt_replica"

SETUP = """
import django
django.setup()
from django.core.management import call_command as c
c("migrate", verbosity=0)
c("loaddata", "seed_targets", verbosity=0)
c("compute_progress", quarter="2025Q3")
c("create_demo_users")
"""

# Runs inside the application, against primary + replica; prints one JSON line of findings.
PROBE = """
import json, sys
import django
django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

pk, password, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
found = {}

def get(client, path, name):
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(path)
    found[name] = {
        "status": response.status_code,
        "primary": len(primary), "replica": len(replica),
        "value": response.json().get("status") if path.startswith("/api/") else None,
        "location": response.get("Location"),
    }

get(Client(), f"/api/v1/progress/{pk}/", "anonymous_feed")
get(Client(), "/api/v1/progress/?quarter=2025Q3&cursor=", "anonymous_feed_list")
if mode == "lagging":
    writer = Client()
    login = writer.post("/accounts/login/", {"username": "reporter", "password": password})
    found["login"] = {"status": login.status_code, "pinned": "qt_primary" in login.cookies}
    get(writer, f"/api/v1/progress/{pk}/", "after_writing")
    get(writer, "/plans/", "dashboard_after_writing")
    get(Client(), f"/api/v1/progress/{pk}/", "someone_else")
else:  # signed in earlier, the pin expired: the dashboard reads the replica
    reader = Client()
    login = reader.post("/accounts/login/", {"username": "reporter", "password": password})
    found["login"] = {"status": login.status_code, "pinned": "qt_primary" in login.cookies}
    del reader.cookies["qt_primary"]
    import time
    from django.contrib.sessions.models import Session
    key = reader.cookies["sessionid"].value
    signed_in = Session.objects.using("default").get(session_key=key).session_data
    for _ in range(200):  # streaming replication is asynchronous: wait for the session
        if Session.objects.using("replica").filter(
            session_key=key, session_data=signed_in
        ).exists():
            found["session_replicated"] = True
            break
        time.sleep(0.05)
    get(reader, "/plans/", "dashboard")
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[PrivatePostgres, PrivatePostgres]]:
    """A primary and its streaming hot standby, both ours; stopped and removed afterwards."""
    reason = missing_binaries()
    bindir = pg_bindir()
    if reason or bindir is None or not (bindir / "pg_basebackup").exists():
        pytest.skip(f"the replica test needs PostgreSQL's server binaries: {reason}")
    shared = "/tmp" if os.geteuid() == 0 and Path("/tmp").is_dir() else None
    base = Path(tempfile.mkdtemp(prefix="qt-replica-", dir=shared))
    base.chmod(0o755)  # the cluster runs as "postgres" when we are root
    (base / "primary").mkdir()
    (base / "standby").mkdir()
    primary = PrivatePostgres(base / "primary", bindir)
    standby = PrivatePostgres(base / "standby", bindir)
    try:
        primary.init()
        primary.start()
        primary.sql("postgres", f"CREATE DATABASE {DATABASE}")
        _python(SETUP, primary, standby=None)
        standby._run("pg_basebackup", "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast",
                     "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                     timeout=300)
        with open(standby.data / "postgresql.conf", "a") as conf:  # the copy has the primary's
            conf.write(f"\nport = {standby.port}\nunix_socket_directories = '{standby.dir}'\n"
                       "hot_standby = on\n")
        standby.start()
        assert standby.sql("postgres", "SELECT pg_is_in_recovery()") == [(True,)]
        yield primary, standby
    finally:
        standby.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def _python(script: str, primary: PrivatePostgres, standby: PrivatePostgres | None,
            *args: str) -> str:
    env = app_env(database_url=primary.url(DATABASE), broker_url="",
                  media=Path(tempfile.gettempdir()))
    env["DB_CONN_MAX_AGE"] = "0"
    if standby is not None:
        env["DATABASE_REPLICA_URL"] = standby.url(DATABASE)
    result = subprocess.run([PYTHON, "-c", script, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise RuntimeError(f"script failed: {result.stdout}{result.stderr}")
    return result.stdout


def _status(pg: PrivatePostgres, pk: int) -> str:
    return pg.sql(DATABASE, "SELECT status FROM targets_progress WHERE id = %s", (pk,))[0][0]


def test_feed_and_dashboards_read_the_replica_and_writers_read_the_primary(pair):
    primary, standby = pair
    pk, old = primary.sql(
        DATABASE, "SELECT p.id, p.status FROM targets_progress p JOIN targets_target t "
        "ON t.id = p.target_id JOIN targets_plan pl ON pl.id = t.plan_id "
        "WHERE pl.status <> 'draft' AND p.status <> 'off_track' ORDER BY p.id LIMIT 1",
    )[0]
    wait_until(lambda: _status(standby, pk) == old, 30, "the standby has the seed")
    standby.sql(DATABASE, "SELECT pg_wal_replay_pause()")
    primary.sql(DATABASE, "UPDATE targets_progress SET status = 'off_track', "
                "computed_at = now() WHERE id = %s", (pk,))
    assert _status(primary, pk) == "off_track"
    assert _status(standby, pk) == old  # replay paused: the replica lags

    found = json.loads(
        _python(PROBE, primary, standby, str(pk), PASSWORD, "lagging").splitlines()[-1]
    )

    feed = found["anonymous_feed"]
    assert (feed["status"], feed["value"], feed["primary"]) == (200, old, 0), found
    assert feed["replica"] > 0
    listing = found["anonymous_feed_list"]
    assert (listing["status"], listing["primary"]) == (200, 0), found
    assert listing["replica"] > 0
    assert found["login"] == {"status": 302, "pinned": True}
    mine = found["after_writing"]
    assert (mine["value"], mine["replica"]) == ("off_track", 0), found  # reads its write
    dashboard = found["dashboard_after_writing"]
    assert (dashboard["status"], dashboard["replica"]) == (200, 0), found
    assert found["someone_else"]["value"] == old  # everybody else: the replica, as it is

    standby.sql(DATABASE, "SELECT pg_wal_replay_resume()")
    wait_until(lambda: _status(standby, pk) == "off_track", 30, "the standby catches up")
    again = json.loads(
        _python(PROBE, primary, standby, str(pk), PASSWORD, "caught_up").splitlines()[-1]
    )
    assert again["anonymous_feed"]["value"] == "off_track"
    assert again["anonymous_feed"]["primary"] == 0
    assert again["session_replicated"], again
    assert again["dashboard"]["status"] == 200, again
    assert again["dashboard"]["replica"] > 0
