"""Time the progress recompute against the read floor, on whatever data is loaded.

Each run measures, each in a fresh process (so each has its own peak memory):

(a) the floor: reading the approved observations and the targets into frames, one query each
    (``load_targets_frame`` + ``load_observations_frame``, COPY … TO STDOUT on PostgreSQL);
(b) the full recompute end to end: read, engine and the upsert of every Progress row
    (``progress_recompute``, streamed by region, docs/scale.md).

It prints, per run, wall-clock seconds, this process's CPU seconds and peak RSS of both, and
the ratio recompute / floor; then the medians (issue 18 item 3: ratio ≤ 1.5, peak ≤ 1 GB).
Wall-clock is what the goal is about; CPU time shows how much of it was this process (the
rest is PostgreSQL and, on a shared machine, waiting for a core).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qt_bench \\
        .venv/bin/python -m bench.recompute_bench [--as-of 2025-06-30] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date

from bench._django import ROOT, setup


def _measure(phase: str, as_of: date, chunk: int | None) -> dict[str, float]:
    """Run one phase in this process; wall and CPU seconds, peak RSS in MB, rows."""
    setup()
    from targets.frames import load_observations_frame, load_targets_frame
    from targets.services import progress_recompute

    started, cpu = time.perf_counter(), time.process_time()
    if phase == "floor":
        targets = load_targets_frame()
        observations = load_observations_frame()
        rows = len(targets) + len(observations)
    else:
        rows = progress_recompute(as_of=as_of, chunk_targets=chunk)
    return {
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows,
    }


def _child(phase: str, options: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.recompute_bench", "--phase", phase,
               "--as-of", options.as_of]
    if options.chunk:
        command += ["--chunk", str(options.chunk)]
    done = subprocess.run(command, cwd=ROOT, env=os.environ, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=None,
                        help="targets per chunk (default: PROGRESS_CHUNK_TARGETS)")
    parser.add_argument("--phase", choices=("floor", "recompute"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:  # a child: one measurement, as JSON on the last line
        print(json.dumps(_measure(options.phase, date.fromisoformat(options.as_of),
                                  options.chunk)))
        return
    setup()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, "
          f"as of {options.as_of}, load average {os.getloadavg()[0]:.1f}")
    print("| run | floor s (CPU) | recompute s (CPU) | ratio | peak RSS floor / recompute | rows |")
    print("|---|---:|---:|---:|---:|---:|")
    ratios, floors, fulls, peaks = [], [], [], []
    for run in range(1, options.runs + 1):
        floor = _child("floor", options)
        full = _child("recompute", options)
        ratio = full["wall"] / floor["wall"]
        ratios.append(ratio)
        floors.append(floor["wall"])
        fulls.append(full["wall"])
        peaks.append(full["rss_mb"])
        print(f"| {run} | {floor['wall']:.1f} ({floor['cpu']:.1f}) | "
              f"{full['wall']:.1f} ({full['cpu']:.1f}) | {ratio:.2f} | "
              f"{floor['rss_mb']:,.0f} / {full['rss_mb']:,.0f} MB | {int(full['rows']):,} |",
              flush=True)
    print(f"| median | {statistics.median(floors):.1f} | {statistics.median(fulls):.1f} | "
          f"{statistics.median(ratios):.2f} | – / {statistics.median(peaks):,.0f} MB | |")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores shared: wall-clock is noisy)")


if __name__ == "__main__":
    main()
