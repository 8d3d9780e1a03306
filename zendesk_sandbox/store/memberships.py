"""Organization memberships: which users belong to which organizations (OAS OrganizationMembershipObject).

A user's `organization_id` is its default membership. Seeded users have only that one, so it is not stored
as a row: `of_user` adds it when no row names it. A membership made through the API is a row; the first one
of a user without an organization also becomes its default (and sets `organization_id`, bumping the
user's `updated_at`). A user and an organization have at most one membership (the OAS's single create
answers 422 when "the user is already assigned to the organization").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data.datagen import iso, parse_iso

if TYPE_CHECKING:
    from zendesk_sandbox.store.database import Store
    from zendesk_sandbox.store.people import PeopleStore

_TABLE = """
CREATE TABLE IF NOT EXISTS organization_memberships (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, organization_id INTEGER NOT NULL,
    is_default INTEGER NOT NULL, created_ts INTEGER NOT NULL, updated_ts INTEGER NOT NULL,
    UNIQUE (user_id, organization_id))
"""
# Ids of memberships: 13-digit int64s like every Zendesk id (wire notes §1), their own block.
MEMBERSHIP_ID_BASE = 2_100_000_000_000
# A seeded (implicit) default membership's id: derived from its user, never stored.
_IMPLICIT_ID_BASE = 2_000_000_000_000


@dataclass(frozen=True)
class Membership:
    """One user's membership of one organization."""

    id: int
    user_id: int
    organization_id: int
    default: bool
    created_ts: int
    updated_ts: int


class MembershipExistsError(LookupError):
    """The user already belongs to the organization; carries that membership."""

    def __init__(self, membership: Membership) -> None:
        """Keep the existing membership."""
        super().__init__(f"user {membership.user_id} already belongs to {membership.organization_id}")
        self.membership = membership


class Memberships:
    """The memberships table, created on first use beside the users and organizations."""

    def __init__(self, store: Store, people: PeopleStore) -> None:
        """Work on `store`'s connection (the table is made if the file predates it)."""
        self.store = store
        self.people = people
        with self.store.lock:
            self.store.conn.execute(_TABLE)

    def of_user(self, user_id: int) -> list[Membership]:
        """Return the user's memberships, its default (`organization_id`) first."""
        with self.store.lock:
            rows = self.store.conn.execute(
                "SELECT id, user_id, organization_id, is_default, created_ts, updated_ts"
                " FROM organization_memberships WHERE user_id = ? ORDER BY is_default DESC, id",
                (user_id,),
            ).fetchall()
        found = [Membership(row[0], row[1], row[2], bool(row[3]), row[4], row[5]) for row in rows]
        implicit = self._implicit(user_id)
        if implicit is not None and all(m.organization_id != implicit.organization_id for m in found):
            found.insert(0, implicit)
        return found

    def all(self) -> list[Membership]:
        """Return every membership (the implicit defaults included), by user id then default first."""
        with self.store.lock:
            users = [row[0] for row in self.store.conn.execute("SELECT id FROM users ORDER BY id")]
        return [membership for user_id in users for membership in self.of_user(user_id)]

    def add(self, user_id: int, organization_id: int, now: int) -> Membership:
        """Store a new membership; MembershipExistsError when the user already belongs to it."""
        with self.store.transaction():
            existing = next((m for m in self.of_user(user_id) if m.organization_id == organization_id), None)
            if existing is not None:
                raise MembershipExistsError(existing)
            default = self._implicit(user_id) is None
            membership_id = self._next_id()
            self.store.conn.execute(
                "INSERT INTO organization_memberships VALUES (?, ?, ?, ?, ?, ?)",
                (membership_id, user_id, organization_id, int(default), now, now),
            )
        return Membership(membership_id, user_id, organization_id, default, now, now)

    def forget_organization(self, organization_id: int) -> None:
        """Drop every stored membership of an organization that is being deleted."""
        with self.store.lock:
            self.store.conn.execute(
                "DELETE FROM organization_memberships WHERE organization_id = ?", (organization_id,)
            )

    def render(self, membership: Membership, account_url: str) -> dict[str, Any]:
        """Return a membership as Zendesk sends it (OAS OrganizationMembershipObject)."""
        organization = self.people.organization(membership.organization_id)
        return {
            "url": f"{account_url}/api/v2/organization_memberships/{membership.id}.json",
            "id": membership.id,
            "user_id": membership.user_id,
            "organization_id": membership.organization_id,
            "default": True if membership.default else None,  # OAS: "If false, returns `null`"
            "organization_name": None if organization is None else organization["name"],
            "view_tickets": True,
            "created_at": iso(membership.created_ts),
            "updated_at": iso(membership.updated_ts),
        }

    def _implicit(self, user_id: int) -> Membership | None:
        found = self.people.user(user_id)
        if found is None or found[0].get("organization_id") is None:
            return None
        body = found[0]
        stamp = parse_iso(body["created_at"])
        membership_id = _IMPLICIT_ID_BASE + user_id % 1_000_000_000
        return Membership(membership_id, user_id, body["organization_id"], default=True, created_ts=stamp,
                          updated_ts=stamp)  # fmt: skip

    def _next_id(self) -> int:
        row = self.store.conn.execute("SELECT MAX(id) FROM organization_memberships").fetchone()
        return int(row[0]) + 1 if row[0] is not None else MEMBERSHIP_ID_BASE
