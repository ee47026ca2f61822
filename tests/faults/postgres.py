"""A private PostgreSQL cluster: initdb, start, stop (fast or immediate), start again, SQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .waiting import free_port


class PrivatePostgres:
    """A cluster of our own: initdb, start, stop (fast or immediate), start again."""

    def __init__(self, base: Path, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.dir.mkdir()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
            base.chmod(0o755)

    def _run(self, *args: str, timeout: float = 60, check: bool = True
             ) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                cwd="/")
        if check and result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}"
                               f"{self.log.read_text() if self.log.exists() else ''}")
        return result

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
                  timeout=120)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 60\nshared_buffers = 64MB\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                               dbname=database, autocommit=True, connect_timeout=5)

    def sql(self, database: str, query: str, params: tuple = ()) -> list[tuple]:
        with self.connect(database) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
