"""Creating custom objects and fields, and the three limits endpoints (wire notes §16, §14.5).

`POST /api/v2/custom_objects` and `POST /api/v2/custom_objects/{key}/fields` answer 201 with the new object
or field (OAS), admins only; their rules are store/object_schema.py's. The limits answer `{count, limit}` from
the live settings: objects (admins only), fields of one object (standard fields not counted), records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zendesk_sandbox.api.objects import object_not_found
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.settings import CustomObjectSpec
from zendesk_sandbox.store import object_schema
from zendesk_sandbox.store.validation import RecordInvalidError

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core
    from zendesk_sandbox.jsonvalue import Json


def _body(request: wire.Request, wrapper: str) -> Json | wire.Response:
    try:
        payload = request.json_body()
    except (ValueError, UnicodeDecodeError):
        return wire.classic_error(400, "InvalidValue", "The request body is not valid JSON")
    if not isinstance(payload, dict) or wrapper not in payload:
        return wire.classic_error(400, "InvalidValue", f"{wrapper} is required")
    return payload[wrapper]


def create_object(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /api/v2/custom_objects (201 {custom_object})."""
    settings = core.settings()
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    body = _body(request, "custom_object")
    if isinstance(body, wire.Response):
        return body
    records = core.records
    try:
        with records.writing():  # one check-then-create at a time
            attributes = object_schema.checked_object(body, records.objects(), settings)
            key, title = attributes.pop("key"), attributes.pop("title")
            meta = records.create_object(CustomObjectSpec(key, title, ()), **attributes)
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    url = f"{core.account_url()}/api/v2/custom_objects/{key}.json"
    return wire.json_response(201, {"custom_object": meta.body | {"url": url}})


def create_field(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve POST /api/v2/custom_objects/{key}/fields (201 {custom_object_field})."""
    settings = core.settings()
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    records = core.records
    if key not in records.objects():
        return object_not_found()
    body = _body(request, "custom_object_field")
    if isinstance(body, wire.Response):
        return body
    try:
        with records.writing():
            definition = object_schema.checked_field(
                body, records.meta(key), settings, lambda other: other in records.objects()
            )
            field = records.add_field(key, definition)
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    url = f"{core.account_url()}/api/v2/custom_objects/{key}/fields/{field['id']}.json"
    return wire.json_response(201, {"custom_object_field": field | {"url": url}})


def object_limit(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/custom_objects/limits/object_limit (admins only)."""
    settings = core.settings()
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    return wire.json_response(
        200, {"count": len(core.records.objects()), "limit": settings.custom_object_limit}
    )


def field_limit(core: Core, key: str) -> wire.Response:
    """Serve GET /api/v2/custom_objects/{key}/limits/field_limit."""
    meta = core.records.objects().get(key)
    if meta is None:
        return object_not_found()
    limit = core.settings().custom_object_field_limit
    return wire.json_response(200, {"count": len(meta.custom_fields), "limit": limit})


def record_limit(core: Core) -> wire.Response:
    """Serve GET /api/v2/custom_objects/limits/record_limit."""
    limit = core.settings().custom_object_record_limit
    return wire.json_response(200, {"count": core.records.live_record_count(), "limit": limit})
