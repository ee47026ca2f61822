"""Backup and restore (docs/reliability.md AT-16, the part that runs here): scripts/backup.sh of the
private cluster, scripts/restore.sh into a fresh database, and the same data comes back: every
table's row count, the Progress checksum, the dashboard's status counts per region, the media
files byte for byte. A damaged backup and a non-empty target are refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .environment import ROOT
from .logs import report
from .stack import Stack, progress_checksum

pytestmark = pytest.mark.faults

RESTORED = "qt_faults_restored"
DASHBOARD = """
import json, django
django.setup()
from targets.models import Progress
from targets.selectors import rollup_by_region, status_counts
totals = {}
for year, quarter in Progress.objects.values_list("year", "quarter").distinct().order_by(
        "year", "quarter"):
    rows = Progress.objects.filter(year=year, quarter=quarter)
    totals[f"{year}Q{quarter}"] = {
        "status_counts": status_counts(rows),
        "regions": [[r.name, r.counts, r.assessable, r.good] for r in rollup_by_region(rows)],
    }
print(json.dumps(totals, ensure_ascii=False))
"""

def _script(stack: Stack, name: str, *args: str, database: str, media: Path
            ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": stack.pg.url(database), "MEDIA_ROOT": str(media),
           "PG_BINDIR": str(stack.pg.bindir)}
    return subprocess.run(["bash", str(ROOT / "scripts" / name), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def _table_counts(stack: Stack, database: str) -> dict[str, int]:
    tables = [name for (name,) in stack.sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        database=database)]
    return {t: int(stack.sql(f'SELECT count(*) FROM "{t}"', database=database)[0][0])
            for t in tables}


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_backup_restores_into_a_fresh_database_with_the_same_totals(stack: Stack):
    stack.ensure_services()
    probe = stack.media / "reports" / "2025" / "probe-报告.pdf"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_bytes(os.urandom(200_000))
    backups = stack.base / "backups"

    started = time.monotonic()
    made = _script(stack, "backup.sh", str(backups), database=stack.database, media=stack.media)
    backup_seconds = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("qualitytrack-")
    assert folder.parent == backups
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS", "database.dump", "media.tar.gz", "meta.txt"]
    assert "postgres@" not in (folder / "meta.txt").read_text()

    # A damaged copy is refused before anything is created.
    damaged = backups / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / "database.dump", "r+b") as dump:
        dump.seek(2000)
        byte = dump.read(1)
        dump.seek(2000)
        dump.write(bytes([byte[0] ^ 0xFF]))
    refused = _script(stack, "restore.sh", str(damaged), database=RESTORED,
                      media=stack.base / "media-damaged")
    assert refused.returncode != 0
    assert "checksum" in refused.stderr
    assert not stack.sql("SELECT 1 FROM pg_database WHERE datname = %s", (RESTORED,),
                         database="postgres")

    restored_media = stack.base / "media-restored"
    started = time.monotonic()
    done = _script(stack, "restore.sh", str(folder), database=RESTORED, media=restored_media)
    restore_seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr

    original_counts, restored_counts = (_table_counts(stack, stack.database),
                                        _table_counts(stack, RESTORED))
    assert restored_counts == original_counts
    assert original_counts["targets_progress"] > 0
    assert progress_checksum(stack, RESTORED) == progress_checksum(stack)
    dashboards = [json.loads(stack.python(DASHBOARD, database=db).strip().splitlines()[-1])
                  for db in (stack.database, RESTORED)]
    assert dashboards[0] == dashboards[1]
    achieved = sum(q["status_counts"]["achieved"] for q in dashboards[0].values())
    assert achieved > 0, "the comparison should cover real statuses"
    assert _files(restored_media) == _files(stack.media)
    assert "reports/2025/probe-报告.pdf" in _files(restored_media)

    again = _script(stack, "restore.sh", str(folder), database=RESTORED, media=restored_media)
    assert again.returncode != 0
    assert "fresh" in again.stderr
    report("backup-restore", tables=len(original_counts),
           rows=sum(original_counts.values()), backup_s=round(backup_seconds, 1),
           restore_s=round(restore_seconds, 1),
           dump_bytes=(folder / "database.dump").stat().st_size,
           quarters_compared=len(dashboards[0]), achieved_rows=achieved,
           status_counts_2025Q4=dashboards[0].get("2025Q4", {}).get("status_counts"))
