"""Writing users, organizations and memberships: jobs in request order, single upserts, refusals, caps."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client, agent

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from zendesk_sandbox import Sandbox

FAST_JOBS: dict[str, Any] = {"job_queue_seconds": 0.0, "job_items_per_second": 2000.0}
USERS_MANY = "/api/v2/users/create_or_update_many"
ORGS_MANY = "/api/v2/organizations/create_many"
ORGS_UPDATE = "/api/v2/organizations/update_many"
MEMBERSHIPS_MANY = "/api/v2/organization_memberships/create_many"


@pytest.fixture
def sb(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with bulk user import on and jobs done in an instant."""
    return sandbox_factory(bulk_user_import=True, **FAST_JOBS)


def results(client: Client, response: requests.Response, limit: float = 20.0) -> list[dict[str, Any]]:
    """The results of the job a bulk request queued, once it completed."""
    assert response.status_code == 200, response.text
    job_id = response.json()["job_status"]["id"]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status = client.get(f"/api/v2/job_statuses/{job_id}").json()["job_status"]
        if status["status"] == "completed":
            found: list[dict[str, Any]] = status["results"]
            return found
        assert status["status"] in {"queued", "working"}, status
        time.sleep(0.01)
    pytest.fail(f"job {job_id} did not complete")


def user_by_email(sb: Sandbox, email: str) -> dict[str, Any]:
    matches = [
        user
        for user_id in sb.admin.user_ids()
        if (user := sb.admin.user(user_id)) and (user["email"] or "").lower() == email.lower()
    ]
    assert len(matches) == 1, matches
    return matches[0]


# --- users ---------------------------------------------------------------------------------------------


def test_bulk_user_import_is_off_by_default_and_agents_may_not_use_it(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sb = sandbox_factory()
    body = {"users": [{"name": "Ada", "email": "ada@example.org"}]}
    refused = Client(sb).request("POST", USERS_MANY, json=body)
    assert refused.status_code == 403
    assert "Bulk user imports are not enabled" in refused.json()["description"]
    sb.configure(bulk_user_import=True)
    assert agent(sb).request("POST", USERS_MANY, json=body).status_code == 403
    assert Client(sb).request("POST", USERS_MANY, json=body).status_code == 200


def test_create_or_update_many_reports_each_user_in_request_order(sb: Sandbox) -> None:
    owner = sb.admin.user(sb.admin.user_ids()[0])
    assert owner is not None
    users = [
        {"name": "Ada", "email": "ada@example.org", "external_id": "CRM-1"},
        {"name": "Owner renamed", "email": owner["email"].upper()},  # found by email, without case
        {"name": "Bad", "email": "not-an-email"},
        {"name": "Thief", "email": owner["email"], "external_id": "CRM-1"},  # Ada, with the owner's email
        {"name": "Ada again", "external_id": "crm-1"},  # found by external id, without case
    ]
    client = Client(sb)
    found = results(client, client.request("POST", USERS_MANY, json={"users": users}))
    assert [item["status"] for item in found] == ["Created", "Updated", "Failed", "Failed", "Updated"]
    for position in (2, 3):  # failures: no success, no index; the id is the position (wire notes §26)
        assert set(found[position]) == {"id", "error", "details", "status"}
        assert found[position]["id"] == position
    assert found[2]["details"] == "Email: not-an-email is not properly formatted"
    assert found[3]["details"] == f"Email: {owner['email']} is already being used by another user"
    assert found[1]["id"] == owner["id"]
    assert found[0]["id"] == found[4]["id"]
    ada = sb.admin.user(found[0]["id"])
    assert ada is not None
    assert (ada["name"], ada["external_id"], ada["role"]) == ("Ada again", "crm-1", "end-user")
    renamed = sb.admin.user(owner["id"])
    assert renamed is not None
    assert renamed["name"] == "Owner renamed"


def test_create_or_update_answers_201_then_200_and_422_for_a_taken_email(sb: Sandbox) -> None:
    client = Client(sb)
    created = client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"name": "Bo", "email": "bo@x.org"}}
    )
    assert created.status_code == 201, created.text
    again = client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"email": "BO@x.org", "notes": "vip"}}
    )
    assert again.status_code == 200
    assert again.json()["user"]["id"] == created.json()["user"]["id"]
    assert again.json()["user"]["notes"] == "vip"
    client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"name": "Cy", "external_id": "cy"}}
    )
    taken = client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"external_id": "cy", "email": "bo@x.org"}}
    )
    assert taken.status_code == 422
    assert taken.json() == {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {
            "email": [
                {
                    "error": "DuplicateValue",
                    "description": "Email: bo@x.org is already being used by another user",
                }
            ]
        },
    }


