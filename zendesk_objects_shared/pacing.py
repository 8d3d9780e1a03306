"""Client-side request pacing: at most N requests in any sliding window, shared by a process's threads."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# Waits shorter than this are normal spacing, not worth a log line.
LOGGED_WAIT_SECONDS = 0.5


class RequestPacer:
    """Hands out request slots so that no sliding window of `window_seconds` holds more than `limit` requests.

    Zendesk counts incremental-export requests per account and minute (10, or 30 with High Volume) and the
    account's other requests against its plan's budget; pacing below that keeps a long run free of 429s.
    Slots are reserved in arrival order, so threads sharing one pacer are served first come, first served.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        *,
        reason: str,
        on_wait: Callable[[float, str], None] | None = None,
        margin_seconds: float | None = None,
    ) -> None:
        """Pace to `limit` per `window_seconds`; `on_wait(seconds, reason)` is told of every long wait."""
        if limit < 1:
            msg = f"a request limit must be at least 1, got {limit}"
            raise ValueError(msg)
        self.limit = limit
        self.window_seconds = window_seconds
        self.reason = reason
        self._on_wait = on_wait
        # A little slack so clock skew and network jitter between us and Zendesk do not put an
        # eleventh request into Zendesk's window.
        self._margin = window_seconds * 0.02 if margin_seconds is None else margin_seconds
        self._slots: deque[float] = deque(maxlen=limit)
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self.total_wait_seconds = 0.0

    def acquire(self) -> float:
        """Wait for the next free slot and take it; return the seconds waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._blocked_until)
            if len(self._slots) == self.limit:
                slot = max(slot, self._slots[0] + self.window_seconds + self._margin)
            self._slots.append(slot)
        wait = slot - now
        if wait > 0:
            if self._on_wait is not None and wait >= LOGGED_WAIT_SECONDS:
                self._on_wait(wait, self.reason)
            time.sleep(wait)
            self.total_wait_seconds += wait
        return max(wait, 0.0)

    def hold_off(self, seconds: float) -> None:
        """Send nothing for `seconds` (after a 429's Retry-After), whichever thread asks next."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, time.monotonic() + seconds)
