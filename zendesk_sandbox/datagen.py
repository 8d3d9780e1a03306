"""Deterministic generators of realistic Zendesk and Sequin data (pure functions of a seeded RNG)."""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import CustomObjectSpec

# Real ids are 13-digit int64s for users, organizations, groups, fields and brands (wire notes §1);
# tickets are numbered per account from 1 (cursor example `1695052663.0||28|`).
USER_ID_BASE = 1_500_000_000_000
ORG_ID_BASE = 1_700_000_000_000
GROUP_ID_BASE = 1_900_000_000_000
TICKET_FIELD_ID_BASE = 360_000_000_000
OBJECT_FIELD_ID_BASE = 2_100_000_000_000
BRAND_ID = 360_000_123_456
FORM_ID = 360_000_654_321
# Custom statuses exist per status category; "closed" tickets keep their "solved" category status.
CUSTOM_STATUS_IDS = {"new": 1001, "open": 1002, "pending": 1003, "hold": 1004, "solved": 1005}
SCRUBBED_SUBJECT = "SCRUBBED"  # wire notes §2: scrubbed deleted tickets
SCRUBBED_DESCRIPTION = "X"
ORGANIZATIONS = 25
GROUPS = 4
SEQUIN_COLLECTIONS = ("stripe:subscription", "stripe:customer", "salesforce:account", "salesforce:contact")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SUBJECTS = (
    "Cannot log in",
    "Invoice is wrong",
    "Refund request",
    "Feature question",
    "App crashes on start",
    "Change my plan",
    "Delivery is late",
    "Password reset email never arrives",
)
_WORDS = ("please", "help", "order", "account", "today", "urgent", "thanks", "again", "error", "billing")
_TAGS = ("vip", "billing", "mobile", "web", "refund", "bug", "howto", "enterprise")
_CHANNELS = ("email", "web", "api", "mobile")
_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Linus", "Margaret", "Dennis", "Frances")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Torvalds", "Hamilton", "Ritchie")


T = TypeVar("T")
_TAG_SETS = tuple(tuple(sorted(combo)) for size in range(4) for combo in itertools.combinations(_TAGS, size))


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """Return one of `options` (cheaper than Random.choice; this runs millions of times when seeding)."""
    return options[int(rng.random() * len(options))]


