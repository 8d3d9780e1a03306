"""A deliberately misbehaving HTTP server for the tests where the sandbox must stay faithful.

Each test writes the answers itself (`Reply`: status, headers, body, and how the body trickles out), so a
broken proxy, an echoing error page or an export that never ends can be played without teaching the
sandbox to misbehave. Every request it receives is kept for the test to inspect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from typing_extensions import Self

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@dataclass(frozen=True)
class Received:
    """One request as the stub saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """What the stub answers: `body` is sent `trickle_bytes` at a time, `trickle_seconds` apart."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    trickle_bytes: int = 0
    trickle_seconds: float = 0.0

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Reply:
        """A JSON answer with extra headers (underscores in names become dashes)."""
        extra = {name.replace("_", "-"): text for name, text in headers.items()}
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json", **extra})


class StubServer:
    """Serves `answer(request)` for every request on 127.0.0.1 until closed."""

    def __init__(self, answer: Callable[[Received], Reply]) -> None:
        """Bind to a free loopback port; call `start()` (or use it as a context manager)."""
        self.answer = answer
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:41234."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> StubServer:
        """Start serving on a background thread."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def record(self, request: Received) -> None:
        """Keep a received request."""
        with self._lock:
            self.received.append(request)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        with self._lock:
            return [request.path for request in self.received]

    def __enter__(self) -> Self:
        """Start serving."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving."""
        self.close()


def _handler_class(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's signature)
            del format, args  # quiet

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            received = Received(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                dict(self.headers.items()),
                body,
            )
            reply = _field_list(received)
            if reply is None:
                stub.record(received)
                reply = stub.answer(received)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may give up on a trickle
                for chunk in _chunks(reply):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if reply.trickle_seconds:
                        time.sleep(reply.trickle_seconds)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815 (stdlib's naming)

    return Handler


# The tap reads the account's field definitions to build its catalog: the stub plays an account without
# custom fields, so that discovery works whatever a test answers. These requests are not recorded.
FIELD_LISTS = {f"/api/v2/{kind}_fields": f"{kind}_fields" for kind in ("ticket", "user", "organization")}


ZENDESK = "https://acme.zendesk.com"


def iso(second: int) -> str:
    """Epoch seconds as Zendesk writes timestamps, e.g. `2023-11-14T22:13:20Z`."""
    return dt.datetime.fromtimestamp(second, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cursor_page(
    records_key: str, records: list[dict[str, Any]], after_cursor: str | None, *, end_of_stream: bool
) -> Reply:
    """A page of a cursor export (tickets, users: wire notes §2, §18.1) as a server chooses to send it."""
    return Reply.json(
        {
            records_key: records,
            "after_cursor": after_cursor,
            "before_cursor": None,
            "end_of_stream": end_of_stream,
        }
    )


def time_page(records: list[dict[str, Any]], next_start: int, *, end_of_stream: bool) -> Reply:
    """A page of the time-based organization export (wire notes §18.2) leading to `next_start`.

    `next_page` names Zendesk's host, as real pages may name another host than the request's: the tap takes
    only its query.
    """
    return Reply.json(
        {
            "organizations": records,
            "next_page": f"{ZENDESK}/api/v2/incremental/organizations.json?start_time={next_start}",
            "count": len(records),
            "end_of_stream": end_of_stream,
            "end_time": next_start,
        }
    )


def _field_list(request: Received) -> Reply | None:
    key = FIELD_LISTS.get(request.path)
    if key is None or request.method != "GET":
        return None
    return Reply.json({key: [], "meta": {"has_more": False, "after_cursor": None, "before_cursor": None}})


def _chunks(reply: Reply) -> Iterator[bytes]:
    if not reply.trickle_bytes:
        yield reply.body
        return
    for start in range(0, len(reply.body), reply.trickle_bytes):
        yield reply.body[start : start + reply.trickle_bytes]
