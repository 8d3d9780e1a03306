"""Request budgets: how a limit counts its window, a foreign integration, headers.

See wire notes §9, wire notes §19.2.

Zendesk never says how its "per minute" is counted (wire notes §19.2: `ratelimit-reset` hints at a fixed
window), so the sandbox offers three ways, chosen by the live setting `limit_counting` for the export limit
and the account limit alike. Each is a `Counter`: it admits a request at an instant or says how long until it
would, and tells what is left and when that grows. Counters are not thread-safe; `RateLimit` adds the clock, a
lock and the simulated foreign integration.

What the headers report stays truthful in every mode: `remaining` > 0 means the next request, sent at once
and alone, is admitted; `reset` is the seconds until `remaining` next grows.
"""

from __future__ import annotations

import abc
import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from zendesk_sandbox.settings import COUNTINGS

if TYPE_CHECKING:
    from collections.abc import Callable

REAL_MINUTE = 60.0
MIN_WAIT = 1e-3  # a refusal never says "retry after 0"


class Counter(abc.ABC):
    """At most `limit` admitted requests per `window` seconds, counted one way; refusals do not count."""

    def __init__(self, limit: int, window: float, origin: float) -> None:
        """Count from `origin` (a time.monotonic() instant: where fixed windows start)."""
        self.limit = limit
        self.window = window
        self.origin = origin

    @abc.abstractmethod
    def try_acquire(self, now: float) -> float:
        """Admit one request at `now` and return 0, or return the seconds until one would be admitted."""

    @abc.abstractmethod
    def remaining(self, now: float) -> int:
        """Return how many requests in a row would be admitted at `now`."""

    @abc.abstractmethod
    def reset_seconds(self, now: float) -> float:
        """Return the seconds from `now` until `remaining` next grows (0 when nothing is counted)."""


