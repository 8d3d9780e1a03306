"""Field types map to JSON Schema and values are brought to those types, as docs/tap.md, Streams says."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from singer_sdk import typing as th

from zendesk_objects_shared.field_types import coerce_value, field_schema


def _property_schema(field_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = th.PropertiesList(th.Property("v", field_schema(field_type))).to_dict()
    return schema


def _validates(field_type: str, value: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(_property_schema(field_type)).is_valid({"v": value}))


@pytest.mark.parametrize(
    ("field_type", "json_type"),
    [
        ("text", "string"),
        ("textarea", "string"),
        ("regexp", "string"),
        ("dropdown", "string"),
        ("lookup", "string"),
        ("integer", "integer"),
        ("decimal", "number"),
        ("checkbox", "boolean"),
        ("date", "string"),
        ("multiselect", "array"),
    ],
)
def test_spec_mapping(field_type: str, json_type: str) -> None:
    schema = _property_schema(field_type)["properties"]["v"]
    assert schema["type"] == [json_type, "null"]
    if field_type == "date":
        assert schema["format"] == "date"
    if field_type == "multiselect":
        assert schema["items"]["type"] == ["string"]


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("integer", "2500", 2500),
        ("integer", 7, 7),
        ("integer", "7.0", 7),
        ("decimal", "12.5", 12.5),
        ("decimal", 3, 3),
        ("checkbox", "true", True),
        ("checkbox", False, False),
        ("date", "2025-07-03T00:00:00+00:00", "2025-07-03"),
        ("date", "2025-07-03", "2025-07-03"),
        ("multiselect", ["a", "b"], ["a", "b"]),
        ("multiselect", "a", ["a"]),
        ("lookup", 123, "123"),
        ("text", 42, "42"),
        ("integer", None, None),
    ],
)
def test_values_are_brought_to_the_schema_type(field_type: str, raw: Any, expected: Any) -> None:
    value = coerce_value(field_type, raw)
    assert value == expected
    assert type(value) is type(expected)
    assert _validates(field_type, value)


@pytest.mark.parametrize(
    ("field_type", "raw", "reason"),
    [
        ("integer", "12.5", "expected an integer, got '12.5'"),
        ("integer", True, "expected an integer, got True"),
        ("integer", "high", "expected an integer, got 'high'"),
        ("decimal", "abc", "expected a number, got 'abc'"),
        ("decimal", "nan", "expected a number, got 'nan'"),
        ("checkbox", "maybe", "expected true or false, got 'maybe'"),
        ("date", "July 3rd", "July 3rd"),
        ("text", {"a": 1}, "expected text, got an object"),
    ],
)
def test_unreadable_values_are_refused_with_a_reason(field_type: str, raw: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        coerce_value(field_type, raw)


def test_unknown_type_passes_values_through() -> None:
    assert _property_schema("photo")["properties"]["v"] == {}
    assert coerce_value("photo", {"x": 1}) == {"x": 1}
