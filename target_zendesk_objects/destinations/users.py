"""Users: `users/create_or_update_many` jobs of 100, one at a time when Zendesk refuses bulk import.

Zendesk finds each user by `external_id` (preferred here: a record's own external id) or by `email`, and
reports every item as Created, Updated or Failed in request order (wire notes §26.2). Bulk user import is
off until the account owner asks Zendesk for it, and the bulk endpoint answers 403 until then: the run
then writes users with `users/create_or_update`, one request each, and says once why and how to turn bulk
import on. Deletes (only with `allow_deletes`) resolve the users' ids and go to `users/destroy_many`,
Zendesk's soft delete.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from target_zendesk_objects.destinations.base import USER, Destination
from target_zendesk_objects.destinations.people import Link, PeopleMapper
from target_zendesk_objects.records.validation import InvalidFieldsError, unsendable
from target_zendesk_objects.records.values import text_list, text_value, texts

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from target_zendesk_objects.records.item import WriteItem
    from target_zendesk_objects.records.validation import ObjectFields
    from target_zendesk_objects.writing.client import BulkRefusedError, WriteOutcome

LOGGER = logging.getLogger("target-zendesk-objects")
END_USER = "end-user"  # what a new user is when the write names no role
TEXT_ATTRIBUTES = ("name", "email", "phone", "external_id", "notes", "details", "time_zone", "locale")
# Our tap's other user keys (wire notes §18.1): read from Zendesk, never written back.
READ_ONLY = frozenset(
    {
        "id", "url", "created_at", "updated_at", "iana_time_zone", "shared_phone_number", "photo",
        "locale_id", "verified", "alias", "active", "shared", "shared_agent", "last_login_at",
        "two_factor_auth_enabled", "signature", "role_type", "custom_role_id", "moderator",
        "ticket_restriction", "only_private_comments", "restricted_agent", "suspended", "default_group_id",
        "report_csv", "user_fields",
    }
)  # fmt: skip
BULK_IMPORT_HELP = "https://support.zendesk.com/hc/en-us/articles/4408843597850"


class UserDestination(Destination):
    """`zen:user`: users created or updated by external id or email."""

    kind: ClassVar[str] = USER
    label: ClassVar[str] = "user"
    single_writes: ClassVar[bool] = True

    bulk = True  # until Zendesk answers create_or_update_many with a 403
    _bulk_off_said = False

    def make_mapper(self, fields: Callable[[], ObjectFields] | None) -> PeopleMapper:
        """Users: their attributes, their organization by lookup, their `cf_` fields."""
        self.roles = tuple(self.config.get("user_roles") or (END_USER,))
        organization = Link.to("organization_id", "zen:organization", kinds=("external_id", "name", "id"))
        read_only = READ_ONLY | {"role"}
        return PeopleMapper(
            USER, "users", self.config, read_only, links=(organization,), fields_source=fields
        )

    def build(self, stream: str, record: dict[str, Any], *, deleted: bool) -> WriteItem | None:
        """The write of one user record; None for a delete `allow_deletes` does not allow."""
        item = self.keyed(stream, record, "email", deleted=deleted)
        if item is None or item.delete:
            return item
        body = texts(record, TEXT_ATTRIBUTES, keys=("name", "email", "external_id")) | item.body
        text_list(record, "tags", body)
        role = text_value(record.get("role"))
        if role is not None:
            if role not in self.roles:
                allowed = ", ".join(self.roles)
                msg = f"role: {role!r} is not allowed (`user_roles` allows {allowed})"
                raise InvalidFieldsError(msg)
            # A new user is an end user without being told; an existing one matched by email may be an
            # agent, whom `role: end-user` would demote (Zendesk applies it). Only staff roles are sent.
            if role != END_USER:
                body["role"] = role
        item.lookups = self.mapper.linked(record, body)
        user_fields, needs = self.mapper.custom_fields(record)
        if user_fields or needs:
            body["user_fields"] = user_fields
        item.lookups += needs
        self.mapper.warn_unknown(
            record, [*TEXT_ATTRIBUTES, "tags", self.external_id_property or "external_id"]
        )
        problem = unsendable(item.key, body)
        if problem:
            raise InvalidFieldsError(problem)
        item.body = body
        return item

    def alone(self, item: WriteItem, *, upsert_mode: bool) -> bool:
        """Upserts go alone in `upsert` mode and once Zendesk refused bulk import; deletes go by jobs."""
        return not item.delete and (upsert_mode or not self.bulk)

    def submit(self, items: list[WriteItem]) -> None:
        """Upserts in one create_or_update_many job (or alone), deletes by their resolved ids."""
        upserts = [item for item in items if not item.delete]
        deletes = [item for item in items if item.delete]
        if upserts and self.bulk:
            self.writer.pipeline.submit(USER, "create_or_update_many", upserts)
        else:
            for item in upserts:
                self.writer.write_one(item)
        if deletes:
            self.writer.pipeline.wait_keys_free(USER, [item.key for item in deletes])
            self.deletes(deletes)

    def post(self, action: str, items: Sequence[WriteItem]) -> dict[str, Any]:
        """POST create_or_update_many, or DELETE destroy_many by id."""
        if action == "destroy_many":
            return self.post_destroy(items)
        return self.client.post_job(
            "POST", "/api/v2/users/create_or_update_many", {"users": [item.body for item in items]}
        )

    def send_one(self, item: WriteItem) -> WriteOutcome:
        """`users/create_or_update`: 200 updated, 201 created, 422 refused."""
        return self.client.create_or_update_user(item.body)

    def refused(self, action: str, items: list[WriteItem], error: BulkRefusedError) -> None:
        """A 403 to create_or_update_many: bulk user import is off; write these users, and the rest, alone."""
        if action != "create_or_update_many":
            super().refused(action, items, error)
            return
        self.bulk = False
        if not self._bulk_off_said:
            self._bulk_off_said = True
            LOGGER.warning(
                "Zendesk refused bulk user import (HTTP 403: %s): writing users one at a time with"
                " users/create_or_update (one request each). Bulk import is off until the account owner asks"
                " Zendesk Customer Support to turn it on (%s)",
                error,
                BULK_IMPORT_HELP,
            )
        for item in items:
            self.writer.send_one(item)
