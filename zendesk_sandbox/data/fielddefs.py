"""Custom fields of tickets, users and organizations: definitions, and values as Zendesk sends them.

Wire form of a value per type (wire notes §10 for tickets; the OAS examples of `user_fields` and
`organization_fields` for the rest, where the real typing is unconfirmed, wire notes §14.4):

| type | ticket `custom_fields[].value` | `user_fields` / `organization_fields` value |
|---|---|---|
| text, textarea, regexp | string | string |
| integer | string of digits | number |
| decimal | string, e.g. "12.50" | number |
| checkbox | boolean (false when unset) | boolean (false when unset) |
| date | "YYYY-MM-DD" | "YYYY-MM-DDT00:00:00+00:00" |
| tagger / dropdown | the option's value (a tag) | the option's value |
| multiselect | list of option values | list of option values |
| lookup | the target's id as a string | the target's id as a number |
| partialcreditcard (tickets only) | "XXXXXXXXXXXX" + the last 4 digits | — |
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from zendesk_sandbox.data.datagen import iso, pick

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Sequence

    from zendesk_sandbox.jsonvalue import Json

FieldKind = Literal["ticket", "user", "organization"]
FIELD_KINDS: tuple[FieldKind, ...] = ("ticket", "user", "organization")
# Ids are 13-digit int64s like every other Zendesk id (wire notes §1); one block per kind of field.
TICKET_FIELD_ID_BASE = 360_000_000_000
USER_FIELD_ID_BASE = 360_000_500_000
ORGANIZATION_FIELD_ID_BASE = 360_000_800_000
FIELD_ID_BASES: dict[FieldKind, int] = {
    "ticket": TICKET_FIELD_ID_BASE,
    "user": USER_FIELD_ID_BASE,
    "organization": ORGANIZATION_FIELD_ID_BASE,
}
# The types each kind of field can have (OAS CreateTicketField; CustomFieldObject.type for the others, and
# for custom object fields: store/object_schema.py).
TICKET_FIELD_TYPES = frozenset(
    {"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "partialcreditcard",
     "multiselect", "tagger", "lookup"}
)  # fmt: skip
CUSTOM_FIELD_TYPES = frozenset(
    {
        "text",
        "textarea",
        "checkbox",
        "date",
        "integer",
        "decimal",
        "regexp",
        "dropdown",
        "multiselect",
        "lookup",
    }
)
MASKED_CARD = "XXXXXXXXXXXX"  # a partial credit card keeps only its last 4 digits (OAS CreateTicketField)
EMPTY_SHARE = 0.2  # a fifth of custom field values are left empty, as in real accounts


@dataclass(frozen=True)
class FieldSpec:
    """One seeded custom field."""

    key: str
    type: str
    title: str
    options: tuple[str, ...] = ()
    regexp: str | None = None
    target: str | None = None  # relationship_target_type of a lookup


# Every custom field type of each kind, plus two fields sharing the title "Region" (a consumer must cope).
# Option values of ticket fields are tags, unique across the account (OAS CreateTicketField note).
TICKET_FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("order_number", "text", "Order number"),
    FieldSpec("internal_summary", "textarea", "Internal summary"),
    FieldSpec("escalated", "checkbox", "Escalated"),
    FieldSpec("product", "tagger", "Product", ("product_basic", "product_pro", "product_suite")),
    FieldSpec("affected_systems", "multiselect", "Affected systems", ("sys_api", "sys_web", "sys_mobile")),
    FieldSpec("renewal_date", "date", "Renewal date"),
    FieldSpec("seats", "integer", "Seats"),
    FieldSpec("order_value", "decimal", "Order value"),
    FieldSpec("invoice_code", "regexp", "Invoice code", regexp=r"^INV-\d{6}$"),
    FieldSpec("related_organization", "lookup", "Related organization", target="zen:organization"),
    FieldSpec("card", "partialcreditcard", "Card on file"),
    FieldSpec("region", "text", "Region"),
    FieldSpec("region_code", "tagger", "Region", ("region_emea", "region_amer", "region_apac")),
)
USER_FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("department", "text", "Department"),
    FieldSpec("biography", "textarea", "Biography"),
    FieldSpec("loyalty_points", "integer", "Loyalty points"),
    FieldSpec("lifetime_value", "decimal", "Lifetime value"),
    FieldSpec("newsletter", "checkbox", "Newsletter"),
    FieldSpec("birthday", "date", "Birthday"),
    FieldSpec("plan", "dropdown", "Plan", ("free", "team", "business")),
    FieldSpec("customer_code", "regexp", "Customer code", regexp=r"^C-\d{5}$"),
    FieldSpec("account_manager", "lookup", "Account manager", target="zen:user"),
    FieldSpec("interests", "multiselect", "Interests", ("billing", "mobile", "api", "security")),
    FieldSpec("region", "text", "Region"),
    FieldSpec("region_code", "dropdown", "Region", ("emea", "amer", "apac")),
)
ORGANIZATION_FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("industry", "text", "Industry"),
    FieldSpec("summary", "textarea", "Summary"),
    FieldSpec("employees", "integer", "Employees"),
    FieldSpec("annual_revenue", "decimal", "Annual revenue"),
    FieldSpec("strategic", "checkbox", "Strategic"),
    FieldSpec("renewal_date", "date", "Renewal date"),
    FieldSpec("tier", "dropdown", "Tier", ("bronze", "silver", "gold")),
    FieldSpec("duns", "regexp", "DUNS number", regexp=r"^\d{9}$"),
    FieldSpec("success_manager", "lookup", "Success manager", target="zen:user"),
    FieldSpec("products", "multiselect", "Products", ("chat", "voice", "guide", "support")),
    FieldSpec("region", "text", "Region"),
    FieldSpec("region_code", "dropdown", "Region", ("emea", "amer", "apac")),
)
FIELD_SPECS: dict[FieldKind, tuple[FieldSpec, ...]] = {
    "ticket": TICKET_FIELD_SPECS,
    "user": USER_FIELD_SPECS,
    "organization": ORGANIZATION_FIELD_SPECS,
}
_SYSTEM_TICKET_FIELDS = (
    ("subject", "Subject"),
    ("description", "Description"),
    ("status", "Status"),
    ("tickettype", "Type"),
    ("priority", "Priority"),
    ("group", "Group"),
    ("assignee", "Assignee"),
    ("custom_status", "Ticket status"),
)
SYSTEM_OPTIONS = {
    "status": ("new", "open", "pending", "hold", "solved", "closed"),
    "priority": ("low", "normal", "high", "urgent"),
    "tickettype": ("question", "incident", "problem", "task"),
}
_WORDS = ("please", "help", "order", "account", "today", "urgent", "thanks", "again", "error", "billing")


# --- definitions -----------------------------------------------------------------------------------------


def ticket_fields(created: int, custom_status_ids: dict[str, int]) -> list[dict[str, Any]]:
    """Return the account's ticket fields (system then custom), by position, without `url`.

    See wire notes §10.
    """
    fields: list[dict[str, Any]] = []
    for position, (kind, title) in enumerate(_SYSTEM_TICKET_FIELDS):
        field = _ticket_field_base(TICKET_FIELD_ID_BASE + position, kind, title, position, created)
        field["removable"] = False
        if kind in SYSTEM_OPTIONS:
            field["system_field_options"] = [{"name": v.title(), "value": v} for v in SYSTEM_OPTIONS[kind]]
        if kind == "status":
            field["sub_type_id"] = 0
        if kind == "custom_status":
            field["custom_statuses"] = [
                {
                    "id": status_id,
                    "status_category": name,
                    "agent_label": name.title(),
                    "end_user_label": name.title(),
                    "description": "",
                    "end_user_description": "",
                    "active": True,
                    "default": True,
                    "created_at": iso(created),
                    "updated_at": iso(created),
                }
                for name, status_id in custom_status_ids.items()
            ]
        fields.append(field)
    for index, spec in enumerate(TICKET_FIELD_SPECS):
        position = len(_SYSTEM_TICKET_FIELDS) + index
        fields.append(new_field("ticket", spec, TICKET_FIELD_ID_BASE + 100 + index, position, created))
    return fields


def custom_fields(kind: FieldKind, created: int) -> list[dict[str, Any]]:
    """Return the seeded user or organization fields, by position, without `url`."""
    base = FIELD_ID_BASES[kind]
    return [
        new_field(kind, spec, base + 100 + index, index, created)
        for index, spec in enumerate(FIELD_SPECS[kind])
    ]


def new_field(kind: FieldKind, spec: FieldSpec, field_id: int, position: int, created: int) -> dict[str, Any]:
    """Return one custom field definition of `kind` in Zendesk's shape (without `url`)."""
    if kind == "ticket":
        field = _ticket_field_base(field_id, spec.type, spec.title, position, created)
        field["key"] = spec.key
    else:
        field = {
            "url": None,
            "id": field_id,
            "type": spec.type,
            "key": spec.key,
            "title": spec.title,
            "description": f"{spec.title} of the {kind}",
            "raw_title": spec.title,
            "raw_description": f"{spec.title} of the {kind}",
            "position": position,
            "active": True,
            "system": False,
            "regexp_for_validation": None,
            "created_at": iso(created),
            "updated_at": iso(created),
        }
    if spec.options:
        field["custom_field_options"] = [
            {
                "id": field_id * 10 + option_index,
                "name": _option_name(value),
                "raw_name": _option_name(value),
                "value": value,
                "position": option_index,
                "default": False,
            }
            for option_index, value in enumerate(spec.options)
        ]
    if spec.regexp is not None:
        field["regexp_for_validation"] = spec.regexp
    if spec.target is not None:
        field["relationship_target_type"] = spec.target
        field["relationship_filter"] = {"all": [], "any": []}
    if spec.type == "checkbox":
        field["tag"] = None
    return field


