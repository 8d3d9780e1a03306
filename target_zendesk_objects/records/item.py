"""One record on its way to Zendesk: the write every stage passes on, from mapping to the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from target_zendesk_objects.records.keys import Alias, LookupNeed

# The field value objects a later write of the same key merges into (custom objects, users, organizations).
NESTED_FIELDS = ("custom_object_fields", "user_fields", "organization_fields")


class BadRecordError(ValueError):
    """A record that cannot be written at all (no key to write it by); ends the run."""


@dataclass
class WriteItem:
    """One record on its way to Zendesk: where, by which key, what to send, and what it covers."""

    stream: str
    object_key: str
    match_on: str  # "external_id" or "name"
    key: str  # the external id or the name the write is matched by
    delete: bool
    body: dict[str, Any]  # the custom_object_record: name, external_id, custom_object_fields
    source: dict[str, Any]  # the record as received, for the rejections file
    numbers: list[int] = field(default_factory=list)  # ledger numbers this write settles
    lookups: list[LookupNeed] = field(default_factory=list)  # natural keys still to resolve
    prefixed: list[str] = field(default_factory=list)  # lookup fields Zendesk resolves (`name:…`)
    sent_alone: bool = False  # written by PATCH/DELETE (not only in a job)
    confirmed: bool = False  # settled as accepted by Zendesk
    # (target, by, normal key) a lookup could find this write by: a lookup of one waits for the write
    aliases: tuple[Alias, ...] = ()
    own_id: str | None = None  # a user's or organization's Zendesk id, found by its key before writing
    registered: bool = False  # counted among the writer's pending writes

    @property
    def external_id(self) -> str | None:
        """The external id, when the record has one."""
        value = self.body.get("external_id")
        return str(value) if value is not None else (self.key if self.match_on == "external_id" else None)

    def absorb(self, newer: WriteItem) -> None:
        """Take over a later write of the same key (last one wins; field updates merge, as PATCH does)."""
        if not newer.delete and not self.delete:
            merged = {**self.body, **newer.body}
            for nested in NESTED_FIELDS:
                if nested in self.body or nested in newer.body:
                    merged[nested] = {**self.body.get(nested, {}), **newer.body.get(nested, {})}
            self.body = merged
        else:
            self.body = newer.body
        self.aliases = tuple(dict.fromkeys((*self.aliases, *newer.aliases)))
        self.delete = newer.delete
        self.source = newer.source
        self.numbers.extend(newer.numbers)
        self.prefixed = sorted({*self.prefixed, *newer.prefixed}) if not self.delete else []
