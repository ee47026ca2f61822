"""Time a mirror's full sync of one quarter's progress, both ways (issue 18, docs/scale.md).

Against whatever database DATABASE_URL (and DATABASE_REPLICA_URL) configure, in-process
through Django's test client, anonymously as a portal would:

* cursor pages: ``/api/v1/progress/?quarter=Q&cursor=&page_size=1000``, following ``next``
  to the end — total seconds, pages, the slowest page and the queries per page (which
  must not grow with depth);
* the bulk export: ``/api/v1/progress/export/?quarter=Q&format=ndjson`` and ``format=csv``,
  read to the last byte — seconds, rows and megabytes;
* the 304 of an unchanged first page (``If-None-Match``): milliseconds and queries.

Each measurement is the median of ``--runs`` runs (default 3), after one warm-up, with this
process's CPU seconds beside the wall-clock ones (on a shared machine the difference is
PostgreSQL's work and waiting for a core). Issue 18's gate: a full sync of one quarter
≤ 60 s; the bench says which ways pass it and ends with a ready-to-paste markdown table.

    .venv/bin/python -m bench.feed_bench [--quarter 2025Q4] [--runs 3] [--page-size 1000] \
        [--database postgres://postgres@127.0.0.1:5432/national_qt]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench._django import setup

GATE_SECONDS = 60  # issue 18: a mirror's full sync of one quarter


def _median(run: Callable[[], dict[str, Any]], runs: int) -> dict[str, Any]:
    run()  # warm-up: connections, caches, the first compile of every query
    results = []
    for _ in range(runs):
        cpu = time.process_time()
        results.append({**run(), "cpu": time.process_time() - cpu})
    best = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    return {**best, "seconds": statistics.median(r["seconds"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="如 2025Q4；缺省为最近计算的季度")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--database", help="database URL (default: DATABASE_URL)")
    parser.add_argument("--max-pages", type=int, default=0,
                        help="time only this many cursor pages and extrapolate to the quarter")
    options = parser.parse_args()
    if options.database:
        os.environ["DATABASE_URL"] = options.database
    setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from targets.models import Progress
    from targets.selectors import progress_latest_quarter

    setup_test_environment()  # the test client with the project's ALLOWED_HOSTS
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    quarter = options.quarter or "{}Q{}".format(*progress_latest_quarter())
    year, number = (int(part) for part in quarter.split("Q"))
    aliases = list(settings.DATABASES)
    client = Client()

    def queries() -> Any:
        class Both:
            def __enter__(self) -> Both:
                self.contexts = [CaptureQueriesContext(connections[a]) for a in aliases]
                for context in self.contexts:
                    context.__enter__()
                return self

            def __exit__(self, *exc: object) -> None:
                for context in self.contexts:
                    context.__exit__(*exc)

            def __len__(self) -> int:
                return sum(len(context) for context in self.contexts)

        return Both()

    def cursor_sync() -> dict[str, Any]:
        url: str | None = (
            f"/api/v1/progress/?quarter={quarter}&cursor=&page_size={options.page_size}"
        )
        rows, pages, slowest, per_page = 0, 0, 0.0, []
        started = time.perf_counter()
        while url and (not options.max_pages or pages < options.max_pages):
            page_started = time.perf_counter()
            with queries() as counted:
                response = client.get(url)
            slowest = max(slowest, time.perf_counter() - page_started)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            rows += len(body["results"])
            pages += 1
            per_page.append(len(counted))
            url = body["next"]
        seconds = time.perf_counter() - started
        if url:  # stopped at --max-pages: the whole walk at the same time per page
            total = Progress.objects.filter(year=year, quarter=number).count()
            seconds *= total / rows
            rows = total
        return {"seconds": seconds, "rows": rows, "pages": pages, "slowest": slowest,
                "queries": sorted(set(per_page)), "extrapolated": bool(url)}

    def export(fmt: str) -> Callable[[], dict[str, Any]]:
        def run() -> dict[str, Any]:
            started = time.perf_counter()
            response = client.get(f"/api/v1/progress/export/?quarter={quarter}&format={fmt}")
            assert response.status_code == 200, response.content[:300]
            size = lines = 0
            for block in response.streaming_content:
                size += len(block)
                lines += block.count(b"\n")
            rows = lines - (1 if fmt == "csv" else 0)  # the header (no newlines in the rows)
            return {"seconds": time.perf_counter() - started, "rows": rows, "mb": size / 1e6}

        return run

    def not_modified() -> dict[str, Any]:
        url = f"/api/v1/progress/?quarter={quarter}&cursor=&page_size={options.page_size}"
        etag = client.get(url)["ETag"]
        started = time.perf_counter()
        with queries() as counted:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        return {"seconds": time.perf_counter() - started, "queries": len(counted)}

    vendor = connections["default"].vendor
    name = connections["default"].settings_dict["NAME"]
    replica = "，读副本" if "replica" in settings.DATABASES else ""
    print(f"全量同步 {quarter}（{vendor} {name}{replica}，{options.runs} 次取中位数，"
          f"负载 {os.getloadavg()[0]:.1f}）")
    rows = []
    cursor = _median(cursor_sync, options.runs)
    print(f"  游标分页    {cursor['seconds']:8.2f} s（CPU {cursor['cpu']:.1f} s）"
          f"  {cursor['rows']:>8,} 行  {cursor['pages']} 页，最慢一页 "
          f"{cursor['slowest'] * 1000:.0f} ms，每页查询 {cursor['queries']} 次"
          + ("（按已测页数外推至全季度）" if cursor["extrapolated"] else ""))
    walked = (f"{cursor['pages']} of the pages, extrapolated" if cursor["extrapolated"]
              else f"{cursor['pages']} pages")
    rows.append((f"cursor pages ({walked}, {options.page_size} rows each)", cursor,
                 f"{cursor['queries']} queries per page, slowest page "
                 f"{cursor['slowest'] * 1000:,.0f} ms"))
    for fmt in ("ndjson", "csv"):
        result = _median(export(fmt), options.runs)
        print(f"  导出 {fmt:<6} {result['seconds']:8.2f} s（CPU {result['cpu']:.1f} s）"
              f"  {result['rows']:>8,} 行  {result['mb']:.1f} MB")
        rows.append((f"export {fmt}", result, f"{result['mb']:.1f} MB"))
    result = _median(not_modified, options.runs)
    print(f"  304 第一页  {result['seconds'] * 1000:8.1f} ms  查询 {result['queries']} 次")
    print()
    print(f"| {name}, {quarter} | seconds (CPU) | rows | ≤ {GATE_SECONDS} s | notes |")
    print("|---|---:|---:|:-:|---|")
    for label, row, notes in rows:
        gate = "yes" if row["seconds"] <= GATE_SECONDS else "**no**"
        print(f"| {label} | {row['seconds']:,.1f} ({row['cpu']:,.1f}) | {row['rows']:,} | "
              f"{gate} | {notes} |")
    print(f"| 304 of an unchanged first page | {result['seconds'] * 1000:,.0f} ms | | | "
          f"{result['queries']} queries |")

if __name__ == "__main__":
    main()
