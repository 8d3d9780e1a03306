"""`users`: the cursor-based incremental user export, with typed `user_fields`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th
from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.schemas.custom_fields import FieldTyper, schema_properties, typer_for
from tap_zendesk_objects.schemas.people import USER_PROPERTIES
from tap_zendesk_objects.walking.paginators import TicketExportPaginator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.schemas.custom_fields import TypedField
    from tap_zendesk_objects.walking.paginators import CursorPaginator


class UserExportWalk(ZendeskExportStream):
    """A stream read from the user export's pages (walking/riders.py): `users`, `user_identities`.

    Same walk and bookmark as `tickets`: `after_cursor` until `end_of_stream`, `high_water` from the rows'
    `updated_at` (the export orders by `updated_at`, then id).
    """

    path = "/api/v2/incremental/users/cursor"
    records_key = "users"
    position_key = "updated_at"
    walk_group = "users"

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return self.new_cursor_paginator(TicketExportPaginator)


class UsersStream(UserExportWalk):
    """Every user changed since the bookmark; deleted users come with `active: false` (wire notes §18.1)."""

    name = "users"
    primary_keys: ClassVar[list[str]] = ["id"]
    replication_key = "updated_at"
    is_sorted = True

    def __init__(self, *, runtime: TapRuntime, fields: Sequence[TypedField], **kwargs: Any) -> None:  # noqa: ANN401
        """A users stream whose `user_fields` values are also typed `cf_...` properties."""
        schema = th.PropertiesList(*USER_PROPERTIES.wrapped.values(), *schema_properties(fields, "user"))
        self._fields = list(fields)
        self._typer = FieldTyper(self.name, ())
        super().__init__(runtime=runtime, schema=schema.to_dict(), **kwargs)

    @override
    def start_walk(self, context: Context | None) -> None:
        super().start_walk(context)
        # After the SDK applied the input catalog: its schema decides which fields become properties.
        self._typer = typer_for(self.name, self._fields, self.effective_schema)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        self._typer.from_object(row, row.get("user_fields"))
        return row
