"""`custom_object_records__<key>`: the incremental export of one custom object's records."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.schemas.records import custom_object_record_schema
from tap_zendesk_objects.walking.paginators import CustomObjectExportPaginator
from zendesk_objects_shared.custom_objects import STREAM_PREFIX
from zendesk_objects_shared.field_types import coerce_value, ready_types

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.walking.paginators import CursorPaginator

LOGGER = logging.getLogger("tap-zendesk-objects")
# The marker Zendesk writes into every field of a deleted record in the incremental export (wire notes §3).
DELETED_MASK = "[DELETED]"


class CustomObjectRecordsStream(ZendeskExportStream):
    """Records of one custom object; deleted ones arrive with `deleted: true` and null field values."""

    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "custom_object_records"
    # `start_time` is read against `updated_at`, which a deletion moves too (wire notes §3). The export's
    # order is not documented, so the stream is not declared sorted (`replication_key_value` then moves
    # when a walk ends).
    replication_key = "updated_at"
    is_sorted = False
    exclude_deleted_param = "filter[exclude_deleted]"

    def __init__(
        self,
        *,
        runtime: TapRuntime,
        key: str,
        fields: Sequence[Mapping[str, Any]],
        **kwargs: Any,  # noqa: ANN401
    ) -> None:
        """One stream per custom object `key`, typed from its field definitions."""
        self.object_key = key
        self.field_types = {
            str(f["key"]): str(f.get("type", ""))
            for f in fields
            if not str(f.get("key", "")).startswith("standard::")
        }
        self._ready = {key: ready_types(field_type) for key, field_type in self.field_types.items()}
        self._warned: set[str] = set()
        super().__init__(
            runtime=runtime,
            name=f"{STREAM_PREFIX}{key}",
            schema=custom_object_record_schema(fields),
            path=f"/api/v2/incremental/custom_objects/{key}/cursor",
            **kwargs,
        )

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return self.new_cursor_paginator(CustomObjectExportPaginator)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        # Zendesk masks a deleted record's name, external id and every field value (wire notes §3).
        deleted = row.get("name") == DELETED_MASK
        row["deleted"] = deleted
        if deleted:
            row["name"] = None
            if row.get("external_id") == DELETED_MASK:
                row["external_id"] = None
        values = row.get("custom_object_fields")
        if isinstance(values, dict):
            ready, nothing = self._ready, frozenset[type]()
            row["custom_object_fields"] = {
                key: value
                if type(value) in ready.get(key, nothing) and value != DELETED_MASK
                else self._coerce(row, key, value)
                for key, value in values.items()
            }
        return row

    def _coerce(self, row: dict[str, Any], key: str, value: Any) -> Any:  # noqa: ANN401
        field_type = self.field_types.get(key)
        if field_type is None:
            return value
        if value == DELETED_MASK:
            return None
        try:
            return coerce_value(field_type, value)
        except (TypeError, ValueError) as exc:
            if key not in self._warned:
                self._warned.add(key)
                LOGGER.warning(
                    "%s: field %s of record %s is not a valid %s (%s); emitting null (warned once per field)",
                    self.name,
                    key,
                    row.get("id"),
                    field_type,
                    exc,
                )
            return None
