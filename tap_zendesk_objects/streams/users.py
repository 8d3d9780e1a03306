"""`users`: the cursor-based incremental user export, with typed `user_fields`."""

from __future__ import annotations

from typing import ClassVar

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.schemas.people import USER_PROPERTIES
from tap_zendesk_objects.streams.keyed_fields import KeyedFieldsStream


class UserExportWalk(ZendeskExportStream):
    """A stream read from the user export's pages (walking/riders.py): `users`, `user_identities`.

    Same walk and bookmark as `tickets`: `after_cursor` until `end_of_stream`, `high_water` from the rows'
    `updated_at` (the export orders by `updated_at`, then id).
    """

    path = "/api/v2/incremental/users/cursor"
    records_key = "users"
    position_key = "updated_at"
    walk_group = "users"


class UsersStream(KeyedFieldsStream, UserExportWalk):
    """Every user changed since the bookmark; deleted users come with `active: false` (wire notes §18.1)."""

    name = "users"
    primary_keys: ClassVar[list[str]] = ["id"]
    replication_key = "updated_at"
    is_sorted = True

    standard_properties = USER_PROPERTIES
    field_kind = "user"
    fields_key = "user_fields"
