"""`organizations`: the time-based organization export (there is no cursor one, wire notes §18.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from typing_extensions import override

from tap_zendesk_objects.schemas.custom_fields import FieldTyper, schema_properties, typer_for
from tap_zendesk_objects.schemas.people import ORGANIZATION_PROPERTIES
from tap_zendesk_objects.time_walks import ZendeskTimeExportStream

if TYPE_CHECKING:
    from collections.abc import Sequence

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.schemas.custom_fields import TypedField


class OrganizationsStream(ZendeskTimeExportStream):
    """Every organization that changed since the bookmark, each once, by `start_time` pages (time_walks.py).

    Bookmark: `{"start_time": <next_page's start_time>, "boundary_ids": [...]}`: the organizations of the
    boundary second already written (wire notes §18.2).
    """

    name = "organizations"
    path = "/api/v2/incremental/organizations"
    records_key = "organizations"
    replication_key = "updated_at"
    time_key = "updated_at"

    def __init__(self, *, runtime: TapRuntime, fields: Sequence[TypedField], **kwargs: Any) -> None:  # noqa: ANN401
        """An organizations stream whose `organization_fields` values are also typed `cf_...` properties."""
        schema = th.PropertiesList(
            *ORGANIZATION_PROPERTIES.wrapped.values(), *schema_properties(fields, "organization")
        )
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
        self._typer.from_object(row, row.get("organization_fields"))
        return row