def _option_name(value: str) -> str:
    return value.split("_", 1)[-1].replace("_", " ").title()


def _ticket_field_base(field_id: int, kind: str, title: str, position: int, created: int) -> dict[str, Any]:
    return {
        "url": None,
        "id": field_id,
        "type": kind,
        "title": title,
        "raw_title": title,
        "description": f"{title} of the ticket",
        "raw_description": f"{title} of the ticket",
        "position": position,
        "active": True,
        "required": False,
        "collapsed_for_agents": False,
        "regexp_for_validation": None,
        "title_in_portal": title,
        "raw_title_in_portal": title,
        "visible_in_portal": kind in {"subject", "description"},
        "editable_in_portal": kind in {"subject", "description"},
        "required_in_portal": False,
        "tag": None,
        "created_at": iso(created),
        "updated_at": iso(created),
        "removable": True,
        "key": None,
        "agent_description": None,
    }


def is_custom(kind: FieldKind, field: dict[str, Any]) -> bool:
    """Return True for a custom field (ticket system fields are not)."""
    return kind != "ticket" or field["type"] in TICKET_FIELD_TYPES


# --- values ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupTargets:
    """Ids a seeded lookup value can point at, by relationship_target_type."""

    users: Sequence[int]
    organizations: Sequence[int]

    def pick(self, target: str, rng: random.Random) -> int | None:
        """Return a random id of the target type, or None when there is none."""
        pool = (
            self.users if target == "zen:user" else self.organizations if target == "zen:organization" else ()
        )
        return pick(rng, pool) if pool else None


