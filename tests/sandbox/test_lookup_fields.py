"""Lookup fields: writes resolve ids and `external_id:` / `name:` keys, and refuse what points nowhere."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from zendesk_sandbox import Sandbox

LINKS = "/api/v2/custom_objects/link/records"
LOOKUP_FIELDS = [
    {"key": "customer", "type": "lookup", "title": "Customer", "relationship_target_type": "zen:user"},
    {"key": "account", "type": "lookup", "title": "Account", "relationship_target_type": "zen:organization"},
    {"key": "ticket", "type": "lookup", "title": "Ticket", "relationship_target_type": "zen:ticket"},
    {
        "key": "vendor",
        "type": "lookup",
        "title": "Vendor",
        "relationship_target_type": "zen:custom_object:vendor",
    },
    {
        "key": "flat",
        "type": "lookup",
        "title": "Flat",
        "relationship_target_type": "zen:custom_object:apartment",
    },
]


def _linked(sandbox: Sandbox) -> Sandbox:
    sandbox.admin.create_custom_object("link", "Link", LOOKUP_FIELDS)
    return sandbox


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """Test-sized data plus a `link` object with a lookup field of every target type; no export lag."""
    return _linked(sandbox_factory(recent_data_lag_seconds=0))


def _targets(sandbox: Sandbox) -> dict[str, Any]:
    """A live target of every type, with its keys."""
    admin = sandbox.admin
    user = next(
        user
        for uid in admin.user_ids(include_deleted=False)
        if (user := admin.user(uid)) and user["external_id"]
    )
    organization = next(
        org for oid in admin.organization_ids() if (org := admin.organization(oid)) and org["external_id"]
    )
    ticket = next(
        ticket
        for tid in admin.ticket_ids(include_deleted=False)
        if (ticket := admin.ticket(tid)) and ticket["external_id"]
    )
    vendor = admin.custom_object_records("vendor", include_deleted=False)[0]
    flat = admin.custom_object_records("apartment", include_deleted=False)[0]
    return {"user": user, "organization": organization, "ticket": ticket, "vendor": vendor, "flat": flat}


def _patch(client: Client, external_id: str, fields: dict[str, Any]) -> requests.Response:
    return client.request(
        "PATCH",
        LINKS,
        params={"external_id": external_id},
        json={"custom_object_record": {"name": external_id, "custom_object_fields": fields}},
    )


def _job(client: Client, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run a create_or_update_by_external_id job on `link` and return its results."""
    body = {"job": {"action": "create_or_update_by_external_id", "items": items}}
    job = client.request("POST", "/api/v2/custom_objects/link/jobs", json=body).json()["job_status"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get(f"/api/v2/job_statuses/{job['id']}").json()["job_status"]
        if status["status"] == "completed":
            results: list[dict[str, Any]] = status["results"]
            return results
        time.sleep(0.05)
    pytest.fail("the job did not complete")


def _stored(sandbox: Sandbox, external_id: str) -> dict[str, Any]:
    records = sandbox.admin.custom_object_records("link", include_deleted=False)
    fields: dict[str, Any] = next(r for r in records if r["external_id"] == external_id)[
        "custom_object_fields"
    ]
    return fields


def test_ids_as_strings_or_numbers_are_stored_as_id_strings(sandbox: Sandbox) -> None:
    targets = _targets(sandbox)
    response = _patch(
        Client(sandbox),
        "by-id",
        {
            "customer": targets["user"]["id"],
            "account": str(targets["organization"]["id"]),
            "ticket": targets["ticket"]["id"],
            "vendor": targets["vendor"]["id"],
            "flat": targets["flat"]["id"],
        },
    )
    assert response.status_code == 200, response.text
    expected = {
        "customer": str(targets["user"]["id"]),
        "account": str(targets["organization"]["id"]),
        "ticket": str(targets["ticket"]["id"]),
        "vendor": targets["vendor"]["id"],
        "flat": targets["flat"]["id"],
    }
    assert response.json()["custom_object_record"]["custom_object_fields"] == expected
    assert _stored(sandbox, "by-id") == expected


def test_external_id_and_name_keys_are_resolved_and_the_id_stored(sandbox: Sandbox) -> None:
    targets = _targets(sandbox)
    response = _patch(
        Client(sandbox),
        "by-key",
        {
            "customer": f"external_id:{targets['user']['external_id'].lower()}",  # users: case-insensitive
            "account": f"external_id:{targets['organization']['external_id']}",
            "ticket": f"external_id:{targets['ticket']['external_id']}",
            "vendor": f"name:{targets['vendor']['name']}",  # vendor names are unique
            "flat": f"external_id:{targets['flat']['external_id']}",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["custom_object_record"]["custom_object_fields"] == {
        "customer": str(targets["user"]["id"]),
        "account": str(targets["organization"]["id"]),
        "ticket": str(targets["ticket"]["id"]),
        "vendor": targets["vendor"]["id"],
        "flat": targets["flat"]["id"],
    }
    client = Client(sandbox)
    past_change_stamps()
    path = "/api/v2/incremental/custom_objects/link/cursor"
    exported = client.get(path, start_time=0).json()["custom_object_records"]
    assert exported[0]["custom_object_fields"]["customer"] == str(targets["user"]["id"]), (
        "exports send the id"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer", "1"),
        ("customer", "external_id:no-such-user"),
        ("customer", "name:Demo Admin"),  # Zendesk resolves no user by name
        ("account", "external_id:no-such-account"),
        ("ticket", "999999"),
        ("ticket", "external_id:no-such-ticket"),
        ("vendor", "name:No Such Vendor"),
        ("vendor", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        ("flat", "name:Apartment 00001"),  # apartment names are not unique: no name key
        ("customer", True),
    ],
)
def test_what_points_nowhere_is_refused_with_details_under_the_field(
    sandbox: Sandbox, field: str, value: Any
) -> None:
    response = _patch(Client(sandbox), "nowhere", {field: value})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "RecordInvalid"
    assert set(body["details"]) == {field}


def test_a_deleted_target_is_refused(sandbox: Sandbox) -> None:
    targets = _targets(sandbox)
    sandbox.admin.delete_user(targets["user"]["id"])
    sandbox.admin.delete_custom_object_record("vendor", targets["vendor"]["external_id"])
    response = _patch(
        Client(sandbox), "gone", {"customer": targets["user"]["id"], "vendor": targets["vendor"]["id"]}
    )
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"customer", "vendor"}


def test_jobs_resolve_keys_and_fail_only_the_items_that_point_nowhere(sandbox: Sandbox) -> None:
    targets = _targets(sandbox)
    results = _job(
        Client(sandbox),
        [
            {"external_id": "j-1", "name": "j-1", "custom_object_fields": {
                "customer": f"external_id:{targets['user']['external_id']}"}},
            {"external_id": "j-2", "name": "j-2", "custom_object_fields": {"customer": "external_id:nobody"}},
            {"external_id": "j-3", "name": "j-3", "custom_object_fields": {
                "vendor": f"name:{targets['vendor']['name']}"}},
        ],
    )  # fmt: skip
    assert [result["success"] for result in results] == [True, False, True]
    assert results[1]["status"] == "Failed"
    assert results[1]["error"] == "RecordInvalid"
    assert set(results[1]["details"]) == {"customer"}
    assert _stored(sandbox, "j-1")["customer"] == str(targets["user"]["id"])
    assert _stored(sandbox, "j-3")["vendor"] == targets["vendor"]["id"]


def test_prefixes_can_be_switched_off_inside_jobs(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = _linked(sandbox_factory(lookup_prefixes_in_jobs=False))
    targets = _targets(sandbox)
    client = Client(sandbox)
    key = f"external_id:{targets['user']['external_id']}"
    results = _job(client, [{"external_id": "p-1", "name": "p-1", "custom_object_fields": {"customer": key}}])
    assert results[0]["success"] is False
    assert set(results[0]["details"]) == {"customer"}
    plain = _job(
        client,
        [
            {
                "external_id": "p-2",
                "name": "p-2",
                "custom_object_fields": {"customer": str(targets["user"]["id"])},
            }
        ],
    )
    assert plain[0]["success"] is True
    assert _patch(client, "p-3", {"customer": key}).status_code == 200, "PATCH still resolves prefixes"


def test_unresolved_keys_can_be_stored_empty(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = _linked(sandbox_factory(lookup_unresolved="empty"))
    client = Client(sandbox)
    response = _patch(client, "empty", {"customer": "external_id:nobody", "ticket": "999999"})
    assert response.status_code == 200, response.text
    assert response.json()["custom_object_record"]["custom_object_fields"]["customer"] is None
    assert _stored(sandbox, "empty")["ticket"] is None
    assert _patch(client, "still", {"customer": ["a list"]}).status_code == 422, (
        "a malformed value is refused"
    )
    assert _patch(client, "still", {"customer": "name:Demo Admin"}).status_code == 422


def test_post_creates_a_record_with_resolved_lookups(sandbox: Sandbox) -> None:
    targets = _targets(sandbox)
    client = Client(sandbox)
    record = {
        "name": "posted",
        "external_id": "posted-1",
        "custom_object_fields": {"account": f"external_id:{targets['organization']['external_id']}"},
    }
    created = client.request("POST", LINKS, json={"custom_object_record": record})
    assert created.status_code == 201, created.text
    assert created.json()["custom_object_record"]["custom_object_fields"]["account"] == str(
        targets["organization"]["id"]
    )
    again = client.request("POST", LINKS, json={"custom_object_record": record})
    assert again.status_code == 422
    assert again.json()["details"]["external_id"][0]["description"] == "This external ID is already in use."
    nowhere = {"name": "n", "custom_object_fields": {"account": "external_id:nothing"}}
    refused = client.request("POST", LINKS, json={"custom_object_record": nowhere})
    assert refused.status_code == 422
    assert set(refused.json()["details"]) == {"account"}
    assert client.request("POST", "/api/v2/custom_objects/nope/records", json={}).status_code == 404
