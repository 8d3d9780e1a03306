"""The HTTP/1.1 keep-alive server: parse, apply faults, dispatch, write each response in one send."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from zendesk_sandbox.admin import routes
from zendesk_sandbox.api import sequin, zendesk
from zendesk_sandbox.gateway import wire

if TYPE_CHECKING:
    from zendesk_sandbox.admin.api import Admin
    from zendesk_sandbox.core import Core

API_ROOT = "/api/v2"
SEQUIN_PATH = "/v1/records"
# Zendesk's token endpoint is not under /api/v2 (wire notes §24).
TOKEN_PATH = "/oauth/tokens"  # noqa: S105 - a path, not a secret


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading server that knows its sandbox and can drop every open connection on shutdown."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], core: Core, admin: Admin, tls: ssl.SSLContext | None
    ) -> None:
        """Bind to `address`; serve HTTPS when `tls` is given."""
        super().__init__(address, _Handler)
        self.core = core
        self.admin = admin
        self.scheme = "https" if tls else "http"
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if tls is not None:
            # The handshake runs on the connection's own thread (see _Handler.setup), not in accept().
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def process_request(self, request: Any, client_address: Any) -> None:  # noqa: ANN401 - socketserver's types
        """Track the connection, then serve it on its own thread."""
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:  # noqa: ANN401
        """Forget the connection and close it."""
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Shut every open keep-alive connection (used on stop)."""
        with self.connections_lock:
            connections = list(self.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Stay quiet: clients that vanish mid-request are normal here."""
        del request, client_address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401 - the stdlib's signature
        del format, args

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        try:
            response = self._dispatch(path, query, body, f"{self.server.scheme}://{host}")
        except Exception:  # noqa: BLE001 - a sandbox bug must reach the client as a 500, not a dropped socket
            traceback.print_exc(file=sys.stderr)
            response = wire.classic_error(500, "SandboxError", "The sandbox failed; see its stderr")
        if response.reset:
            self._reset()
            return
        self._write(response)

    def _dispatch(self, path: str, query: dict[str, str], body: bytes, origin: str) -> wire.Response:
        core = self.server.core
        if path.startswith("/_sandbox/"):
            request = wire.Request(self.command, path, query, self.headers, body, origin)
            return routes.handle(core, self.server.admin, request)
        root = path.find(API_ROOT + "/")
        if root >= 0:
            # Any prefix before /api/v2/ is accepted and kept in navigation URLs (the peer client's
            # https://{subdomain}.zendesk.com becomes /peer.zendesk.com/api/v2/... here).
            api_path = path[root + len(API_ROOT) :]
            suffix = api_path.endswith(".json")
            api_path = api_path.removesuffix(".json")
            request = wire.Request(
                self.command, API_ROOT + api_path, query, self.headers, body, origin + path[:root], suffix
            )
            kind = zendesk.route(self.command, api_path)[0]
            page_size = query.get("per_page")
            response = core.faults.before(path, kind, page_size) or zendesk.handle(core, request, api_path)
        elif path.endswith(TOKEN_PATH):
            request = wire.Request(self.command, TOKEN_PATH, query, self.headers, body, origin)
            response = core.faults.before(path, zendesk.TOKEN_KIND, None) or zendesk.token_request(
                core, request
            )
        elif path.endswith(SEQUIN_PATH):
            request = wire.Request(self.command, path, query, self.headers, body, origin)
            response = core.faults.before(path, "sequin", None) or sequin.handle(core, request)
        else:
            response = wire.invalid_endpoint()
        response = core.faults.after(path, response)
        if not response.reset:
            core.stats.response(response.status)
        return response

    def _write(self, response: wire.Response) -> None:
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = "Error"
        lines = [f"HTTP/1.1 {response.status} {phrase}"]
        if response.status != HTTPStatus.NO_CONTENT:
            lines += [f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (b"" if response.status == HTTPStatus.NO_CONTENT else response.body))

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees a connection reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
