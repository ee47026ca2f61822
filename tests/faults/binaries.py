"""Where the PostgreSQL server binaries are, and what the fault tests miss to run."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
from pathlib import Path


def pg_bindir() -> Path | None:
    """The directory of initdb/pg_ctl/postgres: PG_BINDIR, pg_config --bindir, or the newest
    /usr/lib/postgresql/*/bin."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            candidates.append(subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10
            ).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(re.sub(r"\D", "", p.split("/")[-2]) or 0),
                         reverse=True)
    for candidate in candidates:
        if candidate and all((Path(candidate) / b).exists()
                             for b in ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore")):
            return Path(candidate)
    return None



def missing_binaries() -> str | None:
    if pg_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_dump) not found"
    if shutil.which("redis-server") is None:
        return "redis-server not found"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as another user"
    return None
