"""Local checks of a record's fields against the object's field definitions, before any request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from zendesk_objects_shared.field_types import coerce_value

if TYPE_CHECKING:
    from collections.abc import Iterator

NAME_FIELD = "standard::name"
# "Each record can be a maximum of 32 KB in size" (wire notes §4, §16.3). How Zendesk measures it is not
# stated: we measure the record as it is sent (name, external id, fields) as compact UTF-8 JSON.
MAX_RECORD_BYTES = 32 * 1024


class InvalidFieldsError(ValueError):
    """A record's fields break the object's definitions; the text names each field and why."""


@dataclass(frozen=True)
class ObjectFields:
    """One custom object's field definitions, read once per run."""

    key: str
    fields: dict[str, dict[str, Any]]
    name_unique: bool = False
    name_autonumbered: bool = False
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_definitions(cls, key: str, definitions: list[dict[str, Any]]) -> ObjectFields:
        """Build from `GET …/fields?include_standard_fields=true` (system fields kept apart)."""
        custom = {d["key"]: d for d in definitions if not d.get("system") and d.get("active", True)}
        name = next((d for d in definitions if d.get("key") == NAME_FIELD), {})
        properties = name.get("properties") or {}
        return cls(
            key=key,
            fields=custom,
            name_unique=bool(properties.get("is_unique")),
            name_autonumbered=bool(properties.get("autoincrement_enabled")),
            _patterns=_patterns(custom),
        )

    @classmethod
    def named(cls, key: str, fields: dict[str, dict[str, Any]]) -> ObjectFields:
        """Fields known by record property names of their own (users' and organizations' `cf_…`)."""
        return cls(key=key, fields=fields, _patterns=_patterns(fields))

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return `values` as Zendesk takes them (ISO-8601 dates); InvalidFieldsError lists every problem."""
        problems: list[str] = []
        out: dict[str, Any] = {}
        for key, value in values.items():
            definition = self.fields.get(key)
            if definition is None:
                problems.append(f"{key}: not a field of custom object {self.key!r}")
                continue
            if value is None or value == "":
                out[key] = value
                continue
            problem, converted = self._check(key, definition["type"], definition, value)
            if problem:
                problems.append(f"{key}: {problem}")
            else:
                out[key] = converted
        if problems:
            raise InvalidFieldsError("; ".join(problems))
        return out

    def _check(
        self,
        key: str,
        kind: str,
        definition: dict[str, Any],
        value: Any,  # noqa: ANN401 (any JSON value)
    ) -> tuple[str, Any]:
        """Read the value as its field's type (the table the tap exports with), then the field's own rules."""
        try:
            converted = coerce_value(kind, value)
        except ValueError as exc:
            return str(exc), None
        if kind == "regexp":
            pattern = self._patterns.get(key)
            if pattern is not None and pattern.search(converted) is None:
                return f"{converted!r} does not match {pattern.pattern}", None
        if kind in {"dropdown", "multiselect"}:
            options = {option.get("value") for option in definition.get("custom_field_options") or ()}
            chosen = converted if kind == "multiselect" else [converted]
            unknown = [item for item in chosen if item not in options]
            if unknown:
                return f"{unknown[0]!r} is not one of {sorted(map(str, options))}", None
        return "", converted


def _patterns(fields: dict[str, dict[str, Any]]) -> dict[str, re.Pattern[str]]:
    return {
        name: re.compile(d["regexp_for_validation"])
        for name, d in fields.items()
        if d.get("type") == "regexp" and d.get("regexp_for_validation")
    }


def unsendable(key: str, body: dict[str, Any]) -> str | None:
    """Why a record cannot be sent to Zendesk at all, or None: text that is not Unicode, or over 32 KB.

    A lone surrogate (U+D800 to U+DFFF, unpaired) is valid in JSON input but is not Unicode text: Zendesk
    cannot store it, and in a bulk job it would make the whole POST fail. Such a record is refused before
    any request.
    """
    try:
        size = len(orjson.dumps(body))
    except orjson.JSONEncodeError:  # a lone surrogate, or an integer orjson cannot write
        for where, text in _texts(key, body):
            surrogate = _lone_surrogate(text)
            if surrogate:
                return f"{where}: holds {surrogate!r}, a lone surrogate, which is not Unicode text"
        size = len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_RECORD_BYTES:
        return f"the record is {size:,} bytes as JSON, over Zendesk's 32 KB limit per record"
    return None


def _lone_surrogate(text: str) -> str | None:
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        return text[exc.start]
    return None


def _texts(key: str, body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, text) of every string in a write: the key, then each value, named by its own key."""
    yield "key", key
    yield from _strings(body)


def _strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:  # noqa: ANN401 (any JSON value)
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, where)
