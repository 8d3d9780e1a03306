"""Records into the bodies of users, organizations and memberships: attributes, typed fields, lookups.

Shared by users.py, organizations.py and memberships.py (docs/target.md, Users, organizations and
memberships):
- each destination's own attributes, as Zendesk takes them (text, lists of text and flags by the helpers of
  records/values.py; an integer id);
- custom fields from typed properties named as our tap names them: `cf_<key>` (also `cf_<key>_<id>`, the
  tap's name when two fields share one), each checked against its field definition like a custom object
  field (the same type table);
- lookups by a natural key, resolved by the run's resolver: `organization__external_id` (`__name`,
  `__id`; `organization_id` is an id as it is), and `cf_<key>__<by>` or the `lookups` setting for a
  lookup field (its object key is the destination's name, e.g. `lookups: {"zen:user": {...}}`);
- the read-only attributes our tap emits (ids, timestamps, the raw `user_fields` object…) are ignored
  silently, anything else with one warning per property.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from target_zendesk_objects.lookups.rules import (
    CONVENTION_SEPARATOR,
    conventional_rule,
    object_rules,
)
from target_zendesk_objects.records.keys import LookupNeed
from target_zendesk_objects.records.validation import InvalidFieldsError, ObjectFields
from target_zendesk_objects.records.values import text_value

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from target_zendesk_objects.lookups.rules import LookupRule

LOGGER = logging.getLogger("target-zendesk-objects")
FIELD_PREFIX = "cf_"
# Our tap's slug of a field key (custom_fields.py): lower case, runs of other characters as one `_`.
_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 38  # the tap's longest slug
# Properties that belong to no destination and never get a warning.
ALWAYS_QUIET = frozenset({"custom_object_key", "deleted"})


def field_names(definitions: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Record property name -> active field definition, for every name our tap may give a field."""
    names: dict[str, dict[str, Any]] = {}
    for definition in sorted(definitions, key=lambda d: int(d.get("id") or 0)):
        key = definition.get("key")
        if not isinstance(key, str) or not key or definition.get("active") is False:
            continue
        slug = _SLUG.sub("_", key.lower()).strip("_")[:MAX_SLUG].rstrip("_") or "field"
        for name in (
            f"{FIELD_PREFIX}{key}",
            f"{FIELD_PREFIX}{slug}",
            f"{FIELD_PREFIX}{slug}_{definition.get('id')}",
        ):
            names.setdefault(name, definition)
    return names


def people_fields(kind: str, definitions: Iterable[dict[str, Any]]) -> ObjectFields:
    """A destination's custom fields, known by their record property names."""
    return ObjectFields.named(kind, field_names(definitions))


@dataclass(frozen=True)
class Link:
    """A top-level id filled from a record: directly (`organization_id`), or by a key a lookup resolves."""

    attribute: str  # where the id goes: `organization_id`, `user_id`
    target: str  # zen:organization, zen:user
    by: dict[str, str]  # record property -> key kind (`organization__external_id` -> external_id)
    required: bool = False  # a membership's ends: nothing found rejects the record

    @classmethod
    def to(cls, attribute: str, target: str, *, kinds: Iterable[str], required: bool = False) -> Link:
        """The usual properties: `<name>_id` (an id) and `<name>__<kind>` for each key kind."""
        name = attribute.removesuffix("_id")
        by = {attribute: "id"} | {f"{name}{CONVENTION_SEPARATOR}{kind}": kind for kind in kinds}
        return cls(attribute, target, by, required)