class SlidingWindow(Counter):
    """`sliding`: at most `limit` admitted requests in any `window` seconds."""

    def __init__(self, limit: int, window: float, origin: float) -> None:
        """Start empty."""
        super().__init__(limit, window, origin)
        self._stamps: deque[float] = deque()

    def try_acquire(self, now: float) -> float:
        """Admit one request at `now` and return 0, or return the seconds until the oldest one leaves."""
        self._expire(now)
        if len(self._stamps) >= self.limit:
            return max(MIN_WAIT, self._stamps[0] + self.window - now) if self._stamps else self.window
        self._stamps.append(now)
        return 0.0

    def remaining(self, now: float) -> int:
        """Return how many more requests the last `window` seconds admit."""
        self._expire(now)
        return max(0, self.limit - len(self._stamps))

    def reset_seconds(self, now: float) -> float:
        """Return the seconds until the oldest admitted request leaves the window."""
        self._expire(now)
        return self._stamps[0] + self.window - now if self._stamps else 0.0

    def _expire(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()


class FixedWindow(Counter):
    """`fixed`: windows of `window` seconds back to back from `origin`; each admits `limit`, then resets."""

    def __init__(self, limit: int, window: float, origin: float) -> None:
        """Start in the window that holds `origin`, empty."""
        super().__init__(limit, window, origin)
        self._index = 0
        self._count = 0

    def try_acquire(self, now: float) -> float:
        """Admit one request at `now` and return 0, or return the seconds until the window resets."""
        self._roll(now)
        if self._count >= self.limit:
            return max(MIN_WAIT, self._end() - now)
        self._count += 1
        return 0.0

    def remaining(self, now: float) -> int:
        """Return what the current window still admits."""
        self._roll(now)
        return max(0, self.limit - self._count)

    def reset_seconds(self, now: float) -> float:
        """Return the seconds until the current window ends.

        Zendesk's `ratelimit-reset` (wire notes §19.2).
        """
        self._roll(now)
        return max(0.0, self._end() - now)

    def _roll(self, now: float) -> None:
        index = math.floor((now - self.origin) / self.window)
        if index != self._index:
            self._index, self._count = index, 0

    def _end(self) -> float:
        return self.origin + (self._index + 1) * self.window


class TenthsWindow(Counter):
    """`tenths`: fixed windows cut into ten fixed buckets; a bucket admits limit // 10 (at least 1).

    A server that "counts in smaller buckets": a client that fires its whole minute at once gets 429s. The
    fixed window around the buckets still admits at most `limit` (it binds only when limit < 10). Both are
    fixed windows from the same origin: the window, and the buckets a tenth as long.
    """

    BUCKETS = 10

    def __init__(self, limit: int, window: float, origin: float) -> None:
        """Start in the bucket that holds `origin`, empty."""
        super().__init__(limit, window, origin)
        self._window = FixedWindow(limit, window, origin)
        self._bucket = FixedWindow(max(1, limit // self.BUCKETS), window / self.BUCKETS, origin)

    def try_acquire(self, now: float) -> float:
        """Admit one request at `now` and return 0, or return the seconds until its bucket (window) resets."""
        exhausted = self._exhausted(now)
        if exhausted is not None:
            return max(MIN_WAIT, exhausted.reset_seconds(now))
        self._window.try_acquire(now)
        self._bucket.try_acquire(now)
        return 0.0

    def remaining(self, now: float) -> int:
        """Return what both the current bucket and its window still admit."""
        return min(self._window.remaining(now), self._bucket.remaining(now))

    def reset_seconds(self, now: float) -> float:
        """Return the seconds until the bucket ends, or the window when the window is what is exhausted."""
        return (self._exhausted(now) or self._bucket).reset_seconds(now)

    def _exhausted(self, now: float) -> FixedWindow | None:
        """The window when it is full, else the bucket when it is full, else None."""
        for fixed in (self._window, self._bucket):
            if not fixed.remaining(now):
                return fixed
        return None


_COUNTERS: dict[str, type[Counter]] = {"sliding": SlidingWindow, "fixed": FixedWindow, "tenths": TenthsWindow}


def counter(counting: str, limit: int, window: float, origin: float) -> Counter:
    """Return the counter of a `limit_counting` value."""
    try:
        kind = _COUNTERS[counting]
    except KeyError:
        msg = f"limit_counting must be one of {', '.join(COUNTINGS)}, not {counting!r}"
        raise ValueError(msg) from None
    return kind(limit, window, origin)


class RateLimit:
    """One limit as the server applies it: a counter on the monotonic clock, behind a lock.

    With `foreign_per_window` > 0 another integration of the same account spends the budget too, one
    request every window / foreign_per_window seconds from `start`. Its requests are counted exactly as
    if they had arrived at those instants: whenever the limit is consulted, the ones due by then are
    offered to the counter first, in order (refused ones are dropped, as a client would see a 429).
    `on_foreign(admitted, refused)` hears how many of them were admitted and refused.
    """

    def __init__(
        self,
        counter: Counter,
        foreign_per_window: int = 0,
        start: float | None = None,
        on_foreign: Callable[[int, int], None] | None = None,
    ) -> None:
        """Apply `counter`; a foreign integration sends its first request one interval after `start`."""
        self.counter = counter
        self._lock = threading.Lock()
        self._start = time.monotonic() if start is None else start
        self._interval = counter.window / foreign_per_window if foreign_per_window > 0 else 0.0
        self._next_foreign = 1
        self._on_foreign = on_foreign
        self._last_instant = 0.0

    def try_acquire(self, arrived: float | None = None) -> float:
        """Admit one request that `arrived` (default: now); return 0, or the seconds until one would be."""
        # Under the lock, and never before the last instant seen: the counter sees instants in order.
        with self._lock:
            now = time.monotonic() if arrived is None else max(arrived, self._last_instant)
            self._last_instant = now
            self._catch_up(now)
            return self.counter.try_acquire(now)

    def state(self) -> tuple[int, float]:
        """Return (remaining, seconds until remaining grows), both at one instant."""
        with self._lock:
            now = self._last_instant = max(time.monotonic(), self._last_instant)
            self._catch_up(now)
            return self.counter.remaining(now), self.counter.reset_seconds(now)

    def catch_up(self) -> None:
        """Offer the foreign requests due by now to the counter (so that stats are up to date)."""
        with self._lock:
            self._last_instant = max(time.monotonic(), self._last_instant)
            self._catch_up(self._last_instant)

    def _catch_up(self, now: float) -> None:
        if not self._interval:
            return
        admitted = refused = 0
        # Each stamp is computed from its index, not by adding intervals, so no rounding drift builds up.
        # About a microsecond per foreign request, each generated once.
        while (stamp := self._start + self._next_foreign * self._interval) <= now:
            if self.counter.try_acquire(stamp) == 0:
                admitted += 1
            else:
                refused += 1
            self._next_foreign += 1
        if (admitted or refused) and self._on_foreign is not None:
            self._on_foreign(admitted, refused)


def retry_after_text(seconds: float, window: float) -> str:
    """Write a wait as Zendesk does: whole seconds, rounded up, at least 1.

    Deviation for tests: with a shortened "minute" (window < 60 s) the wait is written with two decimals
    (e.g. "0.35"), since whole seconds would dwarf the window. Both round up, so that a client waiting
    exactly that long does not arrive before the slot frees.
    """
    if window < REAL_MINUTE:
        return _hundredths(max(0.01, seconds))
    return str(max(1, math.ceil(seconds)))


def reset_text(seconds: float, window: float) -> str:
    """Write `ratelimit-reset`: whole seconds rounded up, two decimals on a shortened window.

    See wire notes §9.
    """
    if window < REAL_MINUTE:
        return _hundredths(max(0.0, seconds))
    return str(max(0, math.ceil(seconds)))


def _hundredths(seconds: float) -> str:
    # round(…, 9) first: 0.35 is 0.35000000000000003 in binary, which must not become 0.36
    return f"{math.ceil(round(seconds * 100, 9)) / 100:.2f}"
