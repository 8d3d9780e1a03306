"""The admin API for users, organizations and field definitions: validated changes that bump updated_at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.sandbox.clients import Client, admin_api

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

DEMO_ADMIN = 1500000000017


def _an_end_user(sandbox: Sandbox) -> dict[str, Any]:
    return next(
        user
        for user_id in sandbox.admin.user_ids(include_deleted=False)
        if (user := sandbox.admin.user(user_id)) and user["role"] == "end-user"
    )


def test_users_are_created_with_typed_fields_and_validated(sandbox: Sandbox) -> None:
    organization = sandbox.admin.organization_ids()[0]
    created = admin_api(
        sandbox,
        "POST",
        "/users",
        json={
            "name": "Ann Example",
            "email": "Ann@Example.org",
            "external_id": "EXT-ann",
            "organization_id": organization,
            "user_fields": {
                "loyalty_points": "12",
                "lifetime_value": 99,
                "birthday": "1990-05-17",
                "newsletter": True,
                "plan": "team",
                "interests": ["api", "billing"],
                "account_manager": DEMO_ADMIN,
                "customer_code": "C-12345",
            },
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()["user"]
    assert user["role"] == "end-user"
    assert user["active"] is True
    assert user["organization_id"] == organization
    fields = user["user_fields"]
    assert fields["loyalty_points"] == 12
    assert fields["lifetime_value"] == 99.0
    assert fields["birthday"] == "1990-05-17T00:00:00+00:00"
    assert fields["newsletter"] is True
    assert fields["interests"] == ["api", "billing"]
    assert fields["account_manager"] == DEMO_ADMIN
    assert fields["department"] is None
    assert sandbox.admin.user(user["id"]) == user
    refusals = {
        "email": {"name": "Copy", "email": "ann@example.ORG"},  # emails are unique, whatever their case
        "external_id": {"name": "Copy", "email": "c@example.org", "external_id": "ext-ANN"},
        "organization_id": {"name": "Copy", "email": "d@example.org", "organization_id": 42},
        "name": {"email": "e@example.org"},
        "customer_code": {"name": "X", "email": "f@example.org", "user_fields": {"customer_code": "nope"}},
        "account_manager": {"name": "X", "email": "g@example.org", "user_fields": {"account_manager": 5}},
        "nickname": {"name": "X", "email": "h@example.org", "user_fields": {"nickname": "Bob"}},
    }
    for key, body in refusals.items():
        refused = admin_api(sandbox, "POST", "/users", json=body)
        assert refused.status_code == 422, (key, refused.text)
        assert refused.json()["error"] == "RecordInvalid"
        assert set(refused.json()["details"]) == {key}, refused.text
    assert admin_api(sandbox, "POST", "/users", json={"name": "X", "id": 5}).status_code == 400


def test_user_changes_and_deletes_bump_updated_at(sandbox: Sandbox) -> None:
    user = _an_end_user(sandbox)
    changed = admin_api(sandbox, "PATCH", f"/users/{user['id']}", json={"name": "Renamed", "tags": ["vip"]})
    assert changed.status_code == 200, changed.text
    after = changed.json()["user"]
    assert after["name"] == "Renamed"
    assert after["tags"] == ["vip"]
    assert after["updated_at"] > user["updated_at"]
    assert after["created_at"] == user["created_at"]
    deleted = admin_api(sandbox, "DELETE", f"/users/{user['id']}").json()["user"]
    assert deleted["active"] is False
    assert deleted["updated_at"] >= after["updated_at"]
    assert user["id"] not in sandbox.admin.user_ids(include_deleted=False)
    assert admin_api(sandbox, "DELETE", f"/users/{user['id']}").status_code == 404
    assert admin_api(sandbox, "PATCH", "/users/1", json={"name": "x"}).status_code == 404


def test_organizations_are_created_changed_and_bulk_updated_in_one_second(sandbox: Sandbox) -> None:
    existing = sandbox.admin.organization(sandbox.admin.organization_ids()[0])
    assert existing is not None
    created = admin_api(
        sandbox,
        "POST",
        "/organizations",
        json={"name": "Acme Corp", "external_id": "SF-1", "organization_fields": {"employees": "250"}},
    )
    assert created.status_code == 201, created.text
    org = created.json()["organization"]
    assert org["organization_fields"]["employees"] == 250
    assert org["organization_fields"]["strategic"] is False
    for body, key in (
        ({"name": existing["name"].upper()}, "name"),  # names are unique, whatever their case
        ({"name": "Other", "external_id": "sf-1"}, "external_id"),
        ({"name": "Other", "group_id": 7}, "group_id"),
    ):
        refused = admin_api(sandbox, "POST", "/organizations", json=body)
        assert refused.status_code == 422, refused.text
        assert set(refused.json()["details"]) == {key}
    renamed = admin_api(sandbox, "PATCH", f"/organizations/{org['id']}", json={"notes": "renamed"}).json()
    assert renamed["organization"]["notes"] == "renamed"
    ids = sandbox.admin.organization_ids()[:5]
    bulk = admin_api(sandbox, "PATCH", "/organizations", json={"ids": ids, "changes": {"tags": ["bulk"]}})
    assert bulk.status_code == 200, bulk.text
    stamps = {org["updated_at"] for org in bulk.json()["organizations"]}
    assert len(stamps) == 1, "a bulk update stamps every organization with one second"
    assert all(org["tags"] == ["bulk"] for org in bulk.json()["organizations"])


def test_a_renamed_field_keeps_its_id_and_key(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    for kind in ("ticket", "user", "organization"):
        fields = client.get(f"/api/v2/{kind}_fields").json()[f"{kind}_fields"]
        field = fields[-1]
        renamed = admin_api(sandbox, "PATCH", f"/{kind}_fields/{field['id']}", json={"title": "Renamed"})
        assert renamed.status_code == 200, renamed.text
        after = {f["id"]: f for f in client.get(f"/api/v2/{kind}_fields").json()[f"{kind}_fields"]}
        assert after[field["id"]]["title"] == after[field["id"]]["raw_title"] == "Renamed"
        assert after[field["id"]]["key"] == field["key"]
        assert after[field["id"]]["updated_at"] >= field["updated_at"]
    assert admin_api(sandbox, "PATCH", "/user_fields/1", json={"title": "x"}).status_code == 404


def test_an_added_field_reaches_every_ticket_user_and_organization(sandbox: Sandbox) -> None:
    ticket_field = admin_api(sandbox, "POST", "/ticket_fields", json={"type": "integer", "title": "Units"})
    assert ticket_field.status_code == 201, ticket_field.text
    field_id = ticket_field.json()["ticket_field"]["id"]
    for ticket_id in sandbox.admin.ticket_ids()[:20]:
        ticket = sandbox.admin.ticket(ticket_id)
        assert ticket is not None
        assert ticket["custom_fields"][-1] == {"id": field_id, "value": None}
        assert ticket["fields"] == ticket["custom_fields"]
    new_ticket = sandbox.admin.ticket(sandbox.admin.create_ticket(subject="after the field"))
    assert new_ticket is not None
    assert field_id in {entry["id"] for entry in new_ticket["custom_fields"]}
    partner = admin_api(
        sandbox, "POST", "/organization_fields", json={"type": "checkbox", "title": "Partner"}
    )
    assert partner.json()["organization_field"]["key"] == "partner"
    organization = sandbox.admin.organization(sandbox.admin.organization_ids()[0])
    assert organization is not None
    assert organization["organization_fields"]["partner"] is False
    tier = admin_api(
        sandbox,
        "POST",
        "/user_fields",
        json={"type": "dropdown", "title": "Support tier", "key": "tier", "options": ["gold", "silver"]},
    ).json()["user_field"]
    assert [option["value"] for option in tier["custom_field_options"]] == ["gold", "silver"]
    user = _an_end_user(sandbox)
    assert user["user_fields"]["tier"] is None
    sandbox.admin.update_user(user["id"], user_fields={"tier": "gold"})
    changed = sandbox.admin.user(user["id"])
    assert changed is not None
    assert changed["user_fields"]["tier"] == "gold"
    listed = Client(sandbox).get("/api/v2/user_fields").json()["user_fields"]
    assert listed[-1]["key"] == "tier"
    wrong = admin_api(sandbox, "POST", "/user_fields", json={"type": "tagger", "title": "No"})
    assert wrong.status_code == 400, "tagger is a ticket field type"
    again = admin_api(sandbox, "POST", "/user_fields", json={"type": "text", "title": "x", "key": "tier"})
    assert again.status_code == 400
