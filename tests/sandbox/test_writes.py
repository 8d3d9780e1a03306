"""PATCH upsert and DELETE of custom object records: accepted writes and every refusal Zendesk makes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    import requests

    from zendesk_sandbox import Sandbox

RECORDS = "/api/v2/custom_objects/{}/records"
GOOD_APARTMENT = {
    "address": "1 Main Street",
    "notes": "quiet",
    "rooms": 3,
    "rent": "1250.50",
    "furnished": True,
    "available_on": "2026-01-15",
    "kind": "flat",
    "amenities": ["balcony", "parking"],
    "postcode": "75011",
    "owner": "1500000000017",
}


def _patch(client: Client, key: str, record: dict[str, Any], **query: str) -> requests.Response:
    return client.request("PATCH", RECORDS.format(key), params=query, json={"custom_object_record": record})


def _stored(sandbox: Sandbox, key: str, external_id: str) -> dict[str, Any]:
    return next(
        r
        for r in sandbox.admin.custom_object_records(key)
        if r["external_id"] == external_id and not r["deleted"]
    )


def test_upsert_creates_then_partially_updates_by_external_id(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    created = _patch(
        client, "apartment", {"name": "Flat A", "custom_object_fields": GOOD_APARTMENT}, external_id="a-1"
    )
    assert created.status_code == 200
    record = created.json()["custom_object_record"]
    assert record["external_id"] == "a-1"
    assert record["custom_object_fields"]["rent"] == 1250.5
    assert record["custom_object_fields"]["available_on"] == "2026-01-15T00:00:00+00:00"
    updated = _patch(client, "apartment", {"custom_object_fields": {"rooms": "4"}}, external_id="a-1")
    assert updated.status_code == 200
    after = updated.json()["custom_object_record"]
    assert after["id"] == record["id"]
    assert after["name"] == "Flat A"
    assert after["custom_object_fields"] == record["custom_object_fields"] | {"rooms": 4}
    assert _stored(sandbox, "apartment", "a-1")["custom_object_fields"]["rooms"] == 4


def test_upsert_by_name_on_a_unique_name_object(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    created = _patch(client, "vendor", {"custom_object_fields": {"rating": 5}}, name="Acme")
    assert created.status_code == 200
    again = _patch(
        client, "vendor", {"external_id": "acme", "custom_object_fields": {"rating": 3}}, name="Acme"
    )
    assert again.json()["custom_object_record"]["id"] == created.json()["custom_object_record"]["id"]
    assert again.json()["custom_object_record"]["external_id"] == "acme"


def test_autonumbered_objects_number_new_records_and_refuse_names(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    created = _patch(client, "contract", {"custom_object_fields": {"value": 10}}, external_id="c-new")
    assert created.status_code == 200
    assert created.json()["custom_object_record"]["name"] == "CTR-0041"  # 40 seeded records
    refused = _patch(
        client, "contract", {"name": "Mine", "custom_object_fields": {"value": 10}}, external_id="c-2"
    )
    assert refused.status_code == 422
    assert set(refused.json()["details"]) == {"name"}


@pytest.mark.parametrize(
    ("fields", "bad_key"),
    [
        ({"no_such_field": 1}, "no_such_field"),
        ({"rooms": "three"}, "rooms"),
        ({"rooms": 2.5}, "rooms"),
        ({"rent": True}, "rent"),
        ({"furnished": "yes"}, "furnished"),
        ({"available_on": "15/01/2026"}, "available_on"),
        ({"kind": "castle"}, "kind"),
        ({"amenities": ["balcony", "moat"]}, "amenities"),
        ({"amenities": "balcony"}, "amenities"),
        ({"postcode": "ABC"}, "postcode"),
        ({"owner": "not-a-user"}, "owner"),
        ({"address": None}, "address"),
    ],
)
def test_invalid_field_values_are_refused_with_details(
    sandbox: Sandbox, fields: dict[str, Any], bad_key: str
) -> None:
    body = {"name": "Bad", "custom_object_fields": GOOD_APARTMENT | fields}
    response = _patch(Client(sandbox), "apartment", body, external_id="bad")
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "RecordInvalid"
    assert payload["description"] == "Record validation errors"
    assert list(payload["details"]) == [bad_key]
    assert payload["details"][bad_key][0]["description"]
    assert not [r for r in sandbox.admin.custom_object_records("apartment") if r["external_id"] == "bad"]


def test_missing_required_field_and_missing_name_on_create(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    no_address = _patch(
        client, "apartment", {"name": "X", "custom_object_fields": {"rooms": 1}}, external_id="n1"
    )
    assert set(no_address.json()["details"]) == {"address"}
    no_name = _patch(client, "apartment", {"custom_object_fields": {"address": "x"}}, external_id="n2")
    assert no_name.status_code == 422
    assert set(no_name.json()["details"]) == {"name"}


def test_lookup_to_a_custom_object_must_name_a_live_record(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    apartment = sandbox.admin.custom_object_records("apartment", include_deleted=False)[0]["id"]
    good = _patch(
        client, "contract", {"custom_object_fields": {"value": 1, "apartment": apartment}}, external_id="l1"
    )
    assert good.status_code == 200
    bad = _patch(
        client,
        "contract",
        {"custom_object_fields": {"value": 1, "apartment": "01HXXXXXXXXXXXXXXXXXXXXXXX"}},
        external_id="l2",
    )
    assert set(bad.json()["details"]) == {"apartment"}


def test_unique_names_cannot_repeat(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    taken = sandbox.admin.custom_object_records("vendor", include_deleted=False)[0]["name"]
    response = _patch(client, "vendor", {"name": taken}, external_id="dup")
    assert response.status_code == 422
    assert response.json()["details"]["name"][0]["description"] == "Name has already been taken"


def test_upsert_by_name_needs_a_unique_name_field(sandbox: Sandbox) -> None:
    response = _patch(Client(sandbox), "apartment", {"custom_object_fields": GOOD_APARTMENT}, name="Flat")
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"name"}


def test_external_id_and_name_together_or_neither_are_refused(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    assert _patch(client, "vendor", {}, external_id="x", name="y").status_code == 400
    assert _patch(client, "vendor", {}).status_code == 400


def test_records_over_32_kb_are_refused(sandbox: Sandbox) -> None:
    body = {"name": "Huge", "custom_object_fields": GOOD_APARTMENT | {"notes": "x" * 33_000}}
    response = _patch(Client(sandbox), "apartment", body, external_id="huge")
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"base"}


def test_delete_answers_204_then_404_and_the_record_is_soft_deleted(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    victim = sandbox.admin.custom_object_records("vendor", include_deleted=False)[0]
    deleted = client.request(
        "DELETE", RECORDS.format("vendor"), params={"external_id": victim["external_id"]}
    )
    assert deleted.status_code == 204
    assert deleted.content == b""
    again = client.request("DELETE", RECORDS.format("vendor"), params={"external_id": victim["external_id"]})
    assert again.status_code == 404
    assert again.json() == {"error": "RecordNotFound", "description": "Not found"}
    stored = next(r for r in sandbox.admin.custom_object_records("vendor") if r["id"] == victim["id"])
    assert stored["deleted"] is True
    by_name = sandbox.admin.custom_object_records("vendor", include_deleted=False)[0]
    assert (
        client.request("DELETE", RECORDS.format("vendor"), params={"name": by_name["name"]}).status_code
        == 204
    )


def test_writes_to_an_unknown_object_get_404(sandbox: Sandbox) -> None:
    response = _patch(Client(sandbox), "no_such_object", {"name": "x"}, external_id="x")
    assert response.status_code == 404
    assert response.json()["error"] == "RecordNotFound"


def test_record_list_pages_filters_and_sorts(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    live = sandbox.admin.custom_object_records("apartment", include_deleted=False)
    seen, params = [], {"page[size]": 9}
    while True:
        body = client.get(RECORDS.format("apartment"), **params).json()
        seen += [r["id"] for r in body["custom_object_records"]]
        if not body["meta"]["has_more"]:
            assert body["links"]["next"] is None
            break
        params = {"page[size]": 9, "page[after]": body["meta"]["after_cursor"]}
    assert seen == sorted(r["id"] for r in live)
    wanted = [live[3]["external_id"], live[7]["external_id"]]
    filtered = client.get(RECORDS.format("apartment"), **{"filter[external_ids]": ",".join(wanted)}).json()
    assert sorted(r["external_id"] for r in filtered["custom_object_records"]) == sorted(wanted)
    newest = client.get(RECORDS.format("apartment"), sort="-updated_at", **{"page[size]": 1}).json()
    assert newest["custom_object_records"][0]["updated_at"] == max(r["updated_at"] for r in live)
    assert client.get(RECORDS.format("apartment"), sort="name").status_code == 400
    assert client.get(RECORDS.format("apartment"), **{"page[size]": 101}).status_code == 400
