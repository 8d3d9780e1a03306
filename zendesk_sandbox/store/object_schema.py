"""Rules for creating custom objects and their fields through the API (wire notes §16), each refusal a 422.

Documented rules (wire notes §16.2): a field key is letters, digits and `_`, not only digits, unique in its
object; `type` is one of ten, `text` when absent; dropdown and multiselect fields need options with a
`name` and a `value`, at most 2,000; a lookup needs a valid `relationship_target_type`; `title` is required.
Decided here, where Zendesk's rules are unconfirmed (wire notes §16.1, §16):
- an object key matches `^[a-z][a-z0-9_]*$` and a key of either kind has at most 64 characters;
- an object needs `key`, `title` and `title_pluralized`;
- option values are unique within a field; a regexp field needs a pattern that compiles;
- every refusal is 422 RecordInvalid with `details.<attribute>` (a duplicate key under `details.key`,
  wire notes §16); a limit reached is `details.base` with error `LimitExceeded`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data.fielddefs import CUSTOM_FIELD_TYPES
from zendesk_sandbox.store import lookups
from zendesk_sandbox.store.validation import Details, RecordInvalidError, add

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import SandboxSettings
    from zendesk_sandbox.store.records import ObjectMeta

MAX_KEY_LENGTH = 64
MAX_OPTIONS = 2000  # wire notes §14.5
_OBJECT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD_KEY = re.compile(r"^[A-Za-z0-9_]+$")
# Writable attributes of a new object besides key and title (OAS CustomObjectCreateInput)
_OBJECT_TEXT = ("title_pluralized", "description")
_OBJECT_FLAGS = ("include_in_list_view", "allows_photos", "allows_attachments")


def checked_object(body: Json, existing: dict[str, ObjectMeta], settings: SandboxSettings) -> dict[str, Any]:
    """Return the attributes of a new custom object, or raise RecordInvalidError."""
    details: Details = {}
    if not isinstance(body, dict):
        add(details, "base", "InvalidValue", "custom_object must be an object")
        raise RecordInvalidError(details)
    key = body.get("key")
    if _key_ok(key, _OBJECT_KEY, details, "start with a lowercase letter and hold only lowercase letters, "
               "digits and underscores") and key in existing:  # fmt: skip
        add(details, "key", "DuplicateValue", "Key has already been taken")
    for name in ("title", "title_pluralized"):
        _text_required(body, name, details)
    attributes = _typed(body, dict.fromkeys(_OBJECT_TEXT, str) | dict.fromkeys(_OBJECT_FLAGS, bool), details)
    if not details and len(existing) >= settings.custom_object_limit:
        limit = settings.custom_object_limit
        add(details, "base", "LimitExceeded", f"The account has reached its limit of {limit} custom objects")
    if details:
        raise RecordInvalidError(details)
    return {"key": key, "title": body["title"], **attributes}


def checked_field(
    body: Json, meta: ObjectMeta, settings: SandboxSettings, object_exists: Callable[[str], bool]
) -> dict[str, Any]:
    """Return the definition of a new field of `meta`'s object, or raise RecordInvalidError."""
    details: Details = {}
    body, definition = _field_basics(body, meta.fields, object_exists, details, "custom_object_field")
    definition |= _typed(body, {"description": str, "active": bool, "required": bool, "tag": str}, details)
    if not details:
        _check_limits(meta, definition["type"], settings, details)
    if details:
        raise RecordInvalidError(details)
    return definition


