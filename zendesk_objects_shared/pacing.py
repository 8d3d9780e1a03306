"""Client-side pacing: requests spaced evenly under a per-window limit, and the account budget as reported.

Zendesk counts its limits "per minute" without saying how (wire notes §9, §19): a sliding minute, a
minute that resets on a schedule, or smaller buckets are all possible readings. A pacer that lets
`limit` requests go at once would be fine under the first and trip 429s under the last. So requests are
spaced: two requests never leave less than `window / limit` seconds apart (plus a 2% margin for clock and
network jitter). What that guarantees, whatever the server's way of counting: any span of T seconds holds
at most ceil(T / spacing) requests, so a minute holds at most `limit`, and any bucket of window/k seconds
(k dividing `limit`) at most limit/k. A long run loses nothing by it: the average rate is the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Mapping

# Waits shorter than this are normal spacing, not worth a log line.
LOGGED_WAIT_SECONDS = 0.5
# Slack on the spacing, so clock skew and network jitter never put an extra request into a server's bucket.
SPACING_MARGIN = 0.02
# Requests of the account budget left untouched when another integration spends the rest: the reading
# is a response old, so a few of its requests may have gone out meanwhile (wire notes §9).
RESERVE_SHARE = 0.02
MIN_RESERVE = 2
# Spacing for a budget nobody configured and Zendesk has not reported yet: none worth the name.
UNLIMITED = 1_000_000


class RequestPacer:
    """Hands out request slots spaced `window_seconds / limit` apart, first come first served across threads.

    Used for Zendesk's incremental-export limit (10 a minute, or 30 with High Volume) and for the
    account's API budget; `hold_off` stops everyone after a 429 for as long as Zendesk asks.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        *,
        reason: str,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        """Pace to `limit` per `window_seconds`; `on_wait(seconds, reason)` is told of every long wait."""
        if limit < 1:
            msg = f"a request limit must be at least 1, got {limit}"
            raise ValueError(msg)
        self.window_seconds = window_seconds
        self.reason = reason
        self._on_wait = on_wait
        self._lock = threading.Lock()
        self._next = 0.0  # the earliest moment the next slot may be handed out
        self._blocked_until = 0.0
        self.total_wait_seconds = 0.0
        self.limit = limit
        self.spacing = window_seconds / limit * (1 + SPACING_MARGIN)

    def set_limit(self, limit: int) -> None:
        """Pace to a new limit from the next slot on (the account budget learns it from Zendesk)."""
        with self._lock:
            self.limit = max(1, limit)
            self.spacing = self.window_seconds / self.limit * (1 + SPACING_MARGIN)

    def acquire(self) -> float:
        """Wait for the next slot and take it; return the seconds waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next, self._blocked_until)
            self._next = slot + self.spacing
        return self._sleep_until(slot, now, self.reason)

    def hold_off(self, seconds: float) -> None:
        """Send nothing for `seconds` (after a 429's Retry-After), whichever thread asks next."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, time.monotonic() + seconds)

    def _sleep_until(self, slot: float, now: float, reason: str) -> float:
        wait = slot - now
        if wait <= 0:
            return 0.0
        if self._on_wait is not None and wait >= LOGGED_WAIT_SECONDS:
            self._on_wait(wait, reason)
        time.sleep(wait)
        with self._lock:
            self.total_wait_seconds += wait
        return wait


class AccountBudget:
    """The account's API budget: `requests_per_minute`, and what Zendesk's rate-limit headers say is left.

    Every Zendesk response carries the account's limit, what remains of it and when that grows again
    (`x-rate-limit`, `x-rate-limit-remaining`, `ratelimit-limit/remaining/reset`, wire notes §9, §19).
    Requests are spaced to `requests_per_minute`, or the reported limit if smaller; when others spend part
    of the budget, to what the run can spend in the next window: what it spent in the last one plus what
    remains, less a small reserve.
    When another integration spends part of the budget, what remains shrinks and the run slows down
    until it leaves about the reserve untouched; under a minute that resets on a schedule or is counted in
    buckets the same rule holds, since `remaining` says what would pass now. Should nothing remain anyway,
    nothing is sent until the reported reset. So the run slows down before the account runs out, and
    never provokes an account-wide 429 by itself.
    """

    def __init__(
        self,
        requests_per_minute: int | None,
        *,
        window_seconds: float = 60.0,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        """Pace to `requests_per_minute` (None: only what Zendesk reports)."""
        self.configured = requests_per_minute
        self.window_seconds = window_seconds
        self._on_wait = on_wait
        reason = "account request budget"
        self.pacer = RequestPacer(
            requests_per_minute or UNLIMITED, window_seconds, reason=reason, on_wait=on_wait
        )
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # when our requests of the last window left
        self._in_flight = 0
        self._limit: int | None = None  # as Zendesk reports them
        self._remaining: int | None = None
        self._reset_at = 0.0
        self.waits_for_reset = 0  # times nothing remained and the run waited for the reset
        self.slowest_pace: int | None = None  # the fewest requests a window the run slowed to for others

    def acquire(self) -> None:
        """Wait for a slot under the budget; call `settle(headers)` (or `settle(None)`) when it is back."""
        self.pacer.acquire()
        while True:
            with self._lock:
                now = time.monotonic()
                if self._remaining is None or self._remaining - self._in_flight > 0 or now >= self._reset_at:
                    self._in_flight += 1
                    self._sent.append(now)
                    return
                wait = self._reset_at - now
                self.waits_for_reset += 1
                why = f"account budget: nothing of its {self._limit} requests left until its reset"
            if self._on_wait is not None and wait >= LOGGED_WAIT_SECONDS:
                self._on_wait(wait, why)
            time.sleep(wait)

    def settle(self, headers: Mapping[str, str] | None) -> None:
        """A request came back: learn the account's limit and what remains from its headers, if any."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            reading = _budget_reading(headers)
            if reading is None:
                return
            limit, remaining, reset = reading
            now = time.monotonic()
            self._limit, self._remaining = limit, remaining
            self._reset_at = now + (reset if reset is not None else self.window_seconds)
            while self._sent and self._sent[0] <= now - self.window_seconds:
                self._sent.popleft()
            allowed = min(limit, self.configured or limit)
            ours = len(self._sent) - self._in_flight
            # Others spend what is neither ours nor left; a request or two is the counts' own jitter.
            others = limit - ours - remaining
            pace = allowed
            if others > MIN_RESERVE:
                pace = max(1, min(allowed, ours + remaining - self.reserve()))
                if self.slowest_pace is None or pace < self.slowest_pace:
                    self.slowest_pace = pace
        self.pacer.set_limit(pace)

    def reserve(self) -> int:
        """Requests of the account left untouched: a couple, or 2% of the reported limit."""
        return max(MIN_RESERVE, math.ceil((self._limit or 0) * RESERVE_SHARE))


def _budget_reading(headers: Mapping[str, str] | None) -> tuple[int, int, float | None] | None:
    """(limit, remaining, seconds to reset) from a response's rate-limit headers, None without them."""
    if headers is None:
        return None
    limit = _header_number(headers, "x-rate-limit", "ratelimit-limit")
    remaining = _header_number(headers, "x-rate-limit-remaining", "ratelimit-remaining")
    if limit is None or remaining is None:
        return None
    # Whole seconds from Zendesk; decimals from the sandbox's shortened test windows.
    return int(limit), int(remaining), _header_number(headers, "ratelimit-reset")


def _header_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                number = float(value)
            except ValueError:
                continue
            if math.isfinite(number) and number >= 0:
                return number
    return None


def log_wait(logger: logging.Logger) -> Callable[[float, str], None]:
    """An `on_wait` that tells `logger` how long a pacer waits and why, in the words both plugins use."""

    def log(seconds: float, reason: str) -> None:
        logger.info("Waiting %.1f s for the %s", seconds, reason)

    return log
