"""Properties that Zendesk spells and types one way in every object that has them: each is defined once.

An object's `id` (its key), API `url`, `name`, `title`, `description`, `external_id`, `position`, `active`,
`default` and timestamps; the ids that point at a ticket, user, group or organization; the OAS's shape of
tags. Every property but `ID` is nullable (wire notes "Reading the OAS"). Not here: `type`, which each
object gives its own values (a ticket's `incident`, a field's `date`, an identity's `email`).
"""

from __future__ import annotations

from singer_sdk import typing as th

ANY_OBJECT = th.ObjectType(additional_properties=True)
ID_LIST = th.ArrayType(th.IntegerType())

ID = th.Property("id", th.IntegerType, required=True)
URL = th.Property("url", th.StringType)
NAME = th.Property("name", th.StringType)
TITLE = th.Property("title", th.StringType)
DESCRIPTION = th.Property("description", th.StringType)
EXTERNAL_ID = th.Property("external_id", th.StringType)
POSITION = th.Property("position", th.IntegerType)
ACTIVE = th.Property("active", th.BooleanType)
DEFAULT = th.Property("default", th.BooleanType)
CREATED_AT = th.Property("created_at", th.DateTimeType)
UPDATED_AT = th.Property("updated_at", th.DateTimeType)
TIMESTAMPS = (CREATED_AT, UPDATED_AT)
# OAS: an array of strings or one string.
TAGS = th.Property("tags", th.CustomType({"type": ["array", "string", "null"], "items": {"type": "string"}}))

TICKET_ID = th.Property("ticket_id", th.IntegerType)
USER_ID = th.Property("user_id", th.IntegerType)
REQUESTER_ID = th.Property("requester_id", th.IntegerType)
ASSIGNEE_ID = th.Property("assignee_id", th.IntegerType)
GROUP_ID = th.Property("group_id", th.IntegerType)
ORGANIZATION_ID = th.Property("organization_id", th.IntegerType)
