"""What every incremental export reads from its request, cursor-based and time-based alike.

`per_page` is 1 to 1000, 1000 when absent; larger values are clamped (wire notes §2/§3: the list endpoints'
habit). `start_time` is a Unix epoch time at least `start_time_min_age_seconds` old. Each export refuses a
bad one with its own body (cursor_exports.py, time_exports.py), raised as `ExportRefusedError`. A page then
holds what changed up to its cutoff, `recent_data_lag_seconds` ago, which the change clock records as
served (store/clock.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.gateway import wire
    from zendesk_sandbox.settings import SandboxSettings

MAX_PAGE = 1000


class ExportRefusedError(Exception):
    """The export request is refused with this response."""

    def __init__(self, response: wire.Response) -> None:
        """Keep the response."""
        super().__init__(response.status)
        self.response = response


def per_page(request: wire.Request, refuse: Callable[[str], wire.Response]) -> int:
    """Return the page size a request asks for; ExportRefusedError with `refuse(description)` if invalid."""
    raw = request.query.get("per_page")
    if raw is None:
        return MAX_PAGE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ExportRefusedError(refuse("per_page must be an integer between 1 and 1000"))
    return min(value, MAX_PAGE)


def start_time(
    request: wire.Request,
    min_age_seconds: float,
    too_recent: Callable[[], wire.Response],
    missing: Callable[[], wire.Response],
) -> int:
    """Return a request's `start_time`; ExportRefusedError with `missing()` or `too_recent()` if refused."""
    raw = request.query.get("start_time")
    try:
        # singer-io's tap-zendesk sends a float (`946684800.0`) and Zendesk answers it
        start = int(float(raw)) if raw is not None else None
    except ValueError:
        start = None
    if start is None:
        raise ExportRefusedError(missing())
    if start > time.time() - min_age_seconds:
        raise ExportRefusedError(too_recent())
    return start


def served_cutoff(core: Core, settings: SandboxSettings) -> int:
    """Return the newest second a page may hold now, and record it as served (store/clock.py)."""
    cutoff = int(time.time() - settings.recent_data_lag_seconds)
    core.clock.served(cutoff)
    return cutoff