@dataclass
class PeopleMapper:
    """Turns one destination's records into bodies, lookups and checked custom field values."""

    kind: str  # zen:user, zen:organization, zen:organization_membership
    label: str  # how messages name its records: "users"
    config: Mapping[str, Any]
    read_only: frozenset[str]  # attributes our tap emits that are never written
    links: tuple[Link, ...] = ()
    # Its custom fields, read when first needed (the run's cache; memberships have none)
    fields_source: Callable[[], ObjectFields] | None = None
    _warned: set[str] = field(default_factory=set)
    _rules: dict[str, LookupRule] | None = None

    @property
    def fields(self) -> ObjectFields | None:
        """The destination's custom fields, by record property name."""
        return None if self.fields_source is None else self.fields_source()

    def custom_fields(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], list[LookupNeed]]:
        """The record's custom field values by field key (checked), and the lookups they wait for."""
        configured = self.kind in (self.config.get("lookups") or {})
        if not configured and not any(prop.startswith(FIELD_PREFIX) for prop in record):
            return {}, []  # no field named: the field definitions are not even read
        fields = self.fields
        if fields is None:
            return {}, []
        values = {prop: value for prop, value in record.items() if prop in fields.fields}
        needs: list[LookupNeed] = []
        for rule in self._lookup_rules(record, fields):
            values.pop(rule.field, None)
            key = text_value(record.get(rule.prop))
            field_key = fields.fields[rule.field]["key"]
            if key is None or rule.by == "id":
                values[rule.field] = key
            else:
                needs.append(LookupNeed(field_key, rule.target, rule.by, key, into=_fields_of(self.kind)))
        cleaned = fields.clean(values)
        return {fields.fields[name]["key"]: value for name, value in cleaned.items()}, needs

    def linked(self, record: Mapping[str, Any], body: dict[str, Any]) -> list[LookupNeed]:
        """Fill the links given as ids into `body`; return the lookups the others wait for."""
        needs = []
        for link in self.links:
            given = {prop: text_value(record[prop]) for prop in link.by if prop in record}
            ids = [(prop, key) for prop, key in given.items() if link.by[prop] == "id" and key is not None]
            given_id = str(_id(*ids[0])) if ids else None
            keyed = [
                LookupNeed(link.attribute, link.target, link.by[prop], key, into="", required=link.required)
                for prop, key in given.items()
                if link.by[prop] != "id" and key is not None
            ]
            for need in keyed:
                need.given_id = given_id  # the id and the key must name the same target (LookupNeed)
            if given and not keyed:
                body[link.attribute] = _id(*ids[0]) if ids else None
            needs += keyed
        return needs

    def warn_unknown(self, record: Mapping[str, Any], written: Iterable[str]) -> None:
        """One warning per property that this destination neither writes nor knows as read-only."""
        known = set(written) | self.read_only | ALWAYS_QUIET
        known |= {prop for link in self.links for prop in link.by}
        for prop in record:
            if prop in known or prop.startswith("_sdc_") or prop in self._warned:
                continue
            if self.fields is not None and (prop in self.fields.fields or self._is_lookup_key(prop)):
                continue
            self._warned.add(prop)
            LOGGER.warning("Property %r is not an attribute of %s: ignored", prop, self.label)

    def _lookup_rules(self, record: Mapping[str, Any], fields: ObjectFields) -> list[LookupRule]:
        if self._rules is None:
            self._rules = object_rules(self.config, fields)
        found = [rule for prop, rule in self._rules.items() if prop in record]
        for prop in record:
            if CONVENTION_SEPARATOR in prop and prop not in self._rules:
                rule = conventional_rule(prop, fields)
                if rule is not None:
                    found.append(rule)
        return found

    def _is_lookup_key(self, prop: str) -> bool:
        fields = self.fields
        if fields is None:
            return False
        if self._rules is not None and prop in self._rules:
            return True
        return CONVENTION_SEPARATOR in prop and conventional_rule(prop, fields) is not None


def _id(prop: str, key: str | None) -> int | None:
    if key is None:
        return None
    if not key.isdigit():
        msg = f"{prop}: expected a Zendesk id (digits), got {key!r}"
        raise InvalidFieldsError(msg)
    return int(key)


def _fields_of(kind: str) -> str:
    return "user_fields" if kind == "zen:user" else "organization_fields"
