"""Schemas of records: a custom object's from its field definitions, Sequin's as `/v1/records` serves them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from tap_zendesk_objects.schemas.zendesk_properties import (
    ANY_OBJECT,
    EXTERNAL_ID,
    NAME,
    TIMESTAMPS,
    URL,
)
from zendesk_objects_shared.field_types import field_schema

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

SEQUIN_RECORD_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("collection_id", th.StringType, required=True),
    th.Property("upstream_id", th.StringType, required=True),
    th.Property("sync_id", th.StringType),
    th.Property("updated_idx", th.IntegerType),
    th.Property("upstream_updated_at", th.DateTimeType),
    th.Property("upstream_created_at", th.DateTimeType),
    th.Property("created_at", th.DateTimeType),
    th.Property("deleted", th.BooleanType),
    th.Property("data", ANY_OBJECT),
).to_dict()


def custom_object_record_schema(fields: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Schema of one custom object's records, with `custom_object_fields` typed from its field definitions."""
    typed_fields = [
        th.Property(
            str(field["key"]), field_schema(str(field.get("type", ""))), description=field.get("title")
        )
        for field in fields
        if not str(field.get("key", "")).startswith("standard::")
    ]
    return th.PropertiesList(
        th.Property("id", th.StringType, required=True),
        NAME,
        EXTERNAL_ID,
        th.Property("custom_object_key", th.StringType),
        th.Property("custom_object_fields", th.ObjectType(*typed_fields, additional_properties=True)),
        *TIMESTAMPS,
        th.Property("created_by_user_id", th.StringType),
        th.Property("updated_by_user_id", th.StringType),
        URL,
        # No `photo`: the incremental export leaves it out (wire notes §3).
        th.Property(
            "deleted",
            th.BooleanType,
            description='True when Zendesk masks the record as "[DELETED]" (its field values are then null).',
        ),
    ).to_dict()
