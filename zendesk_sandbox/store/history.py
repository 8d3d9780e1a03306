"""The history tables: read per ticket by the admin API (in time order by the exports: time_rows.py).

What they hold is drawn when each ticket is seeded (data/history.py); `TicketHistory` appends the audits,
messages and rating changes the admin API makes, and knows which tickets Zendesk has archived.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data.datagen import compact, iso
from zendesk_sandbox.data.history import AUDIT_ID_BASE, CHILD_IDS, RATED, audit, conversation_message
from zendesk_sandbox.store.time_rows import TIME_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zendesk_sandbox.store.database import Store

DAY = 86_400
ARCHIVE_AFTER_SECONDS = 120 * DAY


class TicketHistory:
    """Reads and appends the history tables; every method is thread-safe (the store's lock)."""

    def __init__(self, store: Store) -> None:
        """Work on `store`'s connection."""
        self.store = store

    # --- per ticket ------------------------------------------------------------------------------

    def ticket_events(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return a ticket's audits, in order."""
        return self._of_ticket("ticket_events", ticket_id)

    def metric_events_of(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return a ticket's metric events, in time order."""
        return self._of_ticket("metric_events", ticket_id)

    def _of_ticket(self, table: str, ticket_id: int) -> list[dict[str, Any]]:
        """Return the bodies of a ticket's rows of a time-ordered table, in the order the exports use."""
        column, _ = TIME_COLUMNS[table]
        with self.store.lock:
            sql = f"SELECT body FROM {table} WHERE ticket_id = ? ORDER BY {column}, id"  # noqa: S608 - fixed names
            rows = self.store.conn.execute(sql, (ticket_id,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def conversation(self, ticket_id: int) -> list[tuple[int, dict[str, Any]]]:
        """Return (position, event) of a ticket's conversation log, in order."""
        with self.store.lock:
            rows = self.store.conn.execute(
                "SELECT position, body FROM conversation_log WHERE ticket_id = ? ORDER BY position",
                (ticket_id,),
            ).fetchall()
        return [(int(row[0]), json.loads(row[1])) for row in rows]

    def ratings(self) -> list[dict[str, Any]]:
        """Return every satisfaction rating, by id."""
        with self.store.lock:
            rows = self.store.conn.execute("SELECT body FROM satisfaction_ratings ORDER BY id").fetchall()
        return [json.loads(row[0]) for row in rows]

    def rating(self, rating_id: int) -> dict[str, Any] | None:
        """Return one rating."""
        with self.store.lock:
            row = self.store.conn.execute(
                "SELECT body FROM satisfaction_ratings WHERE id = ?", (rating_id,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    # --- appending --------------------------------------------------------------------------------

    def append_audit(
        self, ticket_id: int, updater_id: int | None, at: int, children: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Store a new audit of `ticket_id` at `at` whose children are numbered here; return it."""
        with self.store.transaction():
            audit_id = self._next_id("ticket_events", AUDIT_ID_BASE * 2)
            for index, child in enumerate(children, start=1):
                child["id"] = audit_id * CHILD_IDS + index
                if child.get("event_type") == "Comment":
                    child["audit_id"] = audit_id
            event = audit(audit_id, ticket_id, updater_id, at, "api", children)
            self.store.conn.execute(
                "INSERT INTO ticket_events VALUES (?, ?, ?, ?)",
                (audit_id, ticket_id, at, compact(event).encode()),
            )
        return event

    def mark_deleted(self, ticket_id: int) -> None:
        """Flag a deleted ticket's metric events `deleted: true` (their time does not move)."""
        with self.store.transaction():
            rows = self.store.conn.execute(
                "SELECT id, body FROM metric_events WHERE ticket_id = ?", (ticket_id,)
            ).fetchall()
            for event_id, body in rows:
                event = json.loads(body) | {"deleted": True}
                self.store.conn.execute(
                    "UPDATE metric_events SET body = ? WHERE id = ?", (compact(event).encode(), event_id)
                )

    def update_rating(self, rating_id: int, at: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a rating (score, comment, reason); bumps its updated_at to `at`."""
        with self.store.transaction():
            rating = self.rating(rating_id)
            if rating is None:
                raise KeyError(rating_id)
            unknown = sorted(set(changes) - {"score", "comment", "reason", "reason_id"})
            if unknown:
                msg = f"a rating's {', '.join(unknown)} cannot be changed"
                raise ValueError(msg)
            if "score" in changes and changes["score"] not in RATED:
                msg = f"a rating's score is one of {', '.join(sorted(RATED))}"
                raise ValueError(msg)
            rating.update(changes, updated_at=iso(at))
            self.store.conn.execute(
                "UPDATE satisfaction_ratings SET updated_ts = ?, body = ? WHERE id = ?",
                (at, compact(rating), rating_id),
            )
        return rating

    def append_message(self, ticket_id: int, at: int, text: str, author_id: int | None) -> dict[str, Any]:
        """Add a message from the requester to a messaging ticket's conversation log; return it."""
        with self.store.transaction():
            index = len(self.conversation(ticket_id))
            message = conversation_message(ticket_id, index, at, author_id, text, from_requester=True)
            self.store.conn.execute(
                "INSERT INTO conversation_log (ticket_id, body) VALUES (?, ?)", (ticket_id, compact(message))
            )
        return message

    def all_events(self) -> list[dict[str, Any]]:
        """Return every ticket event (audit), by id."""
        return [json.loads(body) for body in self.iter_rows("ticket_events")]

    def archived_ticket_ids(self, now: int) -> set[int]:
        """Return the ids of tickets Zendesk has archived: closed and untouched for 120 days."""
        with self.store.lock:
            rows = self.store.conn.execute(
                "SELECT id FROM tickets WHERE deleted = 0 AND updated_ts < ?"
                " AND json_extract('{' || CAST(rest AS TEXT), '$.status') = 'closed'",
                (now - ARCHIVE_AFTER_SECONDS,),
            ).fetchall()
        return {int(row[0]) for row in rows}

    def _next_id(self, table: str, floor: int) -> int:
        row = self.store.conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()  # noqa: S608 - fixed names
        return max(int(row[0] or 0) + 1, floor)

    def iter_rows(self, table: str) -> Iterator[bytes]:
        """Yield every stored body of a history table (tests, benchmarks)."""
        with self.store.lock:
            rows = self.store.conn.execute(f"SELECT body FROM {table} ORDER BY id").fetchall()  # noqa: S608
        for row in rows:
            yield row[0] if isinstance(row[0], bytes) else row[0].encode()
