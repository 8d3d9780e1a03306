"""Users, organizations, groups and custom field definitions: validated changes for the admin API.

Every change to a user or an organization bumps its `updated_at` through the change clock (clock.py), so an
export running meanwhile serves the change later and never skips it. A deleted user stays, with
`active: false` (OAS UserObject: "false if the user has been deleted"; the OAS has no `deleted` flag).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data import fielddefs, people
from zendesk_sandbox.data.datagen import iso, parse_iso
from zendesk_sandbox.data.fielddefs import FIELD_KINDS, FieldKind, FieldSpec
from zendesk_sandbox.store import validation
from zendesk_sandbox.store.validation import Details, RecordInvalidError, add

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import SandboxSettings
    from zendesk_sandbox.store.clock import ChangeClock
    from zendesk_sandbox.store.database import Store
    from zendesk_sandbox.store.lookups import Resolved
    from zendesk_sandbox.store.people import PeopleStore

    Resolve = Callable[[str, Json], Resolved]

_FIXED = frozenset({"id", "url", "created_at", "updated_at", "active"})
_ROLES = frozenset({"end-user", "agent", "admin"})
_FIELDS_ATTRIBUTE: dict[FieldKind, str] = {"user": "user_fields", "organization": "organization_fields"}
_TEXT = (str, type(None))


class Directory:
    """The account's people and field definitions, changed as an admin would change them."""

    def __init__(
        self,
        store: Store,
        people_store: PeopleStore,
        settings: Callable[[], SandboxSettings],
        clock: ChangeClock,
        resolve: Resolve,
    ) -> None:
        """Work on `store` and `people_store`; lookup field values are resolved by `resolve`."""
        self.store = store
        self.people = people_store
        self.settings = settings
        self.clock = clock
        self.resolve = resolve

    # --- field definitions and groups --------------------------------------------------------------------

    def fields(self, kind: FieldKind) -> list[dict[str, Any]]:
        """Return the field definitions of `kind` (tickets: system and custom), by position, without `url`."""
        stored = self.store.meta_json(f"{_kind(kind)}_fields") or []
        return sorted(stored, key=lambda field: (field["position"], field["id"]))

    def groups(self) -> list[dict[str, Any]]:
        """Return the groups, by id, without `url`."""
        return list(self.store.meta_json("groups") or [])

    def rename_field(self, kind: FieldKind, field_id: int, title: str) -> dict[str, Any]:
        """Give a field a new title (its key and id stay); return the field."""
        if not isinstance(title, str) or not title.strip():
            msg = "a field title cannot be blank"
            raise ValueError(msg)
        with self.store.transaction():
            fields = self.fields(kind)
            field = next((field for field in fields if field["id"] == field_id), None)
            if field is None:
                raise KeyError(field_id)
            field.update(title=title, raw_title=title, updated_at=iso(time.time()))
            if kind == "ticket":
                field.update(title_in_portal=title, raw_title_in_portal=title)
            self.store.set_meta_json(f"{kind}_fields", fields)
        return field

    def add_field(  # noqa: PLR0913 - the attributes of a new field
        self,
        kind: FieldKind,
        field_type: str,
        title: str,
        *,
        key: str | None = None,
        options: Iterable[str] = (),
        regexp: str | None = None,
        relationship_target_type: str | None = None,
    ) -> dict[str, Any]:
        """Add a custom field of `kind`; every existing ticket, user or organization gets it empty."""
        types = fielddefs.TICKET_FIELD_TYPES if _kind(kind) == "ticket" else fielddefs.CUSTOM_FIELD_TYPES
        if field_type not in types:
            msg = f"a {kind} field type is one of {', '.join(sorted(types))}"
            raise ValueError(msg)
        key = key or "_".join(title.lower().split())
        with self.store.transaction():
            fields = self.fields(kind)
            if any(field.get("key") == key for field in fields):
                msg = f"a {kind} field with key {key} exists"
                raise ValueError(msg)
            spec = FieldSpec(key, field_type, title, tuple(options), regexp, relationship_target_type)
            field_id = max(field["id"] for field in fields) + 1 if fields else fielddefs.FIELD_ID_BASES[kind]
            position = max((field["position"] for field in fields), default=-1) + 1
            field = fielddefs.new_field(kind, spec, field_id, position, int(time.time()))
            self.store.set_meta_json(f"{kind}_fields", [*fields, field])
            empty = fielddefs.wire_value(kind, field_type, None)
            if kind == "ticket":
                self.store.add_ticket_field_value(field_id, empty)
            elif kind == "user":
                self.people.add_field_value("users", _FIELDS_ATTRIBUTE[kind], key, empty)
            else:
                self.people.add_field_value("organizations", _FIELDS_ATTRIBUTE[kind], key, empty)
        return field

    # --- users ---------------------------------------------------------------------------------------------

    def user(self, user_id: int, account_url: str) -> dict[str, Any] | None:
        """Return a user as the export sends it (deleted ones with `active: false`)."""
        found = self.people.user(user_id)
        return None if found is None else {"url": f"{account_url}/api/v2/users/{user_id}.json", **found[0]}

    def create_user(self, **attributes: Json) -> int:
        """Create an end user (name and email required unless given otherwise) and return its id."""
        with self.store.transaction():
            now = self.clock.stamp()
            user_id = self.people.next_user_id(people.USER_ID_STEP)
            body = people.new_user_body(user_id, now, self.fields("user"))
            self._apply_user(body, attributes, creating=True)
            self.people.put_user(body, now)
        return user_id

    def update_user(self, user_id: int, **changes: Json) -> None:
        """Change a user's attributes; bumps updated_at."""
        with self.store.transaction():
            found = self.people.user(user_id)
            if found is None:
                raise KeyError(user_id)
            body = found[0]
            self._apply_user(body, changes, creating=False)
            self.people.put_user(body, self._bump(body))

    def delete_user(self, user_id: int) -> None:
        """Soft-delete a user: `active: false`, updated_at bumped; it stays in the export."""
        with self.store.transaction():
            found = self.people.user(user_id)
            if found is None or not found[1]:
                raise KeyError(user_id)
            body = found[0]
            body["active"] = False
            self.people.put_user(body, self._bump(body))

    def _apply_user(self, body: dict[str, Any], changes: dict[str, Json], *, creating: bool) -> None:
        _refuse_fixed(changes)
        details = _unknown_attributes(body, changes, "a user")
        _checked_name(changes, details, creating=creating)
        for column in ("email", "external_id"):
            value = changes.get(column)
            if value is not None and not isinstance(value, str):
                add(details, column, "InvalidValue", f"{column} must be text")
            elif value and self.people.other_user_with(column, value, body["id"]):
                # the real 422's wording, value included (zendesk_api_client_rb#308)
                add(
                    details,
                    column,
                    "DuplicateValue",
                    f"{column.replace('_', ' ').capitalize()}: {value} is already being used by another user",
                )
        if "email" in changes and isinstance(changes["email"], str) and "@" not in changes["email"]:
            add(details, "email", "InvalidValue", f"Email: {changes['email']} is not properly formatted")
        if "role" in changes and changes["role"] not in _ROLES:
            add(details, "role", "InvalidValue", f"Role must be one of {', '.join(sorted(_ROLES))}")
        self._check_organization(changes.get("organization_id"), details)
        self._check_group(changes.get("default_group_id"), details)
        self._apply_if_valid("user", body, changes, details)

    # --- organizations -------------------------------------------------------------------------------------

    def organization(self, org_id: int, account_url: str) -> dict[str, Any] | None:
        """Return an organization as the export sends it."""
        found = self.people.organization(org_id)
        return (
            None if found is None else {"url": f"{account_url}/api/v2/organizations/{org_id}.json", **found}
        )

    def create_organization(self, **attributes: Json) -> int:
        """Create an organization (a unique name required) and return its id."""
        with self.store.transaction():
            now = self.clock.stamp()
            org_id = self.people.next_organization_id()
            body = people.new_organization_body(org_id, now, self.fields("organization"))
            self._apply_organization(body, attributes, creating=True)
            self.people.put_organization(body, now)
        return org_id

    def update_organization(self, org_id: int, **changes: Json) -> None:
        """Change an organization's attributes; bumps updated_at."""
        self.update_organizations([org_id], **changes)

    def update_organizations(self, org_ids: Iterable[int], **changes: Json) -> None:
        """Change organizations in one transaction, all stamped with the same second (a bulk update)."""
        with self.store.transaction():
            stamp = self.clock.stamp()
            for org_id in org_ids:
                body = self.people.organization(org_id)
                if body is None:
                    raise KeyError(org_id)
                self._apply_organization(body, changes, creating=False)
                updated = max(stamp, _epoch(body["updated_at"]))
                body["updated_at"] = iso(updated)
                self.people.put_organization(body, updated)

    def _apply_organization(self, body: dict[str, Any], changes: dict[str, Json], *, creating: bool) -> None:
        _refuse_fixed(changes)
        details = _unknown_attributes(body, changes, "an organization")
        name = _checked_name(changes, details, creating=creating)
        if name is not None and self.people.other_organization_with("name", name, body["id"]):
            add(details, "name", "DuplicateValue", "Name has already been taken")
        external_id = changes.get("external_id")
        if not isinstance(external_id, _TEXT):
            add(details, "external_id", "InvalidValue", "External id must be text")
        elif external_id and self.people.other_organization_with("external_id", external_id, body["id"]):
            add(details, "external_id", "DuplicateValue", "External id has already been taken")
        self._check_group(changes.get("group_id"), details)
        self._apply_if_valid("organization", body, changes, details)

    # --- shared checks ------------------------------------------------------------------------------------

    def _apply_if_valid(
        self, kind: FieldKind, body: dict[str, Any], changes: dict[str, Json], details: Details
    ) -> None:
        """Check the custom field values too, then change `body` only if nothing failed (a 422 otherwise)."""
        attribute = _FIELDS_ATTRIBUTE[kind]
        values = self._field_values(kind, body[attribute], changes.get(attribute), details)
        if details:
            raise RecordInvalidError(details)
        body.update({key: value for key, value in changes.items() if key != attribute})
        body[attribute] = values

    def _bump(self, body: dict[str, Any]) -> int:
        updated = max(self.clock.stamp(), _epoch(body["updated_at"]))
        body["updated_at"] = iso(updated)
        return updated

    def _check_organization(self, org_id: Json, details: Details) -> None:
        if org_id is not None and (not isinstance(org_id, int) or self.people.organization(org_id) is None):
            add(details, "organization_id", "InvalidValue", f"no organization with id {org_id}")

    def _check_group(self, group_id: Json, details: Details) -> None:
        if group_id is not None and group_id not in {group["id"] for group in self.groups()}:
            add(details, "group_id", "InvalidValue", f"no group with id {group_id}")

    def _field_values(
        self, kind: FieldKind, current: dict[str, Any], changes: Json, details: Details
    ) -> dict[str, Any]:
        """Return `current` with `changes` applied, each value checked and in its wire form."""
        if changes is None:
            return current
        if not isinstance(changes, dict):
            add(
                details,
                _FIELDS_ATTRIBUTE[kind],
                "InvalidValue",
                f"{_FIELDS_ATTRIBUTE[kind]} must be an object",
            )
            return current
        definitions = {field["key"]: field for field in self.fields(kind)}
        checked = validation.checked_values(
            definitions,
            changes,
            details,
            lambda lookup, written: self.resolve(lookup.get("relationship_target_type") or "", written),
            unknown=f"a {kind} field",
        )
        out = dict(current)
        for key, value in checked.items():
            out[key] = fielddefs.wire_value(kind, definitions[key]["type"], value)
        return out


