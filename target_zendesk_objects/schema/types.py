"""A stream property's JSON Schema read back as a Zendesk custom object field type.

The inverse of the tap's mapping (docs/tap.md, Streams): string → text, integer → integer, number →
decimal, boolean → checkbox, `format: date` → date, a string `enum` → dropdown, an array of enum strings →
multiselect. Date-times and anything Zendesk has no type for become text (docs/target.md, Objects and
fields from the stream's schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a property's values are, read from its schema; each maps to one field type to create.
TEXT, DATE, INTEGER, NUMBER, BOOLEAN, CHOICE, CHOICES, LIST, OBJECT, ANY = (
    "text",
    "date",
    "integer",
    "number",
    "boolean",
    "choice",
    "choices",
    "list",
    "object",
    "any",
)
CREATED_AS = {
    TEXT: "text",
    DATE: "date",
    INTEGER: "integer",
    NUMBER: "decimal",
    BOOLEAN: "checkbox",
    CHOICE: "dropdown",
    CHOICES: "multiselect",
    LIST: "text",
    OBJECT: "text",
    ANY: "text",
}
DESCRIBED = {
    TEXT: "a string",
    DATE: "a date",
    INTEGER: "an integer",
    NUMBER: "a number",
    BOOLEAN: "a boolean",
    CHOICE: "a string enum",
    CHOICES: "an array of string enums",
    LIST: "an array",
    OBJECT: "an object",
    ANY: "untyped",
}
_SCALARS = frozenset({TEXT, DATE, INTEGER, NUMBER, BOOLEAN, CHOICE, ANY})
# Which property kinds an existing field of each type holds without loss: Zendesk reads the value as the
# field's type (the target's validation does the same), so a text field takes any scalar and a decimal field
# takes integers, but an integer field does not take strings. An untyped property fits every field.
FITS: dict[str, frozenset[str]] = {
    "text": _SCALARS,
    "textarea": _SCALARS,
    "regexp": _SCALARS,
    "dropdown": frozenset({TEXT, CHOICE, INTEGER, ANY}),
    "lookup": frozenset({TEXT, INTEGER, ANY}),
    "integer": frozenset({INTEGER, ANY}),
    "decimal": frozenset({INTEGER, NUMBER, ANY}),
    "checkbox": frozenset({BOOLEAN, ANY}),
    "date": frozenset({DATE, ANY}),
    "multiselect": frozenset({CHOICES, LIST, ANY}),
}


@dataclass(frozen=True)
class PropertyKind:
    """What a property's schema says its values are, and the enum options when it has them."""

    kind: str
    options: tuple[str, ...] = field(default=())
    note: str = ""  # why a property becomes a text field although it is not plain text

    @property
    def field_type(self) -> str:
        """The Zendesk field type a new field for this property gets."""
        return CREATED_AS[self.kind]

    def fits(self, field_type: str) -> bool:
        """Whether an existing field of `field_type` holds this property's values."""
        return self.kind in FITS.get(field_type, frozenset({ANY}))


def property_kind(schema: Any) -> PropertyKind:  # noqa: ANN401, PLR0911 (any JSON Schema; one return a kind)
    """Read one property's schema (`type` lists, `anyOf`, `enum`, `format`, array `items`)."""
    schema = _without_null(schema)
    if not isinstance(schema, dict):
        return PropertyKind(ANY, note="its schema gives no single type")
    types = _types(schema)
    if not types:
        return PropertyKind(ANY, note="its schema gives no type")
    if len(types) > 1:
        return PropertyKind(TEXT, note=f"its schema allows {' or '.join(sorted(types))}")
    (kind,) = types
    if kind == "string":
        return _string_kind(schema)
    if kind == "array":
        items = _without_null(schema.get("items"))
        options = _string_options(items) if isinstance(items, dict) and _types(items) == {"string"} else ()
        if options:
            return PropertyKind(CHOICES, options)
        return PropertyKind(LIST, note="an array without enum items has no Zendesk field type")
    if kind == "object":
        return PropertyKind(OBJECT, note="Zendesk has no object field type")
    return PropertyKind({"integer": INTEGER, "number": NUMBER, "boolean": BOOLEAN}.get(kind, ANY))


def _string_kind(schema: dict[str, Any]) -> PropertyKind:
    options = _string_options(schema)
    if options:
        return PropertyKind(CHOICE, options)
    if schema.get("format") == "date":
        return PropertyKind(DATE)
    if schema.get("format") == "date-time":
        return PropertyKind(TEXT, note="Zendesk has no date-time field type")
    return PropertyKind(TEXT)


def _without_null(schema: Any) -> Any:  # noqa: ANN401
    """`anyOf` / `oneOf` with a single non-null branch is that branch (the SDK's way to say nullable)."""
    if isinstance(schema, dict):
        for combinator in ("anyOf", "oneOf"):
            branches = schema.get(combinator)
            if isinstance(branches, list):
                real = [b for b in branches if not (isinstance(b, dict) and _only_null(b))]
                return real[0] if len(real) == 1 else None
    return schema


def _only_null(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or schema.get("type") == ["null"]


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if not isinstance(declared, list):
        return set()
    return {kind for kind in declared if isinstance(kind, str) and kind != "null"}


def _string_options(schema: dict[str, Any]) -> tuple[str, ...]:
    """The enum's non-empty strings, in order, once each; () when there is no enum or it is not text."""
    values = schema.get("enum")
    if not isinstance(values, list):
        return ()
    strings = [value for value in values if value is not None]
    if not strings or not all(isinstance(value, str) and value for value in strings):
        return ()
    return tuple(dict.fromkeys(strings))
