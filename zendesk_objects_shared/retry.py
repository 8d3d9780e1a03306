"""How long to wait before retrying a failed request, for the tap and the target alike."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zendesk_objects_shared.errors import retry_after_seconds

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff for 5xx, timeouts and resets; `Retry-After` (or a fallback) for 429."""

    max_tries: int = 10
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    # A 429 without Retry-After (Zendesk's plain-text account limit sometimes has none): wait a whole window.
    rate_limit_fallback_seconds: float = 60.0

    def wait_seconds(self, attempt: int, response: requests.Response | None) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based) that got `response` (None: no reply)."""
        asked = retry_after_seconds(response)
        if response is not None and response.status_code == 429:  # noqa: PLR2004
            return asked if asked is not None else self.rate_limit_fallback_seconds
        if asked is not None:  # 503 may carry Retry-After too
            return min(asked, self.cap_seconds)
        exponential = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        # Jitter so that parallel runs hitting the same outage do not retry in lockstep.
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 (not cryptographic)
        return exponential * jitter
