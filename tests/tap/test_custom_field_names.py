"""The typed custom field naming rule (docs/tap.md, Typed custom fields): readable, stable for a warehouse."""

from __future__ import annotations

from tap_zendesk_objects.schemas.custom_fields import (
    FieldTyper,
    keyed_fields,
    pinned_names,
    slug,
    ticket_fields,
)


def test_slugs_are_plain_identifiers_even_for_titles_without_latin_letters() -> None:
    assert slug("  Date of Purchase ") == "date_of_purchase"
    assert slug("Montant à payer (€)") == "montant_a_payer"
    assert slug("来源渠道") == "field"  # a real title (wire notes §10): nothing ASCII is left
    assert len(slug("x" * 200)) <= 38


def test_ticket_fields_are_named_by_title_and_id_and_a_kept_name_wins() -> None:
    definitions = [
        {"id": 12, "type": "text", "title": "Region"},
        {"id": 11, "type": "tagger", "title": "Region"},
        {"id": 1, "type": "status", "title": "Status"},  # a system field: the ticket's own `status`
        {"id": 13, "type": "integer", "title": "Licensed seats"},
    ]
    pins = pinned_names(["cf_seats_13", "subject", "cf_not_a_pin"])
    names = [field.name for field in ticket_fields(definitions, ["id", "status"], pins)]
    assert names == ["cf_region_11", "cf_region_12", "cf_seats_13"]


def test_user_fields_are_named_by_key_and_a_clash_gets_the_id() -> None:
    definitions = [
        {"id": 7, "key": "plan", "type": "dropdown", "title": "Plan"},
        {"id": 9, "key": "Plan", "type": "text", "title": "Plan (old)"},
        {"id": 8, "key": "role_id", "type": "integer", "title": "Role"},
    ]
    fields = keyed_fields(definitions, ["id", "cf_role_id"])
    assert [(field.source, field.name) for field in fields] == [
        ("plan", "cf_plan"),
        ("role_id", "cf_role_id_8"),
        ("Plan", "cf_plan_9"),
    ]


def test_values_are_typed_and_an_unreadable_one_is_null() -> None:
    definitions = [
        {"id": 1, "type": "integer", "title": "Seats"},
        {"id": 2, "type": "decimal", "title": "Value"},
        {"id": 3, "type": "date", "title": "Renewal"},
        {"id": 4, "type": "lookup", "title": "Owner"},
        {"id": 5, "type": "multiselect", "title": "Systems"},
    ]
    typer = FieldTyper("tickets", ticket_fields(definitions, [], {}))
    row: dict[str, object] = {"id": 9}
    values = [
        {"id": 1, "value": "12"},
        {"id": 2, "value": "nan"},
        {"id": 3, "value": "2025-07-03T00:00:00+00:00"},
        {"id": 4, "value": 1234},
        {"id": 5, "value": "sys_api"},
        {"id": 99, "value": "a field the catalog does not know"},
    ]
    typer.from_list(row, values)
    assert row == {
        "id": 9,
        "cf_seats_1": 12,
        "cf_value_2": None,
        "cf_renewal_3": "2025-07-03",
        "cf_owner_4": "1234",
        "cf_systems_5": ["sys_api"],
    }
