"""Time the progress recompute against the read floor, on whatever data is loaded.

(a) the floor: reading the approved observations and the targets into frames;
(b) the full recompute end to end: read, engine, and the upsert of every Progress row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qt_bench \\
        .venv/bin/python -m bench.recompute_bench [--as-of 2025-06-30] [--runs 2]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from bench._django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--runs", type=int, default=2)
    options = parser.parse_args()
    setup()
    from django.db import connection

    from targets.frames import load_observations_frame, load_targets_frame
    from targets.services import progress_recompute

    as_of = date.fromisoformat(options.as_of)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    for run in range(1, options.runs + 1):
        started = time.perf_counter()
        targets = load_targets_frame()
        observations = load_observations_frame()
        floor = time.perf_counter() - started
        del targets, observations
        started = time.perf_counter()
        rows = progress_recompute(as_of=as_of)
        full = time.perf_counter() - started
        print(f"run {run}: read floor {floor:.1f} s; full recompute {full:.1f} s "
              f"({rows:,} Progress rows); ratio {full / floor:.2f}")


if __name__ == "__main__":
    main()
