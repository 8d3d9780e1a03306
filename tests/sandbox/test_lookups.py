"""What lookups resolve keys with: users/organizations show_many and search, record filters, permissions."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.clients import Client, agent

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox


def _users(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [user for user_id in sandbox.admin.user_ids() if (user := sandbox.admin.user(user_id))]


def _organizations(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [org for org_id in sandbox.admin.organization_ids() if (org := sandbox.admin.organization(org_id))]


def test_users_show_many_answers_by_id_order_without_the_unknown(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    ids = sandbox.admin.user_ids(include_deleted=False)[:12]
    asked = [*random.Random(3).sample(ids, len(ids)), 1, 2]  # noqa: S311 - a shuffle, not a secret
    body = client.get("/api/v2/users/show_many", ids=",".join(map(str, asked))).json()
    assert list(body) == ["users", "next_page", "previous_page", "count"]
    assert [user["id"] for user in body["users"]] == sorted(ids)
    assert (body["count"], body["next_page"], body["previous_page"]) == (12, None, None)
    with_external = [user for user in _users(sandbox) if user["external_id"] and user["active"]][:5]
    by_external = client.get(
        "/api/v2/users/show_many.json",
        external_ids=",".join(user["external_id"].lower() for user in with_external),  # case-insensitive
    ).json()
    assert sorted(user["id"] for user in by_external["users"]) == sorted(user["id"] for user in with_external)
    too_many = client.get("/api/v2/users/show_many", ids=",".join(str(n) for n in range(101)))
    assert too_many.status_code == 400
    assert too_many.json()["error"] == "TooManyValues"
    assert client.get("/api/v2/users/show_many", ids=",".join(str(n) for n in range(100))).status_code == 200
    assert client.get("/api/v2/users/show_many").status_code == 400


def test_deleted_users_only_with_include_deleted(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    user = next(user for user in _users(sandbox) if user["role"] == "end-user" and user["active"])
    sandbox.admin.delete_user(user["id"])
    assert client.get("/api/v2/users/show_many", ids=user["id"]).json()["users"] == []
    shown = client.get("/api/v2/users/show_many", ids=user["id"], include_deleted="true").json()["users"]
    assert [(u["id"], u["active"]) for u in shown] == [(user["id"], False)]
    assert client.get("/api/v2/users/search", query=f"email:{user['email']}").json()["users"] == []


def test_organizations_show_many_answers_in_name_order(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    organizations = _organizations(sandbox)
    ids = [org["id"] for org in organizations][:10]
    body = client.get("/api/v2/organizations/show_many", ids=",".join(map(str, [*reversed(ids), 7]))).json()
    assert list(body) == ["organizations", "next_page", "previous_page", "count"]
    names = [org["name"] for org in body["organizations"]]
    assert names == sorted(names, key=str.lower)
    assert [org["id"] for org in body["organizations"]] != ids, "neither the request's nor the ids' order"
    assert sorted(org["id"] for org in body["organizations"]) == sorted(ids)
    external = [org["external_id"] for org in organizations if org["external_id"]][:4]
    by_external = client.get(
        "/api/v2/organizations/show_many", external_ids=",".join(value.lower() for value in external)
    ).json()
    assert sorted(org["external_id"] for org in by_external["organizations"]) == sorted(external)
    too_many = client.get(
        "/api/v2/organizations/show_many", external_ids=",".join(f"x{n}" for n in range(101))
    )
    assert too_many.status_code == 400
    assert too_many.json()["error"] == "TooManyValues"


def test_users_search_finds_by_email_and_external_id(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    user = next(user for user in _users(sandbox) if user["external_id"] and user["active"])
    for query in (f"email:{user['email']}", user["email"].upper(), f'type:user email:"{user["email"]}"'):
        found = client.get("/api/v2/users/search", query=query).json()
        assert [u["id"] for u in found["users"]] == [user["id"]], query
        assert (found["count"], found["next_page"], found["previous_page"]) == (1, None, None)
    by_external = client.get("/api/v2/users/search", external_id=user["external_id"].swapcase()).json()
    assert [u["id"] for u in by_external["users"]] == [user["id"]]
    assert client.get("/api/v2/users/search", query="email:nobody@example.com").json()["count"] == 0
    assert client.get("/api/v2/users/search", query="role:admin").json()["count"] == 2
    assert client.get("/api/v2/users/search").status_code == 400
    assert client.get("/api/v2/users/search", query='name:"unclosed').status_code == 400


def test_users_search_pages_by_offset(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    active = sandbox.admin.user_ids(include_deleted=False)
    first = client.get("/api/v2/users/search", query="example", per_page=15).json()
    assert first["count"] == len(active)
    assert first["previous_page"] is None
    seen, page = [], first
    while True:
        seen += [user["id"] for user in page["users"]]
        if page["next_page"] is None:
            break
        assert parse_qs(urlsplit(page["next_page"]).query)["query"] == ["example"]
        page = client.session.get(page["next_page"], timeout=30).json()
    assert seen == sorted(active)
    assert page["previous_page"] is not None
    clamped = client.get("/api/v2/users/search", query="example", per_page=500).json()
    assert len(clamped["users"]) == min(100, len(active))


def test_organizations_search_by_exact_name_or_external_id_for_admins(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    organization = next(org for org in _organizations(sandbox) if org["external_id"])
    by_name = client.get("/api/v2/organizations/search", name=organization["name"].upper()).json()
    assert [org["id"] for org in by_name["organizations"]] == [organization["id"]]
    assert list(by_name) == ["organizations", "next_page", "previous_page", "count"]
    by_external = client.get("/api/v2/organizations/search", external_id=organization["external_id"].lower())
    assert [org["id"] for org in by_external.json()["organizations"]] == [organization["id"]]
    partial = client.get("/api/v2/organizations/search", name=organization["name"][:-1]).json()
    assert partial["count"] == 0, "names match exactly"
    both = client.get("/api/v2/organizations/search", name="x", external_id="y")
    assert both.status_code == 400
    assert client.get("/api/v2/organizations/search").status_code == 400
    refused = agent(sandbox).get("/api/v2/organizations/search", name=organization["name"])
    assert refused.status_code == 403
    assert refused.json()["error"]["title"] == "Forbidden"


def test_agents_may_resolve_users_and_organizations_by_show_many(sandbox: Sandbox) -> None:
    as_agent = agent(sandbox)
    user_id = sandbox.admin.user_ids()[5]
    assert as_agent.get("/api/v2/users/show_many", ids=user_id).json()["count"] == 1
    assert as_agent.get("/api/v2/users/search", query="example").status_code == 200
    org_id = sandbox.admin.organization_ids()[0]
    assert as_agent.get("/api/v2/organizations/show_many", ids=org_id).json()["count"] == 1


def test_records_filter_by_ids_and_case_sensitive_external_ids(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    path = "/api/v2/custom_objects/vendor/records"
    live = sandbox.admin.custom_object_records("vendor", include_deleted=False)
    some = [record["external_id"] for record in live[:3]]
    found = client.get(path, **{"filter[external_ids]": ",".join(some)}).json()["custom_object_records"]
    assert sorted(record["external_id"] for record in found) == sorted(some)
    upper = client.get(path, **{"filter[external_ids]": some[0].upper()}).json()["custom_object_records"]
    assert upper == [], "record external ids are case-sensitive"
    ids = client.get(path, **{"filter[ids]": f"{live[0]['id']},NOPE"}).json()["custom_object_records"]
    assert [record["id"] for record in ids] == [live[0]["id"]]
    sandbox.admin.delete_custom_object_record("vendor", some[0])
    after = client.get(path, **{"filter[external_ids]": some[0]}).json()["custom_object_records"]
    assert after == []
    repeated = client.get(path, **{"filter[external_ids]": f"{some[1]},{some[1]}"})
    assert repeated.status_code == 400
    too_many = client.get(path, **{"filter[external_ids]": ",".join(f"v{n}" for n in range(101))})
    assert too_many.status_code == 400
    assert too_many.json()["error"] == "TooManyValues"


def test_tickets_list_by_external_id_finds_every_live_ticket_holding_it(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    first = sandbox.admin.create_ticket(subject="One", external_id="SHARED-1")
    second = sandbox.admin.create_ticket(subject="Two", external_id="SHARED-1")
    gone = sandbox.admin.create_ticket(subject="Three", external_id="SHARED-1")
    sandbox.admin.delete_ticket(gone)
    body = client.get("/api/v2/tickets", external_id="SHARED-1").json()
    assert [ticket["id"] for ticket in body["tickets"]] == [first, second], "not unique; deleted left out"
    assert (body["count"], body["next_page"], body["previous_page"]) == (2, None, None)
    assert client.get("/api/v2/tickets.json", external_id="shared-1").json()["count"] == 0
    paged = client.get("/api/v2/tickets", external_id="SHARED-1", per_page=1).json()
    assert parse_qs(urlsplit(paged["next_page"]).query)["external_id"] == ["SHARED-1"]
    second_page = client.session.get(paged["next_page"], timeout=30).json()
    assert [ticket["id"] for ticket in second_page["tickets"]] == [second]
    everything = client.get("/api/v2/tickets", per_page=100).json()
    assert everything["count"] == len(sandbox.admin.ticket_ids(include_deleted=False))
