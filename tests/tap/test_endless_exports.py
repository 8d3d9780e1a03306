"""An export that never says `end_of_stream` ends in one line, with the bookmark at the last records."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tests.stub_server import Received, Reply, StubServer
from tests.tap.runner import run_tap, tickets_only_config

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
        return Reply.json(
            {
                "tickets": TICKETS if first else [],
                "after_cursor": next(cursors),
                "before_cursor": None,
                "end_of_stream": False,
            }
        )

    return answer


def run_against(tmp_path: Path, answer: Callable[[Received], Reply]) -> tuple[Any, list[str]]:
    with StubServer(answer) as stub:
        run = run_tap(tmp_path, tickets_only_config(stub.url), timeout=60, select=["tickets"])
    return run, stub.paths()


def test_cursors_that_alternate_end_the_run_at_the_first_repeat(tmp_path: Path) -> None:
    run, paths = run_against(tmp_path, export(itertools.cycle(["QQ==", "Qg=="])))
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("tap-zendesk-objects: tickets: the export is not progressing")
    assert "cursor 'QQ==' a second time" in last
    assert "Traceback" not in run.stderr
    assert len(paths) == 3  # QQ== (with the tickets), Qg== (empty), QQ== again: stop
    assert [r["id"] for r in run.records("tickets")] == [1, 2]
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "QQ=="


def test_ever_new_cursors_on_empty_pages_end_the_run_after_ten(tmp_path: Path) -> None:
    run, paths = run_against(tmp_path, export(f"cursor-{n}" for n in itertools.count()))
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "10 pages in a row held no records" in last
    assert len(paths) == 11  # the page with the tickets, then ten empty ones
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "cursor-0"
    assert run.final_state["bookmarks"]["tickets"]["high_water"] == 1_700_000_005


def test_a_cursor_that_stands_still_ends_the_run(tmp_path: Path) -> None:
    run, paths = run_against(tmp_path, export(itertools.repeat("same")))
    assert run.returncode == 1
    assert "cursor 'same' a second time" in run.stderr
    assert len(paths) == 2
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "same"
