"""Request pacing: the limit holds in every sliding window, for one thread and for several."""

from __future__ import annotations

import threading
import time

import pytest

from zendesk_objects_shared import RequestPacer


def _max_in_any_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    most = 0
    for i, start in enumerate(stamps):
        most = max(most, sum(1 for t in stamps[i:] if t < start + window))
    return most


def test_never_more_than_the_limit_in_any_window() -> None:
    pacer = RequestPacer(5, window_seconds=0.3, reason="test")
    stamps = []
    for _ in range(12):
        pacer.acquire()
        stamps.append(time.monotonic())
    assert _max_in_any_window(stamps, 0.3) <= 5


def test_threads_sharing_a_pacer_share_the_limit() -> None:
    pacer = RequestPacer(4, window_seconds=0.25, reason="test")
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            pacer.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) == 12
    assert _max_in_any_window(stamps, 0.25) <= 4


def test_hold_off_delays_the_next_request_and_reports_the_wait() -> None:
    waits: list[tuple[float, str]] = []
    pacer = RequestPacer(
        100, window_seconds=60, reason="export limit", on_wait=lambda s, r: waits.append((s, r))
    )
    pacer.hold_off(0.6)
    started = time.monotonic()
    waited = pacer.acquire()
    assert time.monotonic() - started >= 0.55
    assert waited >= 0.55
    assert waits
    assert waits[0][1] == "export limit"


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestPacer(0, reason="test")
