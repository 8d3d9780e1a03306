"""Organization memberships: `organization_memberships/create_many` from a user key and an organization key.

Both ends are lookups, resolved by the run's resolver like any other (`user__email`, `user__external_id`,
`user_id`; `organization__external_id`, `organization__name`, `organization_id`), and an end that finds
nothing (or more than one) rejects the record whatever `lookup_unresolved` says: a membership needs both.
A membership that exists already is not an error: Zendesk's single create refuses it with a 422, and what
its bulk create says is unconfirmed (wire notes §26.7), so a failed item whose reason says the user is
"already" a member counts as done (and is counted in the run's summary). Deletes are not supported: a
membership record marked deleted is ignored and counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from target_zendesk_objects.destinations.base import MEMBERSHIP, Destination
from target_zendesk_objects.destinations.people import Link, PeopleMapper
from target_zendesk_objects.records.item import BadRecordError, WriteItem
from target_zendesk_objects.writing.jobs import ItemResult

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from target_zendesk_objects.records.validation import ObjectFields


READ_ONLY = frozenset(
    {"id", "url", "created_at", "updated_at", "default", "organization_name", "view_tickets"}
)
# The words of a failed item that says the membership was there already (decided: wire notes §26.6).
ALREADY = "already"


class MembershipDestination(Destination):
    """`zen:organization_membership`: a user's membership of an organization, created when missing."""

    kind: ClassVar[str] = MEMBERSHIP
    label: ClassVar[str] = "organization membership"

    def make_mapper(self, fields: Callable[[], ObjectFields] | None) -> PeopleMapper:
        """Memberships: two links, both required; no attributes and no fields of their own."""
        del fields
        user = Link.to("user_id", "zen:user", kinds=("external_id", "email", "id"), required=True)
        organization = Link.to(
            "organization_id", "zen:organization", kinds=("external_id", "name", "id"), required=True
        )
        links = (user, organization)
        return PeopleMapper(MEMBERSHIP, "organization memberships", self.config, READ_ONLY, links=links)

    def build(self, stream: str, record: dict[str, Any], *, deleted: bool) -> WriteItem | None:
        """The write of one membership record; None for a delete (not supported: ignored)."""
        if deleted:
            return None
        body: dict[str, Any] = {}
        needs = self.mapper.linked(record, body)
        ends = {need.field: f"{need.by}:{need.alias()[2]}" for need in needs}
        ends |= {attribute: f"id:{value}" for attribute, value in body.items() if value is not None}
        missing = [name for name in ("user_id", "organization_id") if name not in ends]
        if missing:
            props = " or ".join(
                sorted({prop for link in self.mapper.links for prop in link.by if link.attribute in missing})
            )
            msg = f"stream {stream}: a membership record names no {', '.join(missing)} ({props})"
            raise BadRecordError(msg)
        self.mapper.warn_unknown(record, ())
        key = f"{ends['user_id']}|{ends['organization_id']}"
        item = WriteItem(stream, MEMBERSHIP, "membership", key, delete=False, body=body, source=record)
        item.lookups = needs
        return item

    def submit(self, items: list[WriteItem]) -> None:
        """One create_many job."""
        self.writer.pipeline.submit(MEMBERSHIP, "create_many", items)

    def post(self, action: str, items: Sequence[WriteItem]) -> dict[str, Any]:
        """POST organization_memberships/create_many."""
        del action
        body = {"organization_memberships": [item.body for item in items]}
        return self.client.post_job("POST", "/api/v2/organization_memberships/create_many", body)

    def interpret(self, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """A failure that says the user is already a member: done (counted), not rejected."""
        found = super().interpret(action, item, result)
        if found.error is not None and ALREADY in found.error.lower():
            return ItemResult(None, existed=True)
        return found
