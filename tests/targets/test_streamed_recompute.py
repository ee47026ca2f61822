"""A recompute streamed by region (issue 18 item 3, docs/scale.md "Streaming by region"):
the chunks cover every region once, whole, and give exactly the rows of a single pass —
inline inside a transaction, and with the upserts on a second connection outside one."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from indicators.models import Observation
from targets.frames import load_targets_frame
from targets.models import Progress, Target
from targets.services import progress_recompute, region_chunks
from tests.factories import ObservationFactory

AS_OF = date(2025, 9, 30)


def progress_snapshot() -> dict[tuple[int, int, int], tuple]:
    """Every Progress row by (target, year, quarter): all fields but id and computed_at."""
    fields = [f.attname for f in Progress._meta.concrete_fields
              if f.attname not in ("id", "computed_at")]
    return {(row[0], row[1], row[2]): row for row in Progress.objects.values_list(
        "target_id", "year", "quarter", *fields)}


def _seed_with_figures() -> None:
    """The seed plans, and an approved yearly figure for every target's (indicator, region)."""
    call_command("loaddata", "seed_targets", verbosity=0)
    pairs = set(Target.objects.values_list("indicator_id", "plan__region_id"))
    for number, (indicator, region) in enumerate(sorted(pairs)):
        for year in (2022, 2023, 2024):
            ObservationFactory(indicator_id=indicator, region_id=region, year=year,
                               value=Decimal(80 + (number * 7 + year) % 19),
                               status=Observation.Status.APPROVED)


@pytest.mark.django_db
def test_chunks_hold_whole_regions_in_order_and_about_the_size_asked():
    call_command("loaddata", "seed_targets", verbosity=0)
    targets = load_targets_frame()
    per_region = targets["region_id"].value_counts()

    chunks = region_chunks(targets, size=40)

    flat = [region for chunk in chunks for region in chunk]
    assert flat == sorted(per_region.index)  # each region once, ascending
    for chunk in chunks:  # full up to the size, unless one region alone is larger
        assert per_region[chunk].sum() <= 40 or len(chunk) == 1
    assert region_chunks(targets, size=10**6) == [flat]


@pytest.mark.django_db
def test_a_streamed_run_inside_a_transaction_gives_the_single_pass_rows():
    _seed_with_figures()
    single_rows = progress_recompute(as_of=AS_OF, all_quarters=True, chunk_targets=10**6)
    single = progress_snapshot()
    Progress.objects.all().delete()

    streamed_rows = progress_recompute(as_of=AS_OF, all_quarters=True, chunk_targets=20)

    assert streamed_rows == single_rows
    assert progress_snapshot() == single


@pytest.mark.django_db(transaction=True)
def test_a_streamed_run_with_the_background_writer_gives_the_single_pass_rows():
    _seed_with_figures()
    single_rows = progress_recompute(as_of=AS_OF, all_quarters=True, chunk_targets=10**6)
    single = progress_snapshot()
    Progress.objects.all().delete()

    assert not connection.in_atomic_block  # so the upserts go to the writer thread
    streamed_rows = progress_recompute(as_of=AS_OF, all_quarters=True, chunk_targets=20)

    assert streamed_rows == single_rows
    assert progress_snapshot() == single
    assert Progress.objects.values("computed_at").distinct().count() == 1  # one run, one stamp


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's binary COPY")
def test_the_binary_copy_stores_every_value_and_null_as_the_engine_gave_it():
    import datetime as dt

    import numpy as np
    import pandas as pd

    from targets.pgcopy import binary_copy

    frame = pd.DataFrame({
        "id": np.array([1, 2, 3], dtype="int64"),
        "word": pd.array(["达成", None, "no_data"], dtype="string"),
        "ratio": [0.1 + 0.2, np.nan, -1.5e-300],
        "n": pd.array([7, None, 0], dtype="Int64"),
        "flag": [True, False, True],
        "maybe": pd.array([None, True, False], dtype="boolean"),
    })
    stamp = dt.datetime(2025, 6, 30, 23, 59, 59, 123456, tzinfo=dt.UTC)
    types = ["bigint", "varchar", "double precision", "smallint", "boolean", "boolean",
             "smallint", "timestamp with time zone"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copied (id bigint, word varchar(20), ratio double precision,"
            " n smallint, flag boolean, maybe boolean, year smallint, at timestamptz)"
        )
        with cursor.cursor.copy("COPY copied FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(binary_copy(frame, types, {"year": 2025, "at": stamp}))
        cursor.execute("SELECT * FROM copied ORDER BY id")
        rows = cursor.fetchall()

    assert rows == [
        (1, "达成", 0.1 + 0.2, 7, True, None, 2025, stamp),
        (2, None, None, None, False, True, 2025, stamp),
        (3, "no_data", -1.5e-300, 0, True, False, 2025, stamp),
    ]