def test_update_many_by_ids_by_external_ids_and_in_a_batch(sb: Sandbox) -> None:
    client = Client(sb)
    ids = sb.admin.user_ids(include_deleted=False)[5:8]
    bulk = client.request(
        "PUT",
        "/api/v2/users/update_many",
        params={"ids": ",".join(map(str, ids))},
        json={"user": {"notes": "bulk"}},
    )
    assert [item["status"] for item in results(client, bulk)] == ["Updated"] * 3
    assert {sb.admin.user(user_id)["notes"] for user_id in ids} == {"bulk"}  # type: ignore[index]
    client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"name": "Di", "external_id": "di"}}
    )
    by_external = client.request(
        "PUT",
        "/api/v2/users/update_many",
        params={"external_ids": "di,nobody"},
        json={"user": {"notes": "ext"}},
    )
    assert [item["status"] for item in results(client, by_external)] == ["Updated", "Failed"]
    batch = client.request(
        "PUT",
        "/api/v2/users/update_many",
        json={"users": [{"id": ids[0], "notes": "one"}, {"external_id": "DI", "notes": "two"}]},
    )
    assert [(item["action"], item["success"]) for item in results(client, batch)] == [("update", True)] * 2
    assert user_by_email(sb, sb.admin.user(ids[0])["email"])["notes"] == "one"  # type: ignore[index]


def test_destroy_many_soft_deletes_and_the_user_keeps_its_email(sb: Sandbox) -> None:
    client = Client(sb)
    made = client.request(
        "POST",
        "/api/v2/users/create_or_update",
        json={"user": {"name": "Ed", "email": "ed@x.org", "external_id": "ed"}},
    )
    user_id = made.json()["user"]["id"]
    deleted = results(
        client, client.request("DELETE", "/api/v2/users/destroy_many", params={"external_ids": "ed,gone"})
    )
    assert deleted[0] == {"action": "delete", "id": user_id, "status": "Deleted", "success": True}
    assert deleted[1]["status"] == "Failed"
    user = sb.admin.user(user_id)
    assert user is not None
    assert user["active"] is False
    assert client.get("/api/v2/users/show_many", ids=str(user_id)).json()["users"] == []
    assert (
        len(client.get("/api/v2/users/show_many", ids=str(user_id), include_deleted="true").json()["users"])
        == 1
    )
    again = client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"name": "Ed", "email": "ed@x.org"}}
    )
    assert again.status_code == 422  # a deleted user is not found, and still holds its email (decided)


# --- organizations -------------------------------------------------------------------------------------


def test_organizations_create_many_keeps_names_unique_and_update_many_finds_ids_and_external_ids(
    sb: Sandbox,
) -> None:
    client = Client(sb)
    existing = sb.admin.organization(sb.admin.organization_ids()[0])
    assert existing is not None
    created = results(
        client,
        client.request(
            "POST",
            ORGS_MANY,
            json={
                "organizations": [
                    {"name": "Acme", "external_id": "acc-1"},
                    {"name": existing["name"].lower()},
                ]
            },
        ),
    )
    assert created[0]["status"] == "Created"
    assert created[1] == {
        "id": 1,
        "error": "RecordInvalid",
        "details": "Name has already been taken",
        "status": "Failed",
    }
    acme = created[0]["id"]
    batch = {
        "organizations": [
            {"external_id": "ACC-1", "notes": "key account"},
            {"id": existing["id"], "tags": ["vip"]},
        ]
    }
    updated = results(client, client.request("PUT", ORGS_UPDATE, json=batch))
    assert [(item["id"], item["status"]) for item in updated] == [
        (acme, "Updated"),
        (existing["id"], "Updated"),
    ]
    bulk = client.request(
        "PUT", ORGS_UPDATE, params={"ids": f"{acme},999"}, json={"organization": {"details": "d"}}
    )
    assert [item["status"] for item in results(client, bulk)] == ["Updated", "Failed"]
    organization = sb.admin.organization(acme)
    assert organization is not None
    assert (organization["notes"], organization["details"]) == ("key account", "d")
    refused = results(
        client, agent(sb).request("PUT", ORGS_UPDATE, json={"organizations": [{"id": acme, "name": "X"}]})
    )
    assert refused[0]["details"] == "Agents can only update notes on organizations"


def test_organizations_destroy_many_removes_them_and_their_memberships(sb: Sandbox) -> None:
    client = Client(sb)
    members = [
        u
        for u in (sb.admin.user(i) for i in sb.admin.user_ids(include_deleted=False))
        if u and u["organization_id"]
    ]
    org_id = members[0]["organization_id"]
    done = results(
        client, client.request("DELETE", "/api/v2/organizations/destroy_many", params={"ids": str(org_id)})
    )
    assert done == [{"action": "delete", "id": org_id, "status": "Deleted", "success": True}]
    assert client.get("/api/v2/organizations/show_many", ids=str(org_id)).json()["organizations"] == []
    assert sb.admin.user(members[0]["id"])["organization_id"] is None  # type: ignore[index]


