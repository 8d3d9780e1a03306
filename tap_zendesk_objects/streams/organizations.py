"""`organizations`: the time-based organization export (there is no cursor one, wire notes §18.4)."""

from __future__ import annotations

from tap_zendesk_objects.schemas.people import ORGANIZATION_PROPERTIES
from tap_zendesk_objects.streams.keyed_fields import KeyedFieldsStream
from tap_zendesk_objects.time_walks import ZendeskTimeExportStream


class OrganizationsStream(KeyedFieldsStream, ZendeskTimeExportStream):
    """Every organization that changed since the bookmark, each once, by `start_time` pages (time_walks.py).

    Bookmark: `{"start_time": <next_page's start_time>, "boundary_ids": [...]}`: the organizations of the
    boundary second already written (wire notes §18.2).
    """

    name = "organizations"
    path = "/api/v2/incremental/organizations"
    records_key = "organizations"
    replication_key = "updated_at"
    time_key = "updated_at"

    standard_properties = ORGANIZATION_PROPERTIES
    field_kind = "organization"
    fields_key = "organization_fields"
