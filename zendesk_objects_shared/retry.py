"""How long to wait before retrying a failed request, for the tap and the target alike."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zendesk_objects_shared.errors import RetryAfter

DEFAULT_MAX_RETRY_AFTER_SECONDS = 600.0


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff for 5xx, timeouts and resets; `Retry-After` (or a fallback) for 429.

    A 429 is waited out as long as Zendesk asks, up to `max_retry_after_seconds`: a longer wait (a
    misbehaving proxy's `Retry-After: 100000`) ends the run with one line naming the wait asked for,
    since a nightly run that sleeps for a day helps nobody.
    """

    max_tries: int = 10
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    # A 429 without a readable Retry-After (Zendesk's plain-text account limit sometimes has none):
    # wait a whole rate-limit window.
    rate_limit_fallback_seconds: float = 60.0
    max_retry_after_seconds: float = DEFAULT_MAX_RETRY_AFTER_SECONDS
    max_rate_limit_waits: int = 100

    def rate_limit_wait(self, asked: RetryAfter) -> float:
        """Seconds to wait after a 429 (may exceed the ceiling: the caller checks `too_long`)."""
        return asked.seconds if asked.seconds is not None else self.rate_limit_fallback_seconds

    def too_long(self, wait: float) -> bool:
        """Whether a wait is beyond what this run waits for one answer."""
        return wait > self.max_retry_after_seconds

    def backoff_seconds(self, attempt: int, asked: RetryAfter) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): a 503's Retry-After, else exponential."""
        if asked.seconds is not None:  # 503 may carry Retry-After too
            return min(asked.seconds, self.cap_seconds)
        exponential = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        # Jitter so that parallel runs hitting the same outage do not retry in lockstep.
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 (not cryptographic)
        return exponential * jitter
