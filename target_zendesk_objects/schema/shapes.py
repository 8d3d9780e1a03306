"""A stream's SCHEMA spelled the way the SDK reads it: boolean sub-schemas as objects, malformed ones refused.

JSON Schema allows `true` and `false` wherever a schema goes (`"items": true`: any item; a property whose
schema is `true`: any value). The SDK reads every property's schema as an object and would end the run
with `AttributeError: 'bool' object has no attribute 'get'`. Here `true` becomes `{}` and `false`
`{"not": {}}`, which mean exactly the same, before the SDK sees the SCHEMA; anything JSON Schema does not
allow where a schema goes (a list of properties, a string) is refused in one sentence naming the property.
"""

from __future__ import annotations

from typing import Any

from singer_sdk.exceptions import InvalidJSONSchema

# Keywords whose value is one schema (`items` may also be a list of them: the older tuple form).
ONE_SCHEMA = (
    "items",
    "additionalItems",
    "additionalProperties",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
LIST_OF_SCHEMAS = ("allOf", "anyOf", "oneOf", "prefixItems")
MAP_OF_SCHEMAS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def readable_schema(schema: Any) -> dict[str, Any]:  # noqa: ANN401 (any JSON value)
    """The stream schema with boolean sub-schemas spelled as objects; InvalidJSONSchema when malformed."""
    if not isinstance(schema, dict):
        msg = f"the SCHEMA's schema must be an object with `properties`, not {_kind(schema)}"
        raise InvalidJSONSchema(msg)
    spelled: dict[str, Any] = _spelled(schema, "")
    return spelled


def _spelled(schema: Any, path: str) -> Any:  # noqa: ANN401
    """`schema` spelled as an object; `path` names where it is (`tags.items`, `address.street`)."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        msg = f"{_where(path)}: a schema must be an object, true or false, not {_kind(schema)}"
        raise InvalidJSONSchema(msg)
    out = dict(schema)
    for key in ONE_SCHEMA:
        if key in out:
            many = key == "items" and isinstance(out[key], list)  # the older tuple form of `items`
            out[key] = _each(out[key], _join(path, key)) if many else _spelled(out[key], _join(path, key))
    for key in LIST_OF_SCHEMAS:
        if key in out:
            out[key] = _each(
                _shaped(out[key], list, path, f"`{key}` must be a list of schemas"), _join(path, key)
            )
    for key in MAP_OF_SCHEMAS:
        if key in out:
            by_name = _shaped(out[key], dict, path, f"`{key}` must be an object of schemas by name")
            prefix = path if key == "properties" else _join(path, key)
            out[key] = {name: _spelled(sub, _join(prefix, name)) for name, sub in by_name.items()}
    return out


def _each(schemas: list[Any], path: str) -> list[Any]:
    return [_spelled(item, path) for item in schemas]


def _shaped(value: Any, kind: type, path: str, rule: str) -> Any:  # noqa: ANN401
    if not isinstance(value, kind):
        msg = f"{_where(path)}: {rule}, not {_kind(value)}"
        raise InvalidJSONSchema(msg)
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(path: str) -> str:
    return f"property `{path}`" if path else "the schema"


def _kind(value: Any) -> str:  # noqa: ANN401
    names = {list: "a list", str: "a string", int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
