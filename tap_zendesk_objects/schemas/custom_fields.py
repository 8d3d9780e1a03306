"""Typed custom fields: each custom field value also as a top-level `cf_...` property of its field's type.

Naming rule (docs/tap.md, "Typed custom fields"), chosen so that a warehouse column never moves:
- a user or organization field is `cf_<key>`: Zendesk's field key is set when the field is created, never
  changes and is unique, so a renamed title or two fields with one title leave the column where it was;
- a ticket field has no key (`key: null` in real payloads, wire notes §23), only its id: it is
  `cf_<title slug>_<id>`. The id makes two fields with one title two columns; a name that the input catalog
  already gives the field (matched by the id suffix) is kept, so a renamed title keeps its column for as
  long as the catalog is kept (a saved `catalog.json`, or Meltano's cached one).
- a name taken by a standard property or an older field (fields are named in id order) gets `_<id>` added.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from zendesk_objects_shared.field_types import coerce_value, field_schema, ready_types

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

LOGGER = logging.getLogger("tap-zendesk-objects")
PREFIX = "cf_"
# Longest slug: the whole name stays within Postgres' 63-byte identifiers with a 19-digit id.
MAX_SLUG = 38
# Ticket fields that are not custom: their values are the ticket's own properties (status, group_id, ...).
SYSTEM_TICKET_FIELD_TYPES = frozenset(
    {"subject", "description", "status", "tickettype", "priority", "basic_priority", "group", "assignee",
     "custom_status", "brand", "ticket_form"}
)  # fmt: skip
_PINNED = re.compile(rf"^{PREFIX}.*_(\d+)$")


@dataclass(frozen=True)
class TypedField:
    """One custom field: where its value is read (id or key), the property it becomes, and its type."""

    source: int | str
    name: str
    field_type: str
    title: str
    ready: frozenset[type]


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and single underscores; `field` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return cleaned[:MAX_SLUG].rstrip("_") or "field"


def pinned_names(properties: Iterable[str]) -> dict[int, str]:
    """Field id -> property name, for the `cf_..._<id>` properties of a catalog's ticket schema."""
    pins: dict[int, str] = {}
    for name in properties:
        match = _PINNED.match(name)
        if match:
            pins[int(match.group(1))] = name
    return pins


def ticket_fields(
    definitions: Iterable[Mapping[str, Any]], taken: Iterable[str], pins: Mapping[int, str]
) -> list[TypedField]:
    """The typed fields of tickets: every custom ticket field, named by title and id (or its pin)."""
    used = set(taken)
    fields = []
    for field in sorted(_custom(definitions), key=lambda f: int(f["id"])):
        field_id = int(field["id"])
        name = pins.get(field_id) or f"{PREFIX}{slug(str(field.get('title') or ''))}_{field_id}"
        fields.append(_typed(field, field_id, _free(name, field_id, used)))
    return fields


def keyed_fields(definitions: Iterable[Mapping[str, Any]], taken: Iterable[str]) -> list[TypedField]:
    """The typed fields of users or organizations, named by their immutable key."""
    used = set(taken)
    fields = []
    for field in sorted(definitions, key=lambda f: int(f.get("id") or 0)):
        key = field.get("key")
        if not isinstance(key, str) or not key:
            continue
        name = _free(f"{PREFIX}{slug(key)}", int(field.get("id") or 0), used)
        fields.append(_typed(field, key, name))
    return fields


