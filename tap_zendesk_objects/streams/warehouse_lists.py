"""The lists reports join on, read whole every run (full table, cursor pages of 100; wire notes §25).

`brands`, `ticket_forms`, `tags` (by popularity; key `name`), `sla_policies`, `schedules` and their
`schedule_holidays` (one request per schedule), `group_memberships`, `organization_memberships`, `macros`.
SLA policies, schedules and holidays answer their whole list at once (no `meta`: one page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import ZendeskListStream
from tap_zendesk_objects.schemas.warehouse import (
    BRANDS_SCHEMA,
    GROUP_MEMBERSHIPS_SCHEMA,
    MACROS_SCHEMA,
    ORGANIZATION_MEMBERSHIPS_SCHEMA,
    SCHEDULE_HOLIDAYS_SCHEMA,
    SCHEDULES_SCHEMA,
    SLA_POLICIES_SCHEMA,
    TAGS_SCHEMA,
    TICKET_FORMS_SCHEMA,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context


class BrandsStream(ZendeskListStream):
    """Every brand (OAS ListBrands); `is_deleted` as Zendesk sends it."""

    name = "brands"
    path = "/api/v2/brands"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "brands"
    schema: ClassVar[dict[str, Any]] = BRANDS_SCHEMA


class TicketFormsStream(ZendeskListStream):
    """Every ticket form, active or not (OAS ListTicketForms)."""

    name = "ticket_forms"
    path = "/api/v2/ticket_forms"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "ticket_forms"
    schema: ClassVar[dict[str, Any]] = TICKET_FORMS_SCHEMA


class TagsStream(ZendeskListStream):
    """The account's tags with their counts (OAS ListTags: up to 20,000, the last 60 days)."""

    name = "tags"
    path = "/api/v2/tags"
    primary_keys: ClassVar[list[str]] = ["name"]
    records_key = "tags"
    schema: ClassVar[dict[str, Any]] = TAGS_SCHEMA


class SlaPoliciesStream(ZendeskListStream):
    """Every SLA policy with its targets (OAS ListSLAPolicies; admins)."""

    name = "sla_policies"
    path = "/api/v2/slas/policies"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "sla_policies"
    schema: ClassVar[dict[str, Any]] = SLA_POLICIES_SCHEMA


class SchedulesStream(ZendeskListStream):
    """Every business hours schedule; its holidays are `schedule_holidays` (one request per schedule)."""

    name = "schedules"
    path = "/api/v2/business_hours/schedules"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "schedules"
    schema: ClassVar[dict[str, Any]] = SCHEDULES_SCHEMA

    @override
    def generate_child_contexts(
        self, record: dict[str, Any], context: Context | None
    ) -> Iterable[Context | None]:
        yield {"schedule_id": record["id"]}


class ScheduleHolidaysStream(ZendeskListStream):
    """The holidays of every schedule, each with its `schedule_id`."""

    name = "schedule_holidays"
    path = "/api/v2/business_hours/schedules/{schedule_id}/holidays"
    primary_keys: ClassVar[list[str]] = ["schedule_id", "id"]
    records_key = "holidays"
    schema: ClassVar[dict[str, Any]] = SCHEDULE_HOLIDAYS_SCHEMA
    parent_stream_type = SchedulesStream
    state_partitioning_keys: ClassVar[list[str]] = []  # full table: no bookmark per schedule

    @override
    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        schedule_id = (self._context or {}).get("schedule_id")
        for holiday in self.page_rows(page):
            holiday["schedule_id"] = schedule_id
        return super().page_records(page)


class GroupMembershipsStream(ZendeskListStream):
    """Which agents are in which groups (OAS ListGroupMemberships)."""

    name = "group_memberships"
    path = "/api/v2/group_memberships"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "group_memberships"
    schema: ClassVar[dict[str, Any]] = GROUP_MEMBERSHIPS_SCHEMA


class OrganizationMembershipsStream(ZendeskListStream):
    """Which users are in which organizations (OAS ListOrganizationMemberships)."""

    name = "organization_memberships"
    path = "/api/v2/organization_memberships"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "organization_memberships"
    schema: ClassVar[dict[str, Any]] = ORGANIZATION_MEMBERSHIPS_SCHEMA


class MacrosStream(ZendeskListStream):
    """Every macro, shared and personal (OAS ListMacros, as an admin)."""

    name = "macros"
    path = "/api/v2/macros"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "macros"
    schema: ClassVar[dict[str, Any]] = MACROS_SCHEMA
