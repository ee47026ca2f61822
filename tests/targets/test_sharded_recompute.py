"""The full recompute split by region (issue 18 item 3, docs/scale.md): the shards cover every
region once, balanced by targets, and give exactly the rows of a single run. Here the shards
run in-process (no broker: Celery runs eagerly); tests/integration/test_sharded_recompute.py
runs them on two real workers."""


import pytest
from django.core.management import call_command

from targets.models import Progress, Target
from targets.services import progress_recompute
from targets.sharding import progress_recompute_sharded, recompute_shards
from tests.factories import AS_OF, progress_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("loaddata", "seed_targets", verbosity=0)


def test_shards_cover_every_region_once_and_balance_the_targets(seeded):
    regions = set(Target.objects.values_list("plan__region_id", flat=True))

    shards = recompute_shards(count=3)

    assert len(shards) == 3
    assert sorted(r for shard in shards for r in shard) == sorted(regions)
    sizes = [Target.objects.filter(plan__region_id__in=shard).count() for shard in shards]
    assert sum(sizes) == Target.objects.count()
    biggest_region = max(
        Target.objects.filter(plan__region_id=r).count() for r in regions
    )
    assert max(sizes) - min(sizes) <= biggest_region
    assert recompute_shards(count=len(regions) + 5) == [[r] for r in sorted(
        regions, key=lambda r: (-Target.objects.filter(plan__region_id=r).count(), r))]


def test_a_sharded_run_gives_the_single_run_rows(seeded):
    single_rows = progress_recompute(as_of=AS_OF, all_quarters=True)
    single = progress_snapshot()
    Progress.objects.all().delete()

    done = progress_recompute_sharded(as_of=AS_OF, all_quarters=True, shards=3)

    assert len(done) == 3
    assert sum(rows for _, rows in done) == single_rows
    assert progress_snapshot() == single
    assert Progress.objects.values("computed_at").distinct().count() == 1  # one run, one stamp


def test_the_command_runs_the_shards(seeded, capsys):
    call_command("compute_progress", "--quarter", "2025Q3", "--shards", "2")

    out = capsys.readouterr().out
    assert "分 2 份" in out
    assert f"已计算进度 {Progress.objects.count()} 条" in out
