"""The tap's streams, one module per source family."""

from tap_zendesk_objects.streams.custom_objects import CustomObjectRecordsStream
from tap_zendesk_objects.streams.sequin import SequinRecordsStream
from tap_zendesk_objects.streams.tickets import TicketsStream

__all__ = ["CustomObjectRecordsStream", "SequinRecordsStream", "TicketsStream"]
