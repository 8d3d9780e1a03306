"""Zendesk request pipeline: route, authenticate, check permissions and budgets, then handle."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from zendesk_sandbox.api import (
    cursor_exports,
    events,
    lists,
    oauth,
    objects,
    people,
    people_writes,
    schema,
    tickets,
    time_exports,
)
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.limits.budgets import reset_text, retry_after_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core

    Handler = Callable[[Core, wire.Request, list[str]], wire.Response]

_KEY = r"([A-Za-z0-9_]+)"
# (method, path pattern after /api/v2, endpoint kind for the stats, handler)
_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    ("GET", re.compile(r"^/incremental/tickets/cursor$"), "ticket_export",
     lambda core, req, _: cursor_exports.ticket_export(core, req)),
    ("GET", re.compile(rf"^/incremental/custom_objects/{_KEY}/cursor$"), "custom_object_export",
     lambda core, req, args: cursor_exports.record_export(core, req, args[0])),
    ("GET", re.compile(r"^/custom_objects$"), "custom_objects",
     lambda core, _req, _args: objects.list_objects(core)),
    ("GET", re.compile(rf"^/custom_objects/{_KEY}$"), "custom_object",
     lambda core, _req, args: objects.show_object(core, args[0])),
    ("GET", re.compile(rf"^/custom_objects/{_KEY}/fields$"), "custom_object_fields",
     lambda core, req, args: objects.list_fields(core, req, args[0])),
    ("GET", re.compile(rf"^/custom_objects/{_KEY}/records$"), "records_list",
     lambda core, req, args: objects.list_records(core, req, args[0])),
    ("PATCH", re.compile(rf"^/custom_objects/{_KEY}/records$"), "records_patch",
     lambda core, req, args: objects.upsert_record(core, req, args[0])),
    ("DELETE", re.compile(rf"^/custom_objects/{_KEY}/records$"), "records_delete",
     lambda core, req, args: objects.delete_record(core, req, args[0])),
    ("POST", re.compile(rf"^/custom_objects/{_KEY}/jobs$"), "jobs_create",
     lambda core, req, args: objects.create_job(core, req, args[0])),
    ("GET", re.compile(r"^/job_statuses/show_many$"), "job_status_show_many",
     lambda core, req, _args: objects.job_statuses(core, req)),
    ("GET", re.compile(r"^/job_statuses/([A-Za-z0-9-]+)$"), "job_status",
     lambda core, _req, args: objects.job_status(core, args[0])),
    ("GET", re.compile(r"^/ticket_fields$"), "ticket_fields",
     lambda core, req, _args: people.fields(core, req, "ticket")),
]  # fmt: skip
# Users, organizations, groups, field definitions, lookups' endpoints, object and field creation, limits.
_ROUTES += [
    ("GET", re.compile(r"^/incremental/users/cursor$"), "user_export",
     lambda core, req, _args: cursor_exports.user_export(core, req)),
    ("GET", re.compile(r"^/incremental/organizations$"), "organization_export",
     lambda core, req, _args: time_exports.organization_export(core, req)),
    ("GET", re.compile(r"^/tickets$"), "tickets_list",
     lambda core, req, _args: tickets.list_tickets(core, req)),
    ("GET", re.compile(r"^/users/show_many$"), "users_show_many",
     lambda core, req, _args: people.users_show_many(core, req)),
    ("GET", re.compile(r"^/users/search$"), "users_search",
     lambda core, req, _args: people.users_search(core, req)),
    ("GET", re.compile(r"^/organizations/show_many$"), "organizations_show_many",
     lambda core, req, _args: people.organizations_show_many(core, req)),
    ("GET", re.compile(r"^/organizations/search$"), "organizations_search",
     lambda core, req, _args: people.organizations_search(core, req)),
    ("GET", re.compile(r"^/groups$"), "groups",
     lambda core, req, _args: people.groups(core, req)),
    ("GET", re.compile(r"^/user_fields$"), "user_fields",
     lambda core, req, _args: people.fields(core, req, "user")),
    ("GET", re.compile(r"^/organization_fields$"), "organization_fields",
     lambda core, req, _args: people.fields(core, req, "organization")),
    ("POST", re.compile(rf"^/custom_objects/{_KEY}/records$"), "records_create",
     lambda core, req, args: objects.create_record(core, req, args[0])),
    ("POST", re.compile(r"^/custom_objects$"), "custom_object_create",
     lambda core, req, _args: schema.create_object(core, req)),
    ("POST", re.compile(rf"^/custom_objects/{_KEY}/fields$"), "custom_object_field_create",
     lambda core, req, args: schema.create_field(core, req, args[0])),
    ("GET", re.compile(r"^/custom_objects/limits/object_limit$"), "object_limit",
     lambda core, req, _args: schema.object_limit(core, req)),
    ("GET", re.compile(r"^/custom_objects/limits/record_limit$"), "record_limit",
     lambda core, _req, _args: schema.record_limit(core)),
    ("GET", re.compile(rf"^/custom_objects/{_KEY}/limits/field_limit$"), "field_limit",
     lambda core, _req, args: schema.field_limit(core, args[0])),
]  # fmt: skip
# Showing and revoking OAuth tokens (POST /oauth/tokens is outside /api/v2: `token_request`).
_ROUTES += [
    ("GET", re.compile(r"^/oauth/tokens/current$"), "oauth_current_token",
     lambda core, req, _args: oauth.show_current(core, req)),
    ("DELETE", re.compile(r"^/oauth/tokens/current$"), "oauth_current_token_revoke",
     lambda core, req, _args: oauth.revoke_current(core, req)),
    ("GET", re.compile(r"^/oauth/tokens/(\d+)$"), "oauth_token_show",
     lambda core, req, args: oauth.show_token(core, req, args[0])),
    ("DELETE", re.compile(r"^/oauth/tokens/(\d+)$"), "oauth_token_revoke",
     lambda core, req, args: oauth.revoke_token(core, req, args[0])),
]  # fmt: skip
TOKEN_KIND = "oauth_token"  # noqa: S105 - the endpoint kind in the stats, not a secret
EXPORT_KINDS = frozenset({"ticket_export", "custom_object_export", "user_export", "organization_export"})


def route(method: str, api_path: str) -> tuple[str, Handler | None, list[str]]:
    """Return (kind, handler, path arguments) for a path below /api/v2; handler None when unknown."""
    for route_method, pattern, kind, handler in _ROUTES:
        match = pattern.match(api_path)
        if match and route_method == method:
            return kind, handler, list(match.groups())
    return "unknown", None, []


def handle(core: Core, request: wire.Request, api_path: str) -> wire.Response:
    """Answer one Zendesk request after the fault layer let it through."""
    kind, handler, args = route(request.method, api_path)
    core.stats.request(kind)
    settings = core.settings()
    refused = _authenticate(core, request)
    if refused is None and any(part in request.path for part in settings.forbidden_paths_contain):
        refused = wire.forbidden()
    if refused is None and request.caller is not None:
        refused = auth.scope_refusal(request.caller, request.method, kind)
    if refused is None:
        refused = _account_refusal(core, request)
    if refused is None and kind in EXPORT_KINDS:
        wait = core.export_limit.try_acquire(request.arrived)
        if wait:
            core.stats.limited("export_limit")
            refused = wire.export_limited(retry_after_text(wait, settings.window_seconds))
    if refused is not None:
        response = refused
    elif handler is None:
        response = wire.invalid_endpoint()
    elif not _readable(request):
        # Checked here, once, for every endpoint: no handler ever sees a body it cannot read.
        response = wire.unparsable_json()
    else:
        response = handler(core, request, args)
    response.headers.extend(_account_headers(core))
    return response


def token_request(core: Core, request: wire.Request) -> wire.Response:
    """Answer POST /oauth/tokens (any prefix) after the fault layer let it through.

    No credentials are needed (the client authenticates in the body), but the request spends the account
    budget like any other: whether Zendesk counts it is unconfirmed (wire notes §24).
    """
    kind = TOKEN_KIND if request.method == "POST" else "unknown"
    core.stats.request(kind)
    refused = _account_refusal(core, request)
    if refused is not None:
        response = refused
    elif kind == "unknown":
        response = wire.invalid_endpoint()
    else:
        response = oauth.create_token(core, request)
    response.headers.extend(_account_headers(core))
    return response


def _authenticate(core: Core, request: wire.Request) -> wire.Response | None:
    header = request.headers.get("Authorization", "")
    found = auth.identify(core.settings(), core.oauth, header, request.arrived)
    if isinstance(found, wire.Response):
        return found
    request.caller = found  # admin or agent; endpoints check the role they need
    return None


def _account_refusal(core: Core, request: wire.Request) -> wire.Response | None:
    wait = core.account_limit.try_acquire(request.arrived)
    if not wait:
        return None
    core.stats.limited("account_limit")
    return wire.account_limited(retry_after_text(wait, core.settings().window_seconds))


def _readable(request: wire.Request) -> bool:
    if not request.body:
        return True
    try:
        request.json_body()
    except wire.UnreadableBodyError:
        return False
    return True


def _account_headers(core: Core) -> list[tuple[str, str]]:
    # wire notes §9: both the older x-rate-limit pair and the current ratelimit-* trio. The limit is the
    # window's; remaining and reset are what the counting mode truly admits (limits/budgets.py).
    settings = core.settings()
    limit = str(settings.account_requests_per_window)
    left, reset = core.account_limit.state()
    remaining = str(left)
    return [
        ("x-rate-limit", limit),
        ("x-rate-limit-remaining", remaining),
        ("ratelimit-limit", limit),
        ("ratelimit-remaining", remaining),
        ("ratelimit-reset", reset_text(reset, settings.window_seconds)),
    ]


# Ticket events and comments, metric events, conversations, ratings, audits, the lists (wire notes §25).
_ROUTES += [
    ("GET", re.compile(r"^/incremental/ticket_events$"), "ticket_event_export",
     lambda core, req, _args: events.ticket_events(core, req)),
    ("GET", re.compile(r"^/incremental/ticket_metric_events$"), "ticket_metric_event_export",
     lambda core, req, _args: events.ticket_metric_events(core, req)),
    ("GET", re.compile(r"^/tickets/(\d+)/conversation_log$"), "conversation_log",
     lambda core, req, args: events.conversation_log(core, req, args[0])),
    ("GET", re.compile(r"^/satisfaction_ratings$"), "satisfaction_ratings",
     lambda core, req, _args: events.satisfaction_ratings(core, req)),
    ("GET", re.compile(r"^/ticket_audits$"), "ticket_audits",
     lambda core, req, _args: events.ticket_audits(core, req)),
    ("GET", re.compile(r"^/(brands|ticket_forms|group_memberships|organization_memberships|macros)$"),
     "lists",
     lambda core, req, args: lists.paged_list(core, req, args[0])),
    ("GET", re.compile(r"^/tags$"), "tags",
     lambda core, req, _args: lists.tag_list(core, req)),
    ("GET", re.compile(r"^/slas/policies$"), "sla_policies",
     lambda core, req, _args: lists.sla_policy_list(core, req)),
    ("GET", re.compile(r"^/business_hours/schedules$"), "schedules",
     lambda core, req, _args: lists.schedule_list(core, req)),
    ("GET", re.compile(r"^/business_hours/schedules/(\d+)/holidays$"), "holidays",
     lambda core, req, args: lists.holiday_list(core, req, args[0])),
]  # fmt: skip
# Both time-based history exports count against the one export limit (wire notes §9: "ticket events").
EXPORT_KINDS = EXPORT_KINDS | {"ticket_event_export", "ticket_metric_event_export"}

# Writing users, organizations, memberships and their fields (wire notes §26).
_ROUTES += [
    ("POST", re.compile(r"^/users/create_or_update_many$"), "users_create_or_update_many",
     lambda core, req, _args: people_writes.users_create_or_update_many(core, req)),
    ("POST", re.compile(r"^/users/create_or_update$"), "users_create_or_update",
     lambda core, req, _args: people_writes.users_create_or_update(core, req)),
    ("PUT", re.compile(r"^/users/update_many$"), "users_update_many",
     lambda core, req, _args: people_writes.users_update_many(core, req)),
    ("DELETE", re.compile(r"^/users/destroy_many$"), "users_destroy_many",
     lambda core, req, _args: people_writes.users_destroy_many(core, req)),
    ("POST", re.compile(r"^/organizations/create_many$"), "organizations_create_many",
     lambda core, req, _args: people_writes.organizations_create_many(core, req)),
    ("PUT", re.compile(r"^/organizations/update_many$"), "organizations_update_many",
     lambda core, req, _args: people_writes.organizations_update_many(core, req)),
    ("DELETE", re.compile(r"^/organizations/destroy_many$"), "organizations_destroy_many",
     lambda core, req, _args: people_writes.organizations_destroy_many(core, req)),
    ("POST", re.compile(r"^/organization_memberships/create_many$"), "organization_memberships_create_many",
     lambda core, req, _args: people_writes.memberships_create_many(core, req)),
    ("POST", re.compile(r"^/user_fields$"), "user_field_create",
     lambda core, req, _args: people_writes.create_field(core, req, "user")),
    ("POST", re.compile(r"^/organization_fields$"), "organization_field_create",
     lambda core, req, _args: people_writes.create_field(core, req, "organization")),
]  # fmt: skip
