"""Time building the quarterly report on whatever data is loaded. Run by hand.

Prints the seconds of each stage (data assembly, HTML and charts, WeasyPrint) and the page
count, as wall-clock and as this process's CPU time (the figure to compare while other work
loads the machine):

    .venv/bin/python -m bench.report_bench [--quarter 2025Q4] [--runs 2] [--output /tmp/r.pdf]
    .venv/bin/python -m bench.report_bench --region 洞头区   # one city (name or code)
    .venv/bin/python -m bench.report_bench --stock-ua     # also time WeasyPrint's stock UA sheet

Without --quarter it takes the latest quarter with progress rows; without --region the
whole scope (every region, as ``export_report`` without a scope). The first run of a process
also pays the imports and font loading that a worker pays once; later runs are warm.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time

from bench._django import setup


def page_count(pdf: bytes) -> str:
    """Pages as pdfinfo (poppler-utils) counts them; "?" without it."""
    if shutil.which("pdfinfo") is None:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


def clocks() -> tuple[float, float]:
    """(wall-clock, this process's CPU time) in seconds."""
    return time.perf_counter(), time.process_time()


def stock_render(html: str) -> float:
    """CPU seconds of WeasyPrint with its stock user-agent stylesheet on ``html``."""
    from django.conf import settings
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports.pdf.render import OfflineURLFetcher

    started = time.process_time()
    HTML(string=html, base_url=settings.BASE_DIR.as_uri() + "/",
         url_fetcher=OfflineURLFetcher()).write_pdf(font_config=FontConfiguration())
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="e.g. 2025Q4 (default: latest with progress)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--output", help="write the last PDF here")
    parser.add_argument("--region", help="one region's report (name or code), e.g. 洞头区")
    parser.add_argument("--stock-ua", action="store_true",
                        help="after each run, render the same HTML with WeasyPrint's stock "
                             "user-agent stylesheet (the layout before docs/report.md 'Speed')")
    options = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.template.loader import render_to_string

    from reports.pdf.data import report_data_build, report_scope_resolve
    from reports.pdf.render import render_pdf
    from reports.services import report_pdf_context
    from targets.selectors import parse_quarter, progress_latest_quarter

    if options.quarter:
        year, quarter = parse_quarter(options.quarter)
    else:
        year, quarter = progress_latest_quarter() or (2025, 4)
    if options.region:
        from django.db.models import Q

        from indicators.models import Region

        region = Region.objects.get(Q(name=options.region) | Q(code=options.region))
        scope = report_scope_resolve(scope="region", region=region)
    else:
        scope = report_scope_resolve(scope="all")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}  "
          f"quarter: {year}Q{quarter}  scope: {scope.label}")
    settings.DEBUG = True  # count queries
    pdf = b""
    for run in range(1, options.runs + 1):
        reset_queries()
        started = clocks()
        data = report_data_build(scope=scope, year=year, quarter=quarter)
        assembled = clocks()
        html = render_to_string("reports/pdf/report.html", report_pdf_context(data))
        templated = clocks()
        pdf = render_pdf(html, base_url=settings.BASE_DIR.as_uri() + "/")
        rendered = clocks()
        print(
            f"run {run}: {data.target_count} targets, {data.total} progress rows, "
            f"{len(data.departments)} departments, {len(connection.queries)} queries "
            f"({page_count(pdf)} pages, {len(pdf) / 1024:.0f} KB)"
        )
        for name, index in (("wall", 0), ("cpu", 1)):
            print(
                f"  {name:4}: data {assembled[index] - started[index]:.2f}s  "
                f"html {templated[index] - assembled[index]:.2f}s  "
                f"pdf {rendered[index] - templated[index]:.2f}s  "
                f"total {rendered[index] - started[index]:.2f}s"
            )
        if options.stock_ua:
            print(f"  stock UA stylesheet: pdf cpu {stock_render(html):.2f}s")
    if options.output:
        with open(options.output, "wb") as handle:
            handle.write(pdf)
        print(f"wrote {options.output}")


if __name__ == "__main__":
    main()
