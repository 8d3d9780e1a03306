"""The shared request loop against a server that misbehaves: odd Retry-After values, a trickling body,
200 pages that are not pages. Each run ends in its data or in one clear line, never a hang or a lost page.
"""

from __future__ import annotations

import itertools
import json
from email.utils import formatdate
from time import time
from typing import TYPE_CHECKING, Any

import pytest

from devtools import sandbox_configs
from tests.stub_server import Received, Reply, StubServer
from tests.tap.runner import TapRun, run_tap, tickets_only_config
from tests.target.conftest import run_target, singer_lines

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

TICKETS = [
    {"id": 1, "generated_timestamp": 1_700_000_000, "subject": "first"},
    {"id": 2, "generated_timestamp": 1_700_000_005, "subject": "second"},
]
EXPORT = "/api/v2/incremental/tickets/cursor"


def last_page(tickets: list[dict[str, Any]] = TICKETS, cursor: str = "END") -> Reply:
    body = {"tickets": tickets, "after_cursor": cursor, "before_cursor": None, "end_of_stream": True}
    return Reply.json(body)


def first_then(first: Reply, then: Reply | None = None) -> Callable[[Received], Reply]:
    """Answer the first export request with `first`, every later one with `then` (default: the last page)."""
    calls = itertools.count()

    def answer(request: Received) -> Reply:
        if request.path != EXPORT:
            return Reply.json({"error": "InvalidEndpoint", "description": "Not found"}, status=404)
        return first if next(calls) == 0 else (then or last_page())

    return answer


def tap_against(tmp_path: Path, answer: Callable[[Received], Reply], **settings: Any) -> tuple[TapRun, int]:
    """Run the tap's ticket export against a stub; return the run and how many export requests it made."""
    with StubServer(answer) as stub:
        run = run_tap(tmp_path, tickets_only_config(stub.url, **settings), timeout=90, select=["tickets"])
    return run, stub.paths().count(EXPORT)


def one_line(run: TapRun) -> str:
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    return run.stderr.strip().splitlines()[-1]


def rate_limited(retry_after: str) -> Reply:
    body = {
        "error": "APIRateLimitExceeded",
        "description": "Number of allowed incremental export API requests",
    }
    return Reply.json(body, status=429, Retry_After=retry_after)


def test_a_retry_after_beyond_the_ceiling_ends_the_run_naming_the_wait(tmp_path: Path) -> None:
    run, requests = tap_against(tmp_path, first_then(rate_limited("100000")))
    line = one_line(run)
    assert "HTTP 429 on GET /api/v2/incremental/tickets/cursor" in line
    assert "asked to wait 100,000 s (Retry-After: 100000)" in line
    assert "max_retry_after_seconds" in line
    assert requests == 1  # no sleep, no retry


def test_a_longer_ceiling_is_a_setting(tmp_path: Path) -> None:
    run, _ = tap_against(tmp_path, first_then(rate_limited("3")), max_retry_after_seconds=2)
    assert "asked to wait 3 s" in one_line(run)


@pytest.mark.parametrize("retry_after", ["inf", "nan", "-5", "soon", ""])
def test_an_unreadable_retry_after_waits_one_window_then_retries(tmp_path: Path, retry_after: str) -> None:
    run, requests = tap_against(tmp_path, first_then(rate_limited(retry_after)))
    assert run.returncode == 0, run.stderr
    assert [ticket["id"] for ticket in run.records("tickets")] == [1, 2]
    assert requests == 2
    shown = "no Retry-After" if not retry_after else f"unreadable Retry-After '{retry_after}'"
    assert f"({shown}: one rate-limit window)" in run.stderr


def test_a_retry_after_date_is_waited_until(tmp_path: Path) -> None:
    when = formatdate(time() + 2, usegmt=True)
    run, requests = tap_against(tmp_path, first_then(rate_limited(when)))
    assert run.returncode == 0, run.stderr
    assert requests == 2
    assert f"(Retry-After: {when})" in run.stderr


def test_a_trickling_answer_is_cut_off_at_the_request_timeout_and_retried(tmp_path: Path) -> None:
    page = json.dumps({"tickets": TICKETS, "after_cursor": "END", "end_of_stream": True}).encode()
    trickle = Reply(body=page, trickle_bytes=1, trickle_seconds=0.2)  # ~40 s for the whole page
    run, requests = tap_against(tmp_path, first_then(trickle), request_timeout_seconds=1)
    assert run.returncode == 0, run.stderr
    assert "no complete answer within 1 s (`request_timeout_seconds`)" in run.stderr
    assert requests == 2
    assert [ticket["id"] for ticket in run.records("tickets")] == [1, 2]


