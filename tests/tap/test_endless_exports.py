"""An export that never says `end_of_stream` ends in one line, with the bookmark at the last records.

Every run is time-bound (`run_on_stub`): a tap that loops fails the test instead of hanging it.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import pytest

from tests.stub_server import Received, Reply, cursor_page, iso, time_page
from tests.tap.runner import TapRun, one_line_failure, run_on_stub

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

TICKETS = [
    {"id": 1, "generated_timestamp": 1_700_000_000, "subject": "first"},
    {"id": 2, "generated_timestamp": 1_700_000_005, "subject": "second"},
]
USERS = [
    {"id": 1, "updated_at": "2023-11-14T22:13:20Z", "user_fields": {}},
    {"id": 2, "updated_at": "2023-11-14T22:13:25Z", "user_fields": {}},
]
CURSOR_EXPORTS = {"tickets": TICKETS, "users": USERS}
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


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


@pytest.mark.parametrize("cursor", ["null", "missing"])
@pytest.mark.parametrize("stream", ["tickets", "users"])
def test_a_page_without_a_cursor_that_is_not_the_last_ends_the_run(
    tmp_path: Path, stream: str, cursor: str
) -> None:
    # Following nothing would mean sending `start_time` again: the same page, forever, at the export pace.
    def answer(request: Received) -> Reply:
        del request
        reply = cursor_page(stream, CURSOR_EXPORTS[stream], None, end_of_stream=False)
        if cursor == "missing":
            reply.body = reply.body.replace(b'"after_cursor": null, ', b"")
        return reply

    state = {"bookmarks": {stream: {"high_water": 1_699_999_000}}}
    # Zendesk's own export pace (10 a minute): a second request would already wait 6 s.
    run, received = run_on_stub(tmp_path, answer, stream, state=state, export_requests_per_minute=10)
    assert "handed out no cursor" in stalled(run, stream)
    assert len(received) == 1
    # Nothing says where the page's records end: the bookmark stays as it was, and the records, buffered
    # until a STATE covers them, were never sent: the rerun reads them again.
    assert run.states[-1] == state
    assert run.records(stream) == []


def organization(org_id: int, second: int) -> dict[str, Any]:
    """An organization changed at epoch `second`."""
    return {"id": org_id, "name": f"org {org_id}", "updated_at": iso(second), "organization_fields": {}}


def run_organizations(tmp_path: Path, later: Callable[[int], Reply]) -> tuple[TapRun, list[Received]]:
    """From `T0` one organization leading to `T0 + 10`; every later `start_time` is answered by `later`."""

    def answer(request: Received) -> Reply:
        start = int(request.query["start_time"][0])
        if start == T0:
            return time_page([organization(1, T0 + 5)], T0 + 10, end_of_stream=False)
        return later(start)

    state = {"bookmarks": {"organizations": {"start_time": T0, "boundary_ids": []}}}
    return run_on_stub(tmp_path, answer, "organizations", state=state)


def at_first_page(run: TapRun) -> bool:
    """The last STATE is where the first page led, and only the first page's records were sent."""
    bookmark = run.states[-1]["bookmarks"]["organizations"]
    sent = [r["id"] for r in run.records("organizations")]
    return (bookmark["start_time"], bookmark["boundary_ids"], sent) == (T0 + 10, [], [1])


def test_a_next_page_that_goes_back_ends_the_run(tmp_path: Path) -> None:
    # T0 -> T0 + 10 -> T0 -> T0 + 10 ...: never the same start_time twice in a row, never an end.
    run, received = run_organizations(
        tmp_path, lambda start: time_page([organization(2, start + 2)], T0, end_of_stream=False)
    )
    assert f"start_time {T0}, before the start_time {T0 + 10}" in stalled(run, "organizations")
    assert len(received) == 2
    # The bookmark stays where the first page led: the page that went back moved nothing.
    assert at_first_page(run)


def test_empty_pages_creeping_a_second_at_a_time_end_the_run_after_ten(tmp_path: Path) -> None:
    run, received = run_organizations(tmp_path, lambda start: time_page([], start + 1, end_of_stream=False))
    assert "10 pages in a row held no records" in stalled(run, "organizations")
    assert len(received) == 11
    assert at_first_page(run)