def parse_iso(text: str) -> int:
    """Return epoch seconds of an ISO-8601 UTC timestamp."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def iso(epoch: float) -> str:
    """Return Zendesk's timestamp form, `YYYY-MM-DDTHH:MM:SSZ`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def compact(value: Json) -> str:
    """Return JSON without spaces, as Zendesk sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def ulid(epoch: float, rng: random.Random) -> str:
    """Return a 26-character ULID (48-bit milliseconds, 80 random bits) in Crockford base32."""
    number = (int(epoch * 1000) << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(number >> shift) & 31] for shift in range(125, -1, -5))


def user_ids(count: int) -> list[int]:
    """Return the ids of the seeded users; the first tenth are agents."""
    return [USER_ID_BASE + index * 17 for index in range(count)]


def user_count(tickets: int) -> int:
    """Return how many users a data set of `tickets` tickets has."""
    return max(20, min(5_000, tickets // 10))


def user_body(user_id: int, index: int, agent: bool, created: int) -> dict[str, Any]:  # noqa: FBT001
    """Return a user as the `users` sideload carries it."""
    first, last = _FIRST[index % len(_FIRST)], _LAST[(index // len(_FIRST)) % len(_LAST)]
    return {
        "id": user_id,
        "url": None,  # filled with the account URL when served
        "name": f"{first} {last} {index}",
        "email": f"{first.lower()}.{last.lower()}.{index}@example.com",
        "created_at": iso(created),
        "updated_at": iso(created),
        "time_zone": "Europe/Paris",
        "iana_time_zone": "Europe/Paris",
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": ORG_ID_BASE + index % ORGANIZATIONS,
        "role": "agent" if agent else "end-user",
        "verified": True,
        "external_id": None,
        "tags": [],
        "alias": "",
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": None,
        "two_factor_auth_enabled": None,
        "signature": None,
        "details": "",
        "notes": "",
        "role_type": 0 if agent else None,
        "custom_role_id": None,
        "moderator": agent,
        "ticket_restriction": None if agent else "requested",
        "only_private_comments": False,
        "restricted_agent": False,
        "suspended": False,
        "default_group_id": GROUP_ID_BASE if agent else None,
        "report_csv": False,
        "user_fields": {},
    }


# Custom ticket fields of every type Zendesk reports (wire notes §10), with how the seeder fills them.
_TICKET_CUSTOM_FIELDS: tuple[dict[str, Any], ...] = (
    {"type": "text", "title": "Order number"},
    {"type": "textarea", "title": "Internal summary"},
    {"type": "checkbox", "title": "Escalated"},
    {"type": "tagger", "title": "Product", "options": ("product_basic", "product_pro", "product_suite")},
    {"type": "multiselect", "title": "Affected systems", "options": ("sys_api", "sys_web", "sys_mobile")},
    {"type": "date", "title": "Renewal date"},
    {"type": "integer", "title": "Seats"},
    {"type": "decimal", "title": "Order value"},
    {"type": "regexp", "title": "Invoice code", "regexp": r"^INV-\d{6}$"},
    {"type": "lookup", "title": "Related organization", "target": "zen:organization"},
)
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
TICKET_CUSTOM_FIELD_IDS = tuple(
    TICKET_FIELD_ID_BASE + 100 + index for index in range(len(_TICKET_CUSTOM_FIELDS))
)


def ticket_fields(created: int) -> list[dict[str, Any]]:
    """Return the account's ticket fields (system then custom), ordered by position, without `url`."""
    fields: list[dict[str, Any]] = []
    for position, (kind, title) in enumerate(_SYSTEM_TICKET_FIELDS):
        field = _ticket_field_base(TICKET_FIELD_ID_BASE + position, kind, title, position, created)
        field["removable"] = False
        if kind in {"status", "priority", "tickettype"}:
            values = {
                "status": ("new", "open", "pending", "hold", "solved", "closed"),
                "priority": ("low", "normal", "high", "urgent"),
                "tickettype": ("question", "incident", "problem", "task"),
            }[kind]
            field["system_field_options"] = [{"name": value.title(), "value": value} for value in values]
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
                for name, status_id in CUSTOM_STATUS_IDS.items()
            ]
        fields.append(field)
    for index, spec in enumerate(_TICKET_CUSTOM_FIELDS):
        position = len(_SYSTEM_TICKET_FIELDS) + index
        field = _ticket_field_base(
            TICKET_CUSTOM_FIELD_IDS[index], spec["type"], spec["title"], position, created
        )
        field["key"] = spec["title"].lower().replace(" ", "_")
        if "options" in spec:
            field["custom_field_options"] = [
                {
                    "id": TICKET_FIELD_ID_BASE + 1000 + index * 10 + option_index,
                    "name": value.split("_", 1)[1].title(),
                    "raw_name": value.split("_", 1)[1].title(),
                    "value": value,
                    "default": False,
                }
                for option_index, value in enumerate(spec["options"])
            ]
        if "regexp" in spec:
            field["regexp_for_validation"] = spec["regexp"]
        if "target" in spec:
            field["relationship_target_type"] = spec["target"]
            field["relationship_filter"] = {"all": [], "any": []}
        fields.append(field)
    return fields


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


