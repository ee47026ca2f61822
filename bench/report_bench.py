"""Time building the whole-scope quarterly report on whatever data is loaded. Run by hand.

Prints the seconds of each stage (data assembly, HTML, WeasyPrint) and the page count:

    .venv/bin/python -m bench.report_bench [--quarter 2025Q4] [--runs 2] [--output /tmp/r.pdf]

Without --quarter it takes the latest quarter with progress rows.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="e.g. 2025Q4 (default: latest with progress)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--output", help="write the last PDF here")
    options = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.template.loader import render_to_string

    from reports.pdf import render_pdf
    from reports.report_data import report_data_build, report_scope_resolve
    from reports.services import report_pdf_context
    from targets.selectors import parse_quarter, progress_latest_quarter

    if options.quarter:
        year, quarter = parse_quarter(options.quarter)
    else:
        year, quarter = progress_latest_quarter() or (2025, 4)
    scope = report_scope_resolve(scope="all")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}  "
          f"quarter: {year}Q{quarter}")
    settings.DEBUG = True  # count queries
    pdf = b""
    for run in range(1, options.runs + 1):
        reset_queries()
        started = time.perf_counter()
        data = report_data_build(scope=scope, year=year, quarter=quarter)
        assembled = time.perf_counter()
        html = render_to_string("reports/pdf/report.html", report_pdf_context(data))
        templated = time.perf_counter()
        pdf = render_pdf(html, base_url=settings.BASE_DIR.as_uri() + "/")
        rendered = time.perf_counter()
        print(
            f"run {run}: {data.target_count} targets, {data.total} progress rows, "
            f"{len(data.departments)} departments, {len(connection.queries)} queries | "
            f"data {assembled - started:.2f}s  html {templated - assembled:.2f}s  "
            f"pdf {rendered - templated:.2f}s  total {rendered - started:.2f}s  "
            f"({page_count(pdf)} pages, {len(pdf) / 1024:.0f} KB)"
        )
    if options.output:
        with open(options.output, "wb") as handle:
            handle.write(pdf)
        print(f"wrote {options.output}")


if __name__ == "__main__":
    main()
