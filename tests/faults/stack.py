"""The private services and the app processes on them, shared by the fault tests of a session."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .environment import PASSWORD, PYTHON, ROOT, app_env
from .postgres import PrivatePostgres
from .processes import Proc
from .redis_server import PrivateRedis
from .waiting import free_port, wait_until
from .web import Browser


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
