"""A total deadline per HTTP request, which `requests` lacks: its timeout bounds each socket read only.

A server (or a proxy) that trickles one byte every few seconds never trips a per-read timeout, so a run
could hang forever. Sessions made by `deadline_session()` use connections that report their socket to
one watchdog thread when they start waiting for a response; while a deadline is armed in the calling
thread (`within(seconds)`), the watchdog shuts that socket down when the deadline passes. The blocked
read then fails at once, and the caller learns from `within`'s `expired` flag that it was the deadline.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class _Armed:
    """The deadline of the request under way in one thread, and whether it passed."""

    at: float
    expired: bool = False


class Watchdog:
    """One daemon thread that shuts down the sockets of requests whose deadline passed."""

    def __init__(self) -> None:
        """Start with nothing to watch; the thread starts on first use."""
        self._local = threading.local()
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Armed, socket.socket]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def within(self, seconds: float) -> Iterator[_Armed]:
        """Arm a deadline `seconds` from now for requests sent by this thread inside the block."""
        armed = _Armed(time.monotonic() + seconds)
        self._local.armed = armed
        try:
            yield armed
        finally:
            self._local.armed = None
            with self._cond:
                armed.at = float("inf")  # whatever is still watched for it is left alone

    def watch(self, sock: socket.socket | None) -> None:
        """Called by a connection about to wait for its response: watch `sock` if a deadline is armed."""
        armed: _Armed | None = getattr(self._local, "armed", None)
        if armed is None or sock is None:
            return
        with self._cond:
            heapq.heappush(self._heap, (armed.at, next(self._order), armed, sock))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="http-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, armed, sock = self._heap[0]
                now = time.monotonic()
                if armed.at != at:  # the request finished (or re-armed): forget this entry
                    heapq.heappop(self._heap)
                    continue
                if at > now:
                    self._cond.wait(at - now)
                    continue
                heapq.heappop(self._heap)
                armed.expired = True
                # Under the lock, so the request cannot finish (and its connection be reused) meanwhile.
                with contextlib.suppress(OSError):  # already closed by its owner
                    sock.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 (urllib3's own signature)
        WATCHDOG.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        WATCHDOG.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 (requests' signature)
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def deadline_session() -> requests.Session:
    """A `requests.Session` whose requests honour `WATCHDOG.within(...)` deadlines."""
    session = requests.Session()
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
