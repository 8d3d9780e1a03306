"""The ticket event export pages as Zendesk's time-based exports do: up to 1000 events, `per_page` ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

TICKET_EVENTS = "/api/v2/incremental/ticket_events"
ZENDESK_PAGE = 1000
SMALL = 50
UNLIMITED = {"export_requests_per_window": 10_000}


def _walk(sandbox: Sandbox, **params: Any) -> list[dict[str, Any]]:
    return Client(sandbox).time_pages(TICKET_EVENTS, 0, **params)


def _stored_ids(sandbox: Sandbox) -> set[int]:
    return {
        e["id"]
        for t in sandbox.admin.ticket_ids(include_deleted=True)
        for e in sandbox.admin.ticket_events(t)
    }


def test_pages_hold_1000_events_whatever_per_page_asks(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(tickets=400, **UNLIMITED)
    stored = _stored_ids(sandbox)
    assert len(stored) > ZENDESK_PAGE, "the data set spans more than one page"
    pages = _walk(sandbox, include="comment_events", per_page=100)
    assert len(pages) == 2
    assert pages[0]["count"] >= ZENDESK_PAGE
    assert len(pages[0]["ticket_events"]) == pages[0]["count"]
    query = parse_qs(urlsplit(pages[0]["next_page"]).query)
    assert "per_page" not in query, "next_page carries no per_page the export does not take"
    assert query["include"] == ["comment_events"]
    assert {e["id"] for page in pages for e in page["ticket_events"]} == stored


def test_the_page_size_setting_makes_smaller_pages_that_still_finish_their_second(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(ticket_events_page_size=SMALL, **UNLIMITED)
    pages = _walk(sandbox)
    assert len(pages) > 1
    for page in pages[:-1]:
        events = page["ticket_events"]
        assert len(events) >= SMALL
        # Past the setting only the rest of the SMALL-th event's second, as the other time-based exports.
        assert {e["timestamp"] for e in events[SMALL - 1 :]} == {events[SMALL - 1]["timestamp"]}
    assert {e["id"] for page in pages for e in page["ticket_events"]} == _stored_ids(sandbox)
