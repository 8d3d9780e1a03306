"""Seed an empty SQLite store from settings, streaming rows so a million tickets never sit in memory."""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

from zendesk_sandbox import datagen
from zendesk_sandbox.datagen import compact, iso, parse_iso

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from zendesk_sandbox.settings import SandboxSettings

TICKET_CHUNK = 5_000  # rows generated per RNG stream; keeps seeding deterministic and memory flat
DAY = 86_400
SEQUIN_DELETED_RATIO = 0.02
SCRUBBED_SHARE = 0.5  # deleted tickets older than ~30 days are scrubbed (wire notes §2)
# the admin who "created" seeded records (user ids are strings here, wire notes §5)
SYSTEM_USER = "1500000000000"


def body_rest(body: dict[str, Any]) -> bytes:
    """Return a body's UTF-8 JSON without its leading `url` key: the stored form, completed when served.

    Stored as a BLOB so a page is served by joining bytes, with no decoding or encoding per ticket.
    """
    trimmed = {key: value for key, value in body.items() if key != "url"}
    return compact(trimmed)[1:].encode()


def seed(conn: sqlite3.Connection, settings: SandboxSettings) -> None:
    """Fill an empty store with the data set `settings` describe."""
    start, end = parse_iso(settings.data_start), parse_iso(settings.data_end)
    users = datagen.user_ids(datagen.user_count(settings.tickets))
    conn.executemany(
        "INSERT INTO users (id, rest) VALUES (?, ?)",
        (
            (user_id, body_rest(datagen.user_body(user_id, index, index < len(users) // 10, start)))
            for index, user_id in enumerate(users)
        ),
    )
    conn.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _ticket_rows(settings, users))
    conn.execute("CREATE INDEX IF NOT EXISTS tickets_position ON tickets (generated_timestamp, id)")
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('ticket_fields', ?)", (compact(datagen.ticket_fields(start)),)
    )
    rng = random.Random(f"{settings.seed}:objects")  # noqa: S311 - test data, not secrets
    lookups: dict[str, list[str]] = {}
    for index, spec in enumerate(settings.custom_objects):
        fields = datagen.object_field_definitions(spec, index, start)
        insert_object(
            conn, key=spec.key, title=spec.title, name_mode=spec.name_mode, fields=fields, created=start
        )
        lookups[spec.key] = _seed_records(
            conn, settings=settings, key=spec.key, fields=fields, rng=rng, users=users, lookups=lookups
        )
    conn.executemany(
        "INSERT INTO sequin (sync_id, collection_id, provider, upstream_id, upstream_updated_at, created_at,"
        " data, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _sequin_rows(settings, start, end),
    )


def insert_object(  # noqa: PLR0913 - the columns of one custom object
    conn: sqlite3.Connection,
    *,
    key: str,
    title: str,
    name_mode: str,
    fields: list[dict[str, Any]],
    created: int,
) -> None:
    """Store one custom object and its field definitions."""
    body = {
        "url": None,
        "key": key,
        "title": title,
        "title_pluralized": f"{title}s",
        "raw_title": title,
        "raw_title_pluralized": f"{title}s",
        "description": f"{title} records",
        "raw_description": f"{title} records",
        "include_in_list_view": True,
        "allows_photos": False,
        "allows_attachments": False,
        "created_at": iso(created),
        "updated_at": iso(created),
        "created_by_user_id": SYSTEM_USER,
        "updated_by_user_id": SYSTEM_USER,
    }
    position = conn.execute("SELECT COUNT(*) FROM custom_objects").fetchone()[0]
    conn.execute(
        "INSERT INTO custom_objects (key, position, name_mode, next_sequence, body, fields)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        (key, position, name_mode, compact(body), compact(fields)),
    )


def _ticket_rows(settings: SandboxSettings, users: list[int]) -> Iterator[tuple[Any, ...]]:
    start, end = parse_iso(settings.data_start), parse_iso(settings.data_end)
    span = max(1, end - start)
    shape = datagen.TicketShape(users)
    total = settings.tickets
    for chunk_start in range(0, total, TICKET_CHUNK):
        rng = random.Random(f"{settings.seed}:tickets:{chunk_start}")  # noqa: S311 - test data
        for index in range(chunk_start, min(total, chunk_start + TICKET_CHUNK)):
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
                body_rest(body),
            )


def _seed_records(  # noqa: PLR0913 - the pieces of one object's seeding
    conn: sqlite3.Connection,
    *,
    settings: SandboxSettings,
    key: str,
    fields: list[dict[str, Any]],
    rng: random.Random,
    users: list[int],
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
        values = {
            field["key"]: datagen.record_field_value(field, rng, users, lookups, updated) for field in custom
        }
        conn.execute(
            "INSERT INTO records (id, object_key, external_id, name, fields, created_ts, updated_ts,"
            " created_by, updated_by, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record_id, key, f"{key}-{index + 1:05d}", name, compact(values), created, updated,
             SYSTEM_USER, SYSTEM_USER, int(deleted)),
        )  # fmt: skip
        ids.append(record_id)
    if autonumber:
        conn.execute("UPDATE custom_objects SET next_sequence = ? WHERE key = ?", (count + 1, key))
    return ids


def _sequin_rows(settings: SandboxSettings, start: int, end: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(f"{settings.seed}:sequin")  # noqa: S311 - test data
    sync_ids = {
        "stripe": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "salesforce": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }
    total = settings.sequin_records
    span = max(1, end - start)
    for index in range(total):
        collection = datagen.SEQUIN_COLLECTIONS[rng.randrange(len(datagen.SEQUIN_COLLECTIONS))]
        provider = collection.split(":", 1)[0]
        upstream_id, data = datagen.sequin_data(collection, rng, index)
        moment = start + span * index // max(1, total)
        yield (
            sync_ids[provider],
            collection,
            provider,
            upstream_id,
            iso(moment),
            iso(moment - rng.randint(0, 30 * DAY)),
            compact(data),
            int(rng.random() < SEQUIN_DELETED_RATIO),
        )
