"""No time a server hands out, nor one a state holds, can carry a bookmark past the run's own clock.

A bookmark beyond the clock is silent loss: every later run starts after data it never read. Every run is
time-bound (`run_on_stub`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.stub_server import Received, Reply, cursor_page, iso, time_page
from tests.tap.runner import one_line_failure, run_on_stub

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
YEAR_2100 = 4_102_444_800
YEAR_2999 = 32_472_144_000
# Each export's replication key, and how a record carries it.
STAMPS: dict[str, tuple[str, Callable[[int], Any]]] = {
    "tickets": ("generated_timestamp", int),
    "users": ("updated_at", iso),
}


def record(stream: str, record_id: int, stamp: Any) -> dict[str, Any]:
    """A ticket or user whose replication key holds `stamp` as it is."""
    extra: dict[str, Any] = {"user_fields": {}} if stream == "users" else {}
    return {"id": record_id, STAMPS[stream][0]: stamp, **extra}


def stamped(stream: str, record_id: int, second: int) -> dict[str, Any]:
    """A ticket or user changed at epoch `second`, as Zendesk writes that time."""
    return record(stream, record_id, STAMPS[stream][1](second))


def one_page(stream: str, records: list[dict[str, Any]]) -> Reply:
    """The export's only page: `records`, then `end_of_stream`."""
    return cursor_page(stream, records, "QQ==", end_of_stream=True)


def refusing_cursors(stream: str) -> Callable[[Received], Reply]:
    """An export that refuses every cursor (expired, wire notes §3) and has nothing from any start_time."""

    def answer(request: Received) -> Reply:
        if "cursor" in request.query:
            error = {"code": "InvalidCursor", "status": "400", "title": "cursor is invalid or expired"}
            return Reply.json({"errors": [error]}, status=400)
        return one_page(stream, [])

    return answer


def warnings_about(stderr: str, stream: str, words: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"{stream}: " in line and words in line]


@pytest.mark.parametrize("end_of_stream", [True, False])
def test_a_next_page_beyond_the_clock_ends_the_run_with_the_bookmark_unchanged(
    tmp_path: Path, *, end_of_stream: bool
) -> None:
    def answer(request: Received) -> Reply:
        start = int(request.query["start_time"][0])
        if start == T0:
            org = {"id": 1, "name": "a", "updated_at": iso(T0 + 5), "organization_fields": {}}
            return time_page([org], YEAR_2100, end_of_stream=end_of_stream)
        return time_page([], start, end_of_stream=True)

    state = {"bookmarks": {"organizations": {"start_time": T0, "boundary_ids": []}}}
    run, received = run_on_stub(tmp_path, answer, "organizations", state=state)
    last = one_line_failure(run)
    assert last.startswith("tap-zendesk-objects: organizations: the export is not progressing"), last
    assert f"start_time {YEAR_2100}" in last
    assert "later than this run's clock" in last
    assert len(received) == 1
    assert run.states[-1] == state
    assert run.records("organizations") == []  # buffered behind a STATE that never came: read again


@pytest.mark.parametrize("stream", ["tickets", "users"])
def test_a_record_stamped_in_the_future_never_moves_the_bookmark(tmp_path: Path, stream: str) -> None:
    records = [stamped(stream, 1, T0), stamped(stream, 2, YEAR_2999)]
    first, _ = run_on_stub(tmp_path, lambda _: one_page(stream, records), stream)
    assert first.returncode == 0, first.stderr
    assert [r["id"] for r in first.records(stream)] == [1, 2]  # the record is data: still emitted
    bookmark = first.states[-1]["bookmarks"][stream]
    assert bookmark["high_water"] == T0
    assert bookmark["replication_key_value"] == records[0][STAMPS[stream][0]]
    assert len(warnings_about(first.stderr, stream, "later than this run's clock")) == 1

    # Zendesk refuses the saved cursor: the export restarts from the real position, not from "now".
    second, received = run_on_stub(tmp_path, refusing_cursors(stream), stream, state=first.states[-1])
    assert second.returncode == 0, second.stderr
    assert [r.query.get("start_time") for r in received] == [None, [str(T0)]]


@pytest.mark.parametrize("stream", ["tickets", "users"])
def test_an_unreadable_timestamp_is_warned_once_and_ignored_by_the_bookmark(
    tmp_path: Path, stream: str
) -> None:
    # "zzzz-..." has the length of Zendesk's timestamps: as text it sorts after every real one.
    bad = ["garbage", "zzzz-zz-zzTzz:zz:zzZ", ""]
    pages = [
        [stamped(stream, 1, T0), record(stream, 2, bad[0])],
        [record(stream, 3, bad[1]), record(stream, 4, bad[2]), stamped(stream, 5, T0 + 5)],
    ]

    def answer(request: Received) -> Reply:
        first = "cursor" not in request.query
        return cursor_page(stream, pages[0 if first else 1], "A" if first else "B", end_of_stream=not first)

    run, _ = run_on_stub(tmp_path, answer, stream)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert [r["id"] for r in run.records(stream)] == [1, 2, 3, 4, 5]
    bookmark = run.states[-1]["bookmarks"][stream]
    assert bookmark["cursor"] == "B"
    assert bookmark["high_water"] == T0 + 5
    assert bookmark["replication_key_value"] == pages[1][2][STAMPS[stream][0]]
    assert len(warnings_about(run.stderr, stream, "not a time")) == 1


@pytest.mark.parametrize(
    ("stream", "bookmark"),
    [
        ("organizations", {"start_time": YEAR_2100, "boundary_ids": []}),
        ("tickets", {"high_water": YEAR_2100}),
        ("users", {"replication_key": "updated_at", "replication_key_value": iso(YEAR_2100)}),
        ("tickets", {"cursor": "QQ==", "high_water": YEAR_2100}),
    ],
    ids=[
        "organizations-start_time",
        "tickets-high_water",
        "users-replication_key_value",
        "tickets-high_water-after-a-refused-cursor",
    ],
)
def test_a_state_beyond_the_clock_ends_the_run_in_one_line(
    tmp_path: Path, stream: str, bookmark: dict[str, Any]
) -> None:
    # E.g. written by a version that let a server's time through: no export has reached it.
    state = {"bookmarks": {stream: bookmark}}
    run, received = run_on_stub(tmp_path, refusing_cursors(stream), stream, state=state)
    last = one_line_failure(run)
    assert last.startswith(f"tap-zendesk-objects: {stream}: the state's"), last
    assert "later than this run's clock" in last
    assert [r.query.get("start_time") for r in received] == [None] * len(received)  # none sent
    assert run.states[-1] == state
