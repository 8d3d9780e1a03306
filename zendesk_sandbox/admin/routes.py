"""The admin HTTP API under /_sandbox/ (no auth, loopback only), mirroring the Python admin API."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.admin import history_routes
from zendesk_sandbox.gateway import wire
from zendesk_sandbox.settings import live_settings_json
from zendesk_sandbox.store.records import RecordNotFoundError, UnknownObjectError
from zendesk_sandbox.store.validation import RecordInvalidError

if TYPE_CHECKING:
    from zendesk_sandbox.admin.api import Admin
    from zendesk_sandbox.core import Core
    from zendesk_sandbox.data.fielddefs import FieldKind

_TICKET = re.compile(r"^/_sandbox/tickets/(\d+)$")
_RECORDS = re.compile(r"^/_sandbox/custom_objects/([A-Za-z0-9_]+)/records$")
_USER = re.compile(r"^/_sandbox/users/(\d+)$")
_ORGANIZATION = re.compile(r"^/_sandbox/organizations/(\d+)$")
_FIELDS = re.compile(r"^/_sandbox/(ticket|user|organization)_fields(?:/(\d+))?$")
_KINDS: dict[str, FieldKind] = {"ticket": "ticket", "user": "user", "organization": "organization"}
_FIELD_ATTRIBUTES = frozenset({"key", "options", "regexp", "relationship_target_type"})


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
        if path == "/_sandbox/organization_memberships" and method == "GET":
            user = request.query.get("user_id")
            found = admin.organization_memberships(int(user) if user else None)
            return wire.json_response(200, {"organization_memberships": found})
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
        if path.startswith("/_sandbox/oauth/"):
            return _oauth(admin, method, path, request)
        history = history_routes.route(admin, method, path, _object(request) if method != "GET" else {})
        if history is not None:
            return history
        return _people(admin, method, path, request)
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    except (KeyError, RecordNotFoundError, UnknownObjectError) as missing:
        return wire.classic_error(404, "RecordNotFound", f"Not found: {missing}")
    except (ValueError, TypeError) as bad:
        return wire.classic_error(400, "InvalidValue", str(bad))
    return wire.invalid_endpoint()


def _people(admin: Admin, method: str, path: str, request: wire.Request) -> wire.Response:  # noqa: PLR0911, C901 - a router
    """Users, organizations and field definitions."""
    if path == "/_sandbox/users" and method == "POST":
        return wire.json_response(201, {"user": admin.user(admin.create_user(**_object(request)))})
    user = _USER.match(path)
    if user:
        user_id = int(user.group(1))
        if method == "PATCH":
            admin.update_user(user_id, **_object(request))
        elif method == "DELETE":
            admin.delete_user(user_id)
        found = admin.user(user_id)
        if found is None:
            raise KeyError(user_id)
        return wire.json_response(200, {"user": found})
    if path == "/_sandbox/organizations" and method == "POST":
        org_id = admin.create_organization(**_object(request))
        return wire.json_response(201, {"organization": admin.organization(org_id)})
    if path == "/_sandbox/organizations" and method == "PATCH":
        # a bulk update: {"ids": [...], "changes": {...}}, every organization stamped with one second
        body = _object(request)
        ids, changes = body.get("ids"), body.get("changes", {})
        if not isinstance(ids, list) or not isinstance(changes, dict):
            msg = 'the body must be {"ids": [...], "changes": {...}}'
            raise TypeError(msg)
        admin.update_organizations(ids, **changes)
        return wire.json_response(200, {"organizations": [admin.organization(org_id) for org_id in ids]})
    organization = _ORGANIZATION.match(path)
    if organization:
        org_id = int(organization.group(1))
        if method == "PATCH":
            admin.update_organization(org_id, **_object(request))
        found_org = admin.organization(org_id)
        if found_org is None:
            raise KeyError(org_id)
        return wire.json_response(200, {"organization": found_org})
    fields = _FIELDS.match(path)
    if fields:
        return _fields(admin, method, fields.group(1), fields.group(2), request)
    return wire.invalid_endpoint()


def _oauth(admin: Admin, method: str, path: str, request: wire.Request) -> wire.Response:
    """Consent, ready grants, the list of issued tokens, and revocation."""
    if path == "/_sandbox/oauth/authorizations" and method == "POST":
        body = _strings(request, required=("client_id", "scope", "redirect_uri"))
        code = admin.oauth_authorize(body["client_id"], body["scope"], body["redirect_uri"])
        return wire.json_response(201, {"code": code, "redirect_uri": body["redirect_uri"]})
    if path == "/_sandbox/oauth/grants" and method == "POST":
        body = _strings(request, required=("client_id",), optional=("scope",))
        return wire.json_response(201, admin.oauth_grant(body["client_id"], body.get("scope", "read write")))
    if path == "/_sandbox/oauth/tokens" and method == "GET":
        return wire.json_response(200, {"tokens": admin.oauth_tokens()})
    if path == "/_sandbox/oauth/revoke" and method == "POST":
        body = _strings(request, optional=("client_id", "refresh_token", "access_token"))
        return wire.json_response(200, {"revoked": admin.oauth_revoke(**body)})
    return wire.invalid_endpoint()


def _strings(
    request: wire.Request, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> dict[str, str]:
    body = _object(request)
    unknown = sorted(set(body) - set(required) - set(optional))
    missing = [name for name in required if name not in body]
    if unknown or missing:
        msg = f"takes {', '.join(required + optional)} (unknown: {unknown}, missing: {missing})"
        raise ValueError(msg)
    if not all(isinstance(value, str) for value in body.values()):
        msg = "every value must be a string"
        raise TypeError(msg)
    return body


def _fields(
    admin: Admin, method: str, name: str, field_id: str | None, request: wire.Request
) -> wire.Response:
    """`GET|POST /_sandbox/{kind}_fields` (list, add) and `PATCH /_sandbox/{kind}_fields/{id}` (rename)."""
    kind = _KINDS[name]
    if field_id is None and method == "GET":
        return wire.json_response(200, {f"{kind}_fields": admin.fields(kind)})
    if field_id is None and method == "POST":
        body = _object(request)
        unknown = sorted(set(body) - _FIELD_ATTRIBUTES - {"type", "title"})
        if unknown:
            msg = f"unknown field attributes: {', '.join(unknown)}"
            raise ValueError(msg)
        attributes = {attribute: body[attribute] for attribute in _FIELD_ATTRIBUTES if attribute in body}
        field = admin.add_field(kind, body["type"], body["title"], **attributes)
        return wire.json_response(201, {f"{kind}_field": field})
    if field_id is not None and method == "PATCH":
        field = admin.rename_field(kind, int(field_id), _object(request)["title"])
        return wire.json_response(200, {f"{kind}_field": field})
    return wire.invalid_endpoint()


def _object(request: wire.Request) -> dict[str, Any]:
    body = request.json_body() if request.body else {}
    if not isinstance(body, dict):
        msg = "the body must be a JSON object"
        raise TypeError(msg)
    return body
