"""The support warehouse's streams (issue 19), in the order discovery lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap_zendesk_objects.streams.satisfaction_ratings import SatisfactionRatingsStream
from tap_zendesk_objects.streams.ticket_events import (
    TicketCommentsStream,
    TicketEventsStream,
    TicketMetricEventsStream,
)
from tap_zendesk_objects.streams.ticket_metrics import ConversationLogStream, TicketMetricsStream
from tap_zendesk_objects.streams.user_identities import UserIdentitiesStream
from tap_zendesk_objects.streams.warehouse_lists import (
    BrandsStream,
    GroupMembershipsStream,
    MacrosStream,
    OrganizationMembershipsStream,
    ScheduleHolidaysStream,
    SchedulesStream,
    SlaPoliciesStream,
    TagsStream,
    TicketFormsStream,
)

if TYPE_CHECKING:
    from tap_zendesk_objects.client import ZendeskObjectsStream

# Every stream here is built from the runtime alone; `ticket_conversation_log` only with its setting.
WAREHOUSE_STREAMS: tuple[type[ZendeskObjectsStream], ...] = (
    TicketMetricsStream,
    TicketMetricEventsStream,
    TicketEventsStream,
    TicketCommentsStream,
    SatisfactionRatingsStream,
    UserIdentitiesStream,
    BrandsStream,
    TicketFormsStream,
    TagsStream,
    SlaPoliciesStream,
    SchedulesStream,
    ScheduleHolidaysStream,
    GroupMembershipsStream,
    OrganizationMembershipsStream,
    MacrosStream,
)

__all__ = ["WAREHOUSE_STREAMS", "ConversationLogStream"]
