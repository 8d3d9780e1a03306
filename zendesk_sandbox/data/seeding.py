"""Seed an empty SQLite store from settings, streaming rows so a million tickets never sit in memory."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data import datagen, fielddefs, history, people, sequin_data
from zendesk_sandbox.data.datagen import compact, iso, parse_iso

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from zendesk_sandbox.settings import SandboxSettings

DAY = 86_400
SCRUBBED_SHARE = 0.5  # deleted tickets older than ~30 days are scrubbed (wire notes §2)
SYSTEM_USER = str(people.user_id(0))  # the admin who "created" seeded records (strings here, wire notes §5)
# Created once the rows are in: faster than keeping them up to date row by row.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS tickets_position ON tickets (generated_timestamp, id)",
    "CREATE INDEX IF NOT EXISTS tickets_external_id ON tickets (external_id)",
    "CREATE INDEX IF NOT EXISTS users_position ON users (updated_ts, id)",
    "CREATE INDEX IF NOT EXISTS users_email ON users (email)",
    "CREATE INDEX IF NOT EXISTS users_external_id ON users (external_id)",
    "CREATE INDEX IF NOT EXISTS organizations_position ON organizations (updated_ts, id)",
    "CREATE INDEX IF NOT EXISTS organizations_name ON organizations (name)",
    "CREATE INDEX IF NOT EXISTS organizations_external_id ON organizations (external_id)",
    "CREATE INDEX IF NOT EXISTS records_position ON records (object_key, updated_ts, id)",
    "CREATE INDEX IF NOT EXISTS records_external_id ON records (object_key, external_id)",
    "CREATE INDEX IF NOT EXISTS records_name ON records (object_key, name)",
)


def body_rest(body: dict[str, Any]) -> bytes:
    """Return a body's UTF-8 JSON without its leading `url` key: the stored form, completed when served.

    Stored as a BLOB so a page is served by joining bytes, with no decoding or encoding per ticket.
    """
    trimmed = {key: value for key, value in body.items() if key != "url"}
    return compact(trimmed)[1:].encode()


def seed(conn: sqlite3.Connection, settings: SandboxSettings) -> None:
    """Fill an empty store with the data set `settings` describe."""
    start, end = parse_iso(settings.data_start), parse_iso(settings.data_end)
    sequin = sequin_data.plan(settings)
    seeded = people.prepare(settings)
    ticket_fields = fielddefs.ticket_fields(start, datagen.CUSTOM_STATUS_IDS)
    user_fields = fielddefs.custom_fields("user", start)
    organization_fields = fielddefs.custom_fields("organization", start)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("ticket_fields", compact(ticket_fields)),
            ("user_fields", compact(user_fields)),
            ("organization_fields", compact(organization_fields)),
            ("groups", compact(people.groups(settings, start))),
        ],
    )
    conn.executemany(
        "INSERT INTO organizations VALUES (?, ?, ?, ?, ?)",
        (
            (org["id"], parse_iso(org["updated_at"]), org["name"], org["external_id"], body_rest(org))
            for org in people.organizations(settings, sequin, organization_fields, seeded)
        ),
    )
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (user["id"], parse_iso(user["updated_at"]), int(not deleted), user["email"], user["external_id"],
             user["name"], body_rest(user))
            for user, deleted in people.users(settings, sequin, user_fields, seeded)
        ),
    )  # fmt: skip
    custom_ticket_fields = [field for field in ticket_fields if fielddefs.is_custom("ticket", field)]
    targets = fielddefs.LookupTargets(seeded.active_user_ids, seeded.organization_ids)
    shape = datagen.TicketShape(
        users=seeded.user_ids,
        agents=seeded.agent_ids,
        organization_of=seeded.organization_of.get,
        group_ids=seeded.group_ids,
        custom_fields=[(f["id"], fielddefs.value_maker("ticket", f, targets)) for f in custom_ticket_fields],
    )
    conn.executemany(
        "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _ticket_rows(settings, shape)
    )
    rng = random.Random(f"{settings.seed}:objects")  # noqa: S311 - test data, not secrets
    lookups: dict[str, list[str]] = {
        "zen:user": [str(user_id) for user_id in seeded.active_user_ids],
        "zen:organization": [str(org_id) for org_id in seeded.organization_ids],
    }
    for index, spec in enumerate(settings.custom_objects):
        fields = datagen.object_field_definitions(spec, index, start)
        insert_object(conn, object_body(spec.key, spec.title, start), spec.name_mode, fields)
        lookups[f"zen:custom_object:{spec.key}"] = _seed_records(
            conn, settings=settings, key=spec.key, fields=fields, rng=rng, lookups=lookups
        )
    conn.executemany(
        "INSERT INTO sequin (sync_id, collection_id, provider, upstream_id, upstream_updated_at, created_at,"
        " data, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        sequin_data.rows(settings, sequin, start, end),
    )
    for statement in INDEXES:
        conn.execute(statement)
    history.seed(conn, settings, seeded.agent_ids)


def object_body(  # noqa: PLR0913 - the writable attributes of a custom object (OAS CustomObjectCreateInput)
    key: str,
    title: str,
    created: int,
    *,
    title_pluralized: str | None = None,
    description: str | None = None,
    include_in_list_view: bool = True,
    allows_photos: bool = False,
    allows_attachments: bool = False,
    created_by: str = SYSTEM_USER,
) -> dict[str, Any]:
    """Return a custom object's body (OAS CustomObject), without `url`."""
    plural = title_pluralized or f"{title}s"
    text = f"{title} records" if description is None else description
    return {
        "url": None,
        "key": key,
        "title": title,
        "title_pluralized": plural,
        "raw_title": title,
        "raw_title_pluralized": plural,
        "description": text,
        "raw_description": text,
        "include_in_list_view": include_in_list_view,
        "allows_photos": allows_photos,
        "allows_attachments": allows_attachments,
        "created_at": iso(created),
        "updated_at": iso(created),
        "created_by_user_id": created_by,
        "updated_by_user_id": created_by,
    }


