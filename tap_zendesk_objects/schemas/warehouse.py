"""Schemas of the support warehouse's streams: metrics, events, comments, ratings, identities, lists.

From the OAS objects (TicketMetricObject, TicketMetricEventBaseObject, SatisfactionRatingObject,
UserIdentityObject, the list objects) and, where the OAS has none, wire notes §25. Everything is
nullable, as for tickets (wire notes "Reading the OAS").
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from tap_zendesk_objects.schemas.zendesk_properties import (
    ACTIVE,
    ANY_OBJECT,
    ASSIGNEE_ID,
    CREATED_AT,
    DEFAULT,
    DESCRIPTION,
    GROUP_ID,
    ID,
    ID_LIST,
    NAME,
    ORGANIZATION_ID,
    POSITION,
    REQUESTER_ID,
    TICKET_ID,
    TIMESTAMPS,
    TITLE,
    URL,
    USER_ID,
)

_ANY = th.CustomType({"type": ["string", "number", "integer", "boolean", "array", "object", "null"]})
_MINUTES = th.ObjectType(
    th.Property("calendar", th.IntegerType),
    th.Property("business", th.IntegerType),
    additional_properties=True,
)
# `via`: an object {channel, source} on comments (OAS example); a string on some real events (decided).
_VIA = th.Property("via", th.CustomType({"type": ["object", "string", "null"]}))
_VIA_REFERENCE_ID = th.Property("via_reference_id", th.IntegerType)
# An audit's own (`Audit`), or its child event's (`Create`, `Change`, `Comment`, ...).
_EVENT_TYPE = th.Property("event_type", th.StringType)
_DELETED = th.Property("deleted", th.BooleanType, description="True when the ticket (or user) is deleted.")

TICKET_METRICS_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("ticket_id", th.IntegerType, required=True),
    th.Property("id", th.IntegerType),
    URL,
    th.Property(
        "generated_timestamp",
        th.IntegerType,
        description="The ticket row's generated_timestamp: where the ticket export had this metric set.",
    ),
    _DELETED,
    *TIMESTAMPS,
    th.Property("group_stations", th.IntegerType),
    th.Property("assignee_stations", th.IntegerType),
    th.Property("reopens", th.IntegerType),
    th.Property("replies", th.IntegerType),
    th.Property("assignee_updated_at", th.DateTimeType),
    th.Property("requester_updated_at", th.DateTimeType),
    th.Property("status_updated_at", th.DateTimeType),
    th.Property("custom_status_updated_at", th.DateTimeType),
    th.Property("initially_assigned_at", th.DateTimeType),
    th.Property("assigned_at", th.DateTimeType),
    th.Property("solved_at", th.DateTimeType),
    th.Property("latest_comment_added_at", th.DateTimeType),
    th.Property("reply_time_in_minutes", _MINUTES),
    th.Property("reply_time_in_seconds", _MINUTES),
    th.Property("first_resolution_time_in_minutes", _MINUTES),
    th.Property("full_resolution_time_in_minutes", _MINUTES),
    th.Property("agent_wait_time_in_minutes", _MINUTES),
    th.Property("requester_wait_time_in_minutes", _MINUTES),
    th.Property("on_hold_time_in_minutes", _MINUTES),
).to_dict()

TICKET_METRIC_EVENTS_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    TICKET_ID,
    th.Property("metric", th.StringType),
    th.Property("instance_id", th.IntegerType),
    th.Property("type", th.StringType),
    th.Property("time", th.DateTimeType),
    th.Property("sla", ANY_OBJECT),
    th.Property("group_sla", ANY_OBJECT),
    th.Property("status", ANY_OBJECT),
    th.Property("deleted", th.BooleanType, description="True for an event Zendesk marks deleted."),
).to_dict()

_CHILD_EVENT = th.ObjectType(
    th.Property("id", th.IntegerType),
    _EVENT_TYPE,
    _VIA,
    _VIA_REFERENCE_ID,
    th.Property("previous_value", _ANY),
    th.Property("comment_present", th.BooleanType),
    th.Property("comment_public", th.BooleanType),
    additional_properties=True,  # a Create or Change event holds its field under the field's own name
)

TICKET_EVENTS_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    TICKET_ID,
    th.Property("timestamp", th.IntegerType),
    CREATED_AT,
    th.Property("updater_id", th.IntegerType),
    _VIA,
    th.Property("system", ANY_OBJECT),
    th.Property("metadata", ANY_OBJECT),
    _EVENT_TYPE,
    th.Property("merged_ticket_ids", ID_LIST),
    th.Property(
        "child_events",
        th.ArrayType(_CHILD_EVENT),
        description="What changed: Create and Change events (field history), comments as flags only.",
    ),
).to_dict()

_ATTACHMENT = th.ObjectType(
    th.Property("id", th.IntegerType),
    th.Property("file_name", th.StringType),
    th.Property("content_url", th.StringType),
    th.Property("content_type", th.StringType),
    th.Property("size", th.IntegerType),
    th.Property("inline", th.BooleanType),
    th.Property("deleted", th.BooleanType),
    additional_properties=True,
)

TICKET_COMMENTS_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    TICKET_ID,
    th.Property("audit_id", th.IntegerType),
    th.Property("author_id", th.IntegerType),
    th.Property("public", th.BooleanType),
    th.Property("body", th.StringType),
    th.Property("html_body", th.StringType),
    th.Property("plain_body", th.StringType),
    th.Property("attachments", th.ArrayType(_ATTACHMENT)),
    _VIA,
    _VIA_REFERENCE_ID,
    th.Property("type", th.StringType),
    _EVENT_TYPE,
    CREATED_AT,
).to_dict()

CONVERSATION_LOG_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("id", th.StringType, required=True),
    th.Property("ticket_id", th.IntegerType, required=True),
    th.Property("type", th.StringType),
    th.Property("author", ANY_OBJECT),
    th.Property("content", ANY_OBJECT),
    th.Property("attachments", th.ArrayType(ANY_OBJECT)),
    CREATED_AT,
    th.Property("received_at", th.DateTimeType),
    th.Property("metadata", ANY_OBJECT),
    th.Property("reference", th.StringType),
    th.Property("source", ANY_OBJECT),
).to_dict()

SATISFACTION_RATINGS_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    URL,
    TICKET_ID,
    ASSIGNEE_ID,
    GROUP_ID,
    REQUESTER_ID,
    th.Property("score", th.StringType),
    th.Property("comment", th.StringType),
    th.Property("reason", th.StringType),
    th.Property("reason_id", th.IntegerType),
    th.Property("reason_code", th.IntegerType),
    *TIMESTAMPS,
).to_dict()

USER_IDENTITIES_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    URL,
    USER_ID,
    th.Property("type", th.StringType),
    th.Property("value", th.StringType),
    th.Property("verified", th.BooleanType),
    th.Property("primary", th.BooleanType),
    th.Property("verification_method", th.StringType),
    th.Property("verified_at", th.DateTimeType),
    th.Property("undeliverable_count", th.IntegerType),
    th.Property("deliverable_state", th.StringType),
    *TIMESTAMPS,
    _DELETED,
).to_dict()


def _list_schema(*properties: th.Property[Any]) -> dict[str, Any]:
    """A list object's schema: its `id` first, its properties, its two timestamps."""
    return th.PropertiesList(ID, *properties, *TIMESTAMPS).to_dict()


