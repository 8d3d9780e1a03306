"""`limit_counting`: the export and account limits counted as a sliding window, fixed windows or tenths.

Fixed windows and buckets are aligned to the sandbox's start, which a client cannot see; the tests find a
boundary the way a client would, from `ratelimit-reset`.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.clients import TICKETS, Client

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

CHEAP = "/api/v2/custom_objects"  # any Zendesk endpoint: all spend the account budget
MODES = ("sliding", "fixed", "tenths")


def _remaining(response: requests.Response) -> int:
    return int(response.headers["x-rate-limit-remaining"])


def _reset(response: requests.Response) -> float:
    return float(response.headers["ratelimit-reset"])


@pytest.mark.parametrize("mode", MODES)
def test_remaining_never_promises_a_request_that_is_refused(
    sandbox_factory: Callable[..., Sandbox], mode: str
) -> None:
    window = 1.0
    sandbox = sandbox_factory(limit_counting=mode, account_requests_per_window=20, window_seconds=window)
    client = Client(sandbox)
    seen = [client.get(CHEAP) for _ in range(60)]
    statuses = [response.status_code for response in seen]
    assert 429 in statuses, "a burst of three windows' worth must be refused somewhere"
    assert 200 in statuses
    for before, after in itertools.pairwise(seen):
        if _remaining(before) > 0:
            assert after.status_code == 200, f"{mode}: remaining {_remaining(before)}, then a 429"
    for response in seen:
        assert response.headers["x-rate-limit"] == response.headers["ratelimit-limit"] == "20"
        assert response.headers["x-rate-limit-remaining"] == response.headers["ratelimit-remaining"]
        assert 0 <= _reset(response) <= window
        if response.status_code == 429:
            assert response.text == "Number of allowed API requests per minute exceeded"
            assert 0 < float(response.headers["Retry-After"]) <= window
    if mode == "tenths":
        # A bucket admits 2: never more is promised (2 only when a new bucket began before the headers)
        assert max(_remaining(response) for response in seen) <= 20 // 10
    stats = sandbox.admin.stats()
    assert stats["rate_limited"] == {"account_limit": statuses.count(429)}
    assert stats["foreign_requests"] == stats["foreign_requests_refused"] == 0


def test_fixed_windows_reset_all_at_once(sandbox_factory: Callable[..., Sandbox]) -> None:
    window = 2.0
    sandbox = sandbox_factory(limit_counting="fixed", account_requests_per_window=4, window_seconds=window)
    client = Client(sandbox)
    time.sleep(_reset(client.get(CHEAP)) + 0.02)  # now just past a window boundary
    first = client.get(CHEAP)
    assert _remaining(first) == 3
    time.sleep(window / 2)
    later = [client.get(CHEAP) for _ in range(3)]
    assert [_remaining(response) for response in later] == [2, 1, 0]
    refused = client.get(CHEAP)
    assert refused.status_code == 429
    wait = float(refused.headers["Retry-After"])
    assert wait <= _reset(later[-1]) + 0.01, "Retry-After is the time to the window's end"
    time.sleep(wait)
    # A sliding window would now admit one (the first request left it); a fixed one admits all four.
    again = [client.get(CHEAP) for _ in range(4)]
    assert [response.status_code for response in again] == [200] * 4
    assert [_remaining(response) for response in again] == [3, 2, 1, 0]


def test_sliding_window_frees_one_slot_at_a_time(sandbox_factory: Callable[..., Sandbox]) -> None:
    window = 2.0
    sandbox = sandbox_factory(account_requests_per_window=4, window_seconds=window)
    client = Client(sandbox)
    first = client.get(CHEAP)
    time.sleep(window / 2)
    later = [client.get(CHEAP) for _ in range(3)]
    assert [_remaining(response) for response in [first, *later]] == [3, 2, 1, 0]
    refused = client.get(CHEAP)
    assert refused.status_code == 429
    time.sleep(float(refused.headers["Retry-After"]))
    freed = client.get(CHEAP)
    assert freed.status_code == 200
    assert _remaining(freed) == 0, "only the first request has left the window"
    assert client.get(CHEAP).status_code == 429


def test_tenths_admit_a_tenth_of_the_limit_per_bucket(sandbox_factory: Callable[..., Sandbox]) -> None:
    window = 10.0  # buckets of one second
    sandbox = sandbox_factory(limit_counting="tenths", account_requests_per_window=20, window_seconds=window)
    client = Client(sandbox)
    time.sleep(_reset(client.get(CHEAP)) + 0.02)  # now just past a bucket boundary
    burst = [client.get(CHEAP) for _ in range(3)]
    assert [response.status_code for response in burst] == [200, 200, 429]
    assert [_remaining(response) for response in burst] == [1, 0, 0]
    wait = float(burst[-1].headers["Retry-After"])
    assert 0 < wait <= window / 10
    time.sleep(wait)
    assert client.get(CHEAP).status_code == 200, "the next bucket admits again"


def test_tenths_apply_to_the_export_limit(sandbox_factory: Callable[..., Sandbox]) -> None:
    window = 10.0  # ten export requests per window: one per one-second bucket
    sandbox = sandbox_factory(limit_counting="tenths", window_seconds=window)
    client = Client(sandbox)
    burst = [client.get(TICKETS, start_time=0) for _ in range(3)]
    refused = [response for response in burst if response.status_code == 429]
    assert refused, "three export requests at once span at most two buckets"
    assert refused[0].json()["error"] == "APIRateLimitExceeded"
    assert 0 < float(refused[0].headers["Retry-After"]) <= window / 10
    assert sandbox.admin.stats()["rate_limited"] == {"export_limit": len(refused)}


@pytest.mark.slow
def test_tenths_keep_the_window_limit_when_it_is_below_ten(sandbox_factory: Callable[..., Sandbox]) -> None:
    window = 5.0  # limit 3: each half-second bucket admits 1 (at least 1), the window 3 in all
    bucket = window / 10
    sandbox = sandbox_factory(limit_counting="tenths", account_requests_per_window=3, window_seconds=window)
    client = Client(sandbox)
    admitted = 0
    for _ in range(30):
        response = client.get(CHEAP)
        if response.status_code == 200:
            admitted += 1
            last = response
            continue
        wait = float(response.headers["Retry-After"])
        if wait > bucket + 0.01:
            break  # refused until the window ends, not only the bucket
        time.sleep(wait)
    else:
        pytest.fail("the window limit never bound")
    assert admitted >= 3
    assert _remaining(last) == 0
    assert _reset(last) > bucket, "when the window is spent, ratelimit-reset is the window's end"


def test_limit_counting_changes_live_and_refuses_unknown_modes(sandbox: Sandbox) -> None:
    sandbox.configure(limit_counting="fixed", account_requests_per_window=5, window_seconds=60.0)
    client = Client(sandbox)
    response = client.get(CHEAP)
    assert _remaining(response) == 4
    assert response.headers["ratelimit-reset"].isdigit(), "whole seconds with a real minute"
    assert 0 < int(response.headers["ratelimit-reset"]) <= 60
    with pytest.raises(ValueError, match="limit_counting"):
        sandbox.configure(limit_counting="leaky")
    refused = requests.patch(f"{sandbox.url}/_sandbox/settings", json={"limit_counting": "leaky"}, timeout=30)
    assert refused.status_code == 400
    assert "limit_counting" in refused.json()["description"]
    assert sandbox.settings.limit_counting == "fixed"
