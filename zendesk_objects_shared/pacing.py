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

    Every Zendesk response carries the account's limit, what remains of it and when it resets
    (`x-rate-limit`, `x-rate-limit-remaining`, `ratelimit-limit/remaining/reset`, wire notes §9).
    Requests are spaced to the smaller of the configured budget and the reported limit; and when what
    remains, less our requests still in flight, falls to a small reserve (another integration spending
    the budget), nothing is sent until the reported reset. So the run slows down before the account runs
    out, and never provokes an account-wide 429 by itself.
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
        reason = "account request budget (`requests_per_minute`)"
        self.pacer = RequestPacer(
            requests_per_minute or UNLIMITED, window_seconds, reason=reason, on_wait=on_wait
        )
        self._lock = threading.Lock()
        self._limit: int | None = None  # as Zendesk reports it
        self._remaining: int | None = None
        self._reset_at = 0.0
        self._in_flight = 0
        self.waits_for_reserve = 0

    def acquire(self) -> None:
        """Wait for a slot under the budget; call `settle(response)` (or `settle(None)`) when it is back."""
        self.pacer.acquire()
        while True:
            with self._lock:
                now = time.monotonic()
                reserve = self.reserve()
                short = (
                    self._remaining is not None
                    and self._remaining - self._in_flight <= reserve
                    and now < self._reset_at
                )
                if not short:
                    self._in_flight += 1
                    return
                wait = self._reset_at - now
                self.waits_for_reserve += 1
                why = (
                    f"account budget: {self._remaining} of {self._limit} requests left until the reset "
                    f"(another integration is spending it; {reserve} kept in reserve)"
                )
            if self._on_wait is not None:
                self._on_wait(wait, why)
            time.sleep(wait)

    def settle(self, headers: Mapping[str, str] | None) -> None:
        """A request came back: learn the account's limit and what remains from its headers, if any."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is None:
                return
            limit = _header_int(headers, "x-rate-limit", "ratelimit-limit")
            remaining = _header_int(headers, "x-rate-limit-remaining", "ratelimit-remaining")
            if limit is None or remaining is None:
                return
            reset = _header_int(headers, "ratelimit-reset")
            self._remaining = remaining
            self._reset_at = time.monotonic() + (reset if reset is not None else self.window_seconds)
            changed = limit != self._limit
            self._limit = limit
        if changed:
            self.pacer.set_limit(min(limit, self.configured or limit))

    def reserve(self) -> int:
        """Requests left untouched for the account (a couple, or 2% of the reported limit)."""
        return max(MIN_RESERVE, math.ceil((self._limit or 0) * RESERVE_SHARE))


def _header_int(headers: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return int(float(value))
            except ValueError:
                continue
    return None


def log_wait(logger: logging.Logger) -> Callable[[float, str], None]:
    """An `on_wait` that tells `logger` how long a pacer waits and why, in the words both plugins use."""

    def log(seconds: float, reason: str) -> None:
        logger.info("Waiting %.1f s for the %s", seconds, reason)

    return log
