"""Sliding-window request budgets (NOTES §9) and how a wait is written in `Retry-After`."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

REAL_MINUTE = 60.0


class SlidingWindow:
    """At most `limit` admitted requests in any `window` seconds; refused requests do not count."""

    def __init__(self, limit: int, window: float) -> None:
        """Start empty."""
        self.limit = limit
        self.window = window
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Admit one request and return 0, or return the seconds until a slot frees."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if len(self._stamps) >= self.limit:
                return max(1e-3, self._stamps[0] + self.window - now) if self._stamps else self.window
            self._stamps.append(now)
            return 0.0

    def remaining(self) -> int:
        """Return how many requests the window still admits."""
        with self._lock:
            self._expire(time.monotonic())
            return max(0, self.limit - len(self._stamps))

    def reset_seconds(self) -> float:
        """Return the seconds until the oldest admitted request leaves the window."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            return self._stamps[0] + self.window - now if self._stamps else 0.0

    def _expire(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()


def retry_after_text(seconds: float, window: float) -> str:
    """Write a wait as Zendesk does: whole seconds, rounded up, at least 1.

    Deviation for tests: with a shortened "minute" (window < 60 s) the wait is written with two decimals
    (e.g. "0.35"), since whole seconds would dwarf the window.
    """
    if window < REAL_MINUTE:
        return f"{max(0.01, seconds):.2f}"
    return str(max(1, math.ceil(seconds)))
