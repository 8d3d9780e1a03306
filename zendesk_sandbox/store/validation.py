"""Checks a custom object record write against the object's field definitions, as Zendesk refuses writes.

A user's or organization's custom field values are checked one by one the same way (`checked_values`).

Each failure becomes a `details` entry of a 422 `RecordInvalid` (wire notes §8 shape). The exact messages are
unconfirmed (wire notes §6, §13); the keys are the field key, `name`, `external_id` or `base`.

Stored (canonical) value per type, chosen from wire notes §5: text/textarea/regexp/dropdown/lookup → string,
integer → int, decimal → float, checkbox → bool, date → "YYYY-MM-DD", multiselect → list of option values.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.store.lookups import Resolved

    # (lookup field definition, written value) -> the id to store, or why not (lookups.py)
    ResolveLookup = Callable[[dict[str, Any], Json], Resolved]

MAX_RECORD_BYTES = 32 * 1024  # wire notes §4: a record holds at most 32 KB
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")

Details = dict[str, list[dict[str, str]]]


class RecordInvalidError(Exception):
    """A write Zendesk would refuse with 422 RecordInvalid."""

    def __init__(self, details: Details) -> None:
        """Keep the per-field details."""
        super().__init__("Record validation errors")
        self.details = details


def add(details: Details, key: str, error: str, description: str) -> None:
    """Append one failure under `key`."""
    details.setdefault(key, []).append({"error": error, "description": description})


def canonical_fields(
    fields: list[dict[str, Any]], values: Json, details: Details, resolve_lookup: ResolveLookup
) -> dict[str, Any]:
    """Return `values` converted to stored form; failures go into `details`."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        add(details, "custom_object_fields", "InvalidValue", "custom_object_fields must be an object")
        return {}
    by_key = {field["key"]: field for field in fields if not field.get("system")}
    return checked_values(by_key, values, details, resolve_lookup, unknown="a field of this object")


def checked_values(
    by_key: dict[str, dict[str, Any]],
    values: dict[str, Json],
    details: Details,
    resolve_lookup: ResolveLookup,
    *,
    unknown: str,
) -> dict[str, Any]:
    """Return each custom field value of a write in stored form (None: emptied); failures go into `details`.

    A key of no field in `by_key` is an InvalidField ("<key> is not <unknown>"); None or "" empties the
    field; any other value is converted, or an InvalidValue naming the field's title.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            add(details, key, "InvalidField", f"{key} is not {unknown}")
            continue
        if value is None or value == "":
            out[key] = None
            continue
        problem, converted = convert(field, value, resolve_lookup)
        if problem:
            add(details, key, "InvalidValue", f"{field['title']}: {problem}")
        else:
            out[key] = converted
    return out


def missing_required(fields: list[dict[str, Any]], values: dict[str, Any], details: Details) -> None:
    """Record a failure for every required custom field that is empty in the final `values`."""
    for field in fields:
        if not field["system"] and field["required"] and values.get(field["key"]) is None:
            add(details, field["key"], "BlankValue", f"{field['title']}: cannot be blank")


def convert(  # noqa: PLR0911, PLR0912, C901 - one branch per Zendesk field type
    field: dict[str, Any], value: Json, resolve_lookup: ResolveLookup
) -> tuple[str, Any]:
    """Return ("", stored value) for a non-empty written value of `field`, or (the problem, None)."""
    kind = field["type"]
    if kind in {"text", "textarea"}:
        return ("", value) if isinstance(value, str) else ("must be text", None)
    if kind == "regexp":
        pattern = field.get("regexp_for_validation") or ""
        if not isinstance(value, str):
            return "must be text", None
        return ("", value) if re.search(pattern, value) else (f"does not match {pattern}", None)
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return "", value
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return "", int(value)
        return "must be a whole number", None
    if kind == "decimal":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "", float(value)
        if isinstance(value, str) and _DECIMAL.match(value.strip()):
            return "", float(value)
        return "must be a number", None
    if kind == "checkbox":
        return ("", value) if isinstance(value, bool) else ("must be true or false", None)
    if kind == "date":
        parsed = _date(value)
        return ("", parsed) if parsed else ("must be a date (YYYY-MM-DD)", None)
    options = {option["value"] for option in field.get("custom_field_options", ())}
    if kind in {"dropdown", "tagger"}:
        return (
            ("", value)
            if isinstance(value, str) and value in options
            else ("is not one of the options", None)
        )
    if kind == "multiselect":
        if isinstance(value, list) and all(isinstance(item, str) and item in options for item in value):
            return "", list(value)
        return "must be a list of the options", None
    if kind == "lookup":
        resolved = resolve_lookup(field, value)
        return resolved.problem, resolved.value
    return "", value


def _date(value: Json) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:  # noqa: PLR2004 - YYYY-MM-DD
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None
