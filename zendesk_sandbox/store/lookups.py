"""Lookup field values: what a written value points at, resolved to the id Zendesk stores (wire notes §14.2).

A value is the target's id (a string, or a number) or a natural key Zendesk resolves itself:
`"external_id:ABC"` (users, organizations, tickets, custom object records) or `"name:car1"` (records of an
object whose names are unique). Users' and organizations' names are not resolved (wire notes §14.2). The
target must exist and not be deleted. The stored value is the resolved id as a string.

Decisions where Zendesk's behaviour is unconfirmed (wire notes §14.3, §14.6), each switchable by a setting:
- a value that resolves to nothing is refused (`lookup_unresolved: "invalid"`: 422 RecordInvalid with
  details under the field's key; in a job, that item fails with the same details), or stored empty
  (`"empty"`);
- inside job items the prefixes are resolved like anywhere else (`lookup_prefixes_in_jobs: true`); with
  `false` a prefixed value in a job is read as a plain id, which no record has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zendesk_sandbox.data.datagen import BRAND_ID

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import SandboxSettings
    from zendesk_sandbox.store.database import Store
    from zendesk_sandbox.store.people import PeopleStore

EXTERNAL_ID = "external_id:"
NAME = "name:"
CUSTOM_OBJECT = "zen:custom_object:"
TARGETS = ("zen:user", "zen:organization", "zen:ticket")
# Allowed only on custom object fields (wire notes §14.1); the sandbox holds one brand and no articles.
OBJECT_ONLY_TARGETS = ("zen:brand", "zen:article")


@dataclass(frozen=True)
class Resolved:
    """The outcome of resolving one lookup value: the id to store, or why it was refused."""

    value: str | None
    problem: str = ""


class LookupResolver:
    """Resolves lookup values against the users, organizations, tickets and records the sandbox holds."""

    def __init__(
        self,
        store: Store,
        people: PeopleStore,
        settings: Callable[[], SandboxSettings],
        name_is_unique: Callable[[str], bool | None],
    ) -> None:
        """Read targets from `store` and `people`; `name_is_unique(key)` is None for an unknown object."""
        self.store = store
        self.people = people
        self.settings = settings
        self.name_is_unique = name_is_unique

    def resolve(self, target: str, value: Json, *, in_job: bool = False) -> Resolved:
        """Return the id string `value` points at in `target` (a relationship_target_type)."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return Resolved(None, "must be a record id")
        settings = self.settings()
        prefixed = value.startswith((EXTERNAL_ID, NAME))
        if prefixed and in_job and not settings.lookup_prefixes_in_jobs:
            found, problem = None, f"no {target} with id {value}"
        else:
            found, problem = self._find(target, value)
        if found is not None:
            return Resolved(found)
        unresolved = problem.startswith("no ")  # well-formed, but nothing has that id or key
        if unresolved and settings.lookup_unresolved == "empty":
            return Resolved(None)
        return Resolved(None, problem)

    def _find(self, target: str, value: str) -> tuple[str | None, str]:
        if value.startswith(EXTERNAL_ID):
            key = value.removeprefix(EXTERNAL_ID)
            if target in OBJECT_ONLY_TARGETS:
                return None, f"{target} cannot be looked up by external id"
            found = self._by_external_id(target, key)
            return (found, "") if found else (None, f"no {target} with external_id {key}")
        if value.startswith(NAME):
            key = value.removeprefix(NAME)
            if not target.startswith(CUSTOM_OBJECT):
                return None, f"{target} cannot be looked up by name"
            object_key = target.removeprefix(CUSTOM_OBJECT)
            if self.name_is_unique(object_key) is False:
                return None, f"{object_key} names are not unique: look its records up by id or external_id"
            found = self._record(object_key, "name", key)
            return (found, "") if found else (None, f"no {target} with name {key}")
        found = self._by_id(target, value)
        return (found, "") if found else (None, f"no {target} with id {value}")

    def _by_id(self, target: str, value: str) -> str | None:  # noqa: PLR0911 - one per target type
        if target.startswith(CUSTOM_OBJECT):
            return self._record(target.removeprefix(CUSTOM_OBJECT), "id", value)
        if not value.isdigit():
            return None
        number = int(value)
        if target == "zen:user":
            return value if self.people.users_by("id", [number], include_deleted=False) else None
        if target == "zen:organization":
            return value if self.people.organizations_by("id", [number]) else None
        if target == "zen:ticket":
            return value if self.store.live_ticket("id", value) is not None else None
        if target == "zen:brand":
            return value if number == BRAND_ID else None
        return None  # zen:article: the sandbox holds no Help Center articles

    def _by_external_id(self, target: str, key: str) -> str | None:
        if target.startswith(CUSTOM_OBJECT):
            return self._record(target.removeprefix(CUSTOM_OBJECT), "external_id", key)
        if target == "zen:user":
            rows = self.people.users_by("external_id", [key], include_deleted=False)
        elif target == "zen:organization":
            rows = self.people.organizations_by("external_id", [key])
        elif target == "zen:ticket":
            ticket = self.store.live_ticket("external_id", key)
            return None if ticket is None else str(ticket)
        else:
            return None
        return str(rows[0][0]) if rows else None

    def _record(self, object_key: str, column: str, value: str) -> str | None:
        record = self.store.live_record_by(object_key, column, value)
        return None if record is None else record.id


def valid_target(target: Json, object_exists: Callable[[str], bool], *, on_custom_object: bool) -> bool:
    """Return True when `target` is a relationship_target_type a new lookup field may have.

    See wire notes §14.1.
    """
    if not isinstance(target, str):
        return False
    if target.startswith(CUSTOM_OBJECT):
        return object_exists(target.removeprefix(CUSTOM_OBJECT))
    return target in TARGETS or (on_custom_object and target in OBJECT_ONLY_TARGETS)
