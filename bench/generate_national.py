"""Generate a synthetic national-scale dataset and load it into PostgreSQL with COPY.

Default: 3,200 regions (one plan each, 2021–2025, base 2020) × 150 targets = 480,000
targets, and quarterly approved figures 2021 Q1 – 2025 Q4 for every (indicator, region):
3,200 × 150 × 20 = 9.6 million observations. The mix of kinds follows the seed plans
(rates ≥, limits ≤, cumulative and annual flows, maintain). Deterministic (seeded).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qt_bench \\
        .venv/bin/python -m bench.generate_national [--regions 3200] [--targets 150]

The database is migrated first and the tables this writes are emptied. The counties hang
under one region 全国 (code 100000), so ``manage.py create_demo_users`` afterwards gives the
demo office account the whole country (``bench.pages_bench`` signs in as it).
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
import pandas as pd

from bench._django import setup

YEARS = range(2021, 2026)


def indicator_table(count: int) -> pd.DataFrame:
    """The mix: 60 % rates ≥, 15 % limits ≤, 10 % cumulative flows, 10 % annual flows,
    5 % maintain."""
    kinds = np.array(
        ["level_ge"] * 60
        + ["level_le"] * 15
        + ["cumulative_new"] * 10
        + ["annual_increment"] * 10
        + ["maintain"] * 5
    )
    kind = np.resize(kinds, count)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "code": [f"bench_{i:03d}" for i in range(1, count + 1)],
            "name": [f"基准指标{i:03d}" for i in range(1, count + 1)],
            "kind": kind,
        }
    )
    flow = np.isin(kind, ["cumulative_new", "annual_increment"])
    frame["unit"] = np.where(flow, "家", np.where(kind == "level_le", "微克/立方米", "%"))
    frame["category"] = "产品质量"
    frame["measure"] = np.where(flow, "flow", "level")
    frame["frequency"] = "quarterly"
    frame["direction"] = np.where(kind == "level_le", "lower", "higher")
    frame["lower_bound"] = 0
    frame["upper_bound"] = np.where(np.isin(kind, ["level_ge", "maintain"]), 100.0, np.nan)
    frame["profile"] = "uniform"
    frame["description"] = ""
    return frame


def copy_frame(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep=r"\N")
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    sql = f"COPY \"{table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3200)
    parser.add_argument("--targets", type=int, default=150, help="targets (= indicators) per plan")
    parser.add_argument("--seed", type=int, default=20251231)
    options = parser.parse_args()

    setup()
    from django.core.management import call_command
    from django.db import connection

    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(options.seed)
    started = time.perf_counter()
    n_regions, n_targets = options.regions, options.targets
    indicators = indicator_table(n_targets)
    now = pd.Timestamp.now(tz="Asia/Shanghai").isoformat()

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        # The audit tables refuse TRUNCATE unless the session allows it (issue 12 row 8);
        # this throwaway bench database starts the figures' history, and its chain, afresh.
        wrapper.execute("SET qualitytrack.allow_truncate = 'on'")
        wrapper.execute("DELETE FROM indicators_auditchainhead WHERE chain = 'observationchange'")
        wrapper.execute(
            "TRUNCATE targets_progress, targets_recomputerequest, "
            "targets_target_lead_departments, targets_target_participating_departments, "
            "targets_reward, targets_target, targets_plan, indicators_observationchange, "
            "indicators_observation, indicators_profile, indicators_department, "
            "indicators_indicator, indicators_region, indicators_reportingdue "
            "RESTART IDENTITY CASCADE"
        )
        wrapper.execute("SET qualitytrack.allow_truncate = 'off'")
        from accounts.audit import ensure_chain_heads

        ensure_chain_heads()  # the emptied chain starts again at genesis
        region_ids = np.arange(1, n_regions + 1)
        nation = n_regions + 1  # 全国 above every county: the office's national scope
        copy_frame(
            cursor,
            "indicators_region",
            pd.DataFrame(
                {
                    "id": [*region_ids, nation],
                    "code": [*(f"B{i:06d}" for i in region_ids), "100000"],
                    "name": [*(f"基准县{i}" for i in region_ids), "全国"],
                    "level": ["county"] * n_regions + ["nation"],
                    "parent_id": pd.array([nation] * n_regions + [None], dtype="Int64"),
                }
            ),
        )
        copy_frame(
            cursor,
            "indicators_department",
            pd.DataFrame(
                {
                    "id": region_ids,
                    "region_id": region_ids,
                    "name": "市场监管局",
                    "short_name": "",
                }
            ),
        )
        copy_frame(cursor, "indicators_indicator", indicators.drop(columns=["kind"]))
        copy_frame(
            cursor,
            "targets_plan",
            pd.DataFrame(
                {
                    "id": region_ids,
                    "code": [f"bench-{i}" for i in region_ids],
                    "region_id": region_ids,
                    "title": "基准质量强县规划",
                    "doc_number": "",
                    "issuer": "",
                    "issue_date": None,
                    "start_year": 2021,
                    "end_year": 2025,
                    "base_year": 2020,
                    "vision_year": None,
                    "status": "in_force",
                    "source": "bench",
                    "notes": "",
                    "updated_at": now,
                }
            ),
        )

        kind = np.tile(indicators["kind"].to_numpy(), n_regions)
        n_all = n_regions * n_targets
        baseline = np.where(
            kind == "level_ge",
            rng.uniform(85, 94, n_all),
            np.where(
                kind == "level_le",
                rng.uniform(30, 45, n_all),
                np.where(kind == "maintain", 98.0, np.nan),
            ),
        )
        value = np.select(
            [kind == "level_ge", kind == "level_le", kind == "maintain", kind == "cumulative_new"],
            [np.round(baseline + rng.uniform(2, 6, n_all), 1), np.round(baseline - 8, 1), 98.0, 20],
            default=5,
        )
        target_kind = np.where(np.isin(kind, ["level_ge", "level_le"]), "level", kind)
        copy_frame(
            cursor,
            "targets_target",
            pd.DataFrame(
                {
                    "id": np.arange(1, n_all + 1),
                    "plan_id": np.repeat(region_ids, n_targets),
                    "code": np.tile([f"T{i:03d}" for i in range(1, n_targets + 1)], n_regions),
                    "indicator_id": np.tile(indicators["id"].to_numpy(), n_regions),
                    "kind": target_kind,
                    "comparator": np.where(kind == "level_le", "le", "ge"),
                    "value": value,
                    "value_high": None,
                    "unit": np.tile(indicators["unit"], n_regions),
                    "deadline_year": pd.array(
                        np.where(kind == "annual_increment", None, 2025), dtype="Int64"
                    ),
                    "baseline_value": np.round(baseline, 1),
                    "baseline_year": pd.array(
                        np.where(np.isnan(baseline), None, 2020), dtype="Int64"
                    ),
                    "baseline_source": "",  # from the plan document (Target.BaselineSource)
                    "aspirational": False,
                    "binding": "",
                    "criteria_total": None,
                    "section": "",
                    "source_clause": "",
                    "source_quote": "基准数据",
                    "cancelled": False,
                    "cancel_reason": "",
                    "final_assessment": "",
                    "notes": "",
                    "updated_at": now,
                }
            ),
        )
        copy_frame(
            cursor,
            "targets_target_lead_departments",
            pd.DataFrame(
                {
                    "target_id": np.arange(1, n_all + 1),
                    "department_id": np.repeat(region_ids, n_targets),
                }
            ),
        )
        print(
            f"{n_regions} plans, {n_all:,} targets written ({time.perf_counter() - started:.1f} s)"
        )

        quarters = [(y, q) for y in YEARS for q in range(1, 5)]
        chunk = max(1, 600_000 // (n_targets * len(quarters)))
        next_id = 1
        for first in range(0, n_regions, chunk):
            regions = region_ids[first : first + chunk]
            per_region = n_targets * len(quarters)
            rows = len(regions) * per_region
            ind = np.tile(np.repeat(indicators["id"].to_numpy(), len(quarters)), len(regions))
            obs_kind = np.tile(
                np.repeat(indicators["kind"].to_numpy(), len(quarters)), len(regions)
            )
            year = np.tile(np.array([y for y, _ in quarters]), n_targets * len(regions))
            quarter = np.tile(np.array([q for _, q in quarters]), n_targets * len(regions))
            step = (year - 2020) + (quarter - 4) / 4
            base = np.repeat(
                np.where(np.isnan(baseline), 0, baseline)
                .reshape(n_regions, n_targets)[regions - 1]
                .ravel(),
                len(quarters),
            )
            noise = rng.normal(0, 0.4, rows)
            values = np.select(
                [obs_kind == "level_ge", obs_kind == "level_le", obs_kind == "maintain"],
                [
                    np.minimum(base + step * rng.uniform(0.3, 1.4, rows) + noise, 100),
                    np.maximum(base - step * rng.uniform(0.5, 2.0, rows) + noise, 0),
                    np.minimum(98 + rng.normal(0.3, 0.5, rows), 100),
                ],
                default=rng.poisson(1.1, rows),
            )
            copy_frame(
                cursor,
                "indicators_observation",
                pd.DataFrame(
                    {
                        "id": np.arange(next_id, next_id + rows),
                        "indicator_id": ind,
                        "region_id": np.repeat(regions, per_region),
                        "year": year,
                        "quarter": quarter,
                        "value": np.round(values, 2),
                        "state": "",
                        "criteria_met": None,
                        "department_id": np.repeat(regions, per_region),
                        "status": "approved",
                        "comment": "",
                        "evidence": "",
                        "attachment": "",
                        "proposed_reason": "",  # no correction pending
                        "proposed_state": "",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        "approved_at": now,
                    }
                ),
            )
            next_id += rows
            print(
                f"  observations: {next_id - 1:,} ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
        for table in (
            "indicators_region",
            "indicators_department",
            "indicators_indicator",
            "targets_plan",
            "targets_target",
            "targets_target_lead_departments",
            "indicators_observation",
        ):
            wrapper.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        wrapper.execute("ANALYZE")
    print(
        f"done: {n_all:,} targets, {next_id - 1:,} observations in "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
