"""Writes of users, organizations and memberships as Zendesk applies them, item by item (wire notes §26).

Each function applies one item of a bulk job (or one single write) through the Directory's validated
changes, so a bulk item is refused exactly as the single write would be. Decisions where Zendesk is
unconfirmed (also in the package docstring):
- `create_or_update` finds the user by `id`, else by `external_id` (without case; the case given is kept,
  OAS CreateOrUpdateUser), else by `email`, among users not deleted; a user found by email takes the
  external id given. A soft-deleted user is never found, and keeps its email and external id: a write that
  names them is refused (422 DuplicateValue);
- organizations are found by `id` or `external_id` (never by name: OAS CreateOrUpdateOrganization);
  a deleted organization is gone (the OAS has no deleted flag): its default memberships are cleared from
  its users and its other memberships removed;
- a membership's user must exist and not be deleted, its organization must exist; the first membership of
  a user without an organization becomes its default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zendesk_sandbox.store.memberships import MembershipExistsError
from zendesk_sandbox.store.validation import Details, RecordInvalidError, add

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core
    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.store.memberships import Membership

# What an item may not set: the server's own attributes (store/directory.py refuses them too).
_SERVER_SET = frozenset({"url", "created_at", "updated_at", "active"})
# Flags of a write request that are no attribute of the user (OAS CreateOrUpdateUser).
_USER_FLAGS = frozenset({"skip_verify_email"})


class NotFoundError(LookupError):
    """No user or organization has the id or external id an item names."""


def describe(details: Details) -> str:
    """Return a 422's details as one line: each description, in order (a failed job item's `details`)."""
    return "; ".join(entry["description"] for entries in details.values() for entry in entries)


def _attributes(item: Json, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        details: Details = {}
        add(details, "base", "InvalidValue", f"a {what} must be an object")
        raise RecordInvalidError(details)
    server_set = sorted(set(item) & _SERVER_SET)
    if server_set:
        details = {}
        for name in server_set:
            add(details, name, "InvalidValue", f"{name} is set by Zendesk")
        raise RecordInvalidError(details)
    return dict(item)


# --- users ---------------------------------------------------------------------------------------------


def upsert_user(core: Core, item: Json) -> tuple[int, str]:
    """Create the user an item describes, or update the one it names; return (id, Created | Updated)."""
    changes = {k: v for k, v in _attributes(item, "user").items() if k not in _USER_FLAGS}
    found = _matching_user(core, changes)
    changes.pop("id", None)
    if found is None:
        return core.directory.create_user(**changes), "Created"
    core.directory.update_user(found, **changes)
    return found, "Updated"


def _matching_user(core: Core, changes: dict[str, Any]) -> int | None:
    people = core.people
    user_id = changes.get("id")
    if user_id is not None:
        if not isinstance(user_id, int) or not people.users_by("id", [user_id], include_deleted=False):
            raise NotFoundError(user_id)
        return user_id
    for column in ("external_id", "email"):
        value = changes.get(column)
        if isinstance(value, str) and value:
            rows = people.users_by(column, [value], include_deleted=False)
            if rows:
                return int(rows[0][0])
    return None


def _lookup_key(column: str, value: Json) -> str | int | None:
    """The key an update_many or destroy_many item gives (`id`: digits only), or None when it gives none."""
    key: str | int | None = value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if column == "id" and isinstance(key, str):
        key = int(key) if key.isdigit() else None
    return None if key == "" else key


def user_by(core: Core, column: str, value: Json) -> int:
    """Return the id of the user (not deleted) whose id or external id is `value`; NotFoundError if none."""
    key = _lookup_key(column, value)
    rows = core.people.users_by(column, [key], include_deleted=False) if key is not None else []
    if not rows:
        raise NotFoundError(value)
    return int(rows[0][0])


def update_user(core: Core, user_id: int, item: Json) -> None:
    """Apply an update_many item (without the key that found it, or the bulk form's change) to one user."""
    core.directory.update_user(user_id, **_attributes(item, "user"))


def destroy_user(core: Core, user_id: int) -> None:
    """Soft-delete a user (it stays, `active: false`); NotFoundError when it is already deleted."""
    try:
        core.directory.delete_user(user_id)
    except KeyError:
        raise NotFoundError(user_id) from None


# --- organizations -------------------------------------------------------------------------------------


def create_organization(core: Core, item: Json) -> int:
    """Create the organization an item describes (a unique name required); return its id."""
    attributes = _attributes(item, "organization")
    if "id" in attributes:
        details: Details = {}
        add(details, "id", "InvalidValue", "id is set by Zendesk")
        raise RecordInvalidError(details)
    return core.directory.create_organization(**attributes)


def organization_by(core: Core, column: str, value: Json) -> int:
    """Return the id of the organization whose id or external id is `value`; NotFoundError if none."""
    key = _lookup_key(column, value)
    rows = core.people.organizations_by(column, [key]) if key is not None else []
    if not rows:
        raise NotFoundError(value)
    return int(rows[0][0])


def update_organization(core: Core, org_id: int, item: Json, *, notes_only: bool) -> None:
    """Apply an update_many item (without the key that found it) to one organization.

    `notes_only`: the caller is an agent, who "can only update notes" (OAS UpdateManyOrganizations).
    """
    changes = _attributes(item, "organization")
    if notes_only and set(changes) - {"notes"}:
        details: Details = {}
        add(details, "base", "PermissionDenied", "Agents can only update notes on organizations")
        raise RecordInvalidError(details)
    core.directory.update_organization(org_id, **changes)


def delete_organization(core: Core, org_id: int) -> None:
    """Delete an organization: gone from every list, its users' default memberships cleared."""
    store = core.store
    with store.transaction():
        if core.people.organization(org_id) is None:
            raise NotFoundError(org_id)
        members = [
            int(row[0])
            for row in store.conn.execute(
                "SELECT id FROM users WHERE json_extract('{' || CAST(rest AS TEXT), '$.organization_id') = ?",
                (org_id,),
            )
        ]
        for user_id in members:
            core.directory.update_user(user_id, organization_id=None)
        core.memberships.forget_organization(org_id)
        store.conn.execute("DELETE FROM organizations WHERE id = ?", (org_id,))


# --- memberships ---------------------------------------------------------------------------------------


def add_membership(core: Core, item: Json) -> tuple[Membership, bool]:
    """Make the membership an item names; return it and whether it was new (False: it existed already)."""
    attributes = _attributes(item, "organization membership")
    details: Details = {}
    user_id, org_id = attributes.get("user_id"), attributes.get("organization_id")
    for name, value in (("user", user_id), ("organization", org_id)):
        if not isinstance(value, int) or isinstance(value, bool):
            add(details, name, "BlankValue", f"{name.capitalize()} cannot be blank")
    if details:
        raise RecordInvalidError(details)
    assert isinstance(user_id, int)  # noqa: S101 - narrowed by the checks above
    assert isinstance(org_id, int)  # noqa: S101
    if not core.people.users_by("id", [user_id], include_deleted=False):
        add(details, "user", "InvalidValue", f"User {user_id} does not exist")
    if core.people.organization(org_id) is None:
        add(details, "organization", "InvalidValue", f"Organization {org_id} does not exist")
    if details:
        raise RecordInvalidError(details)
    with core.store.transaction():
        try:
            membership = core.memberships.add(user_id, org_id, core.clock.stamp())
        except MembershipExistsError as exists:
            return exists.membership, False
        if membership.default:
            core.directory.update_user(user_id, organization_id=org_id)
    return membership, True
