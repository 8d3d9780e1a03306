"""Destinations besides custom objects: Zendesk's users, organizations and organization memberships.

A stream writes to one of them when its object (`object_map`, `custom_object_key` or the record's own
`custom_object_key`) is `zen:user`, `zen:organization` or `zen:organization_membership`. Each destination
turns records into writes (`build`), a flushed buffer of writes into jobs (`submit`), a job's items into
the request (`post`), and each job result item into a record's fate (`interpret`). Everything else is the
custom objects' machinery, shared: the buffers, the job pipeline with its show_many polling and job cap,
lookups and the resolver's cache, the rejections file and the checkpoint ledger (docs/target.md, Users,
organizations and memberships).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from target_zendesk_objects.records.item import BadRecordError, WriteItem
from target_zendesk_objects.records.keys import normal_key
from target_zendesk_objects.records.values import text_value
from target_zendesk_objects.writing.jobs import ItemResult, result_error
from zendesk_objects_shared import ZendeskAPIError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from target_zendesk_objects.destinations.people import PeopleMapper
    from target_zendesk_objects.lookups.resolver import KeyResolver
    from target_zendesk_objects.records.validation import ObjectFields
    from target_zendesk_objects.writing.client import BulkRefusedError, WriteOutcome, ZendeskWriteClient
    from target_zendesk_objects.writing.writer import RecordWriter

LOGGER = logging.getLogger("target-zendesk-objects")

USER = "zen:user"
ORGANIZATION = "zen:organization"
MEMBERSHIP = "zen:organization_membership"
FIELD_KINDS = {USER: "user", ORGANIZATION: "organization"}  # whose custom fields: GET /api/v2/{kind}_fields


class Destination:
    """One kind of Zendesk resource the target writes, through the run's writer and resolver."""

    kind: ClassVar[str]
    label: ClassVar[str]  # how messages name it: "user", "organization", "organization membership"
    # Whether one write can go alone (the fallback after a failed job, `upsert` mode, `auto`'s trickle).
    single_writes: ClassVar[bool] = False

    def __init__(
        self,
        writer: RecordWriter,
        client: ZendeskWriteClient,
        resolver: KeyResolver,
        config: Mapping[str, Any],
        fields: Callable[[], ObjectFields] | None = None,
    ) -> None:
        """Write through `writer` (its pipeline and ledger) and `client`; own keys found with `resolver`.

        `fields()` gives the account's custom fields of this kind, by the `cf_` names records give them.
        """
        self.writer = writer
        self.client = client
        self.resolver = resolver
        self.config = config
        self.allow_deletes = self.kind in (config.get("allow_deletes") or ())
        self.external_id_property = config.get("external_id_property")
        self.mapper = self.make_mapper(fields)

    def make_mapper(self, fields: Callable[[], ObjectFields] | None) -> PeopleMapper:
        """How this destination reads its records."""
        raise NotImplementedError

    def keyed(self, stream: str, record: dict[str, Any], second: str, *, deleted: bool) -> WriteItem | None:
        """The record's write, matched by its external id, else its `second` key (email, name); no body yet.

        The key is as Zendesk compares it (without case); BadRecordError when the record has neither. None
        for a delete that `allow_deletes` does not allow (ignored, once its key is known to be there).
        """
        own = (
            record.get(self.external_id_property) if self.external_id_property else record.get("external_id")
        )
        keys = {"external_id": text_value(own), second: text_value(record.get(second))}
        found = [(by, value) for by, value in keys.items() if value]
        if not found:
            msg = f"stream {stream}: a {self.label} record has neither an external id nor a {second}"
            raise BadRecordError(msg)
        if deleted and not self.allow_deletes:
            return None
        match_on, key = found[0]
        item = WriteItem(
            stream, self.kind, match_on, normal_key(self.kind, key), delete=deleted, body={}, source=record
        )
        item.aliases = tuple((self.kind, by, normal_key(self.kind, value)) for by, value in found)
        if keys["external_id"]:  # sent as given: Zendesk keeps the case it is sent (OAS CreateOrUpdateUser)
            item.body["external_id"] = keys["external_id"]
        return item

    def build(self, stream: str, record: dict[str, Any], *, deleted: bool) -> WriteItem | None:
        """The write of one record; None when there is nothing to write (a delete that is not allowed)."""
        raise NotImplementedError

    def alone(self, item: WriteItem, *, upsert_mode: bool) -> bool:
        """Whether `item` goes by itself rather than into a job (never, unless the destination says so)."""
        del item, upsert_mode
        return False

    def submit(self, items: list[WriteItem]) -> None:
        """Send a flushed buffer of writes (at most 100, distinct keys) as this destination's jobs."""
        raise NotImplementedError

    def refused(self, action: str, items: list[WriteItem], error: BulkRefusedError) -> None:
        """A 403 to a bulk endpoint: the credentials may not do this; the run ends with Zendesk's message."""
        del items
        hint = f"writing {self.label}s ({action}) needs an admin's credentials, or an agent allowed to"
        raise ZendeskAPIError(403, str(error), hint=hint)

    def post(self, action: str, items: Sequence[WriteItem]) -> dict[str, Any]:
        """Send one job of `action` holding `items`; return its job_status."""
        raise NotImplementedError

    def send_one(self, item: WriteItem) -> WriteOutcome:
        """Write one item alone (only where `single_writes`)."""
        raise NotImplementedError

    def endpoint(self, action: str) -> str:
        """The job endpoint of `action`, for the job cap counted per endpoint (wire notes §26.5)."""
        return f"{self.kind}:{action}"

    def interpret(self, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """Read one job result item for `item` (wire notes §26.2)."""
        del item
        error = result_error(result)
        if error is not None:
            not_found = result.get("error") == "RecordNotFound"
            return (
                ItemResult(None, found_nothing=True)
                if action == "destroy_many" and not_found
                else ItemResult(error)
            )
        found = result.get("id")
        return ItemResult(None, resource_id=None if found is None or action == "destroy_many" else str(found))

    def resolve_own(self, items: list[WriteItem]) -> list[WriteItem]:
        """Find each item's own id by its key (show_many, search; the resolver's cache).

        Items whose key matches several are rejected (never guessed); the others come back with `own_id`
        set, or None when Zendesk holds none.
        """
        by_kind: dict[str, list[WriteItem]] = {}
        for item in items:
            by_kind.setdefault(item.match_on, []).append(item)
        kept = []
        for by, group in by_kind.items():
            found = self.resolver.lookup(self.kind, by, [item.key for item in group])
            for item in group:
                ids = found[item.key]
                if len(ids) > 1:
                    msg = f"{len(ids)} {self.kind} matches for {by} {item.key} (ambiguous)"
                    self.writer.settle(item, msg)
                    continue
                item.own_id = ids[0] if ids else None
                kept.append(item)
        return kept

    def deletes(self, items: list[WriteItem]) -> None:
        """Destroy the deleted items by id, 100 a job; a key Zendesk does not hold is done already."""
        found = []
        for item in self.resolve_own(items):
            if item.own_id is None:
                self.writer.settle(item, None, found_nothing=True)
            else:
                found.append(item)
        if found:
            self.writer.pipeline.submit(self.kind, "destroy_many", found)

    def post_destroy(self, items: Sequence[WriteItem]) -> dict[str, Any]:
        """The job `deletes` submits: DELETE `users/destroy_many` or `organizations/destroy_many` by id."""
        ids = ",".join(str(item.own_id) for item in items)
        path = f"/api/v2/{FIELD_KINDS[self.kind]}s/destroy_many"
        return self.client.post_job("DELETE", path, params={"ids": ids})