# --- memberships ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("exists", ["failed", "created"])
def test_membership_create_many_and_a_membership_that_exists(
    sandbox_factory: Callable[..., Sandbox], exists: str
) -> None:
    sb = sandbox_factory(membership_exists_result=exists, **FAST_JOBS)
    client = Client(sb)
    lone = client.request(
        "POST", "/api/v2/users/create_or_update", json={"user": {"name": "Fay", "email": "fay@x.org"}}
    )
    user_id = lone.json()["user"]["id"]
    first, second = sb.admin.organization_ids()[:2]
    items = [
        {"user_id": user_id, "organization_id": first},
        {"user_id": user_id, "organization_id": second},
        {"user_id": user_id, "organization_id": first},
        {"user_id": 1, "organization_id": first},
    ]
    found = results(
        client, client.request("POST", MEMBERSHIPS_MANY, json={"organization_memberships": items})
    )
    assert [item["status"] for item in found[:2]] == ["Created", "Created"]
    if exists == "failed":
        assert found[2] == {
            "id": 2,
            "error": "RecordInvalid",
            "details": "User is already a member of this organization",
            "status": "Failed",
        }
    else:
        assert found[2] == found[0]
    assert found[3]["status"] == "Failed"
    memberships = sb.admin.organization_memberships(user_id)
    assert [(m["organization_id"], m["default"]) for m in memberships] == [(first, True), (second, None)]
    assert sb.admin.user(user_id)["organization_id"] == first  # type: ignore[index]
    # The list a tap reads holds them too (the reporting list of wire notes §25).
    listed = client.get("/api/v2/organization_memberships", **{"page[size]": 100})
    pages = [listed.json()]
    while pages[-1]["meta"]["has_more"]:
        after = pages[-1]["meta"]["after_cursor"]
        pages.append(
            client.get("/api/v2/organization_memberships", **{"page[size]": 100, "page[after]": after}).json()
        )
    mine = [m for page in pages for m in page["organization_memberships"] if m["user_id"] == user_id]
    assert [m["organization_id"] for m in mine] == [first, second]


# --- limits --------------------------------------------------------------------------------------------


def test_more_than_100_items_is_too_many(sb: Sandbox) -> None:
    response = Client(sb).request(
        "POST", ORGS_MANY, json={"organizations": [{"name": f"O{i}"} for i in range(101)]}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "TooManyValues"


@pytest.mark.parametrize(("scope", "refused"), [("account", True), ("endpoint", False)])
def test_the_job_cap_counts_every_endpoint_together_unless_split(
    sandbox_factory: Callable[..., Sandbox],
    scope: str,
    refused: bool,  # noqa: FBT001 (a parameter of the case)
) -> None:
    sb = sandbox_factory(
        max_active_jobs=1, job_queue_seconds=30.0, job_cap_scope=scope, bulk_user_import=True
    )
    client = Client(sb)
    item = {"external_id": "cap-1", "name": "Cap", "custom_object_fields": {"rating": 1}}
    assert (
        client.request(
            "POST",
            "/api/v2/custom_objects/vendor/jobs",
            json={"job": {"action": "create_or_update_by_external_id", "items": [item]}},
        ).status_code
        == 200
    )
    users = {"users": [{"name": "Cap", "email": "cap@x.org"}]}
    assert (client.request("POST", USERS_MANY, json=users).status_code == 429) is refused
    again = client.request("POST", USERS_MANY, json=users)
    assert again.status_code == 429  # the account's one slot, or this endpoint's
    assert again.json()["error"] == "TooManyJobs"
    assert float(again.headers["Retry-After"]) > 0


def test_user_and_organization_fields_can_be_created(sb: Sandbox) -> None:
    client = Client(sb)
    field = {"key": "mrr", "type": "decimal", "title": "MRR"}
    created = client.request("POST", "/api/v2/organization_fields", json={"organization_field": field})
    assert created.status_code == 201, created.text
    assert created.json()["organization_field"]["key"] == "mrr"
    assert any(
        f["key"] == "mrr" for f in client.get("/api/v2/organization_fields").json()["organization_fields"]
    )
    organization = sb.admin.organization(sb.admin.organization_ids()[0])
    assert organization is not None
    assert organization["organization_fields"]["mrr"] is None
    again = client.request("POST", "/api/v2/organization_fields", json={"organization_field": field})
    assert again.status_code == 422
    assert again.json()["details"]["key"][0]["error"] == "DuplicateValue"
    bad = client.request(
        "POST",
        "/api/v2/user_fields",
        json={"user_field": {"key": "plan2", "type": "dropdown", "title": "Plan"}},
    )
    assert bad.status_code == 422
    assert agent(sb).request("POST", "/api/v2/user_fields", json={"user_field": field}).status_code == 403
