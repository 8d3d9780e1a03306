"""A throwaway PostgreSQL server from the machine's packages: initdb into a temp dir, pg_ctl on a free port.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user that Debian's
`postgresql` package creates (`.ci/run` installs the package when the binaries are missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.tools import free_port, rows_printed_in

SERVER_TIMEOUT_SECONDS = 120.0
USER = "postgres"


def server_binaries() -> Path | None:
    """Return the directory of `initdb` and `pg_ctl`: from PATH, else the newest Debian cluster's."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


@dataclass
class PostgresServer:
    """A running server: `url` for SQLAlchemy, `host`/`port`/`user` for plugin configs."""

    binaries: Path
    data_dir: Path
    port: int
    as_user: list[str]

    host = "127.0.0.1"
    user = USER
    database = "postgres"

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the server's `postgres` database (trust auth on loopback)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, text=True, timeout=SERVER_TIMEOUT_SECONDS
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its data."""
        try:
            self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data_dir / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start_postgres(binaries: Path) -> PostgresServer:
    """Initialise a cluster in a new temp dir and start it on a free loopback port; return it running."""
    # Not under pytest's tmp_path: that is private to root, and the server may run as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="zendesk-objects-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, USER)
        as_user = ["runuser", "-u", USER, "--"]
    server = PostgresServer(binaries, base, free_port(), as_user)
    data = base / "data"
    try:
        server._run(
            str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = f"-p {server.port} -k {base} -c listen_addresses={server.host} -c fsync=off"
        server._run(
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "server.log"),
            "-w",
            "start",
        )
    except subprocess.CalledProcessError as error:
        log = base / "server.log"
        detail = (error.stderr or "") + (log.read_text() if log.is_file() else "")
        shutil.rmtree(base, ignore_errors=True)
        message = f"PostgreSQL did not start: {detail.strip()[-2000:]}"
        raise RuntimeError(message) from error
    return server


def psql_rows(venv: Path, server: PostgresServer, sql: str) -> list[list[Any]]:
    """Return the rows of `sql` (committed) on `server`, run with the PostgreSQL driver of a plugin's venv."""
    # psycopg 3 in target-postgres's venv, psycopg2 in tap-postgres's: the DB-API part common to both.
    script = (
        "import json, sys\n"
        "try:\n    import psycopg as driver\n"
        "except ImportError:\n    import psycopg2 as driver\n"
        "connection = driver.connect(sys.argv[1])\n"
        "cursor = connection.cursor()\n"
        "cursor.execute(sys.argv[2])\n"
        "rows = cursor.fetchall() if cursor.description else []\n"
        "connection.commit()\n"
        "print(json.dumps(rows, default=str))\n"
    )
    dsn = f"host={server.host} port={server.port} user={server.user} dbname={server.database}"
    return rows_printed_in(venv, script, dsn, sql, what=f"SQL {sql!r}")
