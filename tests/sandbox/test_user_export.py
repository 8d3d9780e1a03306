"""The user cursor export: the ticket export's rules in (updated_at, id) order, deleted users included."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.clients import TICKETS, Client, agent
from tests.sandbox.test_ticket_export import assert_a_recent_start_time_is_refused

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

USERS = "/api/v2/incremental/users/cursor"
ORGANIZATIONS = "/api/v2/incremental/organizations"


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """The test-sized data set with room for one-user pages under the export limit."""
    return sandbox_factory(export_requests_per_window=10_000)


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def test_pages_cover_every_user_once_in_updated_at_order(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(deleted_user_ratio=0.2)
    pages = list(Client(sandbox).pages(USERS, key="users", per_page=7))
    users = [user for page in pages for user in page["users"]]
    assert len(pages) == 6  # 40 users in pages of 7
    assert [list(page) for page in pages] == [
        ["users", "after_url", "before_url", "after_cursor", "before_cursor", "end_of_stream"]
    ] * 6
    assert {user["id"] for user in users} == set(sandbox.admin.user_ids())
    assert len(users) == len(sandbox.admin.user_ids())
    positions = [(_epoch(user["updated_at"]), user["id"]) for user in users]
    assert positions == sorted(positions)
    assert len({second for second, _ in positions}) < len(positions), "some users share a second"
    assert [page["end_of_stream"] for page in pages] == [False] * 5 + [True]
    assert any(not user["active"] for user in users), "deleted users are exported, inactive"


def test_the_cursor_encodes_the_last_user_and_survives_on_the_last_page(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    pages = list(client.pages(USERS, key="users", per_page=1))
    assert len(pages) == 40, "users sharing a second split cleanly across pages"
    for page in pages:
        last = page["users"][-1]
        decoded = base64.b64decode(page["after_cursor"]).decode()
        assert decoded == f"{_epoch(last['updated_at'])}.0||{last['id']}|"
        assert page["before_cursor"] is None
    assert pages[-1]["after_url"] is not None
    again = client.get(USERS, cursor=pages[-1]["after_cursor"]).json()
    assert again["users"] == []
    assert again["after_cursor"] == pages[-1]["after_cursor"]
    assert again["end_of_stream"] is True


def test_after_url_keeps_the_suffix_and_per_page(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    page = client.get(USERS + ".json", start_time=0, per_page=9).json()
    after = urlsplit(page["after_url"])
    assert after.path == USERS + ".json"
    assert parse_qs(after.query) == {"cursor": [page["after_cursor"]], "per_page": ["9"]}
    follow = client.session.get(page["after_url"], timeout=30).json()
    assert len(follow["users"]) == 9
    assert follow["users"][0]["id"] not in {user["id"] for user in page["users"]}
    assert len(client.get(USERS, start_time=0, per_page=5000).json()["users"]) == 40
    assert client.get(USERS, start_time=0, per_page=0).status_code == 400


def test_refusals_are_the_ticket_exports(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    assert_a_recent_start_time_is_refused(client, USERS)
    assert client.get(USERS).status_code == 400
    garbage = client.get(USERS, cursor="bm90IGEgY3Vyc29y")
    assert garbage.status_code == 400
    assert garbage.json()["error"] == "InvalidPaginationParameter"
    cursor = client.get(USERS, start_time=0, per_page=10).json()["after_cursor"]
    sandbox.admin.expire_cursors()
    assert client.get(USERS, cursor=cursor).status_code == 400


def test_exports_share_the_export_limit(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(export_requests_per_window=3)
    client = Client(sandbox)
    assert client.get(TICKETS, start_time=0).status_code == 200
    assert client.get(USERS, start_time=0).status_code == 200
    assert client.get(ORGANIZATIONS, start_time=0).status_code == 200
    refused = client.get(USERS, start_time=0)
    assert refused.status_code == 429
    assert refused.json()["error"] == "APIRateLimitExceeded"
    assert sandbox.admin.stats()["requests_by_kind"] == {
        "ticket_export": 1,
        "user_export": 2,
        "organization_export": 1,
    }


def test_the_exports_are_for_admins_only(sandbox: Sandbox) -> None:
    as_agent = agent(sandbox)
    for path in (TICKETS, USERS, ORGANIZATIONS):
        refused = as_agent.get(path, start_time=0)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["title"] == "Forbidden"
    assert as_agent.get("/api/v2/incremental/custom_objects/vendor/cursor", start_time=0).status_code == 200
    assert as_agent.get("/api/v2/ticket_fields").status_code == 200
