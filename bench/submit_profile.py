"""Where a submission spends its time: CPU and queries per create + submit pair, in-process.

Issue 18 item 5 (README, docs/scale.md "Submissions under the rush"). Runs N figures through
the whole middleware stack with Django's test client, DEBUG off, the way the quarter-end rush
(``bench/load/locustfile.py``) sends them, and prints per figure the CPU milliseconds of
this process (``time.process_time``: the Django side only; PostgreSQL's own CPU is not in
it), the SQL queries, and with ``--profile`` the top cumulative functions of cProfile:

    .venv/bin/python -m bench.submit_profile --database postgres://…/rush_prof --pairs 200 \\
        [--auth session|token] [--via api|form] [--profile] [--sql] [--rebuild]

* ``--via api`` (default): ``POST /api/v1/observations/`` then ``…/{id}/submit/``, with the
  CSRF header and Referer of a browser session (``--auth session``: the reporter signed in
  through the login form, as locust does) or ``Authorization: Token …`` (``--auth token``:
  the department's API token).
* ``--via form``: the entry page, its POST with "提交审核" and the page after the redirect
  (the other half of the rush's figures).

The population is ``bench/load/population.py``'s (a synthetic province, one reporter per
department) in a template database ``<name>_tpl`` built once (migrate, ``seed_targets``,
population, a department token per reporter); every run copies it afresh into ``<name>``
(``CREATE DATABASE … TEMPLATE``), so runs start from the same state and figures are never
entered twice. Like gunicorn, every request starts with ``close_old_connections`` (the
connection health check). A few warm-up figures (other reporters) are not counted.

Only CPU time and query counts are claims; the wall time printed alongside depends on
whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WARMUP = 6


def _psql(url: str, sql: str) -> str:
    parts = urlsplit(url)
    return subprocess.run(
        ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
         "-U", parts.username or "postgres", "-d", "postgres", "-Atqc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",  # DEBUG off, no collectstatic
        "DJANGO_DEBUG": "False",
        "DJANGO_SECURE_COOKIES": "False",
        "DJANGO_SECRET_KEY": "bench-submit-profile-not-a-secret-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def build_template(url: str, *, reporters: int, per_reporter: int) -> dict[str, Any]:
    """Create ``url``'s database, migrate, seed, add the rush's population and tokens."""
    name = urlsplit(url).path.lstrip("/")
    _psql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(url, f"CREATE DATABASE {name}")
    env = _environment(url)
    for command in (["migrate", "--noinput"], ["loaddata", "seed_targets"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    script = (
        "import json, sys; from bench._django import setup; setup();"
        "from bench.submit_profile import populate_with_tokens;"
        f"json.dump(populate_with_tokens({reporters}, {per_reporter}), sys.stdout)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout)


def populate_with_tokens(reporters: int, per_reporter: int) -> dict[str, Any]:
    """``population.populate`` plus one department token per reporter (key in the manifest)."""
    from accounts.models import ApiToken
    from accounts.services.tokens import token_create
    from bench.load import population
    from indicators.models import Department

    manifest = population.populate(reporters=reporters, approvers=1, per_reporter=per_reporter)
    for reporter in manifest["reporters"]:
        department = Department.objects.get(profile__user__username=reporter["username"])
        _, key = token_create(by=None, name=f"压测 {reporter['username']}",
                              kind=ApiToken.Kind.DEPARTMENT, department=department)
        reporter["token"] = key
    return manifest


def fresh_copy(url: str, *, rebuild: bool, reporters: int, per_reporter: int) -> dict[str, Any]:
    """The manifest; ``url``'s database recreated from its template (built when missing)."""
    name = urlsplit(url).path.lstrip("/")
    template_url = url.rsplit("/", 1)[0] + f"/{name}_tpl"
    manifest_path = ROOT / "artifacts" / "submit_profile" / f"{name}_tpl.json"
    exists = _psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}_tpl'") == "1"
    if rebuild or not exists or not manifest_path.exists():
        print(f"building the template {name}_tpl ({reporters} reporters) …", file=sys.stderr)
        manifest = build_template(template_url, reporters=reporters, per_reporter=per_reporter)
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    _psql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(url, f"CREATE DATABASE {name} TEMPLATE {name}_tpl")
    return json.loads(manifest_path.read_text(encoding="utf-8"))


