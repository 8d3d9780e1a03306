"""`create_objects`: the custom object and its fields made from the stream's SCHEMA, over HTTP (sandbox)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import FAST_JOBS, records_by_external_id, run_target, singer_lines, target_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox

CREATION_KINDS = ("custom_object_create", "custom_object_field_create")
WRITE_KINDS = (*CREATION_KINDS, "records_patch", "records_delete", "records_create", "jobs_create")
TIERS = ["bronze", "silver", "gold"]
PERKS = ["support", "training", "hosting"]
GADGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "external_id": {"type": "string"},
        "name": {"type": "string"},
        "label": {"type": ["string", "null"], "title": "Label on the box"},
        "units": {"type": ["integer", "null"]},
        "price": {"type": ["number", "null"]},
        "in_stock": {"type": ["boolean", "null"]},
        "launched_on": {"type": ["string", "null"], "format": "date"},
        "checked_at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        "tier": {"type": ["string", "null"], "enum": [*TIERS, None]},
        "perks": {"type": ["array", "null"], "items": {"type": "string", "enum": PERKS}},
        "deleted": {"type": ["boolean", "null"]},
        "_sdc_extracted_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
EXPECTED_TYPES = {
    "label": "text",
    "units": "integer",
    "price": "decimal",
    "in_stock": "checkbox",
    "launched_on": "date",
    "checked_at": "text",
    "tier": "dropdown",
    "perks": "multiselect",
}


def gadget(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "external_id": f"g-{n}",
        "name": f"Gadget {n}",
        "label": f"Box {n}",
        "units": n,
        "price": n + 0.5,
        "in_stock": n % 2 == 0,
        "launched_on": f"2025-0{n % 9 + 1}-15",
        "checked_at": "2025-06-01T10:00:00Z",
        "tier": TIERS[n % 3],
        "perks": PERKS[: n % 3 + 1],
    }
    record.update(changes)
    return record


def gadget_lines(records: int = 3) -> list[str]:
    return singer_lines(
        "gadget", GADGET_SCHEMA, [gadget(n) for n in range(1, records + 1)], key_properties=[]
    )


def kinds(sb: Sandbox) -> dict[str, int]:
    """Requests the sandbox served since its stats were last reset, by endpoint kind."""
    return dict(sb.admin.stats()["requests_by_kind"])


def fields_of(sb: Sandbox, key: str) -> dict[str, dict[str, Any]]:
    return {field["key"]: field for field in sb.admin.custom_object_fields(key)}


@pytest.fixture
def sb(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(**FAST_JOBS)


def test_the_object_and_its_fields_are_created_from_the_schema(sb: Sandbox, tmp_path: Path) -> None:
    run = run_target(target_config(sb, create_objects=True), gadget_lines(), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    created = {obj["key"]: obj for obj in sb.admin.custom_objects()}["gadget"]
    assert (created["title"], created["title_pluralized"]) == ("Gadget", "Gadgets")
    fields = fields_of(sb, "gadget")
    assert {key: field["type"] for key, field in fields.items()} == EXPECTED_TYPES
    assert fields["label"]["title"] == "Label on the box"  # the schema's own title
    assert [o["value"] for o in fields["tier"]["custom_field_options"]] == TIERS
    assert [o["value"] for o in fields["perks"]["custom_field_options"]] == PERKS
    # every record is written with its values, read as the new fields' types
    held = records_by_external_id(sb, "gadget")
    assert set(held) == {"g-1", "g-2", "g-3"}
    values = held["g-2"]["custom_object_fields"]
    assert (values["tier"], values["perks"], values["units"]) == (
        "gold",
        ["support", "training", "hosting"],
        2,
    )
    assert values["launched_on"].startswith("2025-03-15")
    # a date-time is kept as text: the same instant (the SDK reads it and writes it back in ISO-8601)
    assert dt.datetime.fromisoformat(values["checked_at"]) == dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
    assert run.states[-1] == {"bookmarks": {"gadget": {"seq": 1}}}
    assert kinds(sb)["custom_object_field_create"] == len(EXPECTED_TYPES)
    assert "1 custom object and 8 fields created" in run.stderr


def test_a_second_run_finds_everything_in_place_and_creates_nothing(sb: Sandbox, tmp_path: Path) -> None:
    config = target_config(sb, create_objects=True)
    first = run_target(config, gadget_lines(), tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    before = fields_of(sb, "gadget")
    sb.admin.reset_stats()
    second = run_target(config, gadget_lines(4), tmp_path=tmp_path)
    assert second.returncode == 0, second.stderr
    served = kinds(sb)
    assert not any(kind in served for kind in (*CREATION_KINDS, "object_limit", "field_limit")), served
    assert fields_of(sb, "gadget") == before
    assert set(records_by_external_id(sb, "gadget")) == {"g-1", "g-2", "g-3", "g-4"}
    assert "gadget (stream gadget): exists, nothing to add" in second.stderr


def test_the_dry_run_prints_the_plan_and_writes_nothing(sb: Sandbox, tmp_path: Path) -> None:
    apartment_schema = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "rooms": {"type": "integer"},
            "view": {"type": "string"},
            "extras": {"type": ["object", "null"]},
            "code": {"type": ["string", "integer"]},
        },
    }
    lines = gadget_lines() + singer_lines(
        "apartment", apartment_schema, [{"external_id": "a-1", "rooms": 2, "view": "sea"}], key_properties=[]
    )
    objects_before = sb.admin.custom_objects()
    apartment_fields = fields_of(sb, "apartment")
    sb.admin.reset_stats()
    run = run_target(target_config(sb, create_objects=True, schema_dry_run=True), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.states == []  # nothing confirmed, so no STATE for Meltano to save
    plan = run.stderr
    assert 'custom object gadget (stream gadget): create, title "Gadget", plural "Gadgets"' in plan
    assert "+ field tier: dropdown (options: bronze, silver, gold)" in plan
    assert "+ field perks: multiselect (options: support, training, hosting)" in plan
    assert "+ field checked_at: text (Zendesk has no date-time field type)" in plan
    assert "custom object apartment (stream apartment): exists" in plan
    assert "+ field view: text" in plan
    assert "= already fields: rooms" in plan
    assert "+ field extras: text (Zendesk has no object field type)" in plan
    assert "+ field code: text (its schema allows integer or string)" in plan
    assert "schema dry run: 4 records read, nothing created or written" in plan
    # nothing at all was written: no object, no field, no record, and no write request reached Zendesk
    assert sb.admin.custom_objects() == objects_before
    assert fields_of(sb, "apartment") == apartment_fields
    assert "a-1" not in records_by_external_id(sb, "apartment")
    served = kinds(sb)
    assert not any(kind in served for kind in WRITE_KINDS), served


def test_a_property_whose_type_conflicts_with_a_field_ends_the_run_before_any_record(
    sb: Sandbox, tmp_path: Path
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "address": {"type": "string"},
            "rooms": {"type": ["string", "null"]},  # an integer field in the sandbox's `apartment`
            "balcony_side": {"type": "string"},  # new: would be created, but the conflict stops the plan
        },
    }
    records = [
        {"external_id": f"c-{n}", "name": f"C {n}", "address": "1 Main St", "rooms": "2"} for n in range(3)
    ]
    fields_before = fields_of(sb, "apartment")
    lines = singer_lines("apartment", schema, records, key_properties=[])
    run = run_target(target_config(sb, create_objects=True), lines, tmp_path=tmp_path)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "property rooms is a string (a text field)" in last
    assert "field rooms of custom object apartment is integer" in last
    assert "never changed" in last
    assert "stream map" in last  # the fix
    assert "Traceback" not in run.stderr
    assert fields_of(sb, "apartment") == fields_before
    assert not {"c-0", "c-1", "c-2"} & set(records_by_external_id(sb, "apartment"))
    assert run.states == []

    # The dry run shows the whole plan with the problem in it, and fails as the real run would.
    dry = run_target(target_config(sb, create_objects=True, schema_dry_run=True), lines, tmp_path=tmp_path)
    assert dry.returncode != 0
    assert "+ field balcony_side: text" in dry.stderr
    assert "PROBLEM: stream apartment: property rooms is a string" in dry.stderr
    assert "1 problem would stop a real run, first: stream apartment: property rooms" in dry.stderr
    assert fields_of(sb, "apartment") == fields_before


def test_keys_too_long_for_zendesk_stop_the_plan_not_the_creation(sb: Sandbox, tmp_path: Path) -> None:
    # Zendesk documents no longest key; the sandbox takes 64 characters. The plan refuses what creation would.
    long_object = "o" * 70
    wide = {"type": "object", "properties": {"external_id": {"type": "string"}, "k" * 65: {"type": "string"}}}
    lines = singer_lines("gadget", wide, [{"external_id": "x-1"}], key_properties=[])
    lines += singer_lines(
        "widget", {**wide, "properties": {"f" * 200: {"type": "integer"}}}, [], key_properties=[]
    )
    config = target_config(sb, create_objects=True, schema_dry_run=True, object_map={"widget": long_object})
    dry = run_target(config, lines, tmp_path=tmp_path)
    assert dry.returncode != 0
    assert (
        "PROBLEM: stream gadget: property kkkkkkkkkkkkkkkkkkkk… has 65 characters, over the 64" in dry.stderr
    )
    assert f"PROBLEM: stream widget: custom object key {'o' * 20}… has 70 characters" in dry.stderr
    assert "PROBLEM: stream widget: property ffffffffffffffffffff… has 200 characters" in dry.stderr
    sb.admin.reset_stats()
    run = run_target({**config, "schema_dry_run": False}, lines, tmp_path=tmp_path)
    assert run.returncode != 0
    assert "has 65 characters, over the 64 a field key may have here" in run.stderr.strip().splitlines()[-1]
    assert not any(kind in kinds(sb) for kind in WRITE_KINDS)


def test_zendesk_limits_stop_the_plan_before_anything_is_created(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # The sandbox's `apartment` has 10 custom fields; the account is allowed 12 per object and 3 objects.
    sb = sandbox_factory(**FAST_JOBS, custom_object_field_limit=12, custom_object_limit=3)
    wide = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            **{f"extra_{n}": {"type": "string"} for n in range(3)},
        },
    }
    before = fields_of(sb, "apartment")
    run = run_target(
        target_config(sb, create_objects=True),
        singer_lines("apartment", wide, [{"external_id": "w-1", "extra_0": "x"}], key_properties=[]),
        tmp_path=tmp_path,
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "adding 3 fields to custom object apartment would make 13, over its limit of 12 fields" in last
    assert fields_of(sb, "apartment") == before
    assert "w-1" not in records_by_external_id(sb, "apartment")

    run = run_target(target_config(sb, create_objects=True), gadget_lines(), tmp_path=tmp_path)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "creating custom object gadget would exceed the account's limit of 3 custom objects" in last
    assert "gadget" not in {obj["key"] for obj in sb.admin.custom_objects()}


def test_a_schema_that_gains_a_property_mid_stream_adds_the_field(sb: Sandbox, tmp_path: Path) -> None:
    first_schema = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "units": {"type": "integer"},
        },
    }
    wider = json.loads(json.dumps(first_schema))
    wider["properties"]["colour"] = {"type": "string", "enum": ["red", "blue"]}
    before = [{"external_id": f"m-{n}", "name": f"M {n}", "units": n} for n in range(1, 4)]
    after = [{"external_id": f"m-{n}", "name": f"M {n}", "units": n, "colour": "blue"} for n in range(4, 7)]
    lines = singer_lines("gadget", first_schema, before, key_properties=[])
    lines += singer_lines("gadget", wider, after, key_properties=[])[:-1]  # its own SCHEMA, no last STATE
    lines.append(json.dumps({"type": "STATE", "value": {"bookmarks": {"gadget": {"seq": 2}}}}))
    run = run_target(target_config(sb, create_objects=True, write_mode="jobs"), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    fields = fields_of(sb, "gadget")
    assert fields["colour"]["type"] == "dropdown"
    held = records_by_external_id(sb, "gadget")
    assert {n: held[f"m-{n}"]["custom_object_fields"].get("colour") for n in range(1, 7)} == {
        1: None, 2: None, 3: None, 4: "blue", 5: "blue", 6: "blue",
    }  # fmt: skip
    assert [state["bookmarks"]["gadget"]["seq"] for state in run.states] == [1, 2]
    assert "ignored" not in run.stderr  # no property was dropped as "not a field"


def test_a_lookup_field_is_declared_through_lookups(sb: Sandbox, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "owner_email": {"type": "string"},
            "owner__external_id": {"type": "string"},  # the lookups' naming convention: a key, not a field
            "units": {"type": "integer"},
        },
    }
    lookups = {
        "gadget": {
            "owner": {"by": "email", "property": "owner_email", "relationship_target_type": "zen:user"}
        }
    }
    config = target_config(sb, create_objects=True, schema_dry_run=True, lookups=lookups)
    lines = singer_lines("gadget", schema, [], key_properties=["external_id"])
    dry = run_target(config, lines, tmp_path=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "+ field owner: lookup → zen:user" in dry.stderr
    assert "owner_email" not in dry.stderr  # the property holds the key to resolve: it is not a field
    assert "owner__external_id" not in dry.stderr

    run = run_target({**config, "schema_dry_run": False}, lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    fields = fields_of(sb, "gadget")
    assert set(fields) == {"owner", "units"}
    assert (fields["owner"]["type"], fields["owner"]["relationship_target_type"]) == ("lookup", "zen:user")

    wrong = {
        "gadget": {
            "keeper": {"by": "email", "property": "owner_email", "relationship_target_type": "zen:person"}
        }
    }
    bad = run_target({**config, "schema_dry_run": False, "lookups": wrong}, lines, tmp_path=tmp_path)
    assert bad.returncode != 0
    last = bad.stderr.strip().splitlines()[-1]
    assert "`lookups.gadget.keeper.relationship_target_type` is 'zen:person'" in last
    assert "keeper" not in fields_of(sb, "gadget")


def test_creating_needs_an_admin(sb: Sandbox, tmp_path: Path) -> None:
    settings = sb.settings
    config = target_config(
        sb, create_objects=True, email=settings.agent_email, api_token=settings.agent_api_token
    )
    run = run_target(config, gadget_lines(), tmp_path=tmp_path)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "creating custom object gadget needs an admin's credentials" in last
    assert "HTTP 403" in last
    assert "gadget" not in {obj["key"] for obj in sb.admin.custom_objects()}
