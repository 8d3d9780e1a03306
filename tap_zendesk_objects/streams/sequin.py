"""`sequin_records`: Sequin's record stream, one state partition per configured collection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import SequinStream
from tap_zendesk_objects.schemas.records import SEQUIN_RECORD_SCHEMA
from tap_zendesk_objects.walking.paginators import SequinCursorPaginator

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.walking.paginators import CursorPaginator


class SequinRecordsStream(SequinStream):
    """Latest version of every record Sequin synced, deletes as `deleted: true` (wire notes Sequin §2, §4).

    Bookmark per partition: `{"context": {"collection_id": ...}, "cursor": ...}`; without configured
    collections, one stream-level `{"cursor": ...}`.
    """

    name = "sequin_records"
    path = "/v1/records"
    primary_keys: ClassVar[list[str]] = ["collection_id", "upstream_id"]
    schema = SEQUIN_RECORD_SCHEMA
    # Sequin's reference page orders the stream by `upstream_updated_at`, but it is a stream of changes in
    # the order they reached Sequin (wire notes Sequin §2, §4): not guaranteed sorted. `/v1/records` has no
    # time filter, so a bookmark without a cursor starts at the beginning of the stream.
    replication_key = "upstream_updated_at"
    is_sorted = False

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        collections = self.config.get("sequin_collections") or []
        return [{"collection_id": str(c)} for c in collections] or None

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "limit": int(self.config.get("sequin_page_size", 500)),
            "after_cursor": next_page_token,
            "sync_id": self.config.get("sequin_sync_id"),
            "provider": self.config.get("sequin_provider"),
            "collection": context.get("collection_id") if context else None,
        }
        return {k: v for k, v in params.items() if v is not None}

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return self.new_cursor_paginator(SequinCursorPaginator)
