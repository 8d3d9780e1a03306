"""Schemas of users, organizations, groups and the three kinds of field definitions.

Users carry the real user keys of wire notes §18.1, organizations the OAS `OrganizationObject`'s, groups the
OAS `GroupObject`'s. Everything is nullable, as for tickets (wire notes "Reading the OAS"). The typed custom
field properties (`cf_...`) are added per account by `custom_fields.py`.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

_IDS = th.ArrayType(th.IntegerType())
_TAGS = th.CustomType({"type": ["array", "string", "null"], "items": {"type": "string"}})
_FIELD_VALUES = th.ObjectType(additional_properties=True)

USER_PROPERTIES = th.PropertiesList(
    th.Property("id", th.IntegerType, required=True),
    th.Property("url", th.StringType),
    th.Property("name", th.StringType),
    th.Property("email", th.StringType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    th.Property("time_zone", th.StringType),
    th.Property("iana_time_zone", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("shared_phone_number", th.BooleanType),
    th.Property("photo", th.ObjectType(additional_properties=True)),
    th.Property("locale_id", th.IntegerType),
    th.Property("locale", th.StringType),
    th.Property("organization_id", th.IntegerType),
    th.Property("role", th.StringType),
    th.Property("verified", th.BooleanType),
    th.Property("external_id", th.StringType),
    th.Property("tags", _TAGS),
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
    th.Property("user_fields", _FIELD_VALUES),
)

ORGANIZATION_PROPERTIES = th.PropertiesList(
    th.Property("id", th.IntegerType, required=True),
    th.Property("url", th.StringType),
    th.Property("name", th.StringType),
    th.Property("shared_tickets", th.BooleanType),
    th.Property("shared_comments", th.BooleanType),
    th.Property("external_id", th.StringType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    th.Property("domain_names", th.ArrayType(th.StringType)),
    th.Property("details", th.StringType),
    th.Property("notes", th.StringType),
    th.Property("group_id", th.IntegerType),
    th.Property("tags", _TAGS),
    th.Property("organization_fields", _FIELD_VALUES),
)

GROUP_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property("id", th.IntegerType, required=True),
    th.Property("url", th.StringType),
    th.Property("name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("default", th.BooleanType),
    th.Property("deleted", th.BooleanType),
    th.Property("is_public", th.BooleanType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
).to_dict()

_OPTION = th.ObjectType(
    th.Property("id", th.IntegerType),
    th.Property("name", th.StringType),
    th.Property("raw_name", th.StringType),
    th.Property("value", th.StringType),
    th.Property("position", th.IntegerType),
    th.Property("default", th.BooleanType),
    additional_properties=True,
)
_FIELD_COMMON = (
    th.Property("id", th.IntegerType, required=True),
    th.Property("url", th.StringType),
    th.Property("type", th.StringType),
    th.Property("key", th.StringType),
    th.Property("title", th.StringType),
    th.Property("raw_title", th.StringType),
    th.Property("description", th.StringType),
    th.Property("raw_description", th.StringType),
    th.Property("position", th.IntegerType),
    th.Property("active", th.BooleanType),
    th.Property("regexp_for_validation", th.StringType),
    th.Property("tag", th.StringType),
    th.Property("custom_field_options", th.ArrayType(_OPTION)),
    th.Property("relationship_target_type", th.StringType),
    th.Property("relationship_filter", th.ObjectType(additional_properties=True)),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
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
    th.Property("system_field_options", th.ArrayType(th.ObjectType(additional_properties=True))),
    th.Property("custom_statuses", th.ArrayType(th.ObjectType(additional_properties=True))),
).to_dict()

PEOPLE_FIELD_SCHEMA: dict[str, Any] = th.PropertiesList(
    *_FIELD_COMMON,
    th.Property("system", th.BooleanType),
).to_dict()
