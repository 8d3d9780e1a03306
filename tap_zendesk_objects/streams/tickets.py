"""`tickets`: the cursor-based incremental ticket export, with typed custom field values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th
from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.schemas.custom_fields import schema_properties, typer_for
from tap_zendesk_objects.schemas.tickets import TICKET_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Sequence

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.schemas.custom_fields import FieldTyper, TypedField


class TicketExportWalk(ZendeskExportStream):
    """A stream read from the ticket export's pages (walking/riders.py: several such streams share one walk).

    Its bookmark is the ticket export's: `cursor` and `high_water` from the rows' `generated_timestamp`.
    """

    path = "/api/v2/incremental/tickets/cursor"
    records_key = "tickets"
    # The export is ordered by (generated_timestamp, id), which its cursor encodes (wire notes §2).
    position_key = "generated_timestamp"
    walk_group = "tickets"
    exclude_deleted_param = "exclude_deleted"


class TicketsStream(TicketExportWalk):
    """Every ticket that changed since the bookmark, deleted ones with `status: "deleted"` (wire notes §2).

    `custom_fields: [{id, value}]` is kept as Zendesk sends it; each value is also a `cf_...` property typed
    by its ticket field (schemas/custom_fields.py).
    """

    name = "tickets"
    primary_keys: ClassVar[list[str]] = ["id"]
    # A page never holds a ticket older than the pages before it, even when tickets change during the export.
    replication_key = "generated_timestamp"
    is_sorted = True

    def __init__(self, *, runtime: TapRuntime, fields: Sequence[TypedField] = (), **kwargs: Any) -> None:  # noqa: ANN401
        """A tickets stream with one typed property per custom ticket field."""
        typed = th.PropertiesList(*schema_properties(fields, "ticket")).to_dict()["properties"]
        schema = {**TICKET_SCHEMA, "properties": {**TICKET_SCHEMA["properties"], **typed}}
        self._fields = list(fields)
        self._typer: FieldTyper | None = None
        super().__init__(runtime=runtime, schema=schema, **kwargs)

    @override
    def start_walk(self, context: Context | None) -> None:
        super().start_walk(context)
        # After the SDK applied the input catalog: its schema decides which fields become properties.
        self._typer = typer_for(self.name, self._fields, self.effective_schema) if self._fields else None

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        # The `metric_sets` sideload (asked for when ticket_metrics rides along) is that stream's record.
        row.pop("metric_set", None)
        if self._typer is not None:
            self._typer.from_list(row, row.get("custom_fields"))
        return row
