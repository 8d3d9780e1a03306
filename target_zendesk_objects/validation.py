"""Local checks of a record's fields against the object's field definitions, before any request."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from collections.abc import Iterator

NAME_FIELD = "standard::name"
# "Each record can be a maximum of 32 KB in size" (wire notes §4, §16.3). How Zendesk measures it is not
# stated: we measure the record as it is sent (name, external id, fields) as compact UTF-8 JSON.
MAX_RECORD_BYTES = 32 * 1024
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


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
        patterns = {
            k: re.compile(d["regexp_for_validation"])
            for k, d in custom.items()
            if d.get("type") == "regexp" and d.get("regexp_for_validation")
        }
        return cls(
            key=key,
            fields=custom,
            name_unique=bool(properties.get("is_unique")),
            name_autonumbered=bool(properties.get("autoincrement_enabled")),
            _patterns=patterns,
        )

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

    def _check(  # noqa: C901, PLR0911, PLR0912 (one branch per Zendesk field type)
        self,
        key: str,
        kind: str,
        definition: dict[str, Any],
        value: Any,  # noqa: ANN401 (any JSON value)
    ) -> tuple[str, Any]:
        if kind in {"text", "textarea"}:
            if isinstance(value, (dt.datetime, dt.date)):
                return "", value.isoformat()
            return ("", value) if isinstance(value, str) else ("must be text", None)
        if kind == "regexp":
            if not isinstance(value, str):
                return "must be text", None
            pattern = self._patterns.get(key)
            ok = pattern is None or pattern.search(value) is not None
            return ("", value) if ok else (f"does not match {pattern.pattern if pattern else ''}", None)
        if kind == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return "", value
            if isinstance(value, str) and _INTEGER.match(value.strip()):
                return "", int(value)
            if isinstance(value, float) and value.is_integer():
                return "", int(value)
            return "must be a whole number", None
        if kind == "decimal":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return "", value
            if isinstance(value, str) and _DECIMAL.match(value.strip()):
                return "", value
            return "must be a number", None
        if kind == "checkbox":
            return ("", value) if isinstance(value, bool) else ("must be true or false", None)
        if kind == "date":
            return _date(value)
        options = {option.get("value") for option in definition.get("custom_field_options") or ()}
        if kind == "dropdown":
            ok = isinstance(value, str) and value in options
            return ("", value) if ok else (f"{value!r} is not one of {sorted(map(str, options))}", None)
        if kind == "multiselect":
            if isinstance(value, list) and all(isinstance(v, str) and v in options for v in value):
                return "", value
            return f"must be a list of {sorted(map(str, options))}", None
        if kind == "lookup":
            if isinstance(value, int) and not isinstance(value, bool):
                return "", str(value)
            return ("", value) if isinstance(value, str) else ("must be a record id", None)
        return "", value


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
    yield "key", key
    for top in ("name", "external_id"):
        if isinstance(body.get(top), str):
            yield top, body[top]
    for name, value in (body.get("custom_object_fields") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield name, item


def _date(value: Any) -> tuple[str, Any]:  # noqa: ANN401 (any JSON value)
    # The SDK hands date and date-time strings over already parsed; Zendesk takes dates as YYYY-MM-DD.
    if isinstance(value, dt.datetime):
        return "", value.date().isoformat()
    if isinstance(value, dt.date):
        return "", value.isoformat()
    if isinstance(value, str):
        try:
            if len(value) == len("YYYY-MM-DD"):
                return "", dt.date.fromisoformat(value).isoformat()
            return "", dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
    return "must be a date (YYYY-MM-DD)", None