def insert_object(
    conn: sqlite3.Connection, body: dict[str, Any], name_mode: str, fields: list[dict[str, Any]]
) -> None:
    """Store one custom object and its field definitions."""
    position = conn.execute("SELECT COUNT(*) FROM custom_objects").fetchone()[0]
    conn.execute(
        "INSERT INTO custom_objects (key, position, name_mode, next_sequence, body, fields)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        (body["key"], position, name_mode, compact(body), compact(fields)),
    )


def _ticket_rows(settings: SandboxSettings, shape: datagen.TicketShape) -> Iterator[tuple[Any, ...]]:
    start, end = parse_iso(settings.data_start), parse_iso(settings.data_end)
    span = max(1, end - start)
    total = settings.tickets
    for index, rng in datagen.row_streams(settings.seed, "tickets", total):
        ticket_id = index + 1
        created = start + span * index // total
        updated = min(end, created + rng.randint(0, 20 * DAY))
        generated = min(end, updated + rng.randint(0, 300))
        deleted = rng.random() < settings.deleted_ticket_ratio
        if deleted:  # deletion bumps generated_timestamp (wire notes §2)
            generated = min(end, generated + rng.randint(0, 30 * DAY))
        body = shape.ticket(
            rng,
            ticket_id,
            created,
            updated,
            generated,
            deleted=deleted,
            scrubbed=deleted and rng.random() < SCRUBBED_SHARE,
        )
        yield (
            ticket_id,
            generated,
            int(deleted),
            created,
            updated,
            body["requester_id"],
            body["submitter_id"],
            body["assignee_id"],
            body["external_id"],
            body_rest(body),
        )


def _seed_records(  # noqa: PLR0913 - the pieces of one object's seeding
    conn: sqlite3.Connection,
    *,
    settings: SandboxSettings,
    key: str,
    fields: list[dict[str, Any]],
    rng: random.Random,
    lookups: dict[str, list[str]],
) -> list[str]:
    start, end = parse_iso(settings.data_start), parse_iso(settings.data_end)
    span = max(1, end - start)
    name_field = fields[0]
    autonumber = bool(name_field["properties"].get("autoincrement_enabled"))
    custom = [field for field in fields if not field["system"]]
    count = settings.records_per_object
    ids: list[str] = []
    for index in range(count):
        created = start + span * index // max(1, count)
        updated = min(end, created + rng.randint(0, 10 * DAY))
        deleted = rng.random() < settings.deleted_record_ratio
        if deleted:  # deletion bumps updated_at (wire notes §3)
            updated = min(end, updated + rng.randint(0, 5 * DAY))
        record_id = datagen.ulid(created, rng)
        if autonumber:
            prefix = name_field["properties"]["autoincrement_prefix"]
            name = f"{prefix}{index + 1:0{name_field['properties']['autoincrement_padding']}d}"
        else:
            name = f"{key.title()} {index + 1:05d}"
        values = {field["key"]: datagen.record_field_value(field, rng, lookups, updated) for field in custom}
        conn.execute(
            "INSERT INTO records (id, object_key, external_id, name, fields, created_ts, updated_ts,"
            " created_by, updated_by, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record_id, key, f"{key}-{index + 1:05d}", name, compact(values), created, updated,
             SYSTEM_USER, SYSTEM_USER, int(deleted)),
        )  # fmt: skip
        if not deleted:  # a lookup points at a live record
            ids.append(record_id)
    if autonumber:
        conn.execute("UPDATE custom_objects SET next_sequence = ? WHERE key = ?", (count + 1, key))
    return ids
