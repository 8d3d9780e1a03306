"""Custom object field types → JSON Schema, and the value coercion that makes records match it.

See README, The tap > Streams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

if TYPE_CHECKING:
    from collections.abc import Callable

# The type mapping of README, The tap > Streams. Lookup values are record/user ids; Zendesk sends them as
# strings (wire notes §1).
_STRING_TYPES = frozenset({"text", "textarea", "regexp", "dropdown", "lookup"})

# The marker Zendesk writes into every field of a deleted record in the incremental export (wire notes §3).
DELETED_MASK = "[DELETED]"


def field_schema(field_type: str) -> th.JSONTypeHelper[Any]:
    """The (nullable) JSON Schema type for a custom object field of `field_type`."""
    if field_type in _STRING_TYPES:
        return th.StringType()
    # A type Zendesk adds later: pass values through untouched rather than guess.
    return _SCHEMAS.get(field_type, th.AnyType)()


def ready_types(field_type: str) -> frozenset[type]:
    """Python types (exact, bool is not int) of decoded values that `coerce_value` would return unchanged.

    Real exports almost always send values of their field's type already, so checking `type(value)` against
    this set first skips the call chain of `coerce_value` for most values (the `[DELETED]` mask aside).
    """
    return _READY_TYPES.get(field_type, frozenset())


def coerce_value(field_type: str, value: Any) -> Any:  # noqa: ANN401 (field values are any JSON)
    """Bring one field value to its schema type; raise ValueError when it cannot be read as that type.

    Zendesk's own examples send numbers as strings ("2500") while client tests see numbers, and dates as
    `2025-07-03` or `2025-07-03T00:00:00+00:00` (wire notes §5, §13): accept every reading, emit one.
    """
    if value is None or value == DELETED_MASK:
        return None
    if field_type in _STRING_TYPES:
        return value if isinstance(value, str) else _scalar_text(value)
    coerce = _COERCERS.get(field_type)
    return value if coerce is None else coerce(value)


def _scalar_text(value: Any) -> str:  # noqa: ANN401
    if isinstance(value, (dict, list)):
        msg = f"expected text, got {type(value).__name__}"
        raise ValueError(msg)  # noqa: TRY004 (callers catch ValueError for every unreadable value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _integer(value: Any) -> int:  # noqa: ANN401
    if isinstance(value, bool):
        msg = "expected an integer, got a boolean"
        raise ValueError(msg)  # noqa: TRY004
    if isinstance(value, int):
        return value
    number = float(value)
    if not number.is_integer():
        msg = f"expected an integer, got {value!r}"
        raise ValueError(msg)
    return int(number)


def _number(value: Any) -> float | int:  # noqa: ANN401
    if isinstance(value, bool):
        msg = "expected a number, got a boolean"
        raise ValueError(msg)  # noqa: TRY004
    if isinstance(value, (int, float)):
        return value
    return float(value)


def _boolean(value: Any) -> bool:  # noqa: ANN401
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no", ""}:
        return False
    msg = f"expected a boolean, got {value!r}"
    raise ValueError(msg)


def _multiselect(value: Any) -> list[str]:  # noqa: ANN401
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, str) else _scalar_text(item) for item in items]


def _date(value: Any) -> str:  # noqa: ANN401
    text = str(value)
    day = text[:10]
    # YYYY-MM-DD, optionally followed by a time part (the date-time reading of wire notes §5).
    if len(day) == 10 and day[4] == "-" and day[7] == "-" and day.replace("-", "").isdigit():  # noqa: PLR2004
        return day
    msg = f"expected a date, got {value!r}"
    raise ValueError(msg)


_SCHEMAS: dict[str, Callable[[], th.JSONTypeHelper[Any]]] = {
    "integer": th.IntegerType,
    "decimal": th.NumberType,
    "checkbox": th.BooleanType,
    "date": th.DateType,
    "multiselect": lambda: th.ArrayType(th.StringType()),
}
_NONE = type(None)
_READY_TYPES: dict[str, frozenset[type]] = {
    **dict.fromkeys(_STRING_TYPES, frozenset({str, _NONE})),
    "integer": frozenset({int, _NONE}),
    "decimal": frozenset({int, float, _NONE}),
    "checkbox": frozenset({bool, _NONE}),
}
_COERCERS: dict[str, Callable[[Any], Any]] = {
    "integer": _integer,
    "decimal": _number,
    "checkbox": _boolean,
    "date": _date,
    "multiselect": _multiselect,
}
