"""SQL of the users and organizations tables: export pages, lookups by key, writes.

Both keep each body's JSON as a BLOB without its `url` and opening brace (seeding.body_rest), so a page is
served by joining bytes. Emails, external ids and organization names compare case-insensitively (their
columns are `COLLATE NOCASE`): users' external ids are case-insensitive (wire notes §15), organization names
and external ids match "exactly (case insensitive)" in organizations/search (OAS).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from zendesk_sandbox.data import seeding
from zendesk_sandbox.data.datagen import compact
from zendesk_sandbox.store.database import as_bytes

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.store.database import Store

Table = Literal["users", "organizations"]
# The columns each table is looked up by (show_many, search, a write's key) and keeps unique.
_KEYS: dict[Table, frozenset[str]] = {
    "users": frozenset({"id", "email", "external_id", "name"}),
    "organizations": frozenset({"id", "external_id", "name"}),
}
MAX_IN = 500  # values bound in one IN (...) list; callers send at most 100


def body(rest: bytes | str) -> dict[str, Any]:
    """Return the stored body (without `url`) of a row's rest."""
    return dict(json.loads(b"{" + as_bytes(rest)))


class PeopleStore:
    """Users and organizations in the sandbox's SQLite file; every method is thread-safe."""

    def __init__(self, store: Store) -> None:
        """Work on `store`'s connection, under its lock."""
        self.store = store

    # --- users ---------------------------------------------------------------------------------------

    def user_page(self, after: tuple[int, int], cutoff: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Return (id, updated_ts, rest) of up to `limit` users after position `after`, up to `cutoff`."""
        with self.store.lock:
            return self.store.conn.execute(
                "SELECT id, updated_ts, rest FROM users WHERE (updated_ts, id) > (?, ?) AND updated_ts <= ?"
                " ORDER BY updated_ts, id LIMIT ?",
                (after[0], after[1], cutoff, limit),
            ).fetchall()

    def users_by(
        self, column: str, values: Iterable[str | int], *, include_deleted: bool
    ) -> list[tuple[int, bytes]]:
        """Return (id, rest) of the users whose `column` (id, email, external_id, name) is one of `values`."""
        _require_key("users", column)
        wanted = list(dict.fromkeys(values))[:MAX_IN]
        if not wanted:
            return []
        active = "" if include_deleted else " AND active = 1"
        marks = ",".join("?" * len(wanted))
        with self.store.lock:
            return self.store.conn.execute(
                f"SELECT id, rest FROM users WHERE {column} IN ({marks}){active} ORDER BY id",  # noqa: S608 - fixed names
                wanted,
            ).fetchall()

    def search_users(self, where: str, params: Sequence[Any]) -> list[tuple[int, bytes]]:
        """Return (id, rest) of the active users matching a WHERE clause built by search.py, by id."""
        with self.store.lock:
            return self.store.conn.execute(
                f"SELECT id, rest FROM users WHERE active = 1 AND ({where}) ORDER BY id",  # noqa: S608 - search.py's fixed clauses; values bound
                list(params),
            ).fetchall()

    def user(self, user_id: int) -> tuple[dict[str, Any], bool] | None:
        """Return (body without `url`, active) of one user."""
        with self.store.lock:
            row = self.store.conn.execute(
                "SELECT rest, active FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        return None if row is None else (body(row[0]), bool(row[1]))

    def user_ids(self, *, include_deleted: bool) -> list[int]:
        """Return every user id, ascending."""
        where = "" if include_deleted else " WHERE active = 1"
        with self.store.lock:
            return [row[0] for row in self.store.conn.execute(f"SELECT id FROM users{where} ORDER BY id")]  # noqa: S608

    def next_user_id(self, step: int) -> int:
        """Return the id a new user gets (ids keep the seeded spacing)."""
        with self.store.lock:
            return int(self.store.conn.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]) + step

    def put_user(self, user: dict[str, Any], updated_ts: int) -> None:
        """Insert or replace a user body (its `active`, email, external id and name decide its columns)."""
        with self.store.lock:
            self.store.conn.execute(
                "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user["id"], updated_ts, int(bool(user["active"])), user.get("email"),
                 user.get("external_id"),
                 user["name"], seeding.body_rest(user)),
            )  # fmt: skip

    def other_user_with(self, column: str, value: str, user_id: int) -> bool:
        """Return True when a user other than `user_id` has `column` (email, external_id) equal to `value`."""
        return self._taken("users", column, value, user_id)

    # --- organizations -------------------------------------------------------------------------------

    def organizations_by(self, column: str, values: Iterable[str | int]) -> list[tuple[int, bytes]]:
        """Return (id, rest) of organizations whose `column` (id, external_id, name) is one of `values`."""
        _require_key("organizations", column)
        wanted = list(dict.fromkeys(values))[:MAX_IN]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        with self.store.lock:
            return self.store.conn.execute(
                # show_many's order is neither the request's nor the ids' (wire notes §15): by name here
                f"SELECT id, rest FROM organizations WHERE {column} IN ({marks}) ORDER BY name, id",  # noqa: S608
                wanted,
            ).fetchall()

    def organization(self, org_id: int) -> dict[str, Any] | None:
        """Return one organization's body without `url`."""
        with self.store.lock:
            row = self.store.conn.execute("SELECT rest FROM organizations WHERE id = ?", (org_id,)).fetchone()
        return None if row is None else body(row[0])

    def organization_ids(self) -> list[int]:
        """Return every organization id, ascending."""
        with self.store.lock:
            return [row[0] for row in self.store.conn.execute("SELECT id FROM organizations ORDER BY id")]

    def next_organization_id(self) -> int:
        """Return the id a new organization gets."""
        with self.store.lock:
            return int(
                self.store.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM organizations").fetchone()[0]
            )

    def put_organization(self, organization: dict[str, Any], updated_ts: int) -> None:
        """Insert or replace an organization body."""
        with self.store.lock:
            self.store.conn.execute(
                "INSERT OR REPLACE INTO organizations VALUES (?, ?, ?, ?, ?)",
                (organization["id"], updated_ts, organization["name"], organization.get("external_id"),
                 seeding.body_rest(organization)),
            )  # fmt: skip

    def other_organization_with(self, column: str, value: str, org_id: int) -> bool:
        """Return True when an organization other than `org_id` has `column` (name, external_id) = `value`."""
        return self._taken("organizations", column, value, org_id)

    def _taken(self, table: Table, column: str, value: str, own_id: int) -> bool:
        """Return True when a row of `table` other than `own_id` has `column` equal to `value`."""
        _require_key(table, column)
        with self.store.lock:
            row = self.store.conn.execute(
                f"SELECT 1 FROM {table} WHERE {column} = ? AND id != ? LIMIT 1",  # noqa: S608 - fixed names
                (value, own_id),
            ).fetchone()
        return row is not None

    # --- a field added to every user or organization ------------------------------------------------------

    def add_field_value(self, table: Table, fields_key: str, field_key: str, value: Json) -> None:
        """Give every row of `table` the new field `field_key` (under `fields_key`) with `value`."""
        if table not in {"users", "organizations"} or not field_key.replace("_", "").isalnum():
            msg = f"cannot add {field_key} to {table}"
            raise ValueError(msg)
        path = f"$.{fields_key}.{field_key}"
        # The stored rest lacks the opening brace (seeding.body_rest); SQLite's json_set edits it in place.
        with self.store.transaction():
            self.store.conn.execute(
                f"UPDATE {table} SET rest = CAST(substr("  # noqa: S608 - a fixed table name; values bound
                "json_set('{' || CAST(rest AS TEXT), ?, json(?)), 2) AS BLOB)",
                (path, compact(value)),
            )


def _require_key(table: Table, column: str) -> None:
    if column not in _KEYS[table]:
        msg = f"cannot look {table} up by {column}"
        raise ValueError(msg)
