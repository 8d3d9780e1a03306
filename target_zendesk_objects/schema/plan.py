"""What a stream's SCHEMA asks of its custom object: the object and fields to create, and what stops that.

Pure: it reads the schema, the settings and the object's current field definitions, and sends nothing.
See docs/target.md, Objects and fields from the stream's schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from target_zendesk_objects.destinations.mapping import RESERVED_PROPERTIES
from target_zendesk_objects.destinations.people import FIELD_PREFIX  # users' and organizations' `cf_<key>`
from target_zendesk_objects.lookups.rules import is_lookup_key_property
from target_zendesk_objects.schema.types import DESCRIBED, PropertyKind, property_kind

if TYPE_CHECKING:
    from collections.abc import Mapping

# Zendesk's documented field key rule: letters, digits and underscores, not only digits (wire notes §16.2).
FIELD_KEY = re.compile(r"^[A-Za-z0-9_]+$")
# Object keys: not documented; the project keeps to this form, which the sandbox enforces (wire notes §16.1).
OBJECT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_OPTIONS = 2000  # per dropdown or multiselect field (wire notes §14.5)
# Zendesk documents no longest object or field key (wire notes §16.3). The plan holds both to 64 characters,
# the most the sandbox takes, so that no key passes the plan only to be refused at creation; a longer key
# might work on Zendesk, but nothing says it would.
MAX_KEY_LENGTH = 64
LOOKUP_TARGETS = ("zen:user", "zen:organization", "zen:ticket", "zen:article", "zen:brand")
CUSTOM_OBJECT_TARGET = "zen:custom_object:"


class SchemaPlanError(Exception):
    """A setting that makes no plan possible (a malformed `lookups` entry); the text names it."""


@dataclass(frozen=True)
class NewField:
    """A field to add, as `POST …/fields` takes it."""

    key: str
    type: str
    title: str
    options: tuple[str, ...] = ()
    target: str = ""  # relationship_target_type of a lookup
    description: str = ""
    note: str = ""  # e.g. why a date-time becomes text

    def body(self) -> dict[str, Any]:
        """The `custom_object_field` of the create request (wire notes §16.2)."""
        body: dict[str, Any] = {"key": self.key, "type": self.type, "title": self.title}
        if self.description:
            body["description"] = self.description
        if self.options:
            body["custom_field_options"] = [{"name": _label(value), "value": value} for value in self.options]
        if self.target:
            body["relationship_target_type"] = self.target
        return body

    def describe(self) -> str:
        """One line of the plan: key, type, options or target, and why when it is not obvious."""
        text = f"{self.key}: {self.type}"
        if self.options:
            text += f" (options: {', '.join(self.options)})"
        if self.target:
            text += f" → {self.target}"
        return text + (f" ({self.note})" if self.note else "")


@dataclass
class ObjectPlan:
    """One stream's plan for its custom object."""

    stream: str
    key: str
    create_object: bool
    title: str = ""
    title_pluralized: str = ""
    new_fields: list[NewField] = field(default_factory=list)
    in_place: list[str] = field(default_factory=list)  # properties whose field exists already
    problems: list[str] = field(default_factory=list)  # each one line; any of them stops the run
    notes: list[str] = field(default_factory=list)
    # Users' and organizations' fields: whose they are ("users"), and the prefix of their properties (`cf_`)
    owner: str = ""
    prefix: str = ""

    @property
    def whose(self) -> str:
        """How messages name the fields' owner: `custom object apartment`, or `users`."""
        return self.owner or f"custom object {self.key}"

    @property
    def creates_anything(self) -> bool:
        """Whether applying the plan sends any request."""
        return self.create_object or bool(self.new_fields)

    def object_body(self) -> dict[str, Any]:
        """The `custom_object` of `POST /api/v2/custom_objects` (wire notes §16.1)."""
        return {
            "key": self.key,
            "title": self.title,
            "title_pluralized": self.title_pluralized,
            "include_in_list_view": True,
        }

    def lines(self) -> list[str]:
        """The plan as a person reads it."""
        if self.create_object:
            head = f'create, title "{self.title}", plural "{self.title_pluralized}"'
        else:
            head = "exists" + ("" if self.new_fields else ", nothing to add")
        if self.owner:
            head = "nothing to add" if not self.new_fields else f"add {len(self.new_fields)}"
        title = f"{self.owner.removesuffix('s')} fields" if self.owner else self.whose  # user fields
        lines = [f"{title} (stream {self.stream}): {head}"]
        lines += [f"  + field {new.describe()}" for new in self.new_fields]
        if self.in_place:
            lines.append(f"  = already fields: {', '.join(self.in_place)}")
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  PROBLEM: {problem}" for problem in self.problems]
        return lines


