"""Creating custom objects and fields through the API, with Zendesk's rules and limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client, agent, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from zendesk_sandbox import Sandbox

OBJECTS = "/api/v2/custom_objects"
TICKET = {"key": "ticket_ref", "type": "lookup", "title": "Ticket", "relationship_target_type": "zen:ticket"}


def _create_object(client: Client, **attributes: Any) -> requests.Response:
    body = {"key": "subscription", "title": "Subscription", "title_pluralized": "Subscriptions", **attributes}
    return client.request("POST", OBJECTS, json={"custom_object": body})


def _create_field(client: Client, key: str, field: dict[str, Any]) -> requests.Response:
    return client.request("POST", f"{OBJECTS}/{key}/fields", json={"custom_object_field": field})


def _details(response: requests.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "RecordInvalid"
    return set(response.json()["details"])


def test_an_object_is_created_and_holds_records_at_once(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(recent_data_lag_seconds=0)
    client = Client(sandbox)
    created = _create_object(client, description="Stripe subscriptions", include_in_list_view=False)
    assert created.status_code == 201, created.text
    body = created.json()["custom_object"]
    assert body["key"] == "subscription"
    assert body["title_pluralized"] == "Subscriptions"
    assert body["description"] == "Stripe subscriptions"
    assert body["include_in_list_view"] is False
    assert body["url"].endswith("/api/v2/custom_objects/subscription.json")
    assert "subscription" in [o["key"] for o in client.get(OBJECTS).json()["custom_objects"]]
    fields = client.get(f"{OBJECTS}/subscription/fields", include_standard_fields="true").json()
    assert [f["key"] for f in fields["custom_object_fields"]] == ["standard::name", "standard::external_id"]
    field = _create_field(
        client, "subscription", {"key": "plan_amount", "type": "integer", "title": "Amount"}
    )
    assert field.status_code == 201, field.text
    written = client.request(
        "PATCH",
        f"{OBJECTS}/subscription/records",
        params={"external_id": "sub_1"},
        json={"custom_object_record": {"name": "Sub 1", "custom_object_fields": {"plan_amount": "900"}}},
    )
    assert written.status_code == 200, written.text
    assert written.json()["custom_object_record"]["custom_object_fields"] == {"plan_amount": 900}
    past_change_stamps()
    exported = client.get("/api/v2/incremental/custom_objects/subscription/cursor", start_time=0).json()
    assert [r["external_id"] for r in exported["custom_object_records"]] == ["sub_1"]


@pytest.mark.parametrize(
    ("attributes", "detail"),
    [
        ({"key": "apartment"}, "key"),  # taken
        ({"key": "Subscription"}, "key"),
        ({"key": "1subscription"}, "key"),
        ({"key": "sub-scription"}, "key"),
        ({"key": "s" * 65}, "key"),
        ({"key": ""}, "key"),
        ({"title": ""}, "title"),
        ({"title_pluralized": None}, "title_pluralized"),
        ({"allows_photos": "yes"}, "allows_photos"),
    ],
)
def test_object_refusals_are_422_with_details(
    sandbox: Sandbox, attributes: dict[str, Any], detail: str
) -> None:
    assert _details(_create_object(Client(sandbox), **attributes)) == {detail}


def test_objects_are_for_admins_and_within_the_object_limit(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(custom_object_limit=4)
    client = Client(sandbox)
    assert agent(sandbox).request("POST", OBJECTS, json={"custom_object": {}}).status_code == 403
    assert client.get(f"{OBJECTS}/limits/object_limit").json() == {"count": 3, "limit": 4}
    assert agent(sandbox).get(f"{OBJECTS}/limits/object_limit").status_code == 403
    assert _create_object(client).status_code == 201
    assert client.get(f"{OBJECTS}/limits/object_limit").json() == {"count": 4, "limit": 4}
    over = _create_object(client, key="invoice", title="Invoice", title_pluralized="Invoices")
    assert _details(over) == {"base"}
    assert over.json()["details"]["base"][0]["error"] == "LimitExceeded"
    assert client.request("POST", OBJECTS, data="not json").status_code == 422  # as every unreadable body
    assert client.request("POST", OBJECTS, json={"object": {}}).status_code == 400


def test_fields_of_every_type_get_ids_and_positions_after_the_others(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    before = client.get(f"{OBJECTS}/vendor/fields").json()["custom_object_fields"]
    created = []
    for field in (
        {"key": "notes2", "title": "Notes"},  # text when no type is given
        {"key": "tier", "type": "dropdown", "title": "Tier", "custom_field_options": [
            {"name": "Gold", "value": "gold"}, {"name": "Silver", "value": "silver"}]},
        {"key": "tags2", "type": "multiselect", "title": "Tags", "custom_field_options": [
            {"name": "A", "value": "a"}]},
        {"key": "sku", "type": "regexp", "title": "SKU", "regexp_for_validation": r"^[A-Z]{3}-\d+$"},
        {"key": "owner", "type": "lookup", "title": "Owner", "relationship_target_type": "zen:user"},
        {"key": "flat", "type": "lookup", "title": "Flat",
         "relationship_target_type": "zen:custom_object:apartment"},
        {"key": "brand", "type": "lookup", "title": "Brand", "relationship_target_type": "zen:brand"},
        {"key": "since", "type": "date", "title": "Since", "description": "First order"},
        {"key": "vip", "type": "checkbox", "title": "VIP", "tag": "vip"},
    ):  # fmt: skip
        response = _create_field(client, "vendor", field)
        assert response.status_code == 201, response.text
        created.append(response.json()["custom_object_field"])
    assert created[0]["type"] == "text"
    assert [option["value"] for option in created[1]["custom_field_options"]] == ["gold", "silver"]
    assert created[4]["relationship_target_type"] == "zen:user"
    assert created[7]["description"] == "First order"
    assert created[8]["tag"] == "vip"
    ids = [field["id"] for field in before + created]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    positions = [field["position"] for field in before + created]
    assert positions == sorted(positions)
    listed = client.get(f"{OBJECTS}/vendor/fields").json()["custom_object_fields"]
    assert [field["key"] for field in listed] == [field["key"] for field in before + created]
    name = sandbox.admin.custom_object_records("vendor", include_deleted=False)[0]["name"]
    written = client.request(
        "PATCH",
        f"{OBJECTS}/vendor/records",
        params={"name": name},
        json={
            "custom_object_record": {"custom_object_fields": {"tier": "gold", "sku": "ABC-1", "owner": "x"}}
        },
    )
    assert _details(written) == {"owner"}, "a new lookup field is checked at once"


@pytest.mark.parametrize(
    ("field", "detail"),
    [
        ({"key": "rating", "title": "Rating"}, "key"),  # vendor has a rating field
        ({"key": "123", "title": "Digits"}, "key"),
        ({"key": "with-dash", "title": "Dash"}, "key"),
        ({"key": "standard::name", "title": "Name"}, "key"),
        ({"title": "No key"}, "key"),
        ({"key": "k1"}, "title"),
        ({"key": "k2", "title": "T", "type": "tagger"}, "type"),
        ({"key": "k3", "title": "T", "type": "dropdown"}, "custom_field_options"),
        ({"key": "k4", "title": "T", "type": "dropdown", "custom_field_options": [{"name": "A"}]},
         "custom_field_options"),
        ({"key": "k5", "title": "T", "type": "multiselect", "custom_field_options": [
            {"name": "A", "value": "a"}, {"name": "B", "value": "a"}]}, "custom_field_options"),
        ({"key": "k6", "title": "T", "type": "dropdown", "custom_field_options": [
            {"name": f"O{n}", "value": f"o{n}"} for n in range(2001)]}, "custom_field_options"),
        ({"key": "k7", "title": "T", "type": "regexp"}, "regexp_for_validation"),
        ({"key": "k8", "title": "T", "type": "regexp", "regexp_for_validation": "(["},
         "regexp_for_validation"),
        ({"key": "k9", "title": "T", "type": "lookup"}, "relationship_target_type"),
        ({"key": "k10", "title": "T", "type": "lookup", "relationship_target_type": "zen:custom_object:nope"},
         "relationship_target_type"),
        ({"key": "k11", "title": "T", "type": "lookup", "relationship_target_type": "zen:group"},
         "relationship_target_type"),
    ],
)  # fmt: skip
def test_field_refusals_are_422_with_details(sandbox: Sandbox, field: dict[str, Any], detail: str) -> None:
    assert _details(_create_field(Client(sandbox), "vendor", field)) == {detail}


def test_fields_are_for_admins_on_objects_that_exist(sandbox: Sandbox) -> None:
    field = {"key": "extra", "title": "Extra"}
    assert _create_field(agent(sandbox), "vendor", field).status_code == 403
    missing = _create_field(Client(sandbox), "nope", field)
    assert missing.status_code == 404
    assert missing.json()["error"] == "RecordNotFound"


def test_the_field_and_lookup_limits(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(custom_object_field_limit=8, custom_object_lookup_field_limit=2)
    client = Client(sandbox)
    limit = client.get(f"{OBJECTS}/vendor/limits/field_limit").json()
    assert limit == {"count": 5, "limit": 8}, "standard fields are not counted"
    assert agent(sandbox).get(f"{OBJECTS}/vendor/limits/field_limit").status_code == 200
    assert _create_field(client, "vendor", {**TICKET, "key": "t1"}).status_code == 201
    assert _create_field(client, "vendor", {**TICKET, "key": "t2"}).status_code == 201
    third_lookup = _create_field(client, "vendor", {**TICKET, "key": "t3"})
    assert _details(third_lookup) == {"base"}
    assert "lookup" in third_lookup.json()["details"]["base"][0]["description"]
    assert _create_field(client, "vendor", {"key": "fill", "title": "Fill"}).status_code == 201
    assert client.get(f"{OBJECTS}/vendor/limits/field_limit").json() == {"count": 8, "limit": 8}
    over = _create_field(client, "vendor", {"key": "over", "title": "Over"})
    assert _details(over) == {"base"}
    assert over.json()["details"]["base"][0]["error"] == "LimitExceeded"
    assert client.get(f"{OBJECTS}/nope/limits/field_limit").status_code == 404


def test_the_record_limit_counts_live_records_and_refuses_new_ones(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(deleted_record_ratio=0.0)
    client = Client(sandbox)
    limit = client.get(f"{OBJECTS}/limits/record_limit").json()
    assert limit == {"count": 120, "limit": 50_000_000}
    sandbox.configure(custom_object_record_limit=121)
    path = f"{OBJECTS}/vendor/records"
    record = {"custom_object_record": {"custom_object_fields": {"rating": 1}}}
    assert client.request("PATCH", path, params={"name": "New One"}, json=record).status_code == 200
    assert client.get(f"{OBJECTS}/limits/record_limit").json() == {"count": 121, "limit": 121}
    over = client.request("PATCH", path, params={"name": "One Too Many"}, json=record)
    assert _details(over) == {"base"}
    assert client.request("PATCH", path, params={"name": "New One"}, json=record).status_code == 200, (
        "updates are no new records"
    )
    assert client.request("DELETE", path, params={"name": "New One"}).status_code == 204
    assert client.request("PATCH", path, params={"name": "One Too Many"}, json=record).status_code == 200
    assert agent(sandbox).get(f"{OBJECTS}/limits/record_limit").json()["count"] == 121
