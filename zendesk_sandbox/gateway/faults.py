"""Fault injection on Zendesk and Sequin paths: 429 storms, 5xx, resets, truncation, slowness, 504s."""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

from zendesk_sandbox.gateway import wire
from zendesk_sandbox.limits.budgets import retry_after_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.limits.stats import Stats
    from zendesk_sandbox.settings import SandboxSettings

DEFAULT_PAGE_SIZE = 1000
PAGED_EXPORTS = ("ticket_export", "custom_object_export", "user_export", "organization_export")


class Faults:
    """Decides, per request, whether to misbehave; reproducible from `fault_seed`."""

    def __init__(self, settings: Callable[[], SandboxSettings], stats: Stats) -> None:
        """Read fault switches from the live `settings`."""
        self.settings = settings
        self.stats = stats
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Re-seed the RNG and re-arm the storm (called whenever settings change)."""
        faults = self.settings().faults
        with self._lock:
            self._rng = random.Random(faults.fault_seed)  # noqa: S311 - reproducible faults, not secrets
            self._storm_left = faults.rate_limit_storm

    def before(self, path: str, kind: str, page_size: str | None) -> wire.Response | None:
        """Return a faulty response to send instead of handling the request, or None."""
        settings = self.settings()
        faults = settings.faults
        if faults.path_contains and faults.path_contains not in path:
            return None
        with self._lock:
            storm = self._storm_left > 0
            if storm:
                self._storm_left -= 1
            roll_reset, roll_error, pick = self._rng.random(), self._rng.random(), self._rng.random()
        if faults.slow_seconds > 0:
            time.sleep(faults.slow_seconds)
        if storm:
            return self._storm(settings)
        if roll_reset < faults.reset_rate:
            self.stats.fault("reset")
            return wire.Response(0, reset=True)
        if roll_error < faults.error_rate and faults.error_statuses:
            status = faults.error_statuses[int(pick * len(faults.error_statuses))]
            self.stats.fault(f"error_{status}")
            return wire.classic_error(status, "ServerError", "Injected fault")
        limit = faults.gateway_timeout_above_page_size
        if limit is not None and kind in PAGED_EXPORTS and _page_size(page_size) > limit:
            self.stats.fault("gateway_timeout")
            # Zendesk's edge answers big slow pages with this text (wire notes §2, §11 #4)
            return wire.Response(504, b"upstream request timeout", wire.TEXT_TYPE)
        return None

    def after(self, path: str, response: wire.Response) -> wire.Response:
        """Return `response`, or a truncated copy of it when the truncate fault fires (2xx with a body)."""
        faults = self.settings().faults
        if faults.truncate_rate <= 0 or not 200 <= response.status < 300 or not response.body:  # noqa: PLR2004
            return response
        if faults.path_contains and faults.path_contains not in path:
            return response
        with self._lock:
            roll = self._rng.random()
        if roll >= faults.truncate_rate:
            return response
        self.stats.fault("truncate")
        cut = response.body[: len(response.body) // 2]
        return wire.Response(response.status, cut, response.content_type, response.headers)

    def _storm(self, settings: SandboxSettings) -> wire.Response:
        faults = settings.faults
        self.stats.fault("rate_limit_storm")
        self.stats.limited("fault")
        retry = (
            None
            if faults.storm_retry_after is None
            else retry_after_text(float(faults.storm_retry_after), settings.window_seconds)
        )
        if faults.storm_body == "text":
            response = wire.Response(
                429, b"Number of allowed API requests per minute exceeded", wire.TEXT_TYPE
            )
        else:
            response = wire.classic_error(
                429,
                "APIRateLimitExceeded",
                "Number of allowed incremental export API requests per minute exceeded",
            )
        if retry is not None:
            response.headers.append(("Retry-After", retry))
        return response


def _page_size(value: str | None) -> int:
    try:
        return int(value) if value else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
