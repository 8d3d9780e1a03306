"""Users, organizations, groups and custom field definitions: the seeded data and the list endpoints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client
from tests.sandbox.field_types import CUSTOM_FIELD_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

WIRE_NOTES = Path(__file__).parents[2] / "docs" / "wire-notes.md"
REAL_USER_KEYS = re.compile(r"<!-- real-user-keys\b[^>]*-->\s*```text\n(.*?)\n```", re.DOTALL)
TICKET_CUSTOM_TYPES = (CUSTOM_FIELD_TYPES - {"dropdown"}) | {"tagger", "partialcreditcard"}
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
MIDNIGHT = re.compile(r"^\d{4}-\d\d-\d\dT00:00:00\+00:00$")


def _real_user_keys() -> set[str]:
    found = REAL_USER_KEYS.findall(WIRE_NOTES.read_text(encoding="utf-8"))
    assert len(found) == 1, "wire notes §18.1 no longer lists the real user keys"
    keys = {key.strip() for key in found[0].split(",")}
    assert len(keys) == 37
    return keys


def _users(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [user for user_id in sandbox.admin.user_ids() if (user := sandbox.admin.user(user_id))]


def _organizations(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [org for org_id in sandbox.admin.organization_ids() if (org := sandbox.admin.organization(org_id))]


def _check_value(field: dict[str, Any], value: Any, *, ticket: bool) -> None:  # noqa: C901 - one branch per type
    """Assert `value` has the wire form of its field's type (zendesk_sandbox/data/fielddefs.py's table)."""
    kind = field["type"]
    where = f"{field['key']} ({kind}): {value!r}"
    if kind == "checkbox":
        assert isinstance(value, bool), where
        return
    if value is None:
        return
    options = {option["value"] for option in field.get("custom_field_options", [])}
    if kind in {"text", "textarea"}:
        assert isinstance(value, str), where
    elif kind == "integer":
        assert (isinstance(value, str) and value.isdigit()) if ticket else type(value) is int, where
    elif kind == "decimal":
        assert re.fullmatch(r"\d+\.\d\d", value) if ticket else type(value) is float, where
    elif kind == "date":
        assert (DATE if ticket else MIDNIGHT).match(value), where
    elif kind in {"tagger", "dropdown"}:
        assert value in options, where
    elif kind == "multiselect":
        assert isinstance(value, list), where
        assert value, where
        assert set(value) <= options, where
    elif kind == "regexp":
        assert re.search(field["regexp_for_validation"], value), where
    elif kind == "lookup":
        assert (isinstance(value, str) and value.isdigit()) if ticket else type(value) is int, where
    elif kind == "partialcreditcard":
        assert re.fullmatch(r"X{12}\d{4}", value), where
    else:
        pytest.fail(f"unexpected field type {where}")


def test_users_have_the_real_keys_unique_emails_and_real_organizations(sandbox: Sandbox) -> None:
    users = _users(sandbox)
    assert len(users) == 40
    real_keys = _real_user_keys()
    assert len(real_keys) == 37
    assert all(set(user) == real_keys for user in users)
    emails = [user["email"].lower() for user in users]
    assert len(set(emails)) == len(emails)
    external_ids = [user["external_id"] for user in users]
    assert 0 < external_ids.count(None) < len(users) / 2, "many users have an external id, some none"
    organizations = set(sandbox.admin.organization_ids())
    assert {user["organization_id"] for user in users} - {None} <= organizations
    assert {user["role"] for user in users} == {"admin", "agent", "end-user"}
    by_email = {user["email"]: user for user in users}
    assert by_email["demo@example.com"]["role"] == "admin", "the API token's user is an admin"
    assert by_email["agent@example.com"]["role"] == "agent"
    assert all(user["url"].endswith(f"/api/v2/users/{user['id']}.json") for user in users)


def test_deleted_users_stay_with_active_false(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(deleted_user_ratio=0.3)
    users = _users(sandbox)
    inactive = {user["id"] for user in users if not user["active"]}
    assert inactive
    assert inactive == set(sandbox.admin.user_ids()) - set(sandbox.admin.user_ids(include_deleted=False))


def test_organizations_have_the_oas_keys_and_unique_names(sandbox: Sandbox) -> None:
    organizations = _organizations(sandbox)
    assert len(organizations) == 15
    keys = {
        "url", "id", "name", "shared_tickets", "shared_comments", "external_id", "created_at", "updated_at",
        "domain_names", "details", "notes", "group_id", "tags", "organization_fields",
    }  # fmt: skip
    assert all(set(org) == keys for org in organizations)
    names = [org["name"].lower() for org in organizations]
    assert len(set(names)) == len(names)
    groups = {group["id"] for group in sandbox.admin.groups()}
    assert {org["group_id"] for org in organizations} - {None} <= groups


def test_tickets_point_at_real_users_organizations_and_groups(sandbox: Sandbox) -> None:
    users = {user["id"]: user for user in _users(sandbox)}
    groups = {group["id"] for group in sandbox.admin.groups()}
    for ticket_id in sandbox.admin.ticket_ids():
        ticket = sandbox.admin.ticket(ticket_id)
        assert ticket is not None
        requester = users[ticket["requester_id"]]
        assert ticket["organization_id"] == requester["organization_id"], "a ticket takes its requester's"
        assert ticket["assignee_id"] is None or users[ticket["assignee_id"]]["role"] != "end-user"
        assert ticket["group_id"] is None or ticket["group_id"] in groups


def test_ticket_custom_fields_cover_every_type_with_zendesks_values(sandbox: Sandbox) -> None:
    fields = Client(sandbox).get("/api/v2/ticket_fields").json()["ticket_fields"]
    custom = {field["id"]: field for field in fields if field["type"] in TICKET_CUSTOM_TYPES}
    assert {field["type"] for field in custom.values()} == TICKET_CUSTOM_TYPES
    titles = [field["title"] for field in custom.values()]
    assert titles.count("Region") == 2, "two fields share a title"
    organizations = {str(org_id) for org_id in sandbox.admin.organization_ids()}
    seen: dict[str, set[str]] = {}
    for ticket_id in sandbox.admin.ticket_ids():
        ticket = sandbox.admin.ticket(ticket_id)
        assert ticket is not None
        assert [entry["id"] for entry in ticket["custom_fields"]] == list(custom)
        for entry in ticket["custom_fields"]:
            field = custom[entry["id"]]
            _check_value(field, entry["value"], ticket=True)
            if field["type"] == "lookup" and entry["value"] is not None:
                assert entry["value"] in organizations
            if entry["value"] not in (None, False):
                seen.setdefault(field["type"], set()).add(type(entry["value"]).__name__)
    assert set(seen) == TICKET_CUSTOM_TYPES, "every type holds values"
    assert seen["multiselect"] == {"list"}
    assert seen["checkbox"] == {"bool"}


@pytest.mark.parametrize("kind", ["user", "organization"])
def test_user_and_organization_fields_cover_every_type(sandbox: Sandbox, kind: str) -> None:
    fields = Client(sandbox).get(f"/api/v2/{kind}_fields").json()[f"{kind}_fields"]
    assert {field["type"] for field in fields} == CUSTOM_FIELD_TYPES
    assert [field["title"] for field in fields].count("Region") == 2
    by_key = {field["key"]: field for field in fields}
    items = _users(sandbox) if kind == "user" else _organizations(sandbox)
    agents = {user["id"] for user in _users(sandbox) if user["role"] != "end-user"}
    filled: set[str] = set()
    for item in items:
        values = item[f"{kind}_fields"]
        assert set(values) == set(by_key)
        for key, value in values.items():
            _check_value(by_key[key], value, ticket=False)
            if by_key[key]["type"] == "lookup" and value is not None:
                assert value in agents, "a manager lookup points at an agent"
            if value not in (None, False):
                filled.add(by_key[key]["type"])
    assert filled == CUSTOM_FIELD_TYPES


def test_groups_list_with_offset_and_cursor_pagination(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(groups=7)
    client = Client(sandbox)
    plain = client.get("/api/v2/groups").json()
    assert plain["count"] == 7
    assert plain["next_page"] is None
    assert [group["id"] for group in plain["groups"]] == sorted(group["id"] for group in plain["groups"])
    assert sum(group["default"] for group in plain["groups"]) == 1
    offset = client.get("/api/v2/groups.json", per_page=3, page=2).json()
    assert [group["id"] for group in offset["groups"]] == [group["id"] for group in plain["groups"][3:6]]
    assert "page=3" in offset["next_page"]
    assert "page=1" in offset["previous_page"]
    seen, params = [], {"page[size]": 3}
    for _ in range(10):
        page = client.get("/api/v2/groups", **params).json()
        assert set(page) == {"groups", "meta", "links"}
        seen += [group["id"] for group in page["groups"]]
        if not page["meta"]["has_more"]:
            assert page["links"]["next"] is None
            break
        follow = client.session.get(page["links"]["next"], timeout=30).json()
        assert follow["groups"][0]["id"] not in seen
        params = {"page[size]": 3, "page[after]": page["meta"]["after_cursor"]}
    assert seen == [group["id"] for group in plain["groups"]]
    back = client.get(
        "/api/v2/groups", **{"page[size]": 2, "page[before]": page["meta"]["before_cursor"]}
    ).json()
    assert [group["id"] for group in back["groups"]] == seen[-3:-1]
    assert client.get("/api/v2/groups", **{"page[size]": 101}).status_code == 400
    bad = client.get("/api/v2/groups", **{"page[after]": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "InvalidPaginationParameter"


def test_ticket_fields_come_by_position_or_in_cursor_pages_by_id(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    plain = client.get("/api/v2/ticket_fields").json()
    assert plain["count"] == len(plain["ticket_fields"])
    positions = [field["position"] for field in plain["ticket_fields"]]
    assert positions == sorted(positions)
    ids, params = [], {"page[size]": 5}
    while True:
        page = client.get("/api/v2/ticket_fields", **params).json()
        ids += [field["id"] for field in page["ticket_fields"]]
        if not page["meta"]["has_more"]:
            break
        params = {"page[size]": 5, "page[after]": page["meta"]["after_cursor"]}
    assert ids == sorted(field["id"] for field in plain["ticket_fields"])


@pytest.mark.parametrize("kind", ["user", "organization"])
def test_user_and_organization_fields_page_by_offset(sandbox: Sandbox, kind: str) -> None:
    client = Client(sandbox)
    everything = client.get(f"/api/v2/{kind}_fields").json()
    assert everything["next_page"] is None
    keys, url = [], f"{sandbox.url}/api/v2/{kind}_fields?per_page=5"
    while url:
        page = client.session.get(url, timeout=30).json()
        keys += [field["key"] for field in page[f"{kind}_fields"]]
        url = page["next_page"]
    assert keys == [field["key"] for field in everything[f"{kind}_fields"]]


def test_demo_data_links_stripe_customers_to_users_and_accounts_to_organizations(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    """The demo data set: most subscriptions' customers are Zendesk users by email, a few are not."""
    sandbox = sandbox_factory(tickets=200, users=200, organizations=40, sequin_records=500)
    customers = {
        r["upstream_id"]: r["data"]["email"]
        for r in sandbox.admin.sequin_records(collection_id="stripe:customer")
    }
    emails = {user["email"] for user in _users(sandbox)}
    subscriptions = sandbox.admin.sequin_records(collection_id="stripe:subscription")
    linked = [s for s in subscriptions if customers.get(s["data"]["customer"]) in emails]
    assert 0.75 * len(subscriptions) <= len(linked) < len(subscriptions)
    # a customer's user carries the customer's Stripe id as its external id, as users made from Stripe do
    by_email = {user["email"]: user for user in _users(sandbox)}
    for customer_id, email in customers.items():
        if email in by_email:
            assert by_email[email]["external_id"] == customer_id
    accounts = {r["upstream_id"] for r in sandbox.admin.sequin_records(collection_id="salesforce:account")}
    external_ids = {org["external_id"] for org in _organizations(sandbox)}
    assert len(accounts & external_ids) >= 0.5 * min(len(accounts), 40)
    contacts = sandbox.admin.sequin_records(collection_id="salesforce:contact")
    assert sum(c["data"]["AccountId"] in accounts for c in contacts) >= 0.75 * len(contacts)


def test_ticket_fields_answer_key_null_as_real_ones_do(sandbox: Sandbox) -> None:
    # A real ticket_fields payload has `"key": null` on every field, custom ones included (wire notes §23):
    # a ticket field is known by its id only; user and organization fields have keys.
    fields = Client(sandbox).get("/api/v2/ticket_fields").json()["ticket_fields"]
    assert fields
    assert all(field["key"] is None for field in fields)
    for kind in ("user", "organization"):
        listed = Client(sandbox).get(f"/api/v2/{kind}_fields").json()[f"{kind}_fields"]
        assert all(isinstance(field["key"], str) and field["key"] for field in listed)