BRANDS_SCHEMA = _list_schema(
    URL,
    NAME,
    th.Property("brand_url", th.StringType),
    th.Property("subdomain", th.StringType),
    th.Property("host_mapping", th.StringType),
    th.Property("has_help_center", th.BooleanType),
    th.Property("help_center_state", th.StringType),
    ACTIVE,
    DEFAULT,
    th.Property("is_deleted", th.BooleanType),
    th.Property("logo", ANY_OBJECT),
    th.Property("ticket_form_ids", ID_LIST),
    th.Property("signature_template", th.StringType),
)
TICKET_FORMS_SCHEMA = _list_schema(
    URL,
    NAME,
    th.Property("raw_name", th.StringType),
    th.Property("display_name", th.StringType),
    th.Property("raw_display_name", th.StringType),
    POSITION,
    ACTIVE,
    DEFAULT,
    th.Property("end_user_visible", th.BooleanType),
    th.Property("in_all_brands", th.BooleanType),
    th.Property("restricted_brand_ids", ID_LIST),
    th.Property("ticket_field_ids", ID_LIST),
    th.Property("agent_conditions", th.ArrayType(ANY_OBJECT)),
    th.Property("end_user_conditions", th.ArrayType(ANY_OBJECT)),
    th.Property("deleted_at", th.DateTimeType),
)
TAGS_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("name", th.StringType, required=True),
    th.Property("count", th.IntegerType, description="Tickets holding the tag (Zendesk: the last 60 days)."),
).to_dict()
SLA_POLICIES_SCHEMA = _list_schema(
    URL,
    TITLE,
    DESCRIPTION,
    POSITION,
    th.Property("filter", ANY_OBJECT),
    th.Property("policy_metrics", th.ArrayType(ANY_OBJECT)),
)
SCHEDULES_SCHEMA = _list_schema(
    NAME,
    th.Property("time_zone", th.StringType),
    th.Property("intervals", th.ArrayType(ANY_OBJECT)),
)
SCHEDULE_HOLIDAYS_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    th.Property("schedule_id", th.IntegerType, required=True),
    NAME,
    th.Property("start_date", th.DateType),
    th.Property("end_date", th.DateType),
).to_dict()
GROUP_MEMBERSHIPS_SCHEMA = _list_schema(
    URL,
    USER_ID,
    GROUP_ID,
    DEFAULT,
)
ORGANIZATION_MEMBERSHIPS_SCHEMA = _list_schema(
    URL,
    USER_ID,
    ORGANIZATION_ID,
    th.Property("organization_name", th.StringType),
    DEFAULT,
    th.Property("view_tickets", th.BooleanType),
)
MACROS_SCHEMA = _list_schema(
    URL,
    TITLE,
    th.Property("raw_title", th.StringType),
    DESCRIPTION,
    th.Property("actions", th.ArrayType(ANY_OBJECT)),
    ACTIVE,
    DEFAULT,
    POSITION,
    th.Property("restriction", ANY_OBJECT),
)
