"""Data changed while an export runs: updates, deletes and creates show up later, never lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.sandbox.clients import TICKETS, Client, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """Test-sized data without the recent-data lag: a change is in the export as soon as it is stamped."""
    return sandbox_factory(recent_data_lag_seconds=0)


def test_tickets_changed_mid_export_reappear_after_the_cursor(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    first = client.get(TICKETS, start_time=0, per_page=100).json()
    seen_early = first["tickets"][0]["id"]
    not_yet = sandbox.admin.ticket_ids()[-1]
    sandbox.admin.update_ticket(seen_early, subject="changed while exporting")
    sandbox.admin.delete_ticket(not_yet)
    created = sandbox.admin.create_ticket(subject="born while exporting")
    past_change_stamps()
    rest = []
    page = first
    while not page["end_of_stream"]:
        page = client.get(TICKETS, cursor=page["after_cursor"], per_page=100).json()
        rest += page["tickets"]
    later = {t["id"]: t for t in rest}
    assert later[seen_early]["subject"] == "changed while exporting"
    assert later[not_yet]["status"] == "deleted"
    assert later[created]["subject"] == "born while exporting"
    all_ids = {t["id"] for t in first["tickets"]} | set(later)
    assert all_ids == set(sandbox.admin.ticket_ids())
    assert [t["id"] for t in rest][-3:] == sorted([seen_early, not_yet, created])


def test_updates_bump_generated_timestamp_and_updated_at(sandbox: Sandbox) -> None:
    ticket_id = sandbox.admin.ticket_ids()[0]
    before = sandbox.admin.ticket(ticket_id)
    sandbox.admin.update_ticket(ticket_id, priority="urgent", tags=["changed"])
    after = sandbox.admin.ticket(ticket_id)
    assert before is not None
    assert after is not None
    assert after["priority"] == "urgent"
    assert after["tags"] == ["changed"]
    assert after["generated_timestamp"] > before["generated_timestamp"]
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_records_changed_mid_export_reappear_masked_or_updated(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    path = "/api/v2/incremental/custom_objects/vendor/cursor"
    first = client.get(path, start_time=0, per_page=10).json()
    early = next(r for r in first["custom_object_records"] if r["name"] != "[DELETED]")
    sandbox.admin.delete_custom_object_record("vendor", early["external_id"])
    sandbox.admin.upsert_custom_object_record("vendor", "late", "Late Vendor", {"rating": 2})
    past_change_stamps()
    rest, page = [], first
    while page["meta"]["has_more"]:
        page = client.get(path, cursor=page["after_cursor"], per_page=10).json()
        rest += page["custom_object_records"]
    tail = {r["id"]: r for r in rest[-2:]}
    assert tail[early["id"]]["name"] == "[DELETED]"
    assert any(r["external_id"] == "late" for r in tail.values())


def test_a_change_in_an_already_exported_second_is_not_lost(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    newer, older = sandbox.admin.create_ticket(subject="a"), sandbox.admin.ticket_ids()[0]
    last = list(client.pages(TICKETS))[-1]  # serves the current second, where `newer` was stamped
    assert last["tickets"][-1]["id"] == newer, "the export has served the newest second"
    sandbox.admin.update_ticket(older, subject="same second, smaller id")
    past_change_stamps()
    page = client.get(TICKETS, cursor=last["after_cursor"]).json()
    assert [t["id"] for t in page["tickets"]] == [older]


def test_users_changed_mid_export_reappear_after_the_cursor(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    path = "/api/v2/incremental/users/cursor"
    first = client.get(path, start_time=0, per_page=10).json()
    seen_early = next(user["id"] for user in first["users"] if user["active"])
    seen = {user["id"] for user in first["users"]}
    not_yet = next(uid for uid in reversed(sandbox.admin.user_ids(include_deleted=False)) if uid not in seen)
    sandbox.admin.update_user(seen_early, notes="changed while exporting")
    sandbox.admin.delete_user(not_yet)
    created = sandbox.admin.create_user(name="Born While Exporting", email="born@example.org")
    past_change_stamps()
    rest, page = [], first
    while not page["end_of_stream"]:
        page = client.get(path, cursor=page["after_cursor"], per_page=10).json()
        rest += page["users"]
    later = {user["id"]: user for user in rest}
    assert later[seen_early]["notes"] == "changed while exporting"
    assert later[not_yet]["active"] is False
    assert later[created]["name"] == "Born While Exporting"
    assert {user["id"] for user in rest[-3:]} == {seen_early, not_yet, created}, "the changes come last"
    assert seen | set(later) == set(sandbox.admin.user_ids())


def test_a_user_change_in_an_already_exported_second_is_not_lost(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    path = "/api/v2/incremental/users/cursor"
    newer = sandbox.admin.create_user(name="Newest", email="newest@example.org")
    last = list(client.pages(path, key="users"))[-1]  # serves the current second, where `newer` was stamped
    assert last["users"][-1]["id"] == newer
    older = sandbox.admin.user_ids()[0]
    sandbox.admin.update_user(older, notes="same second, smaller id")
    past_change_stamps()
    page = client.get(path, cursor=last["after_cursor"]).json()
    assert [user["id"] for user in page["users"]] == [older]
