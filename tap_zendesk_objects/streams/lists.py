"""Small lists read whole on every run: `groups`, `ticket_fields`, `user_fields`, `organization_fields`."""

from __future__ import annotations

from typing import Any, ClassVar

from tap_zendesk_objects.client import ZendeskListStream
from tap_zendesk_objects.schemas.people import GROUP_SCHEMA, PEOPLE_FIELD_SCHEMA, TICKET_FIELD_SCHEMA


class GroupsStream(ZendeskListStream):
    """Every group, deleted ones with `deleted: true` (OAS ListGroups, cursor pagination)."""

    name = "groups"
    path = "/api/v2/groups"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "groups"
    schema: ClassVar[dict[str, Any]] = GROUP_SCHEMA


class TicketFieldsStream(ZendeskListStream):
    """Every ticket field, system and custom (wire notes §10)."""

    name = "ticket_fields"
    path = "/api/v2/ticket_fields"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "ticket_fields"
    schema: ClassVar[dict[str, Any]] = TICKET_FIELD_SCHEMA


class UserFieldsStream(ZendeskListStream):
    """Every custom user field (OAS ListUserFields, cursor pagination)."""

    name = "user_fields"
    path = "/api/v2/user_fields"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "user_fields"
    schema: ClassVar[dict[str, Any]] = PEOPLE_FIELD_SCHEMA


class OrganizationFieldsStream(ZendeskListStream):
    """Every custom organization field (OAS ListOrganizationFields, cursor pagination)."""

    name = "organization_fields"
    path = "/api/v2/organization_fields"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "organization_fields"
    schema: ClassVar[dict[str, Any]] = PEOPLE_FIELD_SCHEMA