def value_maker(
    kind: FieldKind, field: dict[str, Any], targets: LookupTargets
) -> Callable[[random.Random, int], Json]:
    """Return `make(rng, now)`: a random value of `field` in the wire form of `kind`, or empty (a fifth)."""
    draw = _drawer(kind, field, targets)
    empty = False if field["type"] == "checkbox" else None

    def make(rng: random.Random, now: int) -> Json:
        return empty if rng.random() < EMPTY_SHARE else draw(rng, now)

    return make


def _drawer(  # noqa: PLR0911, C901 - one branch per field type
    kind: FieldKind, field: dict[str, Any], targets: LookupTargets
) -> Callable[[random.Random, int], Json]:
    """Return a drawer of non-empty values for one field; what can be worked out once is, here."""
    field_type = field["type"]
    options = tuple(option["value"] for option in field.get("custom_field_options", ()))
    if field_type in {"text", "textarea"}:
        return lambda rng, _now: f"{pick(rng, _WORDS)}-{int(rng.random() * 98999) + 1000}"
    if field_type == "checkbox":
        return lambda rng, _now: rng.random() < 0.5  # noqa: PLR2004
    if field_type in {"tagger", "dropdown"}:
        return lambda rng, _now: pick(rng, options)
    if field_type == "multiselect":
        return lambda rng, _now: sorted({pick(rng, options), pick(rng, options)})
    if field_type == "date":
        return lambda rng, now: wire_value(
            kind,
            "date",
            time.strftime("%Y-%m-%d", time.gmtime(now + (int(rng.random() * 600) - 200) * 86400)),
        )
    if field_type == "integer":
        return lambda rng, _now: wire_value(kind, "integer", 1 + int(rng.random() * 500))
    if field_type == "decimal":
        return lambda rng, _now: wire_value(kind, "decimal", (100 + int(rng.random() * 99900)) / 100)
    if field_type == "regexp":
        pattern = field.get("regexp_for_validation") or ""
        return lambda rng, _now: sample_matching(pattern, rng)
    if field_type == "partialcreditcard":
        return lambda rng, _now: f"{MASKED_CARD}{int(rng.random() * 10000):04d}"
    target = field.get("relationship_target_type") or ""

    def lookup(rng: random.Random, _now: int) -> Json:
        found = targets.pick(target, rng)
        return None if found is None else wire_value(kind, "lookup", str(found))

    return lookup


