"""The SQLite store: one WAL file, one connection under one lock, stored JSON served as text.

Indexes beyond primary keys are created by seeding (seeding.INDEXES), so that an older file is refused as a
data set of other settings rather than failing on a column it lacks.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data import history, seeding
from zendesk_sandbox.data.datagen import compact, iso
from zendesk_sandbox.settings import data_signature

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from pathlib import Path

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import SandboxSettings

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, updated_ts INTEGER NOT NULL, active INTEGER NOT NULL, email TEXT COLLATE NOCASE,
    external_id TEXT COLLATE NOCASE, name TEXT NOT NULL, rest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS organizations (
    id INTEGER PRIMARY KEY, updated_ts INTEGER NOT NULL, name TEXT NOT NULL COLLATE NOCASE,
    external_id TEXT COLLATE NOCASE, rest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY, generated_timestamp INTEGER NOT NULL, deleted INTEGER NOT NULL,
    created_ts INTEGER NOT NULL, updated_ts INTEGER NOT NULL,
    requester_id INTEGER, submitter_id INTEGER, assignee_id INTEGER, external_id TEXT, rest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS custom_objects (
    key TEXT PRIMARY KEY, position INTEGER NOT NULL, name_mode TEXT NOT NULL, next_sequence INTEGER NOT NULL,
    body TEXT NOT NULL, fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, object_key TEXT NOT NULL, external_id TEXT, name TEXT, fields TEXT NOT NULL,
    created_ts INTEGER NOT NULL, updated_ts INTEGER NOT NULL, created_by TEXT, updated_by TEXT,
    deleted INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sequin (
    position INTEGER PRIMARY KEY AUTOINCREMENT, sync_id TEXT NOT NULL, collection_id TEXT NOT NULL,
    provider TEXT NOT NULL, upstream_id TEXT NOT NULL, upstream_updated_at TEXT NOT NULL,
    created_at TEXT NOT NULL, data TEXT NOT NULL, deleted INTEGER NOT NULL,
    UNIQUE (collection_id, upstream_id));
"""
MMAP_BYTES = 1 << 30
PAGE_BYTES = 16_384
CACHE_KIB = 65_536
RECORD_COLUMNS = (
    "id, object_key, external_id, name, fields, created_ts, updated_ts, created_by, updated_by, deleted"
)


def as_bytes(rest: bytes | str) -> bytes:
    """Return a stored body rest as UTF-8 bytes (older files stored it as text)."""
    return rest if isinstance(rest, bytes) else rest.encode()


class DataMismatchError(RuntimeError):
    """The SQLite file holds a data set seeded from other settings."""


@dataclass
class StoredRecord:
    """One custom object record as stored (unmasked)."""

    id: str
    object_key: str
    external_id: str | None
    name: str | None
    fields: dict[str, Any]
    created_ts: int
    updated_ts: int
    created_by: str | None
    updated_by: str | None
    deleted: bool

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StoredRecord:
        """Build from a row selected with RECORD_COLUMNS."""
        return cls(
            row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7], row[8], bool(row[9])
        )


