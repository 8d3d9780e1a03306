"""`tickets`: the cursor-based incremental ticket export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.paginators import TicketExportPaginator
from tap_zendesk_objects.schemas import TICKET_SCHEMA

if TYPE_CHECKING:
    from tap_zendesk_objects.paginators import CursorPaginator


class TicketsStream(ZendeskExportStream):
    """Every ticket that changed since the bookmark, deleted ones with `status: "deleted"` (wire notes §2)."""

    name = "tickets"
    path = "/api/v2/incremental/tickets/cursor"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "tickets"
    schema = TICKET_SCHEMA
    # The export is ordered by (generated_timestamp, id), which its cursor encodes (wire notes §2): a page
    # never holds a ticket older than the pages before it, even when tickets change during the export.
    replication_key = "generated_timestamp"
    is_sorted = True

    @override
    def filter_params(self) -> dict[str, Any]:
        return {"exclude_deleted": "true"} if self.config.get("exclude_deleted") else {}

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return self.new_cursor_paginator(TicketExportPaginator)

    @override
    def update_bookmark(self, state: dict[str, Any], records: list[dict[str, Any]]) -> None:
        # `generated_timestamp`, not `updated_at`: system updates bump only the former
        # (wire notes §2, §11 #10).
        stamps = [r["generated_timestamp"] for r in records if isinstance(r.get("generated_timestamp"), int)]
        if stamps:
            state["high_water"] = max(int(state.get("high_water") or 0), *stamps)
