"""Deterministic generators of realistic Zendesk and Sequin data (pure functions of a seeded RNG)."""

from __future__ import annotations

import itertools
import json
import random
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import CustomObjectSpec

# Real ids are 13-digit int64s for fields and brands (wire notes §1); tickets are numbered per account from 1
# (cursor example `1695052663.0||28|`).
OBJECT_FIELD_ID_BASE = 2_100_000_000_000
BRAND_ID = 360_000_123_456
FORM_ID = 360_000_654_321
# Custom statuses exist per status category; "closed" tickets keep their "solved" category status.
CUSTOM_STATUS_IDS = {"new": 1001, "open": 1002, "pending": 1003, "hold": 1004, "solved": 1005}
MESSAGING_EVERY, MESSAGING_REMAINDER = 10, 7  # ticket ids 7, 17, 27, ... are messaging tickets
SCRUBBED_SUBJECT = "SCRUBBED"  # wire notes §2: scrubbed deleted tickets
SCRUBBED_DESCRIPTION = "X"
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
ROWS_PER_STREAM = 5_000  # rows drawn from one RNG stream; keeps seeding deterministic and memory flat


T = TypeVar("T")
_TAG_SETS = tuple(tuple(sorted(combo)) for size in range(4) for combo in itertools.combinations(_TAGS, size))


def row_streams(seed: int, table: str, total: int) -> Iterator[tuple[int, random.Random]]:
    """Yield (index, rng) for rows 0 to total - 1; each ROWS_PER_STREAM rows share one RNG stream.

    A stream is seeded `<seed>:<table>:<its first index>`: each table draws from streams of its own.
    """
    for first in range(0, total, ROWS_PER_STREAM):
        rng = random.Random(f"{seed}:{table}:{first}")  # noqa: S311 - test data
        for index in range(first, min(total, first + ROWS_PER_STREAM)):
            yield index, rng


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


class TicketShape:
    """Builds ticket bodies for one data set (users, organizations, groups and ticket fields fixed)."""

    def __init__(
        self,
        *,
        users: Sequence[int],
        agents: Sequence[int],
        organization_of: Callable[[int], int | None],
        group_ids: Sequence[int],
        custom_fields: Sequence[tuple[int, Callable[[random.Random, int], Json]]],
    ) -> None:
        """Requesters from `users`, assignees from `agents`; `custom_fields` (id, value maker) by position.

        A ticket's organization is its requester's (`organization_of`), as Zendesk sets it.
        """
        self.users = users
        self.agents = agents
        self.organization_of = organization_of
        self.group_ids = group_ids
        self.custom_fields = custom_fields

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
        custom = [{"id": field_id, "value": make(rng, created)} for field_id, make in self.custom_fields]
        channel = pick(rng, _CHANNELS)
        # One ticket in ten came through Zendesk messaging (decided by its id: the draws above stay put).
        messaging = ticket_id % MESSAGING_EVERY == MESSAGING_REMAINDER
        if messaging:
            channel = "native_messaging"
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
            "organization_id": self.organization_of(requester),
            "group_id": pick(rng, self.group_ids) if assignee and self.group_ids else None,
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
            "from_messaging_channel": messaging,
            "generated_timestamp": generated,
        }


def metric_set_json(ticket_id: int, created: int, updated: int, *, solved: bool) -> str:
    """Return the `metric_set` singer-io's tap-zendesk reads embedded in each ticket (wire notes §2), as JSON.

    Built from a template: it is rendered per ticket on every page that asks for it. A ticket not solved
    (nor closed) has no `solved_at` and no resolution times yet: `{"calendar": null, "business": null}`.
    """
    replies = ticket_id % 5
    minutes = (ticket_id * 37) % 900 + 5
    created_at, updated_at, assigned_at = iso(created), iso(updated), iso(created + 60)
    solved_at = f'"{updated_at}"' if solved else "null"
    first, full = (f'{{"calendar":{minutes * n},"business":{minutes * m}}}' for n, m in ((3, 1), (4, 2)))
    if not solved:
        first = full = '{"calendar":null,"business":null}'
    return (
        f'{{"url":null,"id":{9_000_000_000 + ticket_id},"ticket_id":{ticket_id},'
        f'"created_at":"{created_at}","updated_at":"{updated_at}",'
        f'"group_stations":{1 + ticket_id % 2},"assignee_stations":{1 + ticket_id % 3},'
        f'"reopens":{ticket_id % 2},"replies":{replies},'
        f'"assignee_updated_at":"{updated_at}","requester_updated_at":"{created_at}",'
        f'"status_updated_at":"{updated_at}","initially_assigned_at":"{assigned_at}",'
        f'"assigned_at":"{assigned_at}","solved_at":{solved_at},"latest_comment_added_at":"{updated_at}",'
        f'"reply_time_in_minutes":{{"calendar":{minutes},"business":{minutes // 2}}},'
        f'"first_resolution_time_in_minutes":{first},"full_resolution_time_in_minutes":{full},'
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
        object_field(base_id, {"key": "standard::name", "type": "text", "title": "Name"}, 0, created)
        | {"system": True, "required": spec.name_mode != "autonumber", "properties": properties},
        object_field(
            base_id + 1, {"key": "standard::external_id", "type": "text", "title": "External id"}, 1, created
        )
        | {"system": True},
    ]
    custom = [
        object_field(base_id + 10 + index, definition, 2 + index, created)
        for index, definition in enumerate(spec.fields)
    ]
    return standard + custom


def object_field(field_id: int, definition: dict[str, Any], position: int, created: int) -> dict[str, Any]:
    """Return one custom object field definition in Zendesk's shape (without `url`)."""
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
        "tag": definition.get("tag"),
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
    field: dict[str, Any], rng: random.Random, lookups: Mapping[str, Sequence[str]], now: int
) -> Json:
    """Return a stored (canonical) value for one custom object field; None when left empty.

    `lookups` holds the ids a lookup can point at, by relationship_target_type (`zen:user`, ...).
    """
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
    candidates = lookups.get(field.get("relationship_target_type") or "", ())
    return pick(rng, candidates) if candidates else None