def _custom(definitions: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    return (
        f
        for f in definitions
        if f.get("id") is not None and str(f.get("type", "")) not in SYSTEM_TICKET_FIELD_TYPES
    )


def _free(name: str, field_id: int, used: set[str]) -> str:
    if name in used:
        name = f"{name}_{field_id}"
    used.add(name)
    return name


def _typed(field: Mapping[str, Any], source: int | str, name: str) -> TypedField:
    field_type = str(field.get("type", ""))
    return TypedField(source, name, field_type, str(field.get("title") or ""), ready_types(field_type))


def schema_properties(fields: Iterable[TypedField], kind: str) -> list[th.Property[Any]]:
    """One nullable property per typed field, described by the field's title, kind, source and type."""
    return [
        th.Property(
            f.name,
            field_schema(f.field_type),
            description=f"{f.title} ({kind} field {f.source}, {f.field_type})",
        )
        for f in fields
    ]


# How each field's value is read, per record: its property, the types taken as they are, a short reader of
# Zendesk's usual wire form (returns `_UNREAD` for any other form), and the field for the general path.
_Reader = tuple[str, frozenset[type], "Callable[[Any], Any]", TypedField]


def typer_for(stream: str, fields: Iterable[TypedField], schema: Mapping[str, Any]) -> FieldTyper:
    """A typer for the fields that the stream's schema (its input catalog's, when one was given) has.

    A field added after the catalog was made stays in `custom_fields` / `user_fields` /
    `organization_fields`, and becomes a column once the catalog is made again: a record never carries a
    property its SCHEMA message does not describe.
    """
    properties = schema.get("properties") or {}
    return FieldTyper(stream, [field for field in fields if field.name in properties])


class FieldTyper:
    """Adds the typed `cf_...` properties to records; an unreadable value becomes null, warned once.

    Values of their schema type pass as they are; the wire forms Zendesk sends for tickets (integers and
    decimals as text, dates as `YYYY-MM-DD`, wire notes §10) take a short path; anything else goes through
    the shared `coerce_value`. This runs for every ticket: it is kept to a few microseconds.
    """

    def __init__(self, stream: str, fields: Iterable[TypedField]) -> None:
        """Type the values of `fields` in the records of `stream`."""
        self._stream = stream
        self._warned: set[str] = set()
        self._readers: dict[int | str, _Reader] = {
            f.source: (f.name, f.ready, _FAST.get(f.field_type, _unread), f) for f in fields
        }

    def from_list(self, row: dict[str, Any], values: object) -> None:
        """Tickets: `custom_fields: [{id, value}]`."""
        if type(values) is not list:
            return
        readers = self._readers
        for item in values:
            reader = readers.get(item.get("id", -1)) if type(item) is dict else None
            if reader is not None:
                name, ready, fast, field = reader
                value = item.get("value")
                if type(value) not in ready:
                    typed = fast(value)
                    value = self._coerce(row, field, value) if typed is _UNREAD else typed
                row[name] = value

    def from_object(self, row: dict[str, Any], values: object) -> None:
        """Users and organizations: `user_fields` / `organization_fields`, `{key: value}`."""
        if type(values) is not dict:
            return
        readers = self._readers
        for key, value in values.items():
            reader = readers.get(key)
            if reader is not None:
                name, ready, fast, field = reader
                if type(value) in ready:
                    row[name] = value
                else:
                    typed = fast(value)
                    row[name] = self._coerce(row, field, value) if typed is _UNREAD else typed

    def _coerce(self, row: dict[str, Any], field: TypedField, value: Any) -> Any:  # noqa: ANN401
        try:
            return coerce_value(field.field_type, value)
        except (TypeError, ValueError) as exc:
            if field.name not in self._warned:
                self._warned.add(field.name)
                LOGGER.warning(
                    "%s: field %s of record %s is not a valid %s (%s); emitting null (warned once per field)",
                    self._stream,
                    field.name,
                    row.get("id"),
                    field.field_type,
                    exc,
                )
            return None


_UNREAD = object()  # a fast reader's "not this form": the value goes to `coerce_value`


def _unread(value: Any) -> Any:  # noqa: ANN401, ARG001
    return _UNREAD


def _digits(value: Any) -> Any:  # noqa: ANN401
    return int(value) if type(value) is str and value.isascii() and value.isdigit() else _UNREAD


def _decimal_text(value: Any) -> Any:  # noqa: ANN401
    if type(value) is not str:
        return _UNREAD
    try:
        number = float(value)
    except ValueError:
        return _UNREAD
    return number if math.isfinite(number) else _UNREAD


def _plain_date(value: Any) -> Any:  # noqa: ANN401
    if type(value) is not str or len(value) != len("YYYY-MM-DD"):
        return _UNREAD
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return _UNREAD


def _tag_list(value: Any) -> Any:  # noqa: ANN401
    if type(value) is list and all(type(item) is str for item in value):
        return value
    return _UNREAD


_FAST: dict[str, Callable[[Any], Any]] = {
    "integer": _digits,
    "decimal": _decimal_text,
    "date": _plain_date,
    "multiselect": _tag_list,
}
