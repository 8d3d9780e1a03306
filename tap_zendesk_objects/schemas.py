"""Stream schemas: tickets from the OAS `TicketObject`, custom object records from their field definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from zendesk_objects_shared.field_types import field_schema

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# Real data breaks the OAS's non-null types everywhere (wire notes "Reading the OAS"), so every property below
# is nullable; enums are left out because the export sends values the OAS enums lack (`status: "deleted"`).
_ANY_JSON = th.CustomType({"type": ["string", "number", "boolean", "array", "object", "null"]})
_IDS = th.ArrayType(th.IntegerType())

# `custom_fields` / `fields` entries: the value's type depends on the ticket field (wire notes §10).
_FIELD_VALUE = th.ObjectType(th.Property("id", th.IntegerType), th.Property("value", _ANY_JSON))

_VIA = th.ObjectType(
    th.Property("channel", th.CustomType({"type": ["string", "integer", "null"]})),
    th.Property(
        "source",
        th.ObjectType(
            th.Property(
                "from",
                th.ObjectType(
                    th.Property("address", th.StringType),
                    th.Property("id", th.IntegerType),
                    th.Property("name", th.StringType),
                    th.Property("title", th.StringType),
                    additional_properties=True,
                ),
            ),
            th.Property("rel", th.StringType),
            th.Property(
                "to",
                th.ObjectType(
                    th.Property("address", th.StringType),
                    th.Property("name", th.StringType),
                    additional_properties=True,
                ),
            ),
            additional_properties=True,
        ),
    ),
)

# Every readable property of the OAS `TicketObject` (write-only inputs such as `comment`, `macro_ids` or
# `requester` never come back from the export), plus `generated_timestamp`, which the cursor export adds.
TICKET_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("id", th.IntegerType, required=True),
    th.Property("url", th.StringType),
    th.Property("external_id", th.StringType),
    th.Property("encoded_id", th.StringType),
    th.Property("via", _VIA),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    th.Property("generated_timestamp", th.IntegerType),
    th.Property("type", th.StringType),
    th.Property("subject", th.StringType),
    th.Property("raw_subject", th.StringType),
    th.Property("description", th.StringType),
    th.Property("priority", th.StringType),
    th.Property("status", th.StringType),
    th.Property("recipient", th.StringType),
    th.Property("requester_id", th.IntegerType),
    th.Property("submitter_id", th.IntegerType),
    th.Property("assignee_id", th.IntegerType),
    th.Property("organization_id", th.IntegerType),
    th.Property("group_id", th.IntegerType),
    th.Property("collaborator_ids", _IDS),
    th.Property("follower_ids", _IDS),
    th.Property("email_cc_ids", _IDS),
    th.Property("forum_topic_id", th.IntegerType),
    th.Property("problem_id", th.IntegerType),
    th.Property("has_incidents", th.BooleanType),
    th.Property("is_public", th.BooleanType),
    th.Property("due_at", th.DateTimeType),
    # OAS: array of strings or one string.
    th.Property("tags", th.CustomType({"type": ["array", "string", "null"], "items": {"type": "string"}})),
    th.Property("custom_fields", th.ArrayType(_FIELD_VALUE)),
    th.Property("fields", th.ArrayType(_FIELD_VALUE)),
    th.Property("satisfaction_rating", th.ObjectType(additional_properties=True)),
    th.Property("satisfaction_probability", th.NumberType),
    th.Property("sharing_agreement_ids", _IDS),
    th.Property("custom_status_id", th.IntegerType),
    th.Property("followup_ids", _IDS),
    th.Property("ticket_form_id", th.IntegerType),
    th.Property("brand_id", th.IntegerType),
    th.Property("allow_channelback", th.BooleanType),
    th.Property("allow_attachments", th.BooleanType),
    th.Property("from_messaging_channel", th.BooleanType),
).to_dict()

SEQUIN_RECORD_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("collection_id", th.StringType, required=True),
    th.Property("upstream_id", th.StringType, required=True),
    th.Property("sync_id", th.StringType),
    th.Property("updated_idx", th.IntegerType),
    th.Property("upstream_updated_at", th.DateTimeType),
    th.Property("upstream_created_at", th.DateTimeType),
    th.Property("created_at", th.DateTimeType),
    th.Property("deleted", th.BooleanType),
    th.Property("data", th.ObjectType(additional_properties=True)),
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
        th.Property("name", th.StringType),
        th.Property("external_id", th.StringType),
        th.Property("custom_object_key", th.StringType),
        th.Property("custom_object_fields", th.ObjectType(*typed_fields, additional_properties=True)),
        th.Property("created_at", th.DateTimeType),
        th.Property("updated_at", th.DateTimeType),
        th.Property("created_by_user_id", th.StringType),
        th.Property("updated_by_user_id", th.StringType),
        th.Property("url", th.StringType),
        # No `photo`: the incremental export leaves it out (wire notes §3).
        th.Property(
            "deleted",
            th.BooleanType,
            description='True when Zendesk masks the record as "[DELETED]" (its field values are then null).',
        ),
    ).to_dict()
