"""What the fault tests print: the tails of the process logs, and one line of measured figures."""

from __future__ import annotations

import json
from pathlib import Path


def log_tail(path: Path, lines: int = 120) -> str:
    """The last ``lines`` lines of a process log (empty when it was never written)."""
    if not path.exists():
        return ""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 400 * lines))
        return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])



def report(name: str, **figures: object) -> None:
    """One line of measured figures in the test output (shown with -s or in -rA)."""
    print(f"[faults] {name}: " + json.dumps(figures, ensure_ascii=False, default=str))  # noqa: T201
