"""Bad input and bad settings end the run with one line; STATE for what was confirmed before is printed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from devtools.sandbox_configs import client_credentials
from tests.target.conftest import (
    TargetRun,
    record_line,
    records_by_external_id,
    run_target,
    singer_lines,
    state_line,
    target_config,
    vendor_lines,
    vendor_record,
    vendor_schema,
)

if TYPE_CHECKING:
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox

SECRET = "sandbox-token"  # noqa: S105 (the sandbox's demo token: it must appear nowhere)


def one_line_failure(run: TargetRun) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert SECRET not in run.stderr
    assert SECRET not in run.stdout
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("target-zendesk-objects: ")
    return last


def confirmed_then(bad_line: str) -> list[str]:
    """Three records and a STATE (line 5), then `bad_line` (line 6), then records that must not be written."""
    return [*vendor_lines(range(3)), bad_line, record_line("vendor", vendor_record(99))]


@pytest.mark.parametrize("mode", ["upsert", "jobs"])
def test_a_line_that_is_not_json(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    run = run_target(target_config(sb, write_mode=mode), confirmed_then("{not json"), tmp_path=tmp_path)
    last = one_line_failure(run)
    assert "line 6" in last
    assert "not JSON" in last
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]
    held = records_by_external_id(sb, "vendor")
    assert {"v-0", "v-1", "v-2"} <= set(held)
    assert "v-99" not in held


def test_a_record_that_breaks_its_schema(sb: Sandbox, tmp_path: Path) -> None:
    bad = record_line("vendor", vendor_record(7, rating="high"))
    run = run_target(target_config(sb, write_mode="jobs"), confirmed_then(bad), tmp_path=tmp_path)
    last = one_line_failure(run)
    assert "line 6 (stream vendor)" in last
    assert "'high' is not of type" in last
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]


def test_record_before_schema(sb: Sandbox, tmp_path: Path) -> None:
    lines = [
        record_line("vendor", vendor_record(1)),
        state_line("vendor", 1),
    ]
    last = one_line_failure(run_target(target_config(sb), lines, tmp_path=tmp_path))
    assert "line 1 (stream vendor)" in last
    assert "schema" in last.lower()


def test_unknown_custom_object(sb: Sandbox, tmp_path: Path) -> None:
    lines = singer_lines(
        "no_such_object", vendor_schema(), [vendor_record(1)], key_properties=["external_id"]
    )
    run = run_target(target_config(sb), lines, tmp_path=tmp_path)
    last = one_line_failure(run)
    assert "line 2 (stream no_such_object)" in last
    assert "'no_such_object' does not exist" in last
    assert run.states == []


def test_record_without_external_id(sb: Sandbox, tmp_path: Path) -> None:
    record = vendor_record(1)
    del record["external_id"]
    lines = singer_lines("vendor", vendor_schema(), [record], key_properties=[])
    last = one_line_failure(run_target(target_config(sb), lines, tmp_path=tmp_path))
    assert "stream vendor" in last
    assert "no external id" in last


def test_wrong_token(sb: Sandbox, tmp_path: Path) -> None:
    wrong = "wrong-token-3f9c1a"
    lines = vendor_lines([1])
    run = run_target(target_config(sb, email=sb.settings.email, api_token=wrong), lines, tmp_path=tmp_path)
    last = one_line_failure(run)
    assert "HTTP 401" in last
    assert "api_token" in last  # the hint names the setting to fix
    assert wrong not in run.stderr
    assert wrong not in run.stdout
    assert run.states == []


def test_a_read_only_oauth_token_names_the_scope_to_add(sb: Sandbox, tmp_path: Path) -> None:
    lines = vendor_lines([1])
    config = target_config(sb, write_mode="upsert", **client_credentials(oauth_scopes="read"))
    last = one_line_failure(run_target(config, lines, tmp_path=tmp_path))
    assert "HTTP 403" in last
    assert "missing the following required scopes: write" in last
    assert "`oauth_scopes`" in last
    assert "v-1" not in records_by_external_id(sb, "vendor")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"write_mode": "sideways"}, "write_mode"),
        ({"max_concurrent_jobs": 31}, "max_concurrent_jobs"),
        ({"match_on": "id"}, "match_on"),
        ({"api_url": None}, "subdomain"),
        ({"email": "x@example.com", "api_token": "another"}, "one auth method"),
        ({"load_method": "overwrite"}, "`load_method: overwrite` is not supported"),
    ],
)
def test_bad_settings(sb: Sandbox, tmp_path: Path, overrides: dict[str, Any], expected: str) -> None:
    config = {k: v for k, v in {**target_config(sb), **overrides}.items() if v is not None}
    lines = vendor_lines([1])
    run = run_target(config, lines, tmp_path=tmp_path)
    last = one_line_failure(run)
    assert "configuration error" in last
    assert expected in last
    assert run.states == []
    assert "v-1" not in records_by_external_id(sb, "vendor")


MALFORMED = {
    "SCHEMA whose schema is not an object": (
        {"type": "SCHEMA", "stream": "vendor", "schema": "vendor.json", "key_properties": ["external_id"]},
        "(stream vendor): InvalidInputLine: a SCHEMA message whose `schema` is str, not a JSON object",
    ),
    "SCHEMA without properties": (
        {"type": "SCHEMA", "stream": "vendor", "schema": {"type": "object"}, "key_properties": []},
        "(stream vendor): InvalidInputLine:",
    ),
    "SCHEMA whose property lists its properties": (
        {
            "type": "SCHEMA",
            "stream": "vendor",
            "schema": {"type": "object", "properties": {"summary": {"type": "object", "properties": ["a"]}}},
            "key_properties": [],
        },
        (
            "(stream vendor): InvalidJSONSchema: property `summary`: `properties` must be an object of"
            " schemas by name, not a list"
        ),
    ),
    "SCHEMA whose property's schema is a string": (
        {
            "type": "SCHEMA",
            "stream": "vendor",
            "schema": {"type": "object", "properties": {"tags": {"type": "array", "items": "string"}}},
            "key_properties": [],
        },
        (
            "(stream vendor): InvalidJSONSchema: property `tags.items`: a schema must be an object, true or"
            " false, not a string"
        ),
    ),
    "SCHEMA whose key_properties are a string": (
        {"type": "SCHEMA", "stream": "vendor", "schema": vendor_schema(), "key_properties": "external_id"},
        "`key_properties` is str, not a list or null",
    ),
    "SCHEMA whose key_properties are not names": (
        {"type": "SCHEMA", "stream": "vendor", "schema": vendor_schema(), "key_properties": [1]},
        "`key_properties` are not all property names",
    ),
    "SCHEMA without a stream": (
        {"type": "SCHEMA", "schema": vendor_schema()},
        "line 6: InvalidInputLine: a SCHEMA message without `stream`",
    ),
    "RECORD whose record is a list": (
        {"type": "RECORD", "stream": "vendor", "record": [1, 2]},
        "(stream vendor): InvalidInputLine: a RECORD message whose `record` is list, not a JSON object",
    ),
    "RECORD whose stream is a number": (
        {"type": "RECORD", "stream": 7, "record": {}},
        "line 6: InvalidInputLine: a RECORD message whose `stream` is int, not a string",
    ),
    "STATE whose value is text": (
        {"type": "STATE", "value": "bookmark"},
        "line 6: InvalidInputLine: a STATE message whose `value` is str, not a JSON object",
    ),
    "STATE without a value": ({"type": "STATE"}, "a STATE message without `value`"),
    "ACTIVATE_VERSION whose version is text": (
        {"type": "ACTIVATE_VERSION", "stream": "vendor", "version": "v2"},
        "(stream vendor): InvalidInputLine: a ACTIVATE_VERSION message whose `version` is str",
    ),
    "ACTIVATE_VERSION before its SCHEMA": (
        {"type": "ACTIVATE_VERSION", "stream": "elsewhere", "version": 2},
        "(stream elsewhere): RecordsWithoutSchemaException: A ACTIVATE_VERSION message for stream",
    ),
    "BATCH whose manifest is not a list": (
        {"type": "BATCH", "stream": "vendor", "encoding": {"format": "jsonl"}, "manifest": "a.jsonl"},
        "(stream vendor): InvalidInputLine: a BATCH message whose `manifest` is str, not a list",
    ),
    "BATCH before its SCHEMA": (
        {"type": "BATCH", "stream": "elsewhere", "encoding": {"format": "jsonl"}, "manifest": []},
        "(stream elsewhere): RecordsWithoutSchemaException: A BATCH message for stream",
    ),
    "a type that is a list": ({"type": ["RECORD"], "stream": "vendor"}, "unknown message type ['RECORD']"),
    "no type": (
        {"stream": "vendor", "record": {}},
        "line 6 (stream vendor): InvalidInputLine: a message without",
    ),
    "a JSON array": ([{"type": "RECORD"}], "line 6: InvalidInputLine: not a Singer message"),
}


def test_boolean_sub_schemas_mean_what_json_schema_says(sb: Sandbox, tmp_path: Path) -> None:
    # `true`: any value; `false`: none. Allowed by JSON Schema wherever a schema goes.
    schema = vendor_schema()
    schema["properties"] |= {"summary": True, "categories": {"type": ["array", "null"], "items": True}}
    schema["properties"]["never"] = False
    lines = singer_lines("vendor", schema, [vendor_record(1)], key_properties=["external_id"])
    run = run_target(target_config(sb, write_mode="upsert"), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert records_by_external_id(sb, "vendor")["v-1"]["custom_object_fields"]["summary"] == "Vendor number 1"


def test_an_impossible_date_rejects_that_record_alone(sb: Sandbox, tmp_path: Path) -> None:
    properties = {name: {"type": "string"} for name in ("external_id", "name", "address")}
    schema = {
        "type": "object",
        "properties": {**properties, "available_on": {"type": "string", "format": "date"}},
    }
    records = [
        {"external_id": "a-1", "name": "One", "address": "1 Main St", "available_on": "2024-02-30"},
        {"external_id": "a-2", "name": "Two", "address": "2 Main St", "available_on": "2024-02-29"},
    ]
    lines = singer_lines("apartment", schema, records, key_properties=["external_id"])
    config = target_config(sb, write_mode="upsert", max_rejected_records=1)
    run = run_target(config, lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert [(r["external_id"], r["error"]) for r in run.rejected] == [
        ("a-1", "refused locally: Could not parse value '2024-02-30' for field 'available_on'.")
    ]
    written = records_by_external_id(sb, "apartment")
    assert "a-1" not in written
    assert written["a-2"]["custom_object_fields"]["available_on"].startswith("2024-02-29")
    assert run.states == [{"bookmarks": {"apartment": {"seq": 1}}}]


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_every_malformed_message_ends_the_run_in_one_line(sb: Sandbox, tmp_path: Path, case: str) -> None:
    message, expected = MALFORMED[case]
    run = run_target(
        target_config(sb, write_mode="jobs"), confirmed_then(json.dumps(message)), tmp_path=tmp_path
    )
    last = one_line_failure(run)
    assert "line 6" in last
    assert expected in last
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]
    assert "v-99" not in records_by_external_id(sb, "vendor")
