"""Paced to the export limit the tap provokes (almost) no 429s; with faults switched on it still completes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import FAST, run_tap, tap_config
from zendesk_sandbox import FaultSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox


def _export_429s(stats: dict[str, Any]) -> int:
    return int(stats["rate_limited"].get("export_limit", 0))


@pytest.mark.slow
@pytest.mark.parametrize("counting", ["sliding", "fixed", "tenths"])
def test_paced_export_stays_under_the_export_limit(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, counting: str
) -> None:
    # However Zendesk counts its "10 a minute" (a sliding minute, a minute that resets, or ten buckets of
    # one request each), the tap's evenly spaced requests are never refused. The "minute" lasts 5 s here:
    # the 2% margin on the spacing (100 ms a window; 1.2 s on Zendesk's minute) then covers the delay
    # between a request's slot and its arrival on a loaded 2-core machine (the first request of a run,
    # setting up its connection, measured up to 65 ms late).
    window = 5.0
    sb = sandbox_factory(
        window_seconds=window,
        export_requests_per_window=10,
        recent_data_lag_seconds=0.0,
        limit_counting=counting,
    )
    # Tickets and custom objects share the limit: ~25 + ~5 export pages in windows of 10 (users and
    # organizations share it too: test_people_streams.py).
    config = tap_config(
        sb,
        sequin_api_token=None,
        page_size=10,
        export_requests_per_minute=10,
        export_window_seconds=window,
        custom_object_keys=["vendor"],
    )
    run = run_tap(tmp_path, config, select=["tickets", "custom_object_records__vendor"])
    assert run.returncode == 0, run.stderr
    assert {t["id"] for t in run.records("tickets")} == set(sb.admin.ticket_ids(include_deleted=True))
    stats = sb.admin.stats()
    assert stats["requests_by_kind"]["ticket_export"] >= 25
    assert _export_429s(stats) == 0  # requests are spaced: the limit is never tripped
    # The tap says how long it waited for the limit (each wait is short: half a second here).
    assert "of it waiting for the Zendesk export rate limit (10 requests per 5 s)" in run.stderr


FAULTS = {
    "429 storm with Retry-After": FaultSettings(rate_limit_storm=2, storm_retry_after=1),
    "429 storm, no Retry-After, plain text": FaultSettings(
        rate_limit_storm=2, storm_retry_after=None, storm_body="text"
    ),
    "5xx": FaultSettings(error_rate=0.3, fault_seed=6),
    "connection resets": FaultSettings(reset_rate=0.3, fault_seed=4),
    "truncated bodies": FaultSettings(truncate_rate=0.3, fault_seed=5),
    "504 above 20 per page": FaultSettings(gateway_timeout_above_page_size=20),
}


@pytest.mark.slow
@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_export_completes_despite_faults(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, faults: FaultSettings
) -> None:
    sb = sandbox_factory(**FAST)
    sb.configure(faults=faults)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=50)
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr
    assert {t["id"] for t in run.records("tickets")} == set(sb.admin.ticket_ids(include_deleted=True))
    # The faults did happen, and the tap said how it dealt with them.
    assert sum(sb.admin.stats()["faults"].values()) > 0
    assert "retrying" in run.stderr