def wire_value(kind: FieldKind, field_type: str, canonical: Json) -> Json:  # noqa: PLR0911 - one branch per type
    """Return a canonical value (validation's stored form) in the wire form of `kind`."""
    if canonical is None:
        return False if field_type == "checkbox" else None
    if kind == "ticket":
        if field_type == "integer":
            return str(canonical)  # Zendesk returns numeric ticket field values as strings (wire notes §10)
        if field_type == "decimal":
            return f"{float(canonical):.2f}"
        return canonical
    if field_type == "integer":
        return int(canonical)
    if field_type == "decimal":
        return float(canonical)
    if field_type == "date":
        return f"{canonical}T00:00:00+00:00"  # the OAS organization_fields example's form
    if field_type == "lookup":
        return int(canonical)  # user and organization lookup values are numbers (wire notes §14.4, 3P)
    return canonical


_PATTERN_PART = re.compile(r"\\d\{(\d+)\}|\\d|([^\\^$])")


def sample_matching(pattern: str, rng: random.Random) -> str:
    r"""Return a string matching a simple pattern of literals and `\d{n}` (the seeded regexp fields')."""
    out: list[str] = []
    for digits, literal in _PATTERN_PART.findall(pattern):
        if literal:
            out.append(literal)
        else:
            out.extend(str(rng.randrange(10)) for _ in range(int(digits or 1)))
    return "".join(out)


def field_type_of(fields: Sequence[dict[str, Any]]) -> Callable[[str], str | None]:
    """Return a function giving the type of a field by key (None for an unknown key)."""
    types = {field.get("key"): field["type"] for field in fields}
    return types.get
