"""`user_identities`: the user export's `identities` sideload, read from its pages (walking/riders.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.schemas.warehouse import USER_IDENTITIES_SCHEMA
from tap_zendesk_objects.streams.users import UserExportWalk


class UserIdentitiesStream(UserExportWalk):
    """Every identity (email, phone, ...) of the users the export sends: no request of its own.

    The sideload is a top-level `identities` array beside `users` (wire notes §25); an identity of a
    deleted user (`active: false`) comes with `deleted: true`. An identity removed from a user who stays
    is not in the sideload any more: the warehouse keeps it until the user is exported again and its
    identities are compared (what a model on `user_id` can do).
    """

    name = "user_identities"
    primary_keys: ClassVar[list[str]] = ["id"]
    schema: ClassVar[dict[str, Any]] = USER_IDENTITIES_SCHEMA
    sideload = "identities"
    # The page is in the users' updated_at order, not the identities': the value moves when a walk ends.
    replication_key = "updated_at"
    is_sorted = False

    @override
    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        active = {user["id"]: user.get("active") for user in self.page_rows(page)}
        identities = page.get("identities")
        if not isinstance(identities, list):
            return []
        return [
            {**identity, "deleted": active.get(identity.get("user_id")) is False}
            for identity in identities
            if isinstance(identity, dict) and identity.get("id") is not None
        ]
