"""Schemas of users, organizations, groups and the three kinds of field definitions.

Users carry the real user keys of wire notes §18.1, organizations the OAS `OrganizationObject`'s, groups the
OAS `GroupObject`'s. Everything is nullable, as for tickets (wire notes "Reading the OAS"). The typed custom
field properties (`cf_...`) are added per account by `custom_fields.py`.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from tap_zendesk_objects.schemas.zendesk_properties import (
    ACTIVE,
    ANY_OBJECT,
    DEFAULT,
    DESCRIPTION,
    EXTERNAL_ID,
    GROUP_ID,
    ID,
    NAME,
    ORGANIZATION_ID,
    POSITION,
    TAGS,
    TIMESTAMPS,
    TITLE,
    URL,
)

USER_PROPERTIES = th.PropertiesList(
    ID,
    URL,
    NAME,
    th.Property("email", th.StringType),
    *TIMESTAMPS,
    th.Property("time_zone", th.StringType),
    th.Property("iana_time_zone", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("shared_phone_number", th.BooleanType),
    th.Property("photo", ANY_OBJECT),
    th.Property("locale_id", th.IntegerType),
    th.Property("locale", th.StringType),
    ORGANIZATION_ID,
    th.Property("role", th.StringType),
    th.Property("verified", th.BooleanType),
    EXTERNAL_ID,
    TAGS,
    th.Property("alias", th.StringType),
    th.Property(
        "active",
        th.BooleanType,
        description="False for a deleted user: the export keeps deleted users, with `active: false`.",
    ),
    th.Property("shared", th.BooleanType),
    th.Property("shared_agent", th.BooleanType),
    th.Property("last_login_at", th.DateTimeType),
    th.Property("two_factor_auth_enabled", th.BooleanType),
    th.Property("signature", th.StringType),
    th.Property("details", th.StringType),
    th.Property("notes", th.StringType),
    th.Property("role_type", th.IntegerType),
    th.Property("custom_role_id", th.IntegerType),
    th.Property("moderator", th.BooleanType),
    th.Property("ticket_restriction", th.StringType),
    th.Property("only_private_comments", th.BooleanType),
    th.Property("restricted_agent", th.BooleanType),
    th.Property("suspended", th.BooleanType),
    th.Property("default_group_id", th.IntegerType),
    th.Property("report_csv", th.BooleanType),
    th.Property("user_fields", ANY_OBJECT),
)

ORGANIZATION_PROPERTIES = th.PropertiesList(
    ID,
    URL,
    NAME,
    th.Property("shared_tickets", th.BooleanType),
    th.Property("shared_comments", th.BooleanType),
    EXTERNAL_ID,
    *TIMESTAMPS,
    th.Property("domain_names", th.ArrayType(th.StringType)),
    th.Property("details", th.StringType),
    th.Property("notes", th.StringType),
    GROUP_ID,
    TAGS,
    th.Property("organization_fields", ANY_OBJECT),
)

GROUP_SCHEMA: dict[str, Any] = th.PropertiesList(
    ID,
    URL,
    NAME,
    DESCRIPTION,
    DEFAULT,
    th.Property("deleted", th.BooleanType),
    th.Property("is_public", th.BooleanType),
    *TIMESTAMPS,
).to_dict()

_OPTION = th.ObjectType(
    th.Property("id", th.IntegerType),
    NAME,
    th.Property("raw_name", th.StringType),
    th.Property("value", th.StringType),
    POSITION,
    DEFAULT,
    additional_properties=True,
)
_FIELD_COMMON = (
    ID,
    URL,
    th.Property("type", th.StringType),
    th.Property("key", th.StringType),
    TITLE,
    th.Property("raw_title", th.StringType),
    DESCRIPTION,
    th.Property("raw_description", th.StringType),
    POSITION,
    ACTIVE,
    th.Property("regexp_for_validation", th.StringType),
    th.Property("tag", th.StringType),
    th.Property("custom_field_options", th.ArrayType(_OPTION)),
    th.Property("relationship_target_type", th.StringType),
    th.Property("relationship_filter", ANY_OBJECT),
    *TIMESTAMPS,
)

TICKET_FIELD_SCHEMA: dict[str, Any] = th.PropertiesList(
    *_FIELD_COMMON,
    th.Property("required", th.BooleanType),
    th.Property("collapsed_for_agents", th.BooleanType),
    th.Property("title_in_portal", th.StringType),
    th.Property("raw_title_in_portal", th.StringType),
    th.Property("visible_in_portal", th.BooleanType),
    th.Property("editable_in_portal", th.BooleanType),
    th.Property("required_in_portal", th.BooleanType),
    th.Property("removable", th.BooleanType),
    th.Property("agent_description", th.StringType),
    th.Property("agent_can_edit", th.BooleanType),
    th.Property("sub_type_id", th.IntegerType),
    th.Property("creator_app_name", th.StringType),
    th.Property("creator_user_id", th.IntegerType),
    th.Property("system_field_options", th.ArrayType(ANY_OBJECT)),
    th.Property("custom_statuses", th.ArrayType(ANY_OBJECT)),
).to_dict()

PEOPLE_FIELD_SCHEMA: dict[str, Any] = th.PropertiesList(
    *_FIELD_COMMON,
    th.Property("system", th.BooleanType),
).to_dict()
