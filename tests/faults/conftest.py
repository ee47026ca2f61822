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
"""

from __future__ import annotations

import contextlib
import glob
import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PASSWORD = "Faults-2025-qt"
# Short enough for a test to wait for, longer than any task the tests run.
VISIBILITY_TIMEOUT = 12
DRAIN_SECONDS = 3


# --- Finding the binaries -------------------------------------------------------------------


def pg_bindir() -> Path | None:
    """The directory of initdb/pg_ctl/postgres: PG_BINDIR, pg_config --bindir, or the newest
    /usr/lib/postgresql/*/bin."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            candidates.append(subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10
            ).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(re.sub(r"\D", "", p.split("/")[-2]) or 0),
                         reverse=True)
    for candidate in candidates:
        if candidate and all((Path(candidate) / b).exists()
                             for b in ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore")):
            return Path(candidate)
    return None


def missing_binaries() -> str | None:
    if pg_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_dump) not found"
    if shutil.which("redis-server") is None:
        return "redis-server not found"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as another user"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               interval: float = 0.1) -> float:
    """Poll ``condition`` until truthy; seconds waited. AssertionError after ``timeout``."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- PostgreSQL -----------------------------------------------------------------------------


class PrivatePostgres:
    """A cluster of our own: initdb, start, stop (fast or immediate), start again."""

    def __init__(self, base: Path, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.dir.mkdir()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
            base.chmod(0o755)

    def _run(self, *args: str, timeout: float = 60, check: bool = True
             ) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                cwd="/")
        if check and result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}"
                               f"{self.log.read_text() if self.log.exists() else ''}")
        return result

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
                  timeout=120)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 60\nshared_buffers = 64MB\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                               dbname=database, autocommit=True, connect_timeout=5)

    def sql(self, database: str, query: str, params: tuple = ()) -> list[tuple]:
        with self.connect(database) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []


# --- Redis ----------------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, base: Path) -> None:
        self.dir = base / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 — owned by the process
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(lambda: port_open(self.port), 20, "redis-server listening")

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        self.process = None
        wait_until(lambda: not port_open(self.port), 10, "redis-server closed")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# --- The application's processes ------------------------------------------------------------


@dataclass
class Proc:
    """One subprocess in its own process group (so a kill reaches its children too)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = open(self.log, "ab")  # noqa: SIM115 — owned by the process
        handle.write(f"\n===== start {time.strftime('%H:%M:%S')}\n".encode())
        handle.flush()
        self.offset = self.log.stat().st_size
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        """The log written since the last start."""
        with open(self.log, "rb") as handle:
            handle.seek(getattr(self, "offset", 0))
            return handle.read().decode(errors="replace")

    def children(self) -> list[int]:
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the whole group at once, as ``docker kill`` does."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the group
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None


def app_env(*, database_url: str, broker_url: str, media: Path) -> dict[str, str]:
    """The environment of every app process: the private services, nothing of the outer run."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_", "CELERY_", "DJANGO_", "PYTEST", "DB_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qualitytrack.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        RECOMPUTE_OUTBOX_DRAIN_SECONDS=str(DRAIN_SECONDS),
        DJANGO_DEBUG="True",  # no collected static files in a checkout; see README section
        DJANGO_SECRET_KEY="faults-test-secret-key-not-for-production-use-0123456789",
        DB_CONN_MAX_AGE="60",
        MEDIA_ROOT=str(media),
        DEMO_PASSWORD=PASSWORD,
        LOG_LEVEL="INFO",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


SETUP_SCRIPT = """
import django
django.setup()
from django.core.management import call_command as c
c("migrate", verbosity=0)
c("loaddata", "seed_targets", verbosity=0)
c("compute_progress", all=True)
c("create_demo_users")
"""


@dataclass
class Stack:
    """The private services and the app processes on them, for the whole session."""

    base: Path
    pg: PrivatePostgres
    redis: PrivateRedis
    database: str = "qt_faults"
    procs: dict[str, Proc] = field(default_factory=dict)
    web_port: int = 0

    @property
    def media(self) -> Path:
        return self.base / "media"

    def env(self, database: str | None = None, redis_db: int = 0) -> dict[str, str]:
        return app_env(database_url=self.pg.url(database or self.database),
                       broker_url=self.redis.url(redis_db), media=self.media)

    def manage(self, *args: str, database: str | None = None, timeout: float = 180,
               env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env={**self.env(database), **(env or {})},
            capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def python(self, script: str, *, database: str | None = None, timeout: float = 300,
               args: tuple[str, ...] = ()) -> str:
        result = subprocess.run([PYTHON, "-c", script, *args], cwd=ROOT,
                                env=self.env(database), capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"script failed: {result.stdout}{result.stderr}")
        return result.stdout

    def sql(self, query: str, params: tuple = (), database: str | None = None) -> list[tuple]:
        return self.pg.sql(database or self.database, query, params)

    def send(self, name: str, *, redis_db: int = 0, countdown: float | None = None,
             **kwargs: object) -> str:
        """Send task ``name`` to the private Redis; its id. The connection is explicit: Celery
        would otherwise prefer the outer run's CELERY_BROKER_URL from the environment."""
        from celery import Celery
        from kombu import Connection

        app = Celery("faults", set_as_current=False)
        try:
            with Connection(self.redis.url(redis_db), connect_timeout=5) as connection:
                return app.send_task(name, kwargs=kwargs, countdown=countdown,
                                     ignore_result=True, connection=connection).id
        finally:
            app.close()

    # -- processes --

    def proc(self, name: str, command: list[str], env: dict[str, str]) -> Proc:
        if name not in self.procs:
            self.procs[name] = Proc(name, command, env, self.base / f"{name}.log")
        return self.procs[name]

    def web(self) -> Proc:
        if not self.web_port:
            self.web_port = free_port()
        return self.proc("web", [
            PYTHON, "-m", "gunicorn", "qualitytrack.wsgi:application", "--workers", "2",
            "--bind", f"127.0.0.1:{self.web_port}", "--timeout", "60",
            "--graceful-timeout", "5", "--access-logfile", "-",
        ], self.env())

    def worker(self, name: str = "worker", database: str | None = None, redis_db: int = 0
               ) -> Proc:
        return self.proc(name, [
            PYTHON, "-m", "celery", "-A", "qualitytrack", "worker", "--loglevel=INFO",
            "--concurrency=1", "--pool=prefork", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-n", f"{name}-{os.getpid()}@%h",
        ], self.env(database, redis_db))

    def beat(self) -> Proc:
        return self.proc("beat", [
            PYTHON, "-m", "celery", "-A", "qualitytrack", "beat", "--loglevel=INFO",
            "-s", str(self.base / "celerybeat-schedule"), "--pidfile=",
        ], self.env())

    def ensure(self, proc: Proc, ready: Callable[[], bool], what: str, timeout: float = 60
               ) -> Proc:
        if proc.alive():
            return proc
        proc.start()

        def up() -> bool:
            if not proc.alive():
                raise RuntimeError(f"{what} exited early:\n{proc.output()[-3000:]}")
            return ready()

        wait_until(up, timeout, what, interval=0.2)
        return proc

    def ensure_web(self) -> Proc:
        web = self.web()
        return self.ensure(web, lambda: _http_ok(self.web_port), "gunicorn answering")

    def ensure_worker(self, name: str = "worker", database: str | None = None,
                      redis_db: int = 0) -> Proc:
        worker = self.worker(name, database, redis_db)
        return self.ensure(worker, lambda: " ready." in worker.output(), f"celery {name} ready")

    def ensure_beat(self) -> Proc:
        beat = self.beat()
        return self.ensure(beat, lambda: "beat: Starting" in beat.output(), "celery beat")

    def ensure_services(self) -> None:
        if not self.pg.running():
            self.pg.start()
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()

    def browser(self, username: str) -> Browser:
        browser = Browser(f"http://127.0.0.1:{self.web_port}")
        browser.login(username, PASSWORD, one_time_code=lambda: self.totp_code(username))
        return browser

    def totp_code(self, username: str) -> str:
        """What the user's authenticator shows now (create_demo_users gave the device).

        A code is accepted once: if this step's code was used by an earlier login, wait for
        the next step, as a person would."""
        from django_otp.oath import TOTP

        ((key, step, t0, digits, drift, last_t),) = self.sql(
            "SELECT d.key, d.step, d.t0, d.digits, d.drift, d.last_t"
            " FROM otp_totp_totpdevice d JOIN auth_user u ON u.id = d.user_id"
            " WHERE u.username = %s AND d.confirmed", (username,),
        )
        generator = TOTP(bytes.fromhex(key), step, t0, digits, drift)
        wait_until(lambda: generator.t() > last_t, step + 5, f"a fresh TOTP step for {username}",
                   interval=0.5)
        return f"{generator.token():0{digits}d}"

    def teardown(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(Exception):
                proc.stop()
        with contextlib.suppress(Exception):
            self.redis.stop(signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.pg.stop("immediate")


def _http_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError):
        return False


# --- HTTP -----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: str
    seconds: float
    url: str


class Browser:
    """A signed-in user over HTTP: cookies, CSRF, redirects; every request bounded in time."""

    def __init__(self, base: str, timeout: float = 15) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> Response:
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                body, status, url = answer.read().decode(errors="replace"), answer.status, \
                    answer.url
        except urllib.error.HTTPError as error:
            body, status, url = error.read().decode(errors="replace"), error.code, request.full_url
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            body, status, url = repr(error), 0, request.full_url
        return Response(status, body, time.monotonic() - started, url)

    def get(self, path: str) -> Response:
        return self._open(urllib.request.Request(self.base + path))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")  # type: ignore[return-value]

    def post(self, path: str, data: dict[str, str] | list[tuple[str, str]]) -> Response:
        items = list(data.items()) if isinstance(data, dict) else list(data)
        body = urllib.parse.urlencode([*items, ("csrfmiddlewaretoken", self.csrf())]).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "X-CSRFToken": self.csrf(), "Referer": self.base + path,
        })
        return self._open(request)

    def login(self, username: str, password: str,
              one_time_code: Callable[[], str] | None = None) -> None:
        """The password; then, when the site asks for it, the second factor's code."""
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        failed = f"login of {username} failed: {answer.status} {answer.url}"
        assert answer.status == 200, failed
        if one_time_code is not None and "/accounts/otp/verify/" in answer.url:
            path = answer.url.removeprefix(self.base)
            answer = self.post(path, {"otp_token": one_time_code()})
            failed = f"second factor of {username} refused: {answer.status} {answer.url}"
            assert answer.status == 200, failed
        assert "/accounts/login/" not in answer.url, failed
        assert "/accounts/otp/" not in answer.url, failed


def input_names(page: str, prefix: str) -> list[str]:
    return re.findall(rf'name="({re.escape(prefix)}[^"]*)"', page)


def unescape(text: str) -> str:
    return html.unescape(text)


# --- Fixtures -------------------------------------------------------------------------------


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


def progress_checksum(stack: Stack, database: str | None = None) -> tuple[int, str]:
    """Row count and md5 of every Progress row, computed_at left out (it is a timestamp)."""
    (row,) = stack.sql(
        """
        SELECT count(*), md5(coalesce(string_agg(
            concat_ws('|', target_id, year, quarter, status, reason, data_year, data_quarter,
                      current_value, completion_ratio, elapsed_share, elapsed_share_asof, pace,
                      expected_value, gap, moving_away, stale, provisional, exceeds_stretch,
                      unattainable, periods_met, periods_total, needed_average,
                      projected_value, projected_to_meet),
            ',' ORDER BY target_id, year, quarter), ''))
        FROM targets_progress
        """, database=database,
    )
    return int(row[0]), str(row[1])


def log_tail(path: Path, lines: int = 120) -> str:
    """The last ``lines`` lines of a process log (empty when it was never written)."""
    if not path.exists():
        return ""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 400 * lines))
        return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])


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


def report(name: str, **figures: object) -> None:
    """One line of measured figures in the test output (shown with -s or in -rA)."""
    print(f"[faults] {name}: " + json.dumps(figures, ensure_ascii=False, default=str))  # noqa: T201
