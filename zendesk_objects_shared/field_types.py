"""Zendesk's custom field types: their JSON Schema, and reading a value as its field's type.

The tap types what it exports (docs/tap.md, Streams) and the target checks what it writes with the
same table, so a value the tap emits for a field is one the target takes for it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from zendesk_objects_shared.timestamps import iso_date

if TYPE_CHECKING:
    from collections.abc import Callable

# The type mapping of docs/tap.md, Streams. Lookup values are record/user ids; Zendesk sends them as
# strings (wire notes §1).
# Ticket fields call a dropdown `tagger` and have `partialcreditcard` (masked text) (wire notes §10).
_STRING_TYPES = frozenset({"text", "textarea", "regexp", "dropdown", "tagger", "lookup", "partialcreditcard"})


def field_schema(field_type: str) -> th.JSONTypeHelper[Any]:
    """The (nullable) JSON Schema type for a custom object field of `field_type`."""
    if field_type in _STRING_TYPES:
        return th.StringType()
    # A type Zendesk adds later: pass values through untouched rather than guess.
    return _SCHEMAS.get(field_type, th.AnyType)()


def ready_types(field_type: str) -> frozenset[type]:
    """Python types (exact, bool is not int) of decoded values that `coerce_value` would return unchanged.

    Real exports almost always send values of their field's type already, so checking `type(value)` against
    this set first skips the call chain of `coerce_value` for most values.
    """
    return _READY_TYPES.get(field_type, frozenset())


def coerce_value(field_type: str, value: Any) -> Any:  # noqa: ANN401 (field values are any JSON)
    """Bring one field value to its schema type; raise ValueError when it cannot be read as that type.

    Zendesk's own examples send numbers as strings ("2500") while client tests see numbers, and dates as
    `2025-07-03` or `2025-07-03T00:00:00+00:00` (wire notes §5, §13): accept every reading, emit one.
    """
    if value is None:
        return None
    if field_type in _STRING_TYPES:
        return value if isinstance(value, str) else _scalar_text(value)
    coerce = _COERCERS.get(field_type)
    return value if coerce is None else coerce(value)


def _scalar_text(value: Any) -> str:  # noqa: ANN401
    if isinstance(value, (dict, list)):
        msg = f"expected text, got {'an object' if isinstance(value, dict) else 'a list'}"
        raise ValueError(msg)  # noqa: TRY004 (callers catch ValueError for every unreadable value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _integer(value: Any) -> int:  # noqa: ANN401
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _finite(value, "an integer")
    if not number.is_integer():
        msg = f"expected an integer, got {value!r}"
        raise ValueError(msg)
    return int(number)


def _number(value: Any) -> float | int:  # noqa: ANN401
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _finite(value, "a number")


def _finite(value: Any, what: str) -> float:  # noqa: ANN401
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        msg = f"expected {what}, got {value!r}"
        raise ValueError(msg)
    return number


def _boolean(value: Any) -> bool:  # noqa: ANN401
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no", ""}:
        return False
    msg = f"expected true or false, got {value!r}"
    raise ValueError(msg)


def _multiselect(value: Any) -> list[str]:  # noqa: ANN401
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, str) else _scalar_text(item) for item in items]


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
    "date": iso_date,  # YYYY-MM-DD, also when Zendesk sends the date-time reading (wire notes §5)
    "multiselect": _multiselect,
}
