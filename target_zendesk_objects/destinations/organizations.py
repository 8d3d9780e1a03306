"""Organizations: resolve the batch's keys, then `create_many` the new ones and `update_many` the rest.

Zendesk has no bulk upsert of organizations (wire notes §26.1), and its single update allows 5 requests a
minute, so a loop of single updates is never an option. Each flushed buffer of up to 100 organizations is
first looked up by key through the resolver (its cache first; `organizations/show_many`, 100 external ids a
request; a search per name), then written in at most two jobs: `create_many` for the keys Zendesk does not
hold and `update_many` (its batch form, by id) for the others. A name is unique in an account, so a name
that finds more than one organization is a rejection, never a guess. Deletes (only with `allow_deletes`)
go to `organizations/destroy_many` by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from target_zendesk_objects.destinations.base import ORGANIZATION, Destination
from target_zendesk_objects.destinations.people import PeopleMapper
from target_zendesk_objects.records.validation import InvalidFieldsError, unsendable
from target_zendesk_objects.records.values import flags, text_list, text_value, texts
from target_zendesk_objects.writing.jobs import ItemResult

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from target_zendesk_objects.records.item import WriteItem
    from target_zendesk_objects.records.validation import ObjectFields

TEXT_ATTRIBUTES = ("name", "external_id", "details", "notes")
FLAGS = ("shared_tickets", "shared_comments")
# Our tap's other organization keys (OAS OrganizationObject): read from Zendesk, never written back.
READ_ONLY = frozenset({"id", "url", "created_at", "updated_at", "organization_fields"})


class OrganizationDestination(Destination):
    """`zen:organization`: organizations matched by external id, else by their unique name."""

    kind: ClassVar[str] = ORGANIZATION
    label: ClassVar[str] = "organization"

    def make_mapper(self, fields: Callable[[], ObjectFields] | None) -> PeopleMapper:
        """Organizations: their attributes and their `cf_` fields."""
        return PeopleMapper(ORGANIZATION, "organizations", self.config, READ_ONLY, fields_source=fields)

    def build(self, stream: str, record: dict[str, Any], *, deleted: bool) -> WriteItem | None:
        """The write of one organization record; None for a delete `allow_deletes` does not allow."""
        item = self.keyed(stream, record, "name", deleted=deleted)
        if item is None or item.delete:
            return item
        body = texts(record, TEXT_ATTRIBUTES, keys=("name", "external_id")) | item.body
        text_list(record, "tags", body)
        text_list(record, "domain_names", body)
        flags(record, FLAGS, body)
        if record.get("group_id") is not None:
            body["group_id"] = _group_id(record["group_id"])
        organization_fields, needs = self.mapper.custom_fields(record)
        if organization_fields or needs:
            body["organization_fields"] = organization_fields
        item.lookups = needs
        written = [
            *TEXT_ATTRIBUTES,
            *FLAGS,
            "tags",
            "domain_names",
            "group_id",
            self.external_id_property or "",
        ]
        self.mapper.warn_unknown(record, written)
        problem = unsendable(item.key, body)
        if problem:
            raise InvalidFieldsError(problem)
        item.body = body
        return item

    def submit(self, items: list[WriteItem]) -> None:
        """Find the batch's ids, then create the new, update the known, destroy the deleted."""
        # Earlier writes of these keys first: their results tell the cache what Zendesk now holds.
        self.writer.pipeline.wait_keys_free(ORGANIZATION, [item.key for item in items])
        upserts = self.resolve_own([item for item in items if not item.delete])
        creates = [item for item in upserts if item.own_id is None]
        updates = [item for item in upserts if item.own_id is not None]
        if creates:
            self.writer.pipeline.submit(ORGANIZATION, "create_many", creates)
        if updates:
            self.writer.pipeline.submit(ORGANIZATION, "update_many", updates)
        deletes = [item for item in items if item.delete]
        if deletes:
            self.deletes(deletes)

    def post(self, action: str, items: Sequence[WriteItem]) -> dict[str, Any]:
        """One create_many, update_many (batch form: each item with its id) or destroy_many job."""
        if action == "create_many":
            body = {"organizations": [item.body for item in items]}
            return self.client.post_job("POST", "/api/v2/organizations/create_many", body)
        if action == "update_many":
            body = {"organizations": [{"id": int(str(item.own_id)), **item.body} for item in items]}
            return self.client.post_job("PUT", "/api/v2/organizations/update_many", body)
        return self.post_destroy(items)

    def interpret(self, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """As every destination reads results; an update's id is the one it was sent with."""
        found = super().interpret(action, item, result)
        if action == "update_many" and found.error is None and found.resource_id is None:
            return ItemResult(None, resource_id=item.own_id)
        return found


def _group_id(value: Any) -> int:  # noqa: ANN401 (a record's value)
    text = text_value(value)
    if text is None or not text.isdigit():
        msg = f"group_id: expected a Zendesk group id (digits), got {value!r}"
        raise InvalidFieldsError(msg)
    return int(text)
