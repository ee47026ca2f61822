"""Time every page type and feed call on whatever data is loaded (issue 5: < 300 ms on the
seed data; issue 18: the same at national scale).

Runs in-process through Django's test client as the demo office user (create it with
`make setup`, or `manage.py create_demo_users` on a generated database; its session is marked
as having given the second factor, with the demo device), warm, N times per page, and prints
per page the median and p95 in milliseconds, the SQL queries of one request and their time.
Two floors are measured in the same run, so that a page's figure can be read against them:

* ``hello-world``: a view that returns a fixed text, through the whole middleware stack
  (sessions, authentication, second factor, locale, CSP, …): what any page costs at least;
* ``SELECT 1``: one round trip to the database: what any query costs at least.

``--database URL`` (repeatable) measures those databases instead of ``DATABASE_URL``, each in
a fresh process, and prints the results side by side as a ready-to-paste markdown table:

    .venv/bin/python -m bench.pages_bench [--runs 20] \\
        [--database postgres://…/qt_seed --database postgres://…/national_qt]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench._django import ROOT, setup

HELLO = "/bench/hello-world/"


def hello_world(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello, world", content_type="text/plain")


# The bench's URLconf (set in ``measure``, once Django is set up): the project's, plus the
# hello-world view, which is never part of the project.
urlpatterns: list[Any] = []


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def _signed_in_client(username: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.second_factor import confirmed_device, second_factor_required

    client = Client()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise SystemExit(f"no user {username}: run manage.py create_demo_users on this database")
    client.force_login(user)
    if second_factor_required(user):  # what django_otp.login does once the code is right
        device = confirmed_device(user)
        if device is None:
            raise SystemExit(f"{user} has no TOTP device: run manage.py create_demo_users")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _pages() -> dict[str, str]:
    from django.urls import reverse

    from indicators.models import Department, Indicator
    from targets.models import Plan, Target

    plan = Plan.objects.order_by("-targets__pk").first()
    department = Department.objects.filter(led_targets__isnull=False).first()
    indicator = Indicator.objects.filter(targets__isnull=False).first()
    target = Target.objects.filter(plan=plan).first()
    return {
        "hello-world (floor)": HELLO,
        "首页": reverse("reports:home"),
        "总览": reverse("reports:overview"),
        "城市/规划": reverse("reports:plan-list"),
        "规划详情": reverse("reports:plan-detail", args=[plan.code]),
        "部门列表": reverse("reports:department-list"),
        "部门详情": reverse("reports:department-detail", args=[department.pk]),
        "指标列表": reverse("reports:indicator-list"),
        "指标详情": reverse("reports:indicator-detail", args=[indicator.code]),
        "目标详情": reverse("reports:target-detail", args=[target.pk]),
        "已逾期": reverse("indicators:overdue"),
        "API 目标（第1页，1000条）": "/api/v1/targets/?page_size=1000",
        "API 进度（第1页，1000条）": "/api/v1/progress/?page_size=1000",
        "API 进度（游标第1页）": "/api/v1/progress/?cursor=&page_size=1000",
    }


def _timing_into(queries: list[float]) -> Any:
    """An execute wrapper that appends each query's seconds to ``queries`` (it counts with
    DEBUG off too, unlike the connection's query log)."""

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - started)

    return timed


class PageTimeout(Exception):
    """A page took longer than ``--page-timeout``: it is reported as such, not measured."""


def _alarm(signum: int, frame: Any) -> None:
    raise PageTimeout


