"""The support warehouse's endpoints (wire notes §25) against Zendesk's OAS.

Every JSON body validates against its operation's response schema with the wire notes' three allowances;
where the OAS and the wire notes part, a named test says which side is followed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.fidelity.test_oas_responses import START_TIME, Zendesk, _bearer, assert_matches_oas
from zendesk_sandbox import SandboxSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.fidelity.oas import ZendeskOas
    from zendesk_sandbox import Sandbox

DEFAULTS = SandboxSettings()
TICKET_EVENTS = "/api/v2/incremental/ticket_events"
METRIC_EVENTS = "/api/v2/incremental/ticket_metric_events"
USER_EXPORT = "/api/v2/incremental/users/cursor"
TICKET_EXPORT = "/api/v2/incremental/tickets/cursor"
MAX_PAGES = 200
CURSOR_LISTS = (
    "/api/v2/brands",
    "/api/v2/ticket_forms",
    "/api/v2/tags",
    "/api/v2/group_memberships",
    "/api/v2/organization_memberships",
    "/api/v2/macros",
    "/api/v2/satisfaction_ratings",
)


@pytest.fixture
def zendesk(sandbox_factory: Callable[..., Sandbox], oas: ZendeskOas) -> Zendesk:
    """A client on a sandbox with deleted tickets and budgets no test here exhausts."""
    sandbox = sandbox_factory(
        deleted_ticket_ratio=0.05, export_requests_per_window=10_000, account_requests_per_window=100_000
    )
    client = Zendesk(sandbox, oas, _bearer(DEFAULTS))
    client.sandbox = sandbox  # type: ignore[attr-defined]
    return client


def _time_pages(zendesk: Zendesk, path: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Follow a time-based export to its end, every page validated."""
    body = zendesk.checked("GET", path, 200, params={"start_time": START_TIME, **params})
    yield body
    for _ in range(MAX_PAGES):
        if body.get("end_of_stream"):
            return
        response = zendesk.session.get(body["next_page"], timeout=30)
        body = response.json()
        assert_matches_oas(zendesk.oas, "GET", response, body)
        yield body
    pytest.fail(f"{path} did not end in {MAX_PAGES} pages")


def _cursor_pages(zendesk: Zendesk, path: str, key: str, size: int = 7) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, every page validated."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page[size]": size}
    for _ in range(MAX_PAGES):
        body = zendesk.checked("GET", path, 200, params=params)
        items += body[key]
        if not body["meta"]["has_more"]:
            return items
        params = {"page[size]": size, "page[after]": body["meta"]["after_cursor"]}
    pytest.fail(f"{path} did not end in {MAX_PAGES} pages")


def test_ticket_events_with_comments_match_the_oas_and_cover_every_ticket(zendesk: Zendesk) -> None:
    sandbox: Sandbox = zendesk.sandbox  # type: ignore[attr-defined]
    events = [e for page in _time_pages(zendesk, TICKET_EVENTS, include="comment_events", per_page=50)
              for e in page["ticket_events"]]  # fmt: skip
    assert {e["ticket_id"] for e in events} == set(sandbox.admin.ticket_ids(include_deleted=True))
    comments = [c for e in events for c in e["child_events"] if c["event_type"] == "Comment"]
    assert comments
    assert all(c["body"] and c["audit_id"] for c in comments)
    deletions = [c for e in events for c in e["child_events"] if c.get("status") == "deleted"]
    assert deletions, "deleted tickets' events are exported"


def test_ticket_events_follow_the_docs_not_the_oas_item_schema(zendesk: Zendesk, oas: ZendeskOas) -> None:
    """OAS says a ticket_events item is a "Ticket Metric Events" object (metric, type, time: the schema of
    the metric event export, copied), the OAS's own description and wire notes §25 say each item is a
    ticket update with `child_events`; we follow the wire notes: items carry `child_events`, no `metric`,
    and validate only because that schema requires nothing."""
    schema = oas.response_schema(TICKET_EVENTS, "get", 200)
    assert schema is not None
    item = schema["properties"]["ticket_events"]["items"]
    assert "metric" in item["properties"]
    assert "child_events" not in item["properties"]
    body = zendesk.checked("GET", TICKET_EVENTS, 200, params={"start_time": START_TIME, "per_page": 20})
    assert all("child_events" in e and "metric" not in e for e in body["ticket_events"])
    # Without the sideload a comment is only flagged (OAS IncrementalTicketEvents).
    flagged = [c for e in body["ticket_events"] for c in e["child_events"] if c["event_type"] == "Comment"]
    assert flagged
    assert all(c["comment_present"] is True and "body" not in c for c in flagged)