def _ticket_custom_value(kind: str, rng: random.Random, spec: dict[str, Any], created: int) -> Json:  # noqa: PLR0911
    if rng.random() < 0.2:  # noqa: PLR2004 - a fifth of custom fields are left empty, as in real accounts
        return False if kind == "checkbox" else None
    if kind in {"text", "textarea"}:
        return f"{pick(rng, _WORDS)}-{int(rng.random() * 98999) + 1000}"
    if kind == "checkbox":
        return rng.random() < 0.5  # noqa: PLR2004
    if kind == "tagger":
        return pick(rng, spec["options"])
    if kind == "multiselect":
        first = pick(rng, spec["options"])
        second = pick(rng, spec["options"])
        return sorted({first, second})
    if kind == "date":
        return time.strftime("%Y-%m-%d", time.gmtime(created + rng.randint(0, 400) * 86400))
    if kind == "integer":
        return str(rng.randint(1, 500))  # Zendesk returns numeric ticket field values as strings
    if kind == "decimal":
        return f"{rng.randint(100, 99999) / 100:.2f}"
    if kind == "regexp":
        return f"INV-{rng.randint(0, 999999):06d}"
    return str(ORG_ID_BASE + rng.randrange(ORGANIZATIONS))


class TicketShape:
    """Builds ticket bodies for one data set (users and agents fixed)."""

    def __init__(self, users: list[int]) -> None:
        """Use `users` as requesters; the first tenth of them are agents."""
        self.users = users
        self.agents = users[: max(2, len(users) // 10)]

    def ticket(  # noqa: PLR0913 - one value per column the store keeps beside the body
        self,
        rng: random.Random,
        ticket_id: int,
        created: int,
        updated: int,
        generated: int,
        *,
        deleted: bool,
        scrubbed: bool,
    ) -> dict[str, Any]:
        """Return one ticket with the 39 keys a real cursor export sends (wire notes §2), `url` first."""
        requester = pick(rng, self.users)
        assignee = pick(rng, self.agents) if rng.random() < 0.8 else None  # noqa: PLR2004
        status = pick(rng, ("new", "open", "open", "pending", "hold", "solved", "solved", "closed"))
        subject = f"{pick(rng, _SUBJECTS)} #{ticket_id}"
        description = " ".join(rng.choices(_WORDS, k=5 + int(rng.random() * 20)))
        custom = [
            {"id": field_id, "value": _ticket_custom_value(spec["type"], rng, spec, created)}
            for field_id, spec in zip(TICKET_CUSTOM_FIELD_IDS, _TICKET_CUSTOM_FIELDS, strict=True)
        ]
        channel = pick(rng, _CHANNELS)
        requester_email = f"user{requester % 100000}@example.com"
        source: dict[str, Any] = {"from": {}, "to": {}, "rel": None}
        if channel == "email":
            source = {
                "from": {"address": requester_email, "name": f"User {requester % 1000}"},
                "to": {"name": "Demo Support", "address": "support@demo.zendesk.com"},
                "rel": None,
            }
        if deleted:
            status = "deleted"
            if scrubbed:
                subject, description = SCRUBBED_SUBJECT, SCRUBBED_DESCRIPTION
        return {
            "url": None,
            "id": ticket_id,
            "external_id": f"ext-{ticket_id}" if rng.random() < 0.1 else None,  # noqa: PLR2004
            "via": {"channel": channel, "source": source},
            "created_at": iso(created),
            "updated_at": iso(updated),
            "type": pick(rng, ("question", "incident", "problem", "task", None)),
            "subject": subject,
            "raw_subject": subject,
            "description": description,
            "priority": pick(rng, ("low", "normal", "normal", "high", "urgent", None)),
            "status": status,
            "recipient": "support@demo.zendesk.com" if channel == "email" else None,
            "requester_id": requester,
            "submitter_id": requester,
            "assignee_id": assignee,
            "organization_id": ORG_ID_BASE + requester % ORGANIZATIONS,
            "group_id": GROUP_ID_BASE + rng.randrange(GROUPS) if assignee else None,
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": True,
            "due_at": None,
            "tags": list(pick(rng, _TAG_SETS)),
            "custom_fields": custom,
            "satisfaction_rating": {"score": pick(rng, ("unoffered", "offered", "good", "bad"))},
            "sharing_agreement_ids": [],
            "custom_status_id": CUSTOM_STATUS_IDS.get(status, CUSTOM_STATUS_IDS["solved"]),
            "fields": custom,
            "followup_ids": [],
            "ticket_form_id": FORM_ID,
            "brand_id": BRAND_ID,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
            "generated_timestamp": generated,
        }


def metric_set_json(ticket_id: int, created: int, updated: int) -> str:
    """Return the `metric_set` singer-io's tap-zendesk reads embedded in each ticket (wire notes §2), as JSON.

    Built from a template: it is rendered per ticket on every page that asks for it.
    """
    replies = ticket_id % 5
    minutes = (ticket_id * 37) % 900 + 5
    created_at, updated_at, assigned_at = iso(created), iso(updated), iso(created + 60)
    solved = f'"{updated_at}"' if ticket_id % 3 else "null"
    return (
        f'{{"url":null,"id":{9_000_000_000 + ticket_id},"ticket_id":{ticket_id},'
        f'"created_at":"{created_at}","updated_at":"{updated_at}",'
        f'"group_stations":{1 + ticket_id % 2},"assignee_stations":{1 + ticket_id % 3},'
        f'"reopens":{ticket_id % 2},"replies":{replies},'
        f'"assignee_updated_at":"{updated_at}","requester_updated_at":"{created_at}",'
        f'"status_updated_at":"{updated_at}","initially_assigned_at":"{assigned_at}",'
        f'"assigned_at":"{assigned_at}","solved_at":{solved},"latest_comment_added_at":"{updated_at}",'
        f'"reply_time_in_minutes":{{"calendar":{minutes},"business":{minutes // 2}}},'
        f'"first_resolution_time_in_minutes":{{"calendar":{minutes * 3},"business":{minutes}}},'
        f'"full_resolution_time_in_minutes":{{"calendar":{minutes * 4},"business":{minutes * 2}}},'
        f'"agent_wait_time_in_minutes":{{"calendar":{minutes},"business":{minutes // 3}}},'
        f'"requester_wait_time_in_minutes":{{"calendar":{minutes * 2},"business":{minutes}}},'
        '"on_hold_time_in_minutes":{"calendar":0,"business":0}}'
    )


def object_field_definitions(spec: CustomObjectSpec, object_index: int, created: int) -> list[dict[str, Any]]:
    """Return an object's field definitions in Zendesk's shape, standard fields first, without `url`."""
    properties: dict[str, Any] = {"is_unique": spec.name_mode == "unique"}
    if spec.name_mode == "autonumber":
        properties |= {
            "autoincrement_enabled": True,
            "autoincrement_prefix": spec.autonumber_prefix,
            "autoincrement_padding": 4,
            "autoincrement_next_sequence": 1,
        }
    base_id = OBJECT_FIELD_ID_BASE + object_index * 1000
    standard = [
        _object_field(base_id, {"key": "standard::name", "type": "text", "title": "Name"}, 0, created)
        | {"system": True, "required": spec.name_mode != "autonumber", "properties": properties},
        _object_field(
            base_id + 1, {"key": "standard::external_id", "type": "text", "title": "External id"}, 1, created
        )
        | {"system": True},
    ]
    custom = [
        _object_field(base_id + 10 + index, definition, 2 + index, created)
        for index, definition in enumerate(spec.fields)
    ]
    return standard + custom


def _object_field(field_id: int, definition: dict[str, Any], position: int, created: int) -> dict[str, Any]:
    field: dict[str, Any] = {
        "id": field_id,
        "url": None,
        "key": definition["key"],
        "type": definition["type"],
        "title": definition.get("title", definition["key"]),
        "raw_title": definition.get("title", definition["key"]),
        "description": definition.get("description", ""),
        "raw_description": definition.get("description", ""),
        "position": position,
        "active": definition.get("active", True),
        "system": False,
        "required": bool(definition.get("required", False)),
        "regexp_for_validation": definition.get("regexp_for_validation"),
        "tag": None,
        "created_at": iso(created),
        "updated_at": iso(created),
    }
    if definition["type"] in {"dropdown", "multiselect"}:
        field["custom_field_options"] = [
            {
                "id": field_id * 10 + index,
                "name": option["name"],
                "raw_name": option["name"],
                "value": option["value"],
                "position": index,
            }
            for index, option in enumerate(definition.get("custom_field_options", ()))
        ]
    if definition["type"] == "lookup":
        field["relationship_target_type"] = definition.get("relationship_target_type", "zen:user")
        field["relationship_filter"] = definition.get("relationship_filter", {})
    return field


def record_field_value(  # noqa: PLR0911, C901 - one branch per Zendesk field type
    field: dict[str, Any], rng: random.Random, users: list[int], lookups: dict[str, list[str]], now: int
) -> Json:
    """Return a stored (canonical) value for one custom object field; None when left empty."""
    kind = field["type"]
    if not field["required"] and rng.random() < 0.1:  # noqa: PLR2004 - some fields are left empty
        return None
    if kind == "text":
        return f"{rng.randint(1, 250)} {rng.choice(_LAST)} Street"
    if kind == "textarea":
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12)))
    if kind == "integer":
        return rng.randint(1, 12)
    if kind == "decimal":
        return rng.randint(30000, 900000) / 100
    if kind == "checkbox":
        return rng.random() < 0.5  # noqa: PLR2004
    if kind == "date":
        return time.strftime("%Y-%m-%d", time.gmtime(now + rng.randint(-300, 300) * 86400))
    options = [option["value"] for option in field.get("custom_field_options", ())]
    if kind == "dropdown":
        return rng.choice(options)
    if kind == "multiselect":
        return sorted(rng.sample(options, rng.randint(1, min(2, len(options)))))
    if kind == "regexp":
        pattern = field.get("regexp_for_validation") or ""
        if "@" in pattern:
            return f"{rng.choice(_FIRST).lower()}{rng.randint(1, 999)}@example.com"
        return f"{rng.randint(10000, 99999)}"
    target = field.get("relationship_target_type", "zen:user")
    if target.startswith("zen:custom_object:"):
        candidates = lookups.get(target.removeprefix("zen:custom_object:"), [])
        return rng.choice(candidates) if candidates else None
    return str(rng.choice(users))


