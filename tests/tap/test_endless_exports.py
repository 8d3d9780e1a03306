"""An export that never says `end_of_stream` ends in one line, with the bookmark at the last records.

Every run is time-bound (`run_on_stub`): a tap that loops fails the test instead of hanging it.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from tests.stub_server import Received, Reply, cursor_page
from tests.tap.runner import TapRun, one_line_failure, run_on_stub

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

TICKETS = [
    {"id": 1, "generated_timestamp": 1_700_000_000, "subject": "first"},
    {"id": 2, "generated_timestamp": 1_700_000_005, "subject": "second"},
]


def export(cursors: Iterator[str]) -> Callable[[Received], Reply]:
    """The first page holds two tickets; every later page is empty; cursors come from `cursors`."""

    def answer(request: Received) -> Reply:
        first = "cursor" not in request.query
        return cursor_page("tickets", TICKETS if first else [], next(cursors), end_of_stream=False)

    return answer


def stalled(run: TapRun, stream: str) -> str:
    """The run ended with one line saying the export of `stream` is not progressing: that line."""
    last = one_line_failure(run)
    assert last.startswith(f"tap-zendesk-objects: {stream}: the export is not progressing"), last
    return last


def test_cursors_that_alternate_end_the_run_at_the_first_repeat(tmp_path: Path) -> None:
    run, received = run_on_stub(tmp_path, export(itertools.cycle(["QQ==", "Qg=="])), "tickets")
    last = stalled(run, "tickets")
    assert "cursor 'QQ==' a second time" in last
    assert len(received) == 3  # QQ== (with the tickets), Qg== (empty), QQ== again: stop
    assert [r["id"] for r in run.records("tickets")] == [1, 2]
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "QQ=="


def test_ever_new_cursors_on_empty_pages_end_the_run_after_ten(tmp_path: Path) -> None:
    run, received = run_on_stub(tmp_path, export(f"cursor-{n}" for n in itertools.count()), "tickets")
    assert "10 pages in a row held no records" in stalled(run, "tickets")
    assert len(received) == 11  # the page with the tickets, then ten empty ones
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "cursor-0"
    assert run.final_state["bookmarks"]["tickets"]["high_water"] == 1_700_000_005


def test_a_cursor_that_stands_still_ends_the_run(tmp_path: Path) -> None:
    run, received = run_on_stub(tmp_path, export(itertools.repeat("same")), "tickets")
    assert "cursor 'same' a second time" in stalled(run, "tickets")
    assert len(received) == 2
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "same"