def plan_object(  # noqa: PLR0913 (the inputs of one plan, each named)
    stream: str,
    key: str,
    schema: Mapping[str, Any],
    existing: list[dict[str, Any]] | None,
    *,
    lookups: Mapping[str, Any],
    skip: frozenset[str] = frozenset(),
) -> ObjectPlan:
    """Plan `key`'s object and fields for `stream`'s `schema`; `existing` is None for a missing object.

    `lookups` are the object's entries of the `lookups` setting (field key → {by, property,
    relationship_target_type}); `skip` are properties that are not fields (e.g. `external_id_property`).
    """
    plan = ObjectPlan(stream, key, create_object=existing is None)
    if existing is None:
        plan.title = _label(key)
        plan.title_pluralized = _plural(plan.title)
        if not OBJECT_KEY.match(key):
            plan.problems.append(
                f"stream {stream}: {key!r} cannot be a custom object key (a lowercase letter, then lowercase"
                " letters, digits and _): name the object with `object_map` or `custom_object_key`"
            )
        elif len(key) > MAX_KEY_LENGTH:
            plan.problems.append(
                f"stream {stream}: custom object key {key[:20]}… has {len(key)} characters, over the"
                f" {MAX_KEY_LENGTH} this target allows (Zendesk documents no maximum): name the object with"
                " `object_map` or `custom_object_key`"
            )
    fields = {d["key"]: d for d in existing or () if isinstance(d.get("key"), str) and not d.get("system")}
    lookup_fields, lookup_properties = _lookup_entries(key, lookups)
    for field_key, target in lookup_fields.items():
        _plan_lookup(plan, field_key, target, fields.get(field_key))
    every_lookup = set(lookup_fields) | {k for k, d in fields.items() if d.get("type") == "lookup"}
    not_fields = skip | lookup_properties | set(lookup_fields)
    for prop, prop_schema in field_properties(schema).items():
        if prop in not_fields or is_lookup_key_property({"lookups": {key: lookups}}, key, prop, every_lookup):
            continue
        _plan_property(plan, prop, prop_schema, fields.get(prop))
    return plan


def plan_people_fields(
    stream: str,
    owner: str,
    schema: Mapping[str, Any],
    existing: list[dict[str, Any]],
    *,
    lookups: Mapping[str, Any],
) -> ObjectPlan:
    """Plan the user or organization fields (`owner`: users, organizations) a stream's `cf_` properties need.

    Properties named as our tap names typed fields, `cf_<key>`, are fields of key `<key>`; `lookups` (the
    `lookups` setting of `zen:user` or `zen:organization`) names them the same way. Other properties are
    the users' and organizations' own attributes, never fields. The same type mapping, conflict rule and
    plan as a custom object's; Zendesk documents no limit on their number, so none is checked.
    """
    plan = ObjectPlan(stream, owner, create_object=False, owner=owner, prefix=FIELD_PREFIX)
    fields = {d["key"]: d for d in existing if isinstance(d.get("key"), str)}
    declared = {name.removeprefix(FIELD_PREFIX): entry for name, entry in lookups.items()}
    lookup_fields, lookup_properties = _lookup_entries(owner, declared)
    for field_key, target in lookup_fields.items():
        _plan_lookup(plan, field_key, target, fields.get(field_key))
    every_lookup = set(lookup_fields) | {k for k, d in fields.items() if d.get("type") == "lookup"}
    for prop, prop_schema in (schema.get("properties") or {}).items():
        key = prop.removeprefix(FIELD_PREFIX)
        if not prop.startswith(FIELD_PREFIX) or prop in lookup_properties or key in lookup_fields:
            continue
        if is_lookup_key_property({"lookups": {owner: declared}}, owner, key, every_lookup):
            continue
        _plan_property(plan, key, prop_schema, fields.get(key))
    return plan


