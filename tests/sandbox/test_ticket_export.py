"""The ticket cursor export: paging, cursor format, end_of_stream, sideloads, deleted tickets, refusals."""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.clients import TICKETS, Client, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox


def test_export_pages_cover_every_ticket_once_in_generated_timestamp_order(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    pages = list(client.pages(TICKETS, per_page=60))
    tickets = [ticket for page in pages for ticket in page["tickets"]]
    assert len(pages) == 5  # 250 tickets in pages of 60
    assert len(tickets) == len({t["id"] for t in tickets}) == 250
    assert {t["id"] for t in tickets} == set(sandbox.admin.ticket_ids())
    positions = [(t["generated_timestamp"], t["id"]) for t in tickets]
    assert positions == sorted(positions)
    assert [page["end_of_stream"] for page in pages] == [False] * 4 + [True]


def test_cursor_encodes_the_last_ticket_and_survives_on_the_last_page(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    pages = list(client.pages(TICKETS, per_page=100))
    for page in pages:
        last = page["tickets"][-1]
        decoded = base64.b64decode(page["after_cursor"]).decode()
        assert decoded == f"{last['generated_timestamp']}.0||{last['id']}|"
        assert page["before_cursor"] is None
        assert page["before_url"] is None
    assert pages[-1]["end_of_stream"] is True
    assert pages[-1]["after_url"] is not None


def test_after_url_keeps_suffix_prefix_per_page_and_url_encodes_the_cursor(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    response = client.get("/some/prefix" + TICKETS + ".json", start_time=0, per_page=7)
    page = response.json()
    after = urlsplit(page["after_url"])
    assert after.path == "/some/prefix" + TICKETS + ".json"
    assert "%3D" in page["after_url"] or "=" not in page["after_cursor"]
    assert parse_qs(after.query) == {"cursor": [page["after_cursor"]], "per_page": ["7"]}
    follow = client.session.get(page["after_url"], timeout=30)
    assert follow.status_code == 200
    assert follow.json()["tickets"][0]["id"] != page["tickets"][0]["id"]


def test_per_page_defaults_to_and_is_clamped_at_1000(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(tickets=1_100)
    client = Client(sandbox)
    assert len(client.get(TICKETS, start_time=0).json()["tickets"]) == 1000
    assert len(client.get(TICKETS, start_time=0, per_page=5000).json()["tickets"]) == 1000
    assert client.get(TICKETS, start_time=0, per_page=0).status_code == 400


def test_an_empty_page_keeps_the_incoming_cursor(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    last = list(client.pages(TICKETS))[-1]
    again = client.get(TICKETS, cursor=last["after_cursor"]).json()
    assert again["tickets"] == []
    assert again["after_cursor"] == last["after_cursor"]
    assert again["end_of_stream"] is True


def test_tickets_newer_than_the_lag_are_not_served_yet(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(recent_data_lag_seconds=3600)
    client = Client(sandbox)
    last = list(client.pages(TICKETS))[-1]
    fresh = sandbox.admin.create_ticket(subject="brand new")
    page = client.get(TICKETS, cursor=last["after_cursor"]).json()
    assert fresh not in [t["id"] for t in page["tickets"]]
    sandbox.configure(recent_data_lag_seconds=0)
    past_change_stamps()
    page = client.get(TICKETS, cursor=last["after_cursor"]).json()
    assert [t["id"] for t in page["tickets"]] == [fresh]


def test_every_ticket_has_the_39_real_keys_and_deleted_ones_say_so(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(deleted_ticket_ratio=0.3)
    tickets = [t for page in Client(sandbox).pages(TICKETS) for t in page["tickets"]]
    assert all(len(ticket) == 39 for ticket in tickets)
    deleted = [t for t in tickets if t["status"] == "deleted"]
    assert deleted
    assert any(t["subject"] == "SCRUBBED" and t["description"] == "X" for t in deleted)
    assert {t["id"] for t in deleted} == set(sandbox.admin.ticket_ids()) - set(
        sandbox.admin.ticket_ids(include_deleted=False)
    )
    assert all(t["url"] == f"https://demo.zendesk.com/api/v2/tickets/{t['id']}.json" for t in tickets)
    assert all(t["custom_fields"] == t["fields"] for t in tickets)


def test_exclude_deleted_drops_deleted_tickets(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(deleted_ticket_ratio=0.3)
    pages = Client(sandbox).pages(TICKETS, exclude_deleted="true")
    ids = [t["id"] for page in pages for t in page["tickets"]]
    assert sorted(ids) == sandbox.admin.ticket_ids(include_deleted=False)


def test_include_sideloads_users_and_embeds_metric_sets(sandbox: Sandbox) -> None:
    page = Client(sandbox).get(TICKETS, start_time=0, per_page=50, include="users,metric_sets").json()
    user_ids = {u["id"] for u in page["users"]}
    for ticket in page["tickets"]:
        assert ticket["requester_id"] in user_ids
        if ticket["status"] != "deleted":
            assert ticket["metric_set"]["ticket_id"] == ticket["id"]
    plain = Client(sandbox).get(TICKETS, start_time=0, per_page=50).json()
    assert "users" not in plain
    assert all("metric_set" not in ticket for ticket in plain["tickets"])


def assert_a_recent_start_time_is_refused(client: Client, export: str) -> None:
    """A cursor export (tickets, users) refuses a start_time 30 s ago with Zendesk's 400 and its body."""
    too_recent = client.get(export, start_time=int(time.time()) - 30)
    assert too_recent.status_code == 400
    assert too_recent.json() == {
        "error": "InvalidValue",
        "description": "start_time must be more than 60 seconds ago",
    }


def test_start_time_is_refused_when_too_recent_or_missing(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    assert_a_recent_start_time_is_refused(client, TICKETS)
    assert client.get(TICKETS, start_time=int(time.time()) - 90).status_code == 200
    missing = client.get(TICKETS)
    assert missing.status_code == 400
    assert missing.json()["error"] == "InvalidValue"


def test_unreadable_and_expired_cursors_are_refused(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    garbage = client.get(TICKETS, cursor="bm90IGEgY3Vyc29y")
    assert garbage.status_code == 400
    assert garbage.json() == {
        "error": "InvalidPaginationParameter",
        "description": "cursor is invalid or expired",
    }
    cursor = client.get(TICKETS, start_time=0, per_page=10).json()["after_cursor"]
    assert client.get(TICKETS, cursor=cursor).status_code == 200
    sandbox.admin.expire_cursors()
    assert client.get(TICKETS, cursor=cursor).status_code == 400
    fresh = client.get(TICKETS, start_time=0, per_page=10).json()["after_cursor"]
    assert client.get(TICKETS, cursor=fresh).status_code == 200


def test_cursor_ttl_expires_cursors_handed_out_longer_ago(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(cursor_ttl_seconds=0.2)
    client = Client(sandbox)
    cursor = client.get(TICKETS, start_time=0, per_page=10).json()["after_cursor"]
    time.sleep(0.3)
    assert client.get(TICKETS, cursor=cursor).status_code == 400
    # a well-formed cursor this sandbox never handed out (an earlier process's) is accepted
    foreign = base64.b64encode(b"1700000000.0||5|").decode()
    assert client.get(TICKETS, cursor=foreign).status_code == 200


def test_a_float_start_time_is_read_as_its_whole_seconds(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    assert client.get(TICKETS, start_time="946684800.0").status_code == 200
    assert client.get(TICKETS, start_time="yesterday").status_code == 400
