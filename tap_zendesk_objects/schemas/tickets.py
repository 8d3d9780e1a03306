"""The `tickets` schema: the OAS `TicketObject`, every property nullable."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from tap_zendesk_objects.schemas.zendesk_properties import (
    ANY_OBJECT,
    ASSIGNEE_ID,
    DESCRIPTION,
    EXTERNAL_ID,
    GROUP_ID,
    ID,
    ID_LIST,
    ORGANIZATION_ID,
    REQUESTER_ID,
    TAGS,
    TIMESTAMPS,
    URL,
)

# Real data breaks the OAS's non-null types everywhere (wire notes "Reading the OAS"), so every property below
# is nullable; enums are left out because the export sends values the OAS enums lack (`status: "deleted"`).
_ANY_JSON = th.CustomType({"type": ["string", "number", "boolean", "array", "object", "null"]})

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
    ID,
    URL,
    EXTERNAL_ID,
    th.Property("encoded_id", th.StringType),
    th.Property("via", _VIA),
    *TIMESTAMPS,
    th.Property("generated_timestamp", th.IntegerType),
    th.Property("type", th.StringType),
    th.Property("subject", th.StringType),
    th.Property("raw_subject", th.StringType),
    DESCRIPTION,
    th.Property("priority", th.StringType),
    th.Property("status", th.StringType),
    th.Property("recipient", th.StringType),
    REQUESTER_ID,
    th.Property("submitter_id", th.IntegerType),
    ASSIGNEE_ID,
    ORGANIZATION_ID,
    GROUP_ID,
    th.Property("collaborator_ids", ID_LIST),
    th.Property("follower_ids", ID_LIST),
    th.Property("email_cc_ids", ID_LIST),
    th.Property("forum_topic_id", th.IntegerType),
    th.Property("problem_id", th.IntegerType),
    th.Property("has_incidents", th.BooleanType),
    th.Property("is_public", th.BooleanType),
    th.Property("due_at", th.DateTimeType),
    TAGS,
    th.Property("custom_fields", th.ArrayType(_FIELD_VALUE)),
    th.Property("fields", th.ArrayType(_FIELD_VALUE)),
    th.Property("satisfaction_rating", ANY_OBJECT),
    th.Property("satisfaction_probability", th.NumberType),
    th.Property("sharing_agreement_ids", ID_LIST),
    th.Property("custom_status_id", th.IntegerType),
    th.Property("followup_ids", ID_LIST),
    th.Property("ticket_form_id", th.IntegerType),
    th.Property("brand_id", th.IntegerType),
    th.Property("allow_channelback", th.BooleanType),
    th.Property("allow_attachments", th.BooleanType),
    th.Property("from_messaging_channel", th.BooleanType),
).to_dict()