def test_metric_events_match_the_oas_and_say_end_of_stream_as_the_notes_decide(
    zendesk: Zendesk, oas: ZendeskOas
) -> None:
    """OAS says a metric event page has `count`, `end_time`, `next_page` (no `end_of_stream`), wire notes §25
    say time-based exports end on `end_of_stream` and the sandbox sends it (switch
    `ticket_metric_events_end_of_stream`); we follow the wire notes."""
    schema = oas.response_schema(METRIC_EVENTS, "get", 200)
    assert schema is not None
    assert all("end_of_stream" not in part.get("properties", {}) for part in schema["allOf"])
    pages = list(_time_pages(zendesk, METRIC_EVENTS, per_page=200))
    assert pages[-1]["end_of_stream"] is True
    events = [e for page in pages for e in page["ticket_metric_events"]]
    assert {"breach", "fulfill", "apply_sla"} <= {e["type"] for e in events}
    assert any(e.get("deleted") for e in events), "deleted tickets' events are flagged"
    sandbox: Sandbox = zendesk.sandbox  # type: ignore[attr-defined]
    sandbox.configure(ticket_metric_events_end_of_stream=False)
    body = zendesk.checked("GET", METRIC_EVENTS, 200, params={"start_time": START_TIME})
    assert "end_of_stream" not in body


def test_sideloads_of_the_exports_match_their_oas_objects(zendesk: Zendesk, oas: ZendeskOas) -> None:
    """OAS says neither export body has sideloads, wire notes §18.3 and §25 say `include=identities` adds a
    top-level `identities` array and `include=metric_sets` both a `metric_set` per ticket and a top-level
    `metric_sets`; we follow the wire notes and validate each object against its OAS schema."""
    users = zendesk.checked(
        "GET", USER_EXPORT, 200, params={"start_time": START_TIME, "include": "identities"}
    )
    assert users["identities"]
    assert {i["user_id"] for i in users["identities"]} <= {u["id"] for u in users["users"]}
    for identity in users["identities"]:
        assert oas.component_errors("UserIdentityObject", identity) == [], identity["id"]
    tickets = zendesk.checked(
        "GET", TICKET_EXPORT, 200, params={"start_time": START_TIME, "include": "metric_sets", "per_page": 50}
    )
    assert len(tickets["metric_sets"]) == sum(t["status"] != "deleted" for t in tickets["tickets"])
    for metric_set in tickets["metric_sets"]:
        assert oas.component_errors("TicketMetricObject", metric_set) == [], metric_set["id"]


@pytest.mark.parametrize("path", CURSOR_LISTS)
def test_cursor_lists_match_the_oas(zendesk: Zendesk, path: str) -> None:
    key = path.rsplit("/", 1)[1]
    items = _cursor_pages(zendesk, path, key)
    assert items
    first = zendesk.checked("GET", path, 200)  # without parameters: the first offset page of 100
    assert len(first[key]) == min(len(items), 100)
    assert all(item in items for item in first[key])


def test_sla_policies_and_conversation_logs_match_the_oas(zendesk: Zendesk) -> None:
    policies = zendesk.checked("GET", "/api/v2/slas/policies", 200)
    assert policies["count"] == len(policies["sla_policies"]) > 0
    sandbox: Sandbox = zendesk.sandbox  # type: ignore[attr-defined]
    messaging = [t for t in sandbox.admin.ticket_ids(include_deleted=False) if t % 10 == 7]
    events = _cursor_pages(zendesk, f"/api/v2/tickets/{messaging[0]}/conversation_log", "events", size=2)
    assert len(events) >= 3
    empty = zendesk.checked("GET", "/api/v2/tickets/1/conversation_log", 200)
    assert empty["events"] == []


def test_ticket_audits_match_the_oas_and_leave_archived_tickets_out(zendesk: Zendesk) -> None:
    sandbox: Sandbox = zendesk.sandbox  # type: ignore[attr-defined]
    audits = _cursor_pages(zendesk, "/api/v2/ticket_audits", "audits", size=100)
    closed = {t for t in sandbox.admin.ticket_ids() if (sandbox.admin.ticket(t) or {})["status"] == "closed"}
    assert closed
    assert not closed & {a["ticket_id"] for a in audits}, "archived (long closed) tickets have no audits here"
    exported = {e["ticket_id"] for page in _time_pages(zendesk, TICKET_EVENTS) for e in page["ticket_events"]}
    assert closed <= exported, "but their events are in the ticket event export"


def test_schedules_follow_the_business_hours_docs_absent_from_the_oas(
    zendesk: Zendesk, oas: ZendeskOas
) -> None:
    """OAS says nothing of `/business_hours/schedules` (no such operation), wire notes §25 say Zendesk's
    business hours API answers `{"schedules": [...]}` and `{"holidays": [...]}` unpaginated; we follow the
    wire notes."""
    paths = oas.document["paths"]
    assert not any("business_hours" in path for path in paths)
    schedules = zendesk.call("GET", "/api/v2/business_hours/schedules").json()["schedules"]
    assert schedules
    assert all({"id", "name", "time_zone", "intervals"} <= set(s) for s in schedules)
    holidays = zendesk.call("GET", f"/api/v2/business_hours/schedules/{schedules[0]['id']}/holidays").json()
    assert all({"id", "name", "start_date", "end_date"} <= set(h) for h in holidays["holidays"])