def _kind(kind: str) -> FieldKind:
    if kind not in FIELD_KINDS:
        msg = f"field kinds are {', '.join(FIELD_KINDS)}, not {kind}"
        raise ValueError(msg)
    return kind


def _unknown_attributes(body: dict[str, Any], changes: dict[str, Json], noun: str) -> Details:
    """Return the failures of a change naming attributes `body` does not have (`noun`: "a user")."""
    details: Details = {}
    for unknown in sorted(set(changes) - set(body)):
        add(details, unknown, "InvalidField", f"{unknown} is not an attribute of {noun}")
    return details


def _checked_name(changes: dict[str, Json], details: Details, *, creating: bool) -> str | None:
    """Return the name a change gives, or None: none given, or blank (then a failure in `details`)."""
    if "name" not in changes and not creating:
        return None
    name = changes.get("name")
    if not isinstance(name, str) or not name.strip():
        add(details, "name", "BlankValue", "Name cannot be blank")
        return None
    return name


def _refuse_fixed(changes: dict[str, Json]) -> None:
    fixed = sorted(set(changes) & _FIXED)
    if fixed:
        msg = f"the sandbox sets these keys itself: {', '.join(fixed)}"
        raise ValueError(msg)


def _epoch(text: str) -> int:
    return parse_iso(text)