def _field_basics(
    body: Json,
    existing: list[dict[str, Any]],
    object_exists: Callable[[str], bool],
    details: Details,
    what: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check what every new field needs (key, type, title, the type's own attributes); return (body, them)."""
    if not isinstance(body, dict):
        add(details, "base", "InvalidValue", f"{what} must be an object")
        raise RecordInvalidError(details)
    # text when no type is given (wire notes §16.2)
    key, field_type = body.get("key"), body.get("type", "text")
    if _key_ok(key, _FIELD_KEY, details, "consist of only letters, numbers, and underscores") and (
        any(field.get("key") == key for field in existing)
    ):
        add(details, "key", "DuplicateValue", "Key has already been taken")
    if field_type not in CUSTOM_FIELD_TYPES:  # a custom object field's, as a user or organization field's
        add(details, "type", "InvalidValue", f"Type must be one of {', '.join(sorted(CUSTOM_FIELD_TYPES))}")
    _text_required(body, "title", details)
    definition = {"key": key, "type": field_type, "title": body.get("title")}
    return body, definition | _type_specific(body, field_type, object_exists, details)


def _key_ok(key: Json, pattern: re.Pattern[str], details: Details, rule: str) -> bool:
    """Check a key's form; return True when it is well-formed (uniqueness is the caller's)."""
    if not isinstance(key, str) or not key:
        add(details, "key", "BlankValue", "Key cannot be blank")
        return False
    if len(key) > MAX_KEY_LENGTH or not pattern.match(key) or key.isdigit():
        add(
            details,
            "key",
            "InvalidValue",
            f"Key must {rule}, not only numbers, at most {MAX_KEY_LENGTH} characters",
        )
        return False
    return True


def _text_required(body: dict[str, Any], name: str, details: Details) -> None:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        add(details, name, "BlankValue", f"{name.replace('_', ' ').capitalize()} cannot be blank")


def _typed(body: dict[str, Any], types: dict[str, type], details: Details) -> dict[str, Any]:
    """Return the optional attributes of `types` that `body` gives, each checked against its type."""
    out: dict[str, Any] = {}
    for name, kind in types.items():
        if name not in body:
            continue
        if body[name] is not None and not isinstance(body[name], kind):
            add(
                details, name, "InvalidValue", f"{name} must be {'true or false' if kind is bool else 'text'}"
            )
        else:
            out[name] = body[name]
    return out


def _type_specific(
    body: dict[str, Any], field_type: Json, object_exists: Callable[[str], bool], details: Details
) -> dict[str, Any]:
    """Return the attributes a field of `field_type` needs: options, pattern, lookup target."""
    if field_type in {"dropdown", "multiselect"}:
        return {"custom_field_options": _options(body.get("custom_field_options"), details)}
    if field_type == "regexp":
        return {"regexp_for_validation": _pattern(body.get("regexp_for_validation"), details)}
    if field_type != "lookup":
        return {}
    target = body.get("relationship_target_type")
    if not lookups.valid_target(target, object_exists, on_custom_object=True):
        add(details, "relationship_target_type", "InvalidValue",
            "Relationship target type must be zen:user, zen:organization, zen:ticket, zen:brand, "
            "zen:article or zen:custom_object:<the key of an existing object>")  # fmt: skip
    relationship_filter = body.get("relationship_filter")
    return {
        "relationship_target_type": target,
        "relationship_filter": relationship_filter if isinstance(relationship_filter, dict) else {},
    }


def _options(options: Json, details: Details) -> list[dict[str, str]]:
    if not isinstance(options, list) or not options:
        add(details, "custom_field_options", "BlankValue", "Dropdown and multiselect fields need options")
        return []
    if len(options) > MAX_OPTIONS:
        add(details, "custom_field_options", "InvalidValue", f"A field has at most {MAX_OPTIONS} options")
        return []
    out: list[dict[str, str]] = []
    for option in options:
        name = option.get("name") if isinstance(option, dict) else None
        value = option.get("value") if isinstance(option, dict) else None
        if not isinstance(name, str) or not name or not isinstance(value, str) or not value:
            add(details, "custom_field_options", "InvalidValue", "Every option needs a name and a value")
            return []
        out.append({"name": name, "value": value})
    if len({option["value"] for option in out}) != len(out):
        add(details, "custom_field_options", "DuplicateValue", "Option values must be unique")
    return out


def _pattern(pattern: Json, details: Details) -> str | None:
    if not isinstance(pattern, str) or not pattern:
        add(details, "regexp_for_validation", "BlankValue", "A regexp field needs regexp_for_validation")
        return None
    try:
        re.compile(pattern)
    except re.error:
        add(details, "regexp_for_validation", "InvalidValue", "regexp_for_validation is not a valid pattern")
        return None
    return pattern


def _check_limits(meta: ObjectMeta, field_type: str, settings: SandboxSettings, details: Details) -> None:
    custom = meta.custom_fields  # standard fields do not count (wire notes §14.5)
    limit, lookup_limit = settings.custom_object_field_limit, settings.custom_object_lookup_field_limit
    if len(custom) >= limit:
        add(details, "base", "LimitExceeded", f"{meta.key} has reached its limit of {limit} fields")
    lookups_now = sum(1 for field in custom if field["type"] == "lookup")
    if field_type == "lookup" and lookups_now >= lookup_limit:
        add(
            details,
            "base",
            "LimitExceeded",
            f"{meta.key} has reached its limit of {lookup_limit} lookup fields",
        )


def checked_people_field(
    body: Json, existing: list[dict[str, Any]], object_exists: Callable[[str], bool]
) -> dict[str, Any]:
    """Return a new user or organization field (key, type, title, options...), or raise RecordInvalidError.

    The rules of a custom object field (OAS CustomFieldObject: the same key form and types), unique among
    `existing`; a lookup may point at users, organizations, tickets and custom objects. Zendesk documents
    no limit on their number (wire notes §26), so none is applied.
    """
    details: Details = {}
    _, specific = _field_basics(body, existing, object_exists, details, "the field")
    target = specific.get("relationship_target_type")
    if specific["type"] == "lookup" and target in lookups.OBJECT_ONLY_TARGETS:
        add(details, "relationship_target_type", "InvalidValue", f"{target} is only for custom object fields")
    if details:
        raise RecordInvalidError(details)
    options = [option["value"] for option in specific.get("custom_field_options", ())]
    return {"options": options, **specific}