def measure(runs: int, username: str, timeout: int = 0) -> dict[str, Any]:
    """Every page and feed call on the configured database: p50, p95, queries, SQL ms."""
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import clear_url_caches, set_urlconf

    setup_test_environment()  # lets the test client run with the project's ALLOWED_HOSTS
    urlpatterns[:] = [path(HELLO.strip("/") + "/", hello_world),
                      path("", include("qualitytrack.urls"))]
    settings.ROOT_URLCONF = __name__
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    clear_url_caches()
    set_urlconf(None)
    client = _signed_in_client(username)
    results: dict[str, Any] = {}
    with connection.cursor() as cursor:
        timings = []
        for _ in range(max(runs, 50)):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            timings.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(timings)
    results["SELECT 1 (floor)"] = {"p50": p50, "p95": p95, "queries": 1, "sql_ms": p50,
                                   "status": 0}
    signal.signal(signal.SIGALRM, _alarm)
    for name, url in _pages().items():
        signal.alarm(timeout)  # 0: no limit
        try:
            client.get(url)  # warm caches and templates
        except PageTimeout:
            results[name] = {"timeout": timeout}
            connection.close()  # the interrupted query's connection is not reused
            continue
        finally:
            signal.alarm(0)
        queries: list[float] = []
        with connection.execute_wrapper(_timing_into(queries)):
            status = client.get(url).status_code
        timings, cpu = [], time.process_time()
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        p50, p95 = _percentiles(timings)
        results[name] = {
            "p50": p50, "p95": p95, "queries": len(queries), "status": status,
            "sql_ms": sum(queries) * 1000,
            "cpu_ms": (time.process_time() - cpu) * 1000 / runs,
        }
    return results


def _describe(url: str | None) -> str:
    if not url:
        return os.environ.get("DATABASE_URL", "default")
    return urlsplit(url).path.strip("/") or url


def _child(url: str, options: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.pages_bench", "--json", "--runs",
               str(options.runs), "--user", options.user,
               "--page-timeout", str(options.page_timeout)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{_describe(url)}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(columns: dict[str, dict[str, Any]], runs: int) -> str:
    """One row per page; per database p50 / p95 ms and queries (SQL ms) of one request."""
    names = list(columns)
    lines = [
        "| page | " + " | ".join(f"{n}: p50 / p95 ms | {n}: queries (SQL ms)" for n in names)
        + " |",
        "|---|" + "---:|---:|" * len(names),
    ]
    pages = list(next(iter(columns.values())))
    for page in pages:
        cells = []
        for name in names:
            row = columns[name].get(page)
            if row is None:
                cells += ["–", "–"]
                continue
            if "timeout" in row:
                cells += [f"> {row['timeout']:,} s (first request)", "–"]
                continue
            flag = "" if row["status"] in (0, 200) else f" ({row['status']})"
            cells += [f"{row['p50']:,.0f} / {row['p95']:,.0f}{flag}",
                      f"{row['queries']} ({row['sql_ms']:,.0f})"]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{runs} warm requests per page, in-process (Django test client), as the "
                 f"office user; load average {os.getloadavg()[0]:.1f} at the end (the machine's "
                 "cores are shared: wall-clock figures are noisy, read them against the floors).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default="office")
    parser.add_argument("--database", action="append", default=[],
                        help="a database URL to measure (repeatable; default DATABASE_URL)")
    parser.add_argument("--page-timeout", type=int, default=0,
                        help="seconds: a page whose first request takes longer is reported, "
                             "not measured (0: no limit)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.json:  # a child of --database: the results as JSON on the last line
        print(json.dumps(measure(options.runs, options.user, options.page_timeout)))
        return
    if options.database:
        columns = {_describe(url): _child(url, options) for url in options.database}
    else:
        columns = {_describe(None): measure(options.runs, options.user, options.page_timeout)}
    for name, rows in columns.items():
        print(f"== {name}")
        print(f"{'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} "
              f"{'SQL ms':>8}  status")
        for page, row in rows.items():
            if "timeout" in row:
                print(f"{page:<26} > {row['timeout']} s (first request), not measured")
                continue
            print(f"{page:<26} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                  f"{row.get('cpu_ms', 0):>7.1f} {row['queries']:>8} {row['sql_ms']:>8.1f}  "
                  f"{row['status'] or '–'}")
    print()
    print(markdown(columns, options.runs))


if __name__ == "__main__":
    main()
