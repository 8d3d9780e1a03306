"""Which record properties fill which lookup fields, and by which natural key (docs/target.md, Lookups).

A lookup field (`type: lookup`) points at a user, an organization, a ticket or a custom object record, and
Zendesk stores that target's id. A record may carry the id, or a natural key the target resolves:
- configured: `lookups: {<object>: {<field>: {"by": "email", "property": "customer_email"}}}`;
- by convention, with no setting: a property `<field>__<by>` (`customer__email`, `account__external_id`,
  `account__name`, `owner__id`) fills lookup field `<field>` by that key;
- otherwise a value given for the lookup field itself is an id, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zendesk_objects_shared import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from target_zendesk_objects.records.validation import ObjectFields

CONVENTION_SEPARATOR = "__"
CUSTOM_OBJECT = "zen:custom_object:"
KEY_KINDS = ("id", "external_id", "email", "name")
# The natural keys each target type can be found by. Users by name is allowed (names are not unique,
# so an ambiguous name is refused, never guessed); tickets have no name and no email.
KEYS_BY_TARGET = {
    "zen:user": frozenset({"id", "external_id", "email", "name"}),
    "zen:organization": frozenset({"id", "external_id", "name"}),
    "zen:ticket": frozenset({"id", "external_id"}),
}
RECORD_KEYS = frozenset({"id", "external_id", "name"})
POLICIES = ("reject", "empty")


@dataclass(frozen=True)
class LookupRule:
    """One lookup field of an object, filled from `prop` by a `by` key of a `target`."""

    field: str
    target: str  # relationship_target_type, e.g. zen:user, zen:custom_object:apartment
    by: str  # id | external_id | email | name
    prop: str


def keys_for(target: str) -> frozenset[str]:
    """The key kinds a target type can be looked up by."""
    if target.startswith(CUSTOM_OBJECT):
        return RECORD_KEYS
    return KEYS_BY_TARGET.get(target, frozenset({"id"}))  # zen:brand, zen:article: ids only


def check_settings(config: Mapping[str, Any]) -> None:
    """Check the shape of `lookups`, `lookup_unresolved` and the people settings before any request."""
    _check_choices(config, "user_roles", ("end-user", "agent", "admin"))
    _check_choices(config, "allow_deletes", ("zen:user", "zen:organization"))
    scope = config.get("job_limit_scope") or "account"
    if scope not in {"account", "endpoint"}:
        msg = f"`job_limit_scope` must be account or endpoint, not {scope!r}"
        raise ConfigurationError(msg)
    policy = config.get("lookup_unresolved") or "reject"
    if policy not in POLICIES:
        msg = f"`lookup_unresolved` must be one of {', '.join(POLICIES)}, not {policy!r}"
        raise ConfigurationError(msg)
    lookups = config.get("lookups") or {}
    if not isinstance(lookups, dict):
        msg = "`lookups` must be an object: {<custom object key>: {<lookup field key>: {by, property}}}"
        raise ConfigurationError(msg)
    for object_key, fields in lookups.items():
        if not isinstance(fields, dict):
            msg = f"`lookups.{object_key}` must be an object of lookup fields"
            raise ConfigurationError(msg)
        for field_key, rule in fields.items():
            where = f"`lookups.{object_key}.{field_key}`"
            if not isinstance(rule, dict):
                msg = f"{where} must be an object with `by` (and optionally `property`)"
                raise ConfigurationError(msg)
            if rule.get("by") not in KEY_KINDS:
                msg = f"{where}: `by` must be one of {', '.join(KEY_KINDS)}, not {rule.get('by')!r}"
                raise ConfigurationError(msg)


def _check_choices(config: Mapping[str, Any], setting: str, allowed: tuple[str, ...]) -> None:
    values = config.get(setting) or []
    if not isinstance(values, list) or any(value not in allowed for value in values):
        msg = f"`{setting}` must be a list of {', '.join(allowed)}, not {values!r}"
        raise ConfigurationError(msg)


def object_rules(config: Mapping[str, Any], fields: ObjectFields) -> dict[str, LookupRule]:
    """The configured rules of one object, checked against its field definitions; keyed by property."""
    configured = (config.get("lookups") or {}).get(fields.key) or {}
    rules: dict[str, LookupRule] = {}
    for field_key, rule in configured.items():
        where = f"`lookups.{fields.key}.{field_key}`"
        definition = fields.fields.get(field_key)
        if definition is None or definition.get("type") != "lookup":
            what = (
                "is not a field"
                if definition is None
                else f"is a {definition.get('type')} field, not a lookup"
            )
            msg = f"{where}: {field_key!r} {what} of custom object {fields.key!r}"
            raise ConfigurationError(msg)
        target = str(definition.get("relationship_target_type") or "")
        declared = rule.get("relationship_target_type")
        if declared and declared != target:
            msg = f"{where}: the field points at {target}, not at the configured {declared}"
            raise ConfigurationError(msg)
        by = str(rule["by"])
        if by not in keys_for(target):
            known = ", ".join(sorted(keys_for(target)))
            msg = f"{where}: {target} cannot be looked up by {by} (only by {known})"
            raise ConfigurationError(msg)
        prop = str(rule.get("property") or field_key)
        rules[prop] = LookupRule(field_key, target, by, prop)
    return rules


def conventional_rule(prop: str, fields: ObjectFields) -> LookupRule | None:
    """The rule a property named `<field>__<by>` asks for, when `<field>` is a lookup field of the object."""
    field_key, separator, by = prop.rpartition(CONVENTION_SEPARATOR)
    if not separator or by not in KEY_KINDS:
        return None
    definition = fields.fields.get(field_key)
    if definition is None or definition.get("type") != "lookup":
        return None
    target = str(definition.get("relationship_target_type") or "")
    if by not in keys_for(target):
        msg = (
            f"property {prop!r}: lookup field {field_key!r} of custom object {fields.key!r} points at "
            f"{target}, which cannot be looked up by {by}"
        )
        raise ConfigurationError(msg)
    return LookupRule(field_key, target, by, prop)


def prefixed_value(rule: LookupRule, key: str) -> str | None:
    """The value Zendesk resolves itself, for keys the target cannot look up (wire notes §14.2), else None.

    Records by (unique) name: no read finds records by name (only the upsert and delete take `?name=`), and
    Zendesk takes `"name:…"` as a lookup value when the target object's names are unique, storing the id.
    Every other key the target resolves itself, so that it can tell a missing key from an ambiguous one and
    apply `lookup_unresolved`; ticket external ids in particular are not unique, and what `"external_id:…"`
    does with two matching tickets is not documented.
    """
    if rule.by == "name" and rule.target.startswith(CUSTOM_OBJECT):
        return f"name:{key}"
    return None


def is_lookup_key_property(
    config: Mapping[str, Any], object_key: str, prop: str, lookup_fields: set[str]
) -> bool:
    """Whether record property `prop` carries a lookup key of object `object_key` (so it is no field itself).

    True for a configured `property` and for `<field>__<by>` where `<field>` is one of `lookup_fields` (the
    object's lookup fields, existing or about to be created). For code that makes fields from a SCHEMA.
    """
    configured = (config.get("lookups") or {}).get(object_key) or {}
    if any(
        prop == str(rule.get("property") or field) and prop != field for field, rule in configured.items()
    ):
        return True
    field_key, separator, by = prop.rpartition(CONVENTION_SEPARATOR)
    return bool(separator) and by in KEY_KINDS and field_key in lookup_fields
