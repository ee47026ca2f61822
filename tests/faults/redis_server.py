"""A private redis-server on its own port, without persistence, that a test may kill."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from .waiting import free_port, port_open, wait_until


class PrivateRedis:
    def __init__(self, base: Path) -> None:
        self.dir = base / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 — owned by the process
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(lambda: port_open(self.port), 20, "redis-server listening")

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        self.process = None
        wait_until(lambda: not port_open(self.port), 10, "redis-server closed")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