class Store:
    """All sandbox data; every method is thread-safe."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the SQLite file at `path`."""
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        # Applies to a new file only. A stored ticket is ~2.2 KB: 4 KB pages would hold one each, half empty.
        self.conn.execute(f"PRAGMA page_size={PAGE_BYTES}")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # pages read straight from the mapping
        self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self.conn.executescript(SCHEMA)
        self.conn.executescript(history.SCHEMA)  # ticket events, metric events, ratings, conversations

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()

    def transaction(self) -> AbstractContextManager[Any]:
        """Return a context manager running a write transaction under the lock."""
        return _Transaction(self)

    # --- seeding -------------------------------------------------------------------------------------

    def ensure_seeded(self, settings: SandboxSettings) -> bool:
        """Seed the file unless it already holds this data set; return True when it seeded."""
        signature = data_signature(settings)
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'signature'").fetchone()
            if row is not None:
                if row[0] != signature:
                    msg = f"{self.path} holds a data set seeded from other settings; use another db file"
                    raise DataMismatchError(msg)
                self.conn.execute("PRAGMA journal_mode=WAL")
                return False
            if self.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]:
                msg = f"{self.path} holds an unfinished seed; delete it and start again"
                raise DataMismatchError(msg)
            # A rollback journal while seeding: a WAL would hold (then copy) the whole data set once more.
            self.conn.execute("PRAGMA journal_mode=DELETE")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA mmap_size=0")  # seeding writes; mapped reads would only inflate RSS
            with self.transaction():
                seeding.seed(self.conn, settings)
                self.conn.execute("INSERT INTO meta (key, value) VALUES ('signature', ?)", (signature,))
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            self.conn.execute("PRAGMA journal_mode=WAL")
            return True

    def counts(self) -> dict[str, int]:
        """Return how many rows each table holds (tickets, users, organizations, custom objects, ...)."""
        with self.lock:
            return {
                table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                for table in ("tickets", "users", "organizations", "custom_objects", "sequin", "records")
            }

    # --- tickets -------------------------------------------------------------------------------------

    def ticket_page(
        self, after: tuple[int, int], cutoff: int, limit: int, *, exclude_deleted: bool
    ) -> list[tuple[Any, ...]]:
        """Return up to `limit` ticket rows after position `after` with generated_timestamp <= cutoff."""
        deleted = " AND deleted = 0" if exclude_deleted else ""
        sql = (
            "SELECT id, generated_timestamp, deleted, created_ts, updated_ts, requester_id, submitter_id,"  # noqa: S608 - fixed SQL fragments only; values are bound
            " assignee_id, rest FROM tickets WHERE (generated_timestamp, id) > (?, ?)"
            f" AND generated_timestamp <= ?{deleted} ORDER BY generated_timestamp, id LIMIT ?"
        )
        with self.lock:
            return self.conn.execute(sql, (after[0], after[1], cutoff, limit)).fetchall()

    def users_rest(self, ids: set[int]) -> list[tuple[int, bytes]]:
        """Return (id, stored body rest) of the given users, ordered by id."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self.lock:
            return self.conn.execute(
                f"SELECT id, rest FROM users WHERE id IN ({marks}) ORDER BY id",  # noqa: S608 - placeholders only
                sorted(ids),
            ).fetchall()  # files seeded before rest became a BLOB hold text: as_bytes() reads both

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """Return one ticket's stored body (without `url`)."""
        with self.lock:
            row = self.conn.execute("SELECT rest FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else dict(json.loads(b"{" + as_bytes(row[0])))

    def ticket_ids(self, *, include_deleted: bool) -> list[int]:
        """Return every ticket id, ascending."""
        where = "" if include_deleted else " WHERE deleted = 0"
        with self.lock:
            return [row[0] for row in self.conn.execute(f"SELECT id FROM tickets{where} ORDER BY id")]  # noqa: S608

    def next_ticket_id(self) -> int:
        """Return the id a new ticket gets."""
        with self.lock:
            return int(self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets").fetchone()[0])

    def put_ticket(self, body: dict[str, Any], created_ts: int, updated_ts: int) -> None:
        """Insert or replace a ticket body (its generated_timestamp and status decide its columns)."""
        with self.lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    body["id"],
                    body["generated_timestamp"],
                    int(body["status"] == "deleted"),
                    created_ts,
                    updated_ts,
                    body.get("requester_id"),
                    body.get("submitter_id"),
                    body.get("assignee_id"),
                    body.get("external_id"),
                    seeding.body_rest(body),
                ),
            )

    def ticket_times(self, ticket_id: int) -> tuple[int, int] | None:
        """Return (created_ts, updated_ts) of a ticket."""
        with self.lock:
            row = self.conn.execute(
                "SELECT created_ts, updated_ts FROM tickets WHERE id = ?", (ticket_id,)
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def live_ticket(self, column: str, value: str) -> int | None:
        """Return the id of the undeleted ticket whose `column` (id or external_id) equals `value`."""
        if column not in {"id", "external_id"}:
            msg = f"cannot look tickets up by {column}"
            raise ValueError(msg)
        with self.lock:
            row = self.conn.execute(
                f"SELECT id FROM tickets WHERE {column} = ? AND deleted = 0 ORDER BY id LIMIT 1",  # noqa: S608
                (value,),
            ).fetchone()
        return None if row is None else int(row[0])

    def live_ticket_ids(self, external_id: str | None) -> list[int]:
        """Return the ids of undeleted tickets, all or those with `external_id` (not unique), ascending."""
        where, params = (
            ("deleted = 0", ())
            if external_id is None
            else ("deleted = 0 AND external_id = ?", (external_id,))
        )
        with self.lock:
            rows = self.conn.execute(f"SELECT id FROM tickets WHERE {where} ORDER BY id", params).fetchall()  # noqa: S608
        return [int(row[0]) for row in rows]

    def add_ticket_field_value(self, field_id: int, value: Json) -> None:
        """Append {id, value} to every ticket's `custom_fields` and `fields` (a field was added)."""
        entry = compact({"id": field_id, "value": value})
        # The stored rest lacks the body's opening brace (seeding.body_rest); json_set edits it in place.
        with self.transaction():
            self.conn.execute(
                "UPDATE tickets SET rest = CAST(substr(json_set('{' || CAST(rest AS TEXT),"
                " '$.custom_fields[#]', json(?), '$.fields[#]', json(?)), 2) AS BLOB)",
                (entry, entry),
            )

    # --- meta: field definitions, groups --------------------------------------------------------------

    def meta_json(self, key: str) -> Any:  # noqa: ANN401 - whatever JSON was stored
        """Return a JSON value stored under `key` in meta (None when absent)."""
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta_json(self, key: str, value: Json) -> None:
        """Store a JSON value under `key` in meta."""
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, compact(value)))

    # --- custom objects ------------------------------------------------------------------------------

    def objects(self) -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
        """Return (key, name_mode, body, fields) of every custom object, in creation order."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT key, name_mode, body, fields FROM custom_objects ORDER BY position"
            ).fetchall()
        return [(row[0], row[1], json.loads(row[2]), json.loads(row[3])) for row in rows]

    def add_object(self, body: dict[str, Any], name_mode: str, fields: list[dict[str, Any]]) -> None:
        """Create a custom object from its body (seeding.object_body) and field definitions."""
        with self.transaction():
            seeding.insert_object(self.conn, body, name_mode, fields)

    def set_object_fields(self, key: str, fields: list[dict[str, Any]]) -> None:
        """Replace the field definitions of a custom object."""
        with self.lock:
            self.conn.execute("UPDATE custom_objects SET fields = ? WHERE key = ?", (compact(fields), key))

    def take_sequence(self, key: str) -> int:
        """Return the next autonumber of an object and advance it."""
        with self.transaction():
            value = int(
                self.conn.execute(
                    "SELECT next_sequence FROM custom_objects WHERE key = ?", (key,)
                ).fetchone()[0]
            )
            self.conn.execute("UPDATE custom_objects SET next_sequence = ? WHERE key = ?", (value + 1, key))
        return value

    def export_records(
        self, key: str, after: tuple[int, str], cutoff: int, limit: int, *, exclude_deleted: bool
    ) -> list[StoredRecord]:
        """Return records of `key` after position (updated_ts, id) with updated_ts <= cutoff."""
        deleted = " AND deleted = 0" if exclude_deleted else ""
        sql = (
            f"SELECT {RECORD_COLUMNS} FROM records WHERE object_key = ? AND (updated_ts, id) > (?, ?)"  # noqa: S608
            f" AND updated_ts <= ?{deleted} ORDER BY updated_ts, id LIMIT ?"
        )
        with self.lock:
            rows = self.conn.execute(sql, (key, after[0], after[1], cutoff, limit)).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def live_record_count(self) -> int:
        """Return how many undeleted records all custom objects hold."""
        with self.lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM records WHERE deleted = 0").fetchone()[0])

    def live_records_by(self, key: str, column: str, values: list[str]) -> list[StoredRecord]:
        """Return the undeleted records of `key` whose `column` (id or external_id) is one of `values`."""
        if column not in {"external_id", "id"} or not values:
            return []
        marks = ",".join("?" * len(values))
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE object_key = ? AND {column} IN ({marks})"  # noqa: S608
                " AND deleted = 0 ORDER BY id",
                (key, *values),
            ).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def records(self, key: str, *, include_deleted: bool) -> list[StoredRecord]:
        """Return every record of `key`, ordered by id."""
        deleted = "" if include_deleted else " AND deleted = 0"
        with self.lock:
            rows = self.conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE object_key = ?{deleted} ORDER BY id",  # noqa: S608
                (key,),
            ).fetchall()
        return [StoredRecord.from_row(row) for row in rows]

    def live_record_by(self, key: str, column: str, value: str) -> StoredRecord | None:
        """Return the undeleted record of `key` whose `column` (external_id, name or id) equals `value`."""
        if column not in {"external_id", "name", "id"}:
            msg = f"cannot look records up by {column}"
            raise ValueError(msg)
        with self.lock:
            row = self.conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE object_key = ? AND {column} = ? AND deleted = 0",  # noqa: S608
                (key, value),
            ).fetchone()
        return None if row is None else StoredRecord.from_row(row)

    def save_record(self, record: StoredRecord) -> None:
        """Insert or replace a record."""
        with self.lock:
            self.conn.execute(
                f"INSERT OR REPLACE INTO records ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    record.id,
                    record.object_key,
                    record.external_id,
                    record.name,
                    json.dumps(record.fields, separators=(",", ":")),
                    record.created_ts,
                    record.updated_ts,
                    record.created_by,
                    record.updated_by,
                    int(record.deleted),
                ),
            )

    # --- sequin --------------------------------------------------------------------------------------

    def sequin_page(self, after: int, filters: dict[str, str], limit: int) -> list[tuple[Any, ...]]:
        """Return Sequin rows after stream position `after`, filtered by column values, in stream order."""
        # column names come from sequin_api's fixed filter table, values are bound
        where = "".join(f" AND {column} = ?" for column in filters)
        sql = (
            "SELECT position, sync_id, collection_id, upstream_id, upstream_updated_at, data, deleted,"  # noqa: S608 - fixed SQL fragments only; values are bound
            f" created_at FROM sequin WHERE position > ?{where} ORDER BY position LIMIT ?"
        )
        with self.lock:
            return self.conn.execute(sql, (after, *filters.values(), limit)).fetchall()

    def sequin_upsert(
        self,
        sync_id: str | None,
        collection_id: str,
        upstream_id: str,
        data: dict[str, Any],
        *,
        deleted: bool,
    ) -> tuple[Any, ...]:
        """Pop a record from the stream and re-append it (Sequin §2: a change moves it to the end)."""
        now = iso(time.time())
        with self.transaction():
            old = self.conn.execute(
                "SELECT sync_id, created_at FROM sequin WHERE collection_id = ? AND upstream_id = ?",
                (collection_id, upstream_id),
            ).fetchone()
            if sync_id is None:
                sync_id = old[0] if old else self._sync_id_for(collection_id.split(":", 1)[0])
            created = old[1] if old else now
            self.conn.execute(
                "DELETE FROM sequin WHERE collection_id = ? AND upstream_id = ?", (collection_id, upstream_id)
            )
            self.conn.execute(
                "INSERT INTO sequin (sync_id, collection_id, provider, upstream_id, upstream_updated_at,"
                " created_at, data, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (sync_id, collection_id, collection_id.split(":", 1)[0], upstream_id, now, created,
                 json.dumps(data, separators=(",", ":")), int(deleted)),
            )  # fmt: skip
            row: tuple[Any, ...] = self.conn.execute(
                "SELECT position, sync_id, collection_id, upstream_id, upstream_updated_at, data, deleted,"
                " created_at FROM sequin WHERE collection_id = ? AND upstream_id = ?",
                (collection_id, upstream_id),
            ).fetchone()
        return row

    def sequin_row(self, collection_id: str, upstream_id: str) -> tuple[Any, ...] | None:
        """Return one Sequin row by its key."""
        with self.lock:
            row: tuple[Any, ...] | None = self.conn.execute(
                "SELECT position, sync_id, collection_id, upstream_id, upstream_updated_at, data, deleted,"
                " created_at FROM sequin WHERE collection_id = ? AND upstream_id = ?",
                (collection_id, upstream_id),
            ).fetchone()
        return row

    def _sync_id_for(self, provider: str) -> str:
        row = self.conn.execute(
            "SELECT sync_id FROM sequin WHERE provider = ? LIMIT 1", (provider,)
        ).fetchone()
        return str(row[0]) if row else "00000000-0000-4000-8000-000000000000"

    def iter_sequin(self) -> Iterator[tuple[Any, ...]]:
        """Yield every Sequin row in stream order."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT position, sync_id, collection_id, upstream_id, upstream_updated_at, data, deleted,"
                " created_at FROM sequin ORDER BY position"
            ).fetchall()
        yield from rows


class _Transaction:
    """BEGIN IMMEDIATE .. COMMIT (ROLLBACK on error) under the store lock; nestable."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.outer = False

    def __enter__(self) -> None:
        self.store.lock.acquire()
        self.outer = not self.store.conn.in_transaction
        if self.outer:
            self.store.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            if self.outer:
                self.store.conn.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self.store.lock.release()
