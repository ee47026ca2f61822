"""Quarter-end rush load test (issue #9, docs/reliability.md AT-01): set up, run, check, report.

    .venv/bin/python -m bench.load.run_rush [--users 200] [--duration 5m] [--approvers 2]

1. Creates a fresh PostgreSQL database on the local server (``--pg``), migrates, loads
   ``seed_targets`` and adds the rush's province, cities, departments and accounts
   (``bench/load/population.py``); collects static files (DEBUG is off).
2. Starts a Celery worker (broker ``--broker``, a Redis database of its own) and gunicorn
   (``--workers`` sync workers) on a free port of 127.0.0.1, pinned with ``taskset`` to
   CPUs 0-1 when the machine has more than two (the load generator then gets the rest).
3. Runs locust headless (``bench/load/locustfile.py``): ``--users`` reporters spawned over
   ``--ramp`` seconds, each submitting its 10 figures with think times that spread the
   work over the run, plus ``--approvers`` office users approving them.
4. Waits for the worker to drain the recompute outbox, stops the services and checks:
   0 failed requests and 0 5xx; every figure acknowledged to a client is in the database
   exactly once with its value and a submit history row; nothing stored that was not
   acknowledged; every planned figure submitted; every acknowledged approval approved.
   ``--p95-write-ms`` / ``--p95-read-ms`` (AT-01: 500 / 300) are asserted when given.
5. Writes ``summary.md`` / ``summary.json`` (p50/p95/p99 per request type) and locust's
   CSV files to ``--out``; exits 1 when any threshold fails. The database is dropped unless
   ``--keep-db``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WRITES = {"login", "otp", "entry submit", "api create", "api submit", "approve"}
SIGN_IN = {"login", "otp"}  # password and second factor: timed alone, in neither group


def parse_duration(text: str) -> int:
    """'5m', '30s', '1h', '90' → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(pg: str, sql: str) -> None:
    parts = urlsplit(pg)
    subprocess.run(
        [
            "psql",
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 5432),
            "-U",
            parts.username or "postgres",
            "-d",
            "postgres",
            "-qc",
            sql,
        ],
        check=True,
        capture_output=True,
    )


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up within {timeout:.0f} s")


def stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pinning() -> tuple[list[str], list[str]]:
    """taskset prefixes for the system under test and for the load generator."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) <= 2 or shutil.which("taskset") is None:
        return [], []  # a 2-core machine: everything shares both CPUs (noted in the summary)
    sut = ",".join(map(str, cpus[:2]))
    rest = ",".join(map(str, cpus[2:]))
    return ["taskset", "-c", sut], ["taskset", "-c", rest]


def static_stale() -> bool:
    """Whether ``collectstatic`` must run: no manifest, or a static file newer than it."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        p
        for app in ("qualitytrack", "indicators", "targets", "reports")
        for p in (ROOT / app / "static").rglob("*")
        if p.is_file()
    ]
    return any(p.stat().st_mtime > built for p in sources)


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_acks(folder: Path) -> tuple[list[dict], list[int]]:
    figures, approvals = [], []
    for path in folder.glob("acks-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.pop("kind") == "figure":
                figures.append(row)
            else:
                approvals.append(row["id"])
    return figures, approvals


def server_name(method: str, path: str) -> str:
    """The locust request name of an access-log line (server-side timings per type)."""
    if path.startswith("/accounts/login/"):
        return "login" if method == "POST" else "login page"
    if path.startswith("/accounts/otp/verify/"):
        return "otp" if method == "POST" else "otp page"
    if path.startswith("/entry/period/"):
        return "entry submit" if method == "POST" else "entry form"
    if path.startswith("/api/v1/observations/"):
        if method == "GET":
            return "api list"
        return "api submit" if path.endswith("/submit/") else "api create"
    if path.startswith("/entry/observations/"):
        return "approve" if method == "POST" else "figure history"
    return {"/entry/": "due list", "/entry/approvals/": "approvals list"}.get(path, path)


def server_timings(access_log: Path) -> tuple[dict[str, tuple[float, float]], int]:
    """p50/p95 of the server's own time per request type (gunicorn %(M)s), and 5xx count."""
    times: dict[str, list[float]] = {}
    errors = 0
    for line in access_log.read_text(encoding="utf-8").splitlines():
        status, method, path, ms = line.split(" ")
        errors += status.startswith("5")
        times.setdefault(server_name(method, path.strip('"')), []).append(float(ms))
    result = {}
    for name, values in times.items():
        values.sort()
        result[name] = (
            values[len(values) // 2],
            values[min(len(values) - 1, int(len(values) * 0.95))],
        )
    return result, errors


def steady_state(folder: Path, start: float, end: float) -> dict[str, tuple[int, float, float]]:
    """Per request name (and "writes"/"reads"): count, p50, p95 of requests in [start, end)."""
    times: dict[str, list[float]] = {}
    for path in folder.glob("requests-*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            began, name, ms, _ = line.split(",")
            if start <= float(began) < end:
                group = "writes" if name in WRITES - SIGN_IN else "reads"
                for key in (name, group) if name not in SIGN_IN else (name,):
                    times.setdefault(key, []).append(float(ms))
    result = {}
    for name, values in times.items():
        values.sort()
        n = len(values)
        result[name] = (n, values[n // 2], values[min(n - 1, int(n * 0.95))])
    return result


def latency_table(
    stats: list[dict[str, str]], server: dict[str, tuple[float, float]]
) -> list[dict[str, object]]:
    rows = []
    for row in stats:
        name = row["Name"].replace(" (after submit)", "")
        name = "api list" if name in ("api my figures", "api submitted figures") else name
        own = server.get(name, (float("nan"), float("nan")))
        rows.append(
            {
                "server_p50_ms": own[0],
                "server_p95_ms": own[1],
                "type": row["Type"],
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": float(row["Max Response Time"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated reporters")
    parser.add_argument("--duration", default="5m", help="locust run time, e.g. 5m, 30s")
    parser.add_argument(
        "--ramp",
        type=float,
        default=None,
        help="seconds to spawn all users (default: a fifth of the run)",
    )
    parser.add_argument("--approvers", type=int, default=2, help="office users approving")
    parser.add_argument("--figures", type=int, default=10, help="figures per reporter (even)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server (a fresh database is created on it)",
    )
    parser.add_argument(
        "--broker",
        default="redis://127.0.0.1:6379/12",
        help="Redis for the rush's worker (a database nobody else uses)",
    )
    parser.add_argument("--p95-write-ms", type=float, default=None)
    parser.add_argument("--p95-read-ms", type=float, default=None)
    parser.add_argument("--out", type=Path, default=None, help="report folder")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--db-prefix", default="qt_rush",
                        help="name of the fresh database: <prefix>_<pid>")
    parser.add_argument(
        "--plain-static",
        action="store_true",
        help="plain static storage, no collectstatic (bench/load/settings.py)",
    )
    options = parser.parse_args()

    duration = parse_duration(options.duration)
    ramp = options.ramp if options.ramp is not None else max(5.0, duration / 5)
    per_reporter = max(1, options.figures // 2)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 (a folder name)
    out = options.out or ROOT / "artifacts" / "load" / f"rush-{options.users}u-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    acks = out / "acks"
    shutil.rmtree(acks, ignore_errors=True)
    db = f"{options.db_prefix}_{os.getpid()}"
    database_url = options.pg.rsplit("/", 1)[0] + f"/{db}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": options.broker,
        "CELERY_RESULT_BACKEND": options.broker,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECURE_COOKIES": "False",  # plain http on 127.0.0.1
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": (
            "bench.load.settings" if options.plain_static else "qualitytrack.settings"
        ),
    }
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "CELERY_BROKER_URL",
                "CELERY_RESULT_BACKEND",
                "DJANGO_DEBUG",
                "DJANGO_SECURE_COOKIES",
                "DJANGO_SECRET_KEY",
                "DJANGO_ALLOWED_HOSTS",
                "DJANGO_SETTINGS_MODULE",
            )
        }
    )
    manage = [str(BIN / "python"), "manage.py"]
    sut_cpus, load_cpus = pinning()
    gunicorn = celery = None
    started = time.monotonic()
    log = print
    try:
        log(f"== database {db}")
        psql(options.pg, f"create database {db}")
        commands = [["migrate", "--noinput"], ["loaddata", "seed_targets"]]
        if not options.plain_static and static_stale():
            commands.append(["collectstatic", "--noinput"])  # ~80 s: compresses plotly.js
        for command in commands:
            subprocess.run(
                [*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        from bench._django import setup

        setup()
        from django.db import connections

        from bench.load import population

        manifest = population.populate(
            reporters=options.users, approvers=options.approvers, per_reporter=per_reporter
        )
        connections.close_all()
        manifest_path = out / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        figures = sum(len(r["figures"]) for r in manifest["reporters"])
        log(
            f"   {len(manifest['reporters'])} reporters, {figures} figures, "
            f"{len(manifest['approvers'])} approvers ({time.monotonic() - started:.0f} s)"
        )

        log("== services")
        worker_log = (out / "worker.log").open("w")
        celery = subprocess.Popen(
            [
                *sut_cpus,
                str(BIN / "celery"),
                "-A",
                "qualitytrack",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "1",
                "--purge",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        web_log = (out / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            [
                *sut_cpus,
                str(BIN / "gunicorn"),
                "qualitytrack.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                "--timeout",
                "60",
                "--access-logfile",
                str(out / "access.log"),
                "--access-logformat",
                '%(s)s %(m)s "%(U)s" %(M)s',
            ],
            cwd=ROOT,
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{host}/accounts/login/", 60)

        # Think times: spread each reporter's figures over what is left after the ramp,
        # leaving a fifth of the run (and locust's stop timeout) as a margin.
        steps = per_reporter * 2 + 2
        mean = max(0.5, (duration - ramp) * 0.7 / steps)
        think = (round(mean * 0.5, 2), round(mean * 1.5, 2))
        users = options.users + options.approvers
        classes = ["Reporter", "Approver"] if options.approvers else ["Reporter"]
        log(f"== locust: {users} users over {ramp:.0f} s, {duration} s, think {think} s")
        locust_env = {
            **env,
            "RUSH_MANIFEST": str(manifest_path),
            "RUSH_ACK_DIR": str(acks),
            "RUSH_THINK_MIN": str(think[0]),
            "RUSH_THINK_MAX": str(think[1]),
            "RUSH_IDLE_MIN": str(max(2.0, mean)),
            "RUSH_IDLE_MAX": str(max(4.0, 2 * mean)),
            "RUSH_APPROVERS": str(options.approvers),
        }
        prefix = out / "locust"
        load_before = os.getloadavg()[0]
        locust_started = time.time()
        locust_run = subprocess.run(
            [
                *load_cpus,
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench/load/locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                f"{users / ramp:.3f}",
                "-t",
                f"{duration}s",
                "--stop-timeout",
                "120",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                *classes,
            ],
            cwd=ROOT,
            env=locust_env,
            capture_output=True,
            text=True,
        )
        load_after = os.getloadavg()[0]
        (out / "locust.log").write_text(locust_run.stdout + locust_run.stderr, encoding="utf-8")

        log("== draining the recompute outbox")
        deadline = time.monotonic() + 120
        while population.outbox_pending() and time.monotonic() < deadline:
            time.sleep(1)
        connections.close_all()
        stop(gunicorn)
        stop(celery)

        log("== checks")
        figures_acked, approvals = read_acks(acks)
        result = population.check(manifest=manifest, acks=figures_acked, approvals=approvals)
        steady = steady_state(acks, locust_started + ramp + 5, locust_started + duration)
        server, server_errors = server_timings(out / "access.log")
        table = latency_table(read_stats(prefix), server)
        total = next(r for r in table if r["name"] == "Aggregated")
        problems = list(result.pop("problems"))
        if total["failures"]:
            problems.append(f"{total['failures']} failed requests (see locust_failures.csv)")
        if server_errors:
            problems.append(f"{server_errors} responses with a 5xx status")
        with (out / "locust_exceptions.csv").open(encoding="utf-8") as handle:
            exceptions = sum(int(row["Count"]) for row in csv.DictReader(handle))
        if exceptions:
            problems.append(f"{exceptions} exceptions in the locust users (locust_exceptions.csv)")
        if locust_run.returncode not in (0, 1):
            problems.append(f"locust exited with {locust_run.returncode}")
        # AT-01's latency thresholds, over the steady state (after the ramp) only.
        for limit, group in ((options.p95_write_ms, "writes"), (options.p95_read_ms, "reads")):
            if limit is not None and group in steady and steady[group][2] > limit:
                problems.append(
                    f"steady-state p95 of {group} {steady[group][2]:.0f} ms > {limit:.0f} ms"
                )
        summary = {
            "users": options.users,
            "approvers": options.approvers,
            "duration_s": duration,
            "ramp_s": ramp,
            "think_s": think,
            "gunicorn_workers": options.workers,
            "cpus": len(os.sched_getaffinity(0)),
            "pinned": bool(sut_cpus),
            "loadavg_1min": [round(load_before, 2), round(load_after, 2)],
            "requests": total["requests"],
            "failures": total["failures"],
            "server_errors": server_errors,
            **result,
            "figures_per_s": round(result["figures_acknowledged"] / duration, 2),
            "latency": table,
            "steady_state": {
                name: {"requests": n, "p50_ms": p50, "p95_ms": p95}
                for name, (n, p50, p95) in sorted(steady.items())
            },
            "problems": problems,
            "versions": versions(),
        }
        (out / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        markdown = render(summary)
        (out / "summary.md").write_text(markdown, encoding="utf-8")
        log(markdown)
        log(f"report: {out}")
        if problems:
            log("FAIL:\n  " + "\n  ".join(problems))
            return 1
        log(f"PASS in {time.monotonic() - started:.0f} s")
        return 0
    finally:
        stop(gunicorn)
        stop(celery)
        if not options.keep_db:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            with contextlib.suppress(subprocess.CalledProcessError):
                psql(options.pg, f"drop database if exists {db} with (force)")


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("Django", "gunicorn", "celery", "psycopg", "locust", "redis")
    found = {name: version(name) for name in names}
    found["python"] = sys.version.split()[0]
    with contextlib.suppress(Exception):
        found["postgresql"] = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
    with contextlib.suppress(Exception):
        found["redis-server"] = subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[2]
    return found


def render(summary: dict) -> str:
    lines = [
        f"Quarter-end rush: {summary['users']} reporters + {summary['approvers']} approvers, "
        f"{summary['duration_s']} s (ramp {summary['ramp_s']:.0f} s), gunicorn "
        f"{summary['gunicorn_workers']} workers, {summary['cpus']} CPUs "
        f"({'SUT pinned' if summary['pinned'] else 'shared with locust'}), load average "
        f"{summary['loadavg_1min'][0]} before / {summary['loadavg_1min'][1]} at the end",
        "",
        f"requests {summary['requests']}, failures {summary['failures']}, 5xx "
        f"{summary['server_errors']}; figures planned {summary['figures_planned']}, "
        f"acknowledged {summary['figures_acknowledged']}, in DB {summary['figures_in_db']} "
        f"(duplicates {summary['duplicates']}, history rows {summary['history_rows']}); "
        f"approvals {summary['approvals_acknowledged']} acknowledged / "
        f"{summary['approved_in_db']} in DB; outbox pending {summary['outbox_pending']}",
        "",
        "Client-side latency (locust, whole run incl. ramp); server = gunicorn's own time "
        "for that request type (the difference is queueing for a worker and the shared CPU).",
        "",
        "| request | count | fail | p50 ms | p95 ms | p99 ms | max ms | server p50 | server p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary["latency"]:
        lines.append(
            f"| {row['name']} | {row['requests']} | {row['failures']} | {row['p50_ms']:.0f} | "
            f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:.0f} | "
            f"{row['server_p50_ms']:.0f} | {row['server_p95_ms']:.0f} |"
        )
    steady = summary["steady_state"]
    if steady:
        lines += [
            "",
            f"Steady state (after the ramp, {summary['ramp_s']:.0f} + 5 s, to the end): "
            + "; ".join(
                f"{name} p50 {row['p50_ms']:.0f} / p95 {row['p95_ms']:.0f} ms ({row['requests']})"
                for name, row in steady.items()
                if name in ("writes", "reads")
            ),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
