"""The admin HTTP API under /_sandbox/ (no auth, loopback only), mirroring the Python admin API."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zendesk_sandbox import wire
from zendesk_sandbox.records import RecordNotFoundError, UnknownObjectError
from zendesk_sandbox.settings import live_settings_json
from zendesk_sandbox.validation import RecordInvalidError

if TYPE_CHECKING:
    from zendesk_sandbox.admin import Admin
    from zendesk_sandbox.core import Core

_TICKET = re.compile(r"^/_sandbox/tickets/(\d+)$")
_RECORDS = re.compile(r"^/_sandbox/custom_objects/([A-Za-z0-9_]+)/records$")


def handle(core: Core, admin: Admin, request: wire.Request) -> wire.Response:  # noqa: PLR0911, PLR0912, C901 - a router
    """Answer one admin request."""
    method, path = request.method, request.path.removesuffix("/")
    try:
        if path == "/_sandbox/stats" and method == "GET":
            return wire.json_response(200, admin.stats())
        if path == "/_sandbox/stats/reset" and method == "POST":
            admin.reset_stats()
            return wire.json_response(200, admin.stats())
        if path == "/_sandbox/settings" and method == "GET":
            return wire.json_response(200, live_settings_json(core.settings()))
        if path == "/_sandbox/settings" and method == "PATCH":
            changes = _object(request)
            return wire.json_response(200, live_settings_json(core.configure(changes)))
        if path == "/_sandbox/tickets" and method == "POST":
            ticket_id = admin.create_ticket(**_object(request))
            return wire.json_response(201, {"ticket": admin.ticket(ticket_id)})
        ticket = _TICKET.match(path)
        if ticket and method == "PATCH":
            admin.update_ticket(int(ticket.group(1)), **_object(request))
            return wire.json_response(200, {"ticket": admin.ticket(int(ticket.group(1)))})
        if ticket and method == "DELETE":
            admin.delete_ticket(int(ticket.group(1)))
            return wire.json_response(200, {"ticket": admin.ticket(int(ticket.group(1)))})
        records = _RECORDS.match(path)
        if records and method == "GET":
            return wire.json_response(
                200, {"custom_object_records": admin.custom_object_records(records.group(1))}
            )
        if path == "/_sandbox/jobs" and method == "GET":
            return wire.json_response(200, {"jobs": admin.jobs()})
        if path == "/_sandbox/cursors/expire" and method == "POST":
            admin.expire_cursors()
            return wire.json_response(200, {})
        if path == "/_sandbox/sequin/records" and method == "POST":
            body = _object(request)
            row = admin.sequin_upsert(
                body["collection_id"], body["upstream_id"], body.get("data", {}), body.get("sync_id")
            )
            return wire.json_response(200, {"record": row})
        if path == "/_sandbox/sequin/records" and method == "DELETE":
            row = admin.sequin_delete(request.query["collection_id"], request.query["upstream_id"])
            return wire.json_response(200, {"record": row})
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    except (KeyError, RecordNotFoundError, UnknownObjectError) as missing:
        return wire.classic_error(404, "RecordNotFound", f"Not found: {missing}")
    except (ValueError, TypeError) as bad:
        return wire.classic_error(400, "InvalidValue", str(bad))
    return wire.invalid_endpoint()


def _object(request: wire.Request) -> dict[str, Any]:
    body = request.json_body() if request.body else {}
    if not isinstance(body, dict):
        msg = "the body must be a JSON object"
        raise TypeError(msg)
    return body
