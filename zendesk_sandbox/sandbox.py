"""`Sandbox`: seed (or reuse) a SQLite file, serve it over HTTP(S) on a background thread, change it live."""

from __future__ import annotations

import ssl
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from zendesk_sandbox.admin.api import Admin
from zendesk_sandbox.core import Core
from zendesk_sandbox.server import SandboxHTTPServer
from zendesk_sandbox.settings import SandboxSettings

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

    from zendesk_sandbox.jsonvalue import Json


class Sandbox:
    """A local Zendesk + Sequin API over one seeded SQLite file."""

    def __init__(self, settings: SandboxSettings | None = None, db_path: Path | None = None) -> None:
        """Open `db_path` (a temporary file when None), seeding it unless it holds this data set."""
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="zendesk-sandbox-")
            db_path = Path(self._tempdir.name) / "sandbox.sqlite"
        self.db_path = db_path
        self.core = Core(settings or SandboxSettings(), db_path)
        self.admin = Admin(self.core)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def settings(self) -> SandboxSettings:
        """Return the live settings."""
        return self.core.settings()

    @property
    def seeded_now(self) -> bool:
        """Return True when this instance seeded the file (False when it reused a seeded one)."""
        return self.core.seeded_now

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:54321."""
        if self._server is None:
            msg = "the sandbox is not started"
            raise RuntimeError(msg)
        host, port = self._server.server_address[:2]
        return f"{self._server.scheme}://{host!s}:{port}"

    def start(self) -> Self:
        """Start serving on a background thread (idempotent) and return self."""
        with self._lock:
            if self._server is not None:
                return self
            settings = self.settings
            tls = None
            if settings.tls_certfile:
                tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                tls.load_cert_chain(settings.tls_certfile, settings.tls_keyfile)
            self._server = SandboxHTTPServer((settings.host, settings.port), self.core, self.admin, tls)
            self.core.jobs.start()
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="zendesk-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, stop the job worker and close the file (idempotent)."""
        with self._lock:
            server, self._server = self._server, None
            if server is not None:
                server.shutdown()
                server.drop_connections()
                server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
                self._thread = None
            self.core.jobs.stop()

    def close(self) -> None:
        """Stop, then close the SQLite file and remove a temporary one."""
        self.stop()
        self.core.store.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def configure(self, **changes: Json) -> SandboxSettings:
        """Change live settings (limits, faults, credentials, wire switches); resets rate-limit windows."""
        return self.core.configure(changes)

    def __enter__(self) -> Self:
        """Start serving."""
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Stop serving."""
        self.stop()
