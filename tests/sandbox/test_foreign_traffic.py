"""`foreign_requests_per_window`: another integration of the account spends the budget at an even pace.

Its requests count exactly as if they arrived one every window / N seconds, so after a whole window a
sliding window holds N of them (give or take the one at its edge).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

CHEAP = "/api/v2/custom_objects"


def _remaining(response: requests.Response) -> int:
    return int(response.headers["x-rate-limit-remaining"])


def test_foreign_requests_lower_remaining_and_count_apart(sandbox: Sandbox) -> None:
    window = 1.0
    changed = requests.patch(
        f"{sandbox.url}/_sandbox/settings",
        json={
            "window_seconds": window,
            "account_requests_per_window": 100,
            "foreign_requests_per_window": 70,
        },
        timeout=30,
    )
    assert changed.status_code == 200
    assert changed.json()["foreign_requests_per_window"] == 70
    sandbox.admin.reset_stats()
    time.sleep(window * 1.1)
    response = Client(sandbox).get(CHEAP)
    assert response.status_code == 200
    assert response.headers["x-rate-limit"] == "100"
    assert 100 - 1 - 71 <= _remaining(response) <= 100 - 1 - 69
    assert response.headers["ratelimit-remaining"] == response.headers["x-rate-limit-remaining"]
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=30).json()
    assert stats["requests"] == 1, "foreign requests are not ours"
    assert stats["requests_by_kind"] == {"custom_objects": 1}
    assert stats["foreign_requests"] >= 70
    assert stats["foreign_requests_refused"] == 0
    sandbox.configure(foreign_requests_per_window=0)
    time.sleep(window * 1.1)
    assert _remaining(Client(sandbox).get(CHEAP)) == 100 - 1, "switched off live"


def test_ours_and_foreign_together_over_the_limit_get_the_account_429(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    window = 1.0
    sandbox = sandbox_factory(
        window_seconds=window, account_requests_per_window=10, foreign_requests_per_window=7
    )
    time.sleep(window * 1.1)  # the window now holds the foreign integration's 7
    client = Client(sandbox)
    seen = [client.get(CHEAP) for _ in range(8)]
    statuses = [response.status_code for response in seen]
    admitted = statuses.count(200)
    # 10 - 7 foreign = 3, one more if a foreign request left the window during the burst
    assert 3 <= admitted <= 4, statuses
    refused = [response for response in seen if response.status_code == 429]
    assert all(response.text == "Number of allowed API requests per minute exceeded" for response in refused)
    assert all(response.headers["Content-Type"].startswith("text/plain") for response in refused)
    stats = sandbox.admin.stats()
    assert stats["rate_limited"] == {"account_limit": len(refused)}
    assert stats["requests"] == 8
    assert stats["foreign_requests"] >= 7


def test_a_foreign_integration_over_the_whole_budget_is_refused_too(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    window = 1.0
    sandbox = sandbox_factory(
        window_seconds=window, account_requests_per_window=10, foreign_requests_per_window=15
    )
    time.sleep(window * 1.1)
    refused = Client(sandbox).get(CHEAP)
    assert refused.status_code == 429
    assert 0 < float(refused.headers["Retry-After"]) <= window
    stats = sandbox.admin.stats()
    assert stats["foreign_requests"] >= 10
    assert stats["foreign_requests_refused"] >= 5
    assert stats["rate_limited"] == {"account_limit": 1}


@pytest.mark.parametrize("mode", ["fixed", "tenths"])
def test_foreign_requests_count_in_the_current_fixed_window(
    sandbox_factory: Callable[..., Sandbox], mode: str
) -> None:
    window = 2.0
    limit, foreign = 200, 100
    sandbox = sandbox_factory(
        limit_counting=mode,
        window_seconds=window,
        account_requests_per_window=limit,
        foreign_requests_per_window=foreign,
    )
    client = Client(sandbox)
    time.sleep(float(client.get(CHEAP).headers["ratelimit-reset"]) + 0.02)  # just past a boundary
    time.sleep(0.15)
    response = client.get(CHEAP)
    if mode == "fixed":
        # The window began when the previous one ended: what it holds is the foreign requests since
        # then (one every 0.02 s) and ours; the header's reset says how long ago that was.
        elapsed = window - float(response.headers["ratelimit-reset"])
        expected = limit - 1 - foreign * elapsed / window
        assert abs(_remaining(response) - expected) <= 2, (elapsed, _remaining(response))
    else:
        # A bucket of 0.2 s admits 20: the foreign integration spends 10 of them, ours 1.
        bucket = window / 10
        elapsed = bucket - float(response.headers["ratelimit-reset"])
        expected = limit // 10 - 1 - foreign * elapsed / window
        assert abs(_remaining(response) - expected) <= 2, (elapsed, _remaining(response))
    assert sandbox.admin.stats()["foreign_requests"] > 0
