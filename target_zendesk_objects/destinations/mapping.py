"""Routing a record to a custom object and turning it into a custom object record.

See docs/target.md, Where a record goes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from target_zendesk_objects.lookups.rules import (
    CONVENTION_SEPARATOR,
    CUSTOM_OBJECT,
    LookupRule,
    conventional_rule,
    object_rules,
    prefixed_value,
)
from target_zendesk_objects.records.item import BadRecordError, WriteItem
from target_zendesk_objects.records.keys import LookupNeed
from target_zendesk_objects.records.validation import InvalidFieldsError, unsendable
from target_zendesk_objects.records.values import text_value
from zendesk_objects_shared import ConfigurationError
from zendesk_objects_shared.custom_objects import STREAM_PREFIX

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from target_zendesk_objects.destinations.base import Destination
    from target_zendesk_objects.records.validation import ObjectFields

LOGGER = logging.getLogger("target-zendesk-objects")
# Top-level properties with a meaning of their own: never warned about as "not a field".
RESERVED_PROPERTIES = frozenset(
    {
        "id",
        "url",
        "name",
        "external_id",
        "custom_object_key",
        "custom_object_fields",
        "deleted",
        "created_at",
        "updated_at",
        "created_by_user_id",
        "updated_by_user_id",
        "photo",
    }
)


@dataclass
class RecordMapper:
    """Applies the routing and mapping settings to records."""

    config: Mapping[str, Any]
    fields_for: Callable[[str, str], ObjectFields]  # (object key, stream) -> its field definitions
    # zen:user, zen:organization, zen:organization_membership -> the destination that builds their writes
    destinations: Mapping[str, Destination] = field(default_factory=dict)
    _warned: set[tuple[str, str]] = field(default_factory=set)
    _rules: dict[str, dict[str, LookupRule]] = field(default_factory=dict)  # per object, by property
    _conventions: dict[tuple[str, str], LookupRule | None] = field(default_factory=dict)

    @property
    def match_on(self) -> str:
        """`external_id` or `name`."""
        return str(self.config.get("match_on") or "external_id")

    def object_key(self, stream: str, record: Mapping[str, Any]) -> str:
        """The record's own `custom_object_key`, else `object_map[stream]`, else the settings' default."""
        own = record.get("custom_object_key")
        if own:
            return str(own)
        mapped = (self.config.get("object_map") or {}).get(stream)
        if mapped:
            return str(mapped)
        return str(self.config.get("custom_object_key") or stream.removeprefix(STREAM_PREFIX))

    def external_id(self, record: Mapping[str, Any], key_properties: Sequence[str]) -> str | None:
        """`external_id_property`, else a non-empty `external_id`, else the key properties joined by `:`."""
        prop = self.config.get("external_id_property")
        if prop:
            return text_value(record.get(prop))
        own = text_value(record.get("external_id"))
        if own:
            return own
        if key_properties and all(record.get(k) not in {None, ""} for k in key_properties):
            return ":".join(str(text_value(record[k])) for k in key_properties)
        return None

    def build(
        self, stream: str, record: dict[str, Any], key_properties: Sequence[str], *, deleted: bool
    ) -> WriteItem | None:
        """Make the write for one record; InvalidFieldsError (from validation) rejects just this record.

        None: nothing is to be written (a delete that `allow_deletes` does not allow: ignored, counted).
        """
        object_key = self.object_key(stream, record)
        destination = self.destinations.get(object_key)
        if destination is not None:
            return destination.build(stream, record, deleted=deleted)
        fields = self.fields_for(object_key, stream)
        external_id = self.external_id(record, key_properties)
        name = text_value(record.get("name"))
        if self.match_on == "name":
            if not name:
                msg = f"stream {stream}: a record has no `name`, which `match_on: name` needs"
                raise BadRecordError(msg)
            key = name
        elif not external_id:
            msg = (
                f"stream {stream}: a record has no external id (set `external_id_property`, "
                "send `external_id`, or declare key properties)"
            )
            raise BadRecordError(msg)
        else:
            key = external_id
        body: dict[str, Any] = {}
        needs: list[LookupNeed] = []
        prefixed: list[str] = []
        if not deleted:
            if name and not fields.name_autonumbered:  # Zendesk numbers those itself and refuses a name
                body["name"] = name
            if external_id:
                body["external_id"] = external_id
            values = self._field_values(record, fields)
            needs, prefixed = self._lookups(stream, record, fields, values)
            body["custom_object_fields"] = fields.clean(values)
        problem = unsendable(key, body)
        if problem:
            raise InvalidFieldsError(problem)
        item = WriteItem(stream, object_key, self.match_on, key, delete=deleted, body=body, source=record)
        item.lookups, item.prefixed = needs, prefixed
        if self.match_on == "external_id":
            item.aliases = ((f"{CUSTOM_OBJECT}{object_key}", "external_id", key),)
        return item

    def _field_values(self, record: Mapping[str, Any], fields: ObjectFields) -> dict[str, Any]:
        given = record.get("custom_object_fields")
        if isinstance(given, dict):
            return dict(given)  # our tap's shape: taken as it is
        values = {}
        configured = self._object_rules(fields)
        for prop, value in record.items():
            if prop in fields.fields:
                values[prop] = value
            elif (
                prop not in RESERVED_PROPERTIES
                and not prop.startswith("_sdc_")
                and prop not in configured
                and self._convention(prop, fields) is None
            ):
                self._warn_once(fields.key, prop)
        return values

    def _lookups(
        self, stream: str, record: Mapping[str, Any], fields: ObjectFields, values: dict[str, Any]
    ) -> tuple[list[LookupNeed], list[str]]:
        """Take natural keys out of `values`: resolved later (needs), or left to Zendesk (prefixed)."""
        rules = self._object_rules(fields)
        found = [rule for prop, rule in rules.items() if prop in record or prop in values]
        if any(CONVENTION_SEPARATOR in prop for prop in record):
            found += [rule for prop in record if (rule := self._convention(prop, fields)) is not None]
        keys = [(rule, _key_of(rule, record, values)) for rule in found]
        given = _given_ids(keys, values)
        needs: list[LookupNeed] = []
        prefixed: list[str] = []
        for rule, key in keys:
            if key is None or rule.by == "id":
                continue
            if rule.by == "name" and rule.target.startswith(CUSTOM_OBJECT):
                self._require_unique_names(stream, rule)
            shortcut = None if rule.field in given else prefixed_value(rule, key)
            if shortcut is not None:
                values[rule.field] = shortcut
                prefixed.append(rule.field)
            else:
                values.pop(rule.field, None)
                needs.append(
                    LookupNeed(rule.field, rule.target, rule.by, key, given_id=given.get(rule.field))
                )
        waited = {need.field for need in needs} | set(prefixed)
        for rule, _ in keys:
            if rule.field not in waited:
                values[rule.field] = given.get(rule.field)  # an id, or no key: the lookup is left empty
        return needs, prefixed

    def _object_rules(self, fields: ObjectFields) -> dict[str, LookupRule]:
        rules = self._rules.get(fields.key)
        if rules is None:
            rules = self._rules[fields.key] = object_rules(self.config, fields)
        return rules

    def _convention(self, prop: str, fields: ObjectFields) -> LookupRule | None:
        known = (fields.key, prop)
        if known not in self._conventions:
            self._conventions[known] = conventional_rule(prop, fields)
        return self._conventions[known]

    def _require_unique_names(self, stream: str, rule: LookupRule) -> None:
        target_key = rule.target.removeprefix(CUSTOM_OBJECT)
        if not self.fields_for(target_key, stream).name_unique:
            msg = (
                f"lookup field {rule.field!r} finds {rule.target} records by name, but custom object "
                f"{target_key!r} does not enforce unique names: look them up by external_id or id"
            )
            raise ConfigurationError(msg)

    def _warn_once(self, object_key: str, prop: str) -> None:
        if (object_key, prop) not in self._warned:
            self._warned.add((object_key, prop))
            LOGGER.warning("Property %r is not a field of custom object %r: ignored", prop, object_key)


def _key_of(rule: LookupRule, record: Mapping[str, Any], values: dict[str, Any]) -> str | None:
    return text_value(record[rule.prop] if rule.prop in record else values.get(rule.prop))


def _given_ids(keys: list[tuple[LookupRule, str | None]], values: dict[str, Any]) -> dict[str, str]:
    """The ids a record gives its lookup fields: by an `id` rule, or in the field's own property.

    The field's own property holds an id unless a rule reads a natural key from it.
    """
    given = {rule.field: key for rule, key in keys if rule.by == "id" and key is not None}
    read = {rule.prop for rule, _ in keys if rule.by != "id"}
    for rule, _ in keys:
        own = text_value(values.get(rule.field)) if rule.field not in read else None
        if own is not None:
            given.setdefault(rule.field, own)
    return given
