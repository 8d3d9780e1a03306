"""The tap's streams, one module per source family."""

from tap_zendesk_objects.streams.custom_objects import CustomObjectRecordsStream
from tap_zendesk_objects.streams.lists import (
    GroupsStream,
    OrganizationFieldsStream,
    TicketFieldsStream,
    UserFieldsStream,
)
from tap_zendesk_objects.streams.organizations import OrganizationsStream
from tap_zendesk_objects.streams.sequin import SequinRecordsStream
from tap_zendesk_objects.streams.tickets import TicketsStream
from tap_zendesk_objects.streams.users import UsersStream

__all__ = [
    "CustomObjectRecordsStream",
    "GroupsStream",
    "OrganizationFieldsStream",
    "OrganizationsStream",
    "SequinRecordsStream",
    "TicketFieldsStream",
    "TicketsStream",
    "UserFieldsStream",
    "UsersStream",
]