# --- Measuring ------------------------------------------------------------------------------


class Counter:
    """An execute wrapper counting queries (the query log stays empty with DEBUG off)."""

    def __init__(self) -> None:
        self.n = 0
        self.sql: list[str] | None = None

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        if self.sql is not None:
            self.sql.append(sql)
        return execute(sql, params, many, context)


class Rush:
    """One reporter's browser (session) or department system (token), as locust drives it."""

    def __init__(self, reporter: dict[str, Any], *, auth: str, password: str) -> None:
        from django.test import Client

        self.reporter = reporter
        self.client = Client(enforce_csrf_checks=True)
        self.headers: dict[str, str] = {}
        if auth == "token":
            self.headers = {"HTTP_AUTHORIZATION": f"Token {reporter['token']}"}
            return
        page = self.request("get", "/accounts/login/")
        token = CSRF_INPUT.search(page.content.decode()).group(1)  # type: ignore[union-attr]
        answer = self.request("post", "/accounts/login/", {
            "username": reporter["username"], "password": password,
            "csrfmiddlewaretoken": token,
        }, HTTP_REFERER="http://testserver/accounts/login/")
        if answer.status_code != 302:
            raise SystemExit(f"login of {reporter['username']}: {answer.status_code}")
        self.headers = {"HTTP_REFERER": "http://testserver/entry/"}

    def request(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        from django.db import close_old_connections

        close_old_connections()  # gunicorn's request_started: the connection health check
        return getattr(self.client, method)(path, data, **extra)

    def api(self, figure: dict[str, Any]) -> None:
        csrf = {"HTTP_X_CSRFTOKEN": self.client.cookies["csrftoken"].value} if (
            "csrftoken" in self.client.cookies) else {}
        body = {"indicator": figure["code"], "year": figure["year"], "quarter": figure["quarter"],
                "value": figure["value"], "evidence": "压测", "confirm_jump": True}
        created = self.request("post", "/api/v1/observations/", json.dumps(body),
                               content_type="application/json", **self.headers, **csrf)
        if created.status_code != 201:
            raise SystemExit(f"create {figure['code']}: {created.status_code} {created.content!r}")
        pk = created.json()["id"]
        done = self.request("post", f"/api/v1/observations/{pk}/submit/", **self.headers, **csrf)
        if done.status_code != 200 or done.json()["status"] != "submitted":
            raise SystemExit(f"submit {pk}: {done.status_code} {done.content!r}")

    def form(self, figure: dict[str, Any]) -> None:
        quarter = figure["quarter"]
        period = f"{figure['year']}Q{quarter}" if quarter else str(figure["year"])
        path = f"/entry/period/{period}/{figure['code']}/"
        page = self.request("get", path)
        token = CSRF_INPUT.search(page.content.decode()).group(1)  # type: ignore[union-attr]
        pk = figure["indicator_id"]
        answer = self.request("post", path, {
            "csrfmiddlewaretoken": token, f"value_{pk}": figure["value"],
            f"evidence_{pk}": "压测", f"confirm_{pk}": "on", "submit": "1",
        }, HTTP_REFERER=f"http://testserver{path}")
        if answer.status_code != 302:
            raise SystemExit(f"entry of {figure['code']}: {answer.status_code}")
        if "已提交审核" not in self.request("get", path).content.decode():
            raise SystemExit(f"entry of {figure['code']}: no confirmation")


def figures(manifest: dict[str, Any], *, auth: str) -> Iterator[tuple[dict[str, Any], dict]]:
    """(reporter, figure) in order; sessions and tokens use disjoint halves of the reporters,
    so a template serves both without a figure entered twice."""
    reporters = manifest["reporters"]
    half = len(reporters) // 2
    for reporter in reporters[:half] if auth == "session" else reporters[half:]:
        for figure in reporter["figures"]:
            yield reporter, figure


@contextmanager
def counting(counter: Counter) -> Iterator[None]:
    from django.db import connection

    with connection.execute_wrapper(counter):
        yield


def measure(manifest: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    """Run the warm-up, then ``options.pairs`` figures; CPU, wall and queries per figure."""
    counter = Counter()
    clients: dict[str, Rush] = {}
    cpu: list[float] = []
    queries: list[int] = []
    started_wall = time.perf_counter()
    profiler = cProfile.Profile(time.process_time) if options.profile else None
    stream = figures(manifest, auth=options.auth)
    for index in range(WARMUP + options.pairs):
        try:
            reporter, figure = next(stream)
        except StopIteration:
            raise SystemExit(f"the template holds too few figures: use --rebuild with more "
                             f"--reporters (stopped at {index - WARMUP})") from None
        rush = clients.get(reporter["username"])
        if rush is None:  # signing in is not part of a figure
            rush = clients[reporter["username"]] = Rush(
                reporter, auth=options.auth, password=manifest["password"])
        if index == WARMUP:
            started_wall = time.perf_counter()
        last = index == WARMUP + options.pairs - 1
        counter.n, counter.sql = 0, ([] if options.sql and last else None)
        began = time.process_time()
        with counting(counter):
            if profiler is not None and index >= WARMUP:
                profiler.enable()
            getattr(rush, options.via)(figure)
            if profiler is not None:
                profiler.disable()
        if index >= WARMUP:
            cpu.append((time.process_time() - began) * 1000)
            queries.append(counter.n)
    wall = (time.perf_counter() - started_wall) * 1000 / options.pairs
    return {"cpu": cpu, "queries": queries, "wall": wall, "profiler": profiler,
            "sql": counter.sql}


def report(result: dict[str, Any], options: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection

    cpu, queries = result["cpu"], result["queries"]
    what = "create + submit pair" if options.via == "api" else "entry page + POST + page after"
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, DEBUG "
          f"{settings.DEBUG}, auth {options.auth}, via {options.via} ({what})")
    print(f"figures: {len(cpu)} (after {WARMUP} warm-up)")
    ordered = sorted(cpu)
    print(f"CPU ms per figure: mean {statistics.mean(cpu):.1f}, median "
          f"{statistics.median(cpu):.1f}, p10 {ordered[len(cpu) // 10]:.1f}, p95 "
          f"{ordered[int(len(cpu) * 0.95) - 1]:.1f} (p10: the least disturbed by other work)")
    print(f"queries per figure: mean {statistics.mean(queries):.1f}, "
          f"min {min(queries)}, max {max(queries)}")
    print(f"(wall ms per figure {result['wall']:.1f}: depends on the machine's load, not a claim)")
    if result["sql"] is not None:
        print("\nqueries of the last figure:")
        for n, sql in enumerate(result["sql"], 1):
            print(f"{n:3d}. {sql if options.sql_full else sql[:220]}")
    if result["profiler"] is not None:
        text = io.StringIO()
        stats = pstats.Stats(result["profiler"], stream=text)
        # Deterministic, unlike CPU time on a shared machine: a proxy for the Python work.
        print(f"Python function calls per figure: {stats.total_calls / len(cpu):,.0f}")  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(options.top)
        print(text.getvalue())
        if options.tottime:
            text = io.StringIO()
            stats.stream = text  # type: ignore[attr-defined]
            stats.sort_stats("tottime").print_stats(options.top)
            print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/rush_prof",
                        help="PostgreSQL URL; the database is recreated from <name>_tpl")
    parser.add_argument("--pairs", type=int, default=200, help="figures measured")
    parser.add_argument("--auth", choices=["session", "token"], default="session")
    parser.add_argument("--via", choices=["api", "form"], default="api")
    parser.add_argument("--profile", action="store_true", help="cProfile, cumulative order")
    parser.add_argument("--tottime", action="store_true", help="also by own time (--profile)")
    parser.add_argument("--top", type=int, default=45, help="profile lines printed")
    parser.add_argument("--sql", action="store_true", help="print the last figure's queries")
    parser.add_argument("--sql-full", action="store_true", help="with --sql: whole statements")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template first")
    parser.add_argument("--reporters", type=int, default=100,
                        help="reporters of a rebuilt template (half session, half token)")
    parser.add_argument("--figures", type=int, default=10,
                        help="figures per reporter of a rebuilt template (even)")
    options = parser.parse_args()
    manifest = fresh_copy(options.database, rebuild=options.rebuild,
                          reporters=options.reporters, per_reporter=max(1, options.figures // 2))
    os.environ.update(_environment(options.database))
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    import django

    django.setup()
    report(measure(manifest, options), options)


if __name__ == "__main__":
    main()