def field_properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The properties that become fields, as the target maps records (docs/target.md, Where a record goes).

    A `custom_object_fields` object with properties (our tap's shape) holds them; otherwise every top-level
    property but the record's own attributes (`name`, `external_id`, …) and `_sdc_` metadata.
    """
    properties = schema.get("properties") or {}
    nested = properties.get("custom_object_fields")
    if isinstance(nested, dict) and isinstance(nested.get("properties"), dict):
        return dict(nested["properties"])
    return {
        prop: prop_schema
        for prop, prop_schema in properties.items()
        if prop not in RESERVED_PROPERTIES and not prop.startswith("_sdc_")
    }


def _lookup_entries(key: str, lookups: Mapping[str, Any]) -> tuple[dict[str, str], set[str]]:
    """(field key → relationship target, or "" when not declared) and the properties holding their keys."""
    fields: dict[str, str] = {}
    properties: set[str] = set()
    for field_key, entry in lookups.items():
        if not isinstance(entry, dict):  # how the key is resolved is the resolver's to check, not the plan's
            fields[field_key] = ""
            continue
        target = entry.get("relationship_target_type") or ""
        if target and not _valid_target(target):
            where = f"lookups.{key}.{field_key}"
            msg = (
                f"`{where}.relationship_target_type` is {target!r}: use zen:user, zen:organization,"
                " zen:ticket, zen:article, zen:brand or zen:custom_object:<key>"
            )
            raise SchemaPlanError(msg)
        fields[field_key] = str(target)
        if isinstance(entry.get("property"), str):
            properties.add(entry["property"])
    return fields, properties


def _valid_target(target: Any) -> bool:  # noqa: ANN401 (a setting's value)
    if not isinstance(target, str):
        return False
    return target in LOOKUP_TARGETS or (
        target.startswith(CUSTOM_OBJECT_TARGET) and len(target) > len(CUSTOM_OBJECT_TARGET)
    )


def _plan_lookup(plan: ObjectPlan, field_key: str, target: str, current: dict[str, Any] | None) -> None:
    where = f"stream {plan.stream}: lookups.{plan.key}.{field_key}"
    if current is not None:
        if current.get("type") != "lookup":
            plan.problems.append(
                f"{where} declares a lookup, but field {field_key} of {plan.whose} is"
                f" {current.get('type')}; fields are never changed: use another field key in `lookups`"
            )
        elif target and current.get("relationship_target_type") != target:
            plan.problems.append(
                f"{where} says {target}, but field {field_key} of {plan.whose} looks up"
                f" {current.get('relationship_target_type')}; a lookup's target cannot change: fix"
                " `relationship_target_type` or use another field key"
            )
        else:
            plan.in_place.append(field_key)
        return
    if not target:
        plan.problems.append(
            f"{where}: {plan.whose} has no field {field_key}; add `relationship_target_type` to create it"
        )
        return
    if not FIELD_KEY.match(field_key) or field_key.isdigit():
        plan.problems.append(f"{where}: {field_key!r} cannot be a field key (letters, digits and _ only)")
        return
    if len(field_key) > MAX_KEY_LENGTH:
        plan.problems.append(f"{where}: {_too_long(field_key)}: use a shorter field key in `lookups`")
        return
    plan.new_fields.append(NewField(field_key, "lookup", _label(field_key), target=target))


def _plan_property(plan: ObjectPlan, prop: str, schema: Any, current: dict[str, Any] | None) -> None:  # noqa: ANN401
    kind = property_kind(schema)
    if current is not None:
        _check_fit(plan, prop, kind, current)
        return
    if not FIELD_KEY.match(prop) or prop.isdigit():
        plan.problems.append(
            f"stream {plan.stream}: property {plan.prefix + prop!r} cannot be a field key (letters, digits"
            " and _, not only digits): rename it with a stream map"
        )
        return
    if len(prop) > MAX_KEY_LENGTH:
        plan.problems.append(f"stream {plan.stream}: property {_too_long(prop)}: rename it with a stream map")
        return
    if len(kind.options) > MAX_OPTIONS:
        plan.problems.append(
            f"stream {plan.stream}: property {plan.prefix}{prop} has {len(kind.options)} enum values, over"
            f" Zendesk's {MAX_OPTIONS} options per field"
        )
        return
    details = schema if isinstance(schema, dict) else {}
    title, description = details.get("title"), details.get("description")
    title = title if isinstance(title, str) and title.strip() else _label(prop)
    description = description if isinstance(description, str) else ""
    plan.new_fields.append(
        NewField(prop, kind.field_type, title, kind.options, description=description, note=kind.note)
    )


def _check_fit(plan: ObjectPlan, prop: str, kind: PropertyKind, current: dict[str, Any]) -> None:
    have = str(current.get("type"))
    if not kind.fits(have):
        plan.problems.append(
            f"stream {plan.stream}: property {plan.prefix}{prop} is {DESCRIBED[kind.kind]} (a"
            f" {kind.field_type} field), but field {prop} of {plan.whose} is {have}; existing fields are"
            " never changed:"
            f" send {have} values (cast in a stream map), rename the property, or change the field in"
            " Admin Center"
        )
        return
    if current.get("active") is False:
        plan.notes.append(f"field {prop} exists but is inactive: activate it in Admin Center to fill it")
    plan.in_place.append(prop)


def _too_long(key: str) -> str:
    return (
        f"{key[:20]}… has {len(key)} characters, over the {MAX_KEY_LENGTH} a field key may have here"
        " (Zendesk documents no maximum)"
    )


def _label(key: str) -> str:
    """`plan_amount` → `Plan amount`: a title a person can rename later in Admin Center."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _plural(title: str) -> str:
    """English plural of the last word, by the common rules (Admin Center can correct it)."""
    lower = title.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return title + "es"
    if lower.endswith("y") and lower[-2:-1] not in set("aeiou"):
        return title[:-1] + "ies"
    return title + "s"