def sequin_data(collection: str, rng: random.Random, index: int) -> tuple[str, dict[str, Any]]:
    """Return (upstream_id, data) of one Sequin record of `collection`."""
    if collection == "stripe:subscription":
        upstream = f"sub_{index:08d}{rng.randint(0, 9999):04d}"
        return upstream, {
            "id": upstream,
            "status": rng.choice(("active", "past_due", "canceled", "trialing")),
            "customer": f"cus_{rng.randint(0, 99999999):08d}",
            "plan_amount": rng.choice((900, 2900, 9900)),
            "currency": "usd",
        }
    if collection == "stripe:customer":
        upstream = f"cus_{index:08d}{rng.randint(0, 9999):04d}"
        return upstream, {
            "id": upstream,
            "email": f"{rng.choice(_FIRST).lower()}.{index}@example.com",
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "delinquent": rng.random() < 0.1,  # noqa: PLR2004
        }
    if collection == "salesforce:account":
        upstream = f"001{index:012d}AAA"
        return upstream, {
            "Id": upstream,
            "Name": f"{rng.choice(_LAST)} Industries {index}",
            "Industry": rng.choice(("Technology", "Retail", "Energy", "Finance")),
            "AnnualRevenue": rng.randint(1, 500) * 100000,
        }
    upstream = f"003{index:012d}AAA"
    return upstream, {
        "Id": upstream,
        "FirstName": rng.choice(_FIRST),
        "LastName": rng.choice(_LAST),
        "Email": f"contact{index}@example.com",
        "AccountId": f"001{rng.randint(0, 999):012d}AAA",
    }