def test_a_server_that_always_trickles_ends_the_run_in_one_line(tmp_path: Path) -> None:
    page = json.dumps({"tickets": TICKETS, "after_cursor": "END", "end_of_stream": True}).encode()
    trickle = Reply(body=page, trickle_bytes=1, trickle_seconds=0.2)
    run, requests = tap_against(
        tmp_path, first_then(trickle, trickle), request_timeout_seconds=1, max_request_attempts=2
    )
    line = one_line(run)
    assert "giving up on GET /api/v2/incremental/tickets/cursor after 2 attempts" in line
    assert "no complete answer within 1 s" in line
    assert requests == 2


NOT_A_PAGE = {
    "without its records array": {"after_cursor": "SKIPPED", "end_of_stream": False},
    "an error object": {"error": "InternalError", "description": "Something went wrong"},
    "records that are not an array": {
        "tickets": {"id": 3},
        "after_cursor": "SKIPPED",
        "end_of_stream": False,
    },
}


@pytest.mark.parametrize("case", sorted(NOT_A_PAGE))
def test_a_200_that_is_not_a_page_never_moves_the_bookmark(tmp_path: Path, case: str) -> None:
    first = Reply.json({"tickets": TICKETS, "after_cursor": "PAGE-1", "end_of_stream": False})
    calls = itertools.count()

    def answer(_: Received) -> Reply:
        return first if next(calls) == 0 else Reply.json(NOT_A_PAGE[case])

    run, requests = tap_against(tmp_path, answer, max_request_attempts=3)
    line = one_line(run)
    assert "giving up on GET /api/v2/incremental/tickets/cursor after 3 attempts" in line
    assert "HTTP 200 but a body without its `tickets` array" in line
    assert requests == 4  # the good page, then three tries of the bad one
    assert [ticket["id"] for ticket in run.records("tickets")] == [1, 2]
    assert run.final_state["bookmarks"]["tickets"]["cursor"] == "PAGE-1"
    assert all("SKIPPED" not in json.dumps(state) for state in run.states)


def test_a_page_that_recovers_after_one_bad_answer_loses_nothing(tmp_path: Path) -> None:
    run, requests = tap_against(tmp_path, first_then(Reply.json(NOT_A_PAGE["an error object"])))
    assert run.returncode == 0, run.stderr
    assert requests == 2
    assert "HTTP 200 but a body without its `tickets` array" in run.stderr
    assert [ticket["id"] for ticket in run.records("tickets")] == [1, 2]


def test_records_without_their_key_are_refused_with_a_warning(tmp_path: Path) -> None:
    tickets = [TICKETS[0], {"generated_timestamp": 1_700_000_003, "subject": "no id"}, TICKETS[1]]
    run, _ = tap_against(tmp_path, first_then(last_page(tickets)))
    assert run.returncode == 0, run.stderr
    assert [ticket["id"] for ticket in run.records("tickets")] == [1, 2]
    assert "tickets: 1 of 3 records on this page have no id: refused, not emitted" in run.stderr


def test_the_target_shares_the_loop_a_retry_after_beyond_the_ceiling(tmp_path: Path) -> None:
    def answer(request: Received) -> Reply:
        if request.path.endswith("/fields"):
            fields = [{"id": 1, "key": "standard::name", "type": "text", "system": True, "properties": {}}]
            return Reply.json({"custom_object_fields": fields})
        text = b"Number of allowed API requests per minute exceeded"  # the account limit's plain-text body
        return Reply(429, text, {"Content-Type": "text/plain", "Retry-After": "86400"})

    schema = {"type": "object", "properties": {"external_id": {"type": "string"}, "name": {"type": "string"}}}
    record = {"external_id": "t-1", "name": "one"}
    lines = singer_lines("thing", schema, [record], key_properties=["external_id"])
    with StubServer(answer) as stub:
        run = run_target(sandbox_configs.connection(stub.url, write_mode="upsert"), lines, tmp_path=tmp_path)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "HTTP 429 on PATCH /api/v2/custom_objects/thing/records" in last
    assert "asked to wait 86,400 s" in last
    assert run.states == []


def test_an_html_error_page_is_named_by_its_title_not_quoted(tmp_path: Path) -> None:
    page = (
        "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1>"
        "</center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
    )
    forbidden = Reply(403, page.encode(), {"Content-Type": "text/html"})
    run, requests = tap_against(tmp_path, first_then(forbidden))
    line = one_line(run)
    assert "HTTP 403 on /api/v2/incremental/tickets/cursor: 403 Forbidden (" in line
    assert "<" not in line
    assert "cloudflare" not in line
    assert requests == 1
