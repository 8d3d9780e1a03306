"""Tables the time-based exports read in time order: rows as (id, second, body), by (second, id).

The organizations export reads `organizations` by `updated_ts` (api/time_exports.py); the ticket event and
metric event exports read the history tables by `created_ts` and `time_ts` (api/events.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zendesk_sandbox.store.database import Store

# Each time-ordered table's column of a row's second and column of its stored JSON (an organization's is
# kept without `url` and its opening brace: seeding.body_rest).
TIME_COLUMNS: dict[str, tuple[str, str]] = {
    "organizations": ("updated_ts", "rest"),
    "ticket_events": ("created_ts", "body"),
    "metric_events": ("time_ts", "body"),
}


class TimeRows:
    """One time-ordered table as a time-based export reads it (time_exports.TimeSource); thread-safe."""

    def __init__(self, store: Store, table: str) -> None:
        """Read `table` (one of TIME_COLUMNS) through `store`'s connection, under its lock."""
        self.store = store
        self.table = table
        self.time_column, self.body_column = TIME_COLUMNS[table]

    def rows_from(self, start: int, cutoff: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Return (id, second, body) of up to `limit` rows with start <= second <= cutoff, in order."""
        table, column, body = self.table, self.time_column, self.body_column
        with self.store.lock:
            return self.store.conn.execute(
                f"SELECT id, {column}, {body} FROM {table} WHERE {column} >= ? AND {column} <= ?"  # noqa: S608 - fixed names
                f" ORDER BY {column}, id LIMIT ?",
                (start, cutoff, limit),
            ).fetchall()

    def rows_in_second(self, second: int, after_id: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Return (id, second, body) of rows of `second` with an id above `after_id`, by id."""
        table, column, body = self.table, self.time_column, self.body_column
        with self.store.lock:
            return self.store.conn.execute(
                f"SELECT id, {column}, {body} FROM {table} WHERE {column} = ? AND id > ? ORDER BY id LIMIT ?",  # noqa: S608
                (second, after_id, limit),
            ).fetchall()

    def count_in_second(self, second: int) -> int:
        """Return how many rows fall in `second`."""
        sql = f"SELECT COUNT(*) FROM {self.table} WHERE {self.time_column} = ?"  # noqa: S608 - fixed names
        with self.store.lock:
            return int(self.store.conn.execute(sql, (second,)).fetchone()[0])

    def any_after(self, second: int, cutoff: int) -> bool:
        """Return True when a row falls after `second` and up to `cutoff`."""
        table, column = self.table, self.time_column
        sql = f"SELECT 1 FROM {table} WHERE {column} > ? AND {column} <= ? LIMIT 1"  # noqa: S608 - fixed names
        with self.store.lock:
            row = self.store.conn.execute(sql, (second, cutoff)).fetchone()
        return row is not None
