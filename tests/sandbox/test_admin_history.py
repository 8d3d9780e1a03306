"""The admin HTTP API of tickets' history: what it adds or changes, the Zendesk endpoints then serve."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client, admin_api, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

TICKET_EVENTS = "/api/v2/incremental/ticket_events"


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """Test-sized data, no recent-data lag, start_time allowed up to now, exports unlimited."""
    return sandbox_factory(
        recent_data_lag_seconds=0, start_time_min_age_seconds=0, export_requests_per_window=10_000
    )


def _messaging(sandbox: Sandbox) -> tuple[int, int]:
    """A messaging ticket and a ticket of another channel, both undeleted."""
    tickets = [sandbox.admin.ticket(t) or {} for t in sandbox.admin.ticket_ids(include_deleted=False)]
    messaging = [t["id"] for t in tickets if t["from_messaging_channel"]]
    other = [t["id"] for t in tickets if not t["from_messaging_channel"]]
    return messaging[0], other[0]


def _exported_since(sandbox: Sandbox, start: int) -> list[dict[str, Any]]:
    page = Client(sandbox).get(TICKET_EVENTS, start_time=start, include="comment_events").json()
    assert page["end_of_stream"], "the test's few events fit on one page"
    return list(page["ticket_events"])


def test_a_comment_added_over_http_is_in_the_ticket_event_export(sandbox: Sandbox) -> None:
    ticket = sandbox.admin.ticket_ids(include_deleted=False)[3]
    added = admin_api(
        sandbox, "POST", f"/tickets/{ticket}/comments", json={"body": "Any update?", "public": False}
    )
    assert added.status_code == 201, added.text
    audit = added.json()["ticket_event"]
    past_change_stamps()
    exported = [e for e in _exported_since(sandbox, audit["timestamp"]) if e["id"] == audit["id"]]
    comment = exported[0]["child_events"][0]
    assert (comment["event_type"], comment["body"], comment["public"]) == ("Comment", "Any update?", False)
    assert comment["audit_id"] == audit["id"]
    events = admin_api(sandbox, "GET", f"/tickets/{ticket}/events").json()["ticket_events"]
    assert events[-1] == audit
    comments = admin_api(sandbox, "GET", f"/tickets/{ticket}/comments").json()["comments"]
    assert comments[-1] == comment | {"ticket_id": ticket}
    assert comments == sandbox.admin.ticket_comments(ticket)
    metric_events = admin_api(sandbox, "GET", f"/tickets/{ticket}/metric_events").json()
    assert [e["ticket_id"] for e in metric_events["ticket_metric_events"]] == [ticket] * len(
        sandbox.admin.ticket_metric_events(ticket)
    )
    assert admin_api(sandbox, "POST", f"/tickets/{ticket}/comments", json={"text": "x"}).status_code == 400
    assert admin_api(sandbox, "POST", "/tickets/99999/comments", json={"body": "x"}).status_code == 404


def test_a_rating_changed_over_http_is_served_changed(sandbox: Sandbox) -> None:
    ratings = admin_api(sandbox, "GET", "/satisfaction_ratings").json()["satisfaction_ratings"]
    bad = next(r for r in ratings if r["score"] == "bad")
    changed = admin_api(
        sandbox, "PATCH", f"/satisfaction_ratings/{bad['id']}", json={"score": "good", "comment": "Fixed!"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["satisfaction_rating"]["updated_at"] >= bad["updated_at"]
    # Zendesk filters ratings by creation time: the changed one is still among those of its second.
    second = int(datetime.fromisoformat(bad["created_at"]).timestamp())
    served = Client(sandbox).get("/api/v2/satisfaction_ratings", start_time=second, end_time=second)
    mine = [r for r in served.json()["satisfaction_ratings"] if r["id"] == bad["id"]]
    assert [(r["score"], r["comment"]) for r in mine] == [("good", "Fixed!")]
    refused = admin_api(sandbox, "PATCH", f"/satisfaction_ratings/{bad['id']}", json={"score": "great"})
    assert refused.status_code == 400
    unknown = admin_api(sandbox, "PATCH", f"/satisfaction_ratings/{bad['id']}", json={"id": 1})
    assert unknown.status_code == 400
    assert admin_api(sandbox, "PATCH", "/satisfaction_ratings/1", json={"score": "good"}).status_code == 404


def test_a_message_added_over_http_ends_the_conversation_log(sandbox: Sandbox) -> None:
    messaging, other = _messaging(sandbox)
    added = admin_api(sandbox, "POST", f"/tickets/{messaging}/conversation_log", json={"text": "Still here"})
    assert added.status_code == 201, added.text
    log = Client(sandbox).get(f"/api/v2/tickets/{messaging}/conversation_log", **{"page[size]": 100}).json()
    assert log["events"][-1] == added.json()["event"]
    assert log["events"][-1]["content"]["text"] == "Still here"
    mirrored = admin_api(sandbox, "GET", f"/tickets/{messaging}/conversation_log").json()["events"]
    assert mirrored == log["events"]
    not_messaging = admin_api(sandbox, "POST", f"/tickets/{other}/conversation_log", json={"text": "Hi"})
    assert not_messaging.status_code == 400
    assert "not a messaging ticket" in not_messaging.json()["description"]
