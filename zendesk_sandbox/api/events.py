"""Ticket events, metric events, conversation logs, satisfaction ratings and ticket audits (wire notes §25).

- `GET /api/v2/incremental/ticket_events` and `/incremental/ticket_metric_events`: time-based exports with
  the organizations' paging rules (time_exports.py), by `created_at` and by `time`. Ticket event pages
  hold up to 1000 events (`ticket_events_page_size`), Zendesk's time-based page; the OAS names no
  `per_page` for this export, so one sent is ignored (decided, wire notes §25.1). With
  `include=comment_events` a `Comment` child event carries the comment; without it, only
  `comment_present` and `comment_public` (OAS IncrementalTicketEvents). Archived and deleted tickets'
  events are exported. Metric event pages say `end_of_stream` unless `ticket_metric_events_end_of_stream`
  is off (the OAS lists only `count`, `end_time`, `next_page`).
- `GET /api/v2/tickets/{id}/conversation_log`: cursor pages of at most 100 (OAS); a ticket that is not a
  messaging one has an empty log; a deleted or unknown ticket is a 404 (as a deleted ticket's comments).
- `GET /api/v2/satisfaction_ratings`: cursor or offset pages by id; `start_time`/`end_time` filter on
  `created_at` (OAS: "Time of the oldest satisfaction rating"), `score` on the score; admins only.
- `GET /api/v2/ticket_audits`: cursor pages of at most 100, newest first (OAS: `sort_by=created_at`,
  `sort_order=desc`); archived tickets' audits are not listed (OAS ListTicketAudits).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.api import listing
from zendesk_sandbox.api.time_exports import TimeExport, time_export
from zendesk_sandbox.data.datagen import compact, parse_iso
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.store.time_rows import TimeRows

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core

_EVENTS_PATH = "/api/v2/incremental/ticket_events"
_METRIC_EVENTS_PATH = "/api/v2/incremental/ticket_metric_events"
_RECEIVED = ("good", "bad")  # `score=received`: rated either way


def _stored(_core: Core, _row_id: int, body: bytes) -> bytes:
    return body


def _without_comments(_core: Core, _row_id: int, body: bytes) -> bytes:
    # Without the sideload a comment is only "described by Boolean comment_present and comment_public" (OAS).
    event = json.loads(body)
    event["child_events"] = [_comment_flags(child) for child in event["child_events"]]
    return compact(event).encode()


def _comment_flags(child: dict[str, Any]) -> dict[str, Any]:
    if child.get("event_type") != "Comment":
        return child
    return {
        "id": child["id"],
        "via": child["via"],
        "via_reference_id": child["via_reference_id"],
        "comment_present": True,
        "comment_public": child["public"],
        "event_type": "Comment",
    }


def ticket_events(core: Core, request: wire.Request) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/ticket_events (admins only)."""
    includes = {part.strip() for part in request.query.get("include", "").split(",")}
    render = _stored if "comment_events" in includes else _without_comments
    export = TimeExport(
        _EVENTS_PATH, "ticket_events", render, page_size=core.settings().ticket_events_page_size
    )
    return time_export(core, request, TimeRows(core.store, "ticket_events"), export)


def ticket_metric_events(core: Core, request: wire.Request) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/ticket_metric_events, time-based (admins only)."""
    export = TimeExport(
        _METRIC_EVENTS_PATH,
        "ticket_metric_events",
        _stored,
        end_of_stream=core.settings().ticket_metric_events_end_of_stream,
    )
    return time_export(core, request, TimeRows(core.store, "metric_events"), export)


def conversation_log(core: Core, request: wire.Request, ticket_id: str) -> wire.Response:
    """Serve GET /api/v2/tickets/{id}/conversation_log (agents; cursor pages of at most 100)."""
    ticket = core.store.ticket(int(ticket_id))
    if ticket is None or ticket["status"] == "deleted":
        return wire.record_not_found()
    events = core.history.conversation(int(ticket_id))
    positions = {event["id"]: position for position, event in events}
    base = f"{_base(core, request)}/api/v2/tickets/{ticket_id}/conversation_log"
    return listing.paginated(
        request,
        "events",
        [event for _, event in events],
        base,
        offset=False,
        order=lambda e: positions[e["id"]],
    )


def satisfaction_ratings(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/satisfaction_ratings (admins only), filtered by created_at and score."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    query = request.query
    try:
        start = int(query["start_time"]) if "start_time" in query else None
        end = int(query["end_time"]) if "end_time" in query else None
    except ValueError:
        return wire.classic_error(400, "InvalidValue", "start_time and end_time must be Unix epoch times")
    # `good_with_comment` and the like match as their plain score (decided: the sandbox's comments are fixed).
    scores = _scores(query.get("score"))
    account = core.account_url()
    items = []
    for rating in core.history.ratings():
        created = parse_iso(rating["created_at"])
        if (start is not None and created < start) or (end is not None and created > end):
            continue
        if scores is not None and rating["score"] not in scores:
            continue
        items.append(rating | {"url": f"{account}/api/v2/satisfaction_ratings/{rating['id']}.json"})
    filters = "".join(
        f"&{name}={query[name]}" for name in ("start_time", "end_time", "score") if name in query
    )
    base = f"{_base(core, request)}/api/v2/satisfaction_ratings"
    return listing.paginated(request, "satisfaction_ratings", items, base, offset=True, filters=filters)


def ticket_audits(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/ticket_audits: cursor pages, newest first, without archived tickets' audits."""
    if not listing.uses_cursor(request):
        return wire.classic_error(400, "InvalidPaginationParameter", "cursor pagination is required")
    archived = core.history.archived_ticket_ids(int(time.time()))
    audits = [_as_audit(event) for event in core.history.all_events() if event["ticket_id"] not in archived]
    base = f"{_base(core, request)}/api/v2/ticket_audits"
    return listing.paginated(
        request, "audits", audits, base, offset=False, order=lambda audit: -int(audit["id"])
    )


def _as_audit(event: dict[str, Any]) -> dict[str, Any]:
    """A ticket event as the audits endpoint shows it (OAS TicketAuditObject)."""
    return {
        "id": event["id"],
        "ticket_id": event["ticket_id"],
        "created_at": event["created_at"],
        "author_id": event["updater_id"],
        "metadata": event["metadata"],
        "via": event["via"],
        "events": [
            {key: value for key, value in child.items() if key != "event_type"}
            | {"type": child["event_type"]}
            for child in event["child_events"]
        ],
    }


def _scores(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    base = raw.removesuffix("_with_comment").removesuffix("_without_comment")
    return _RECEIVED if base == "received" else (base,)


def _base(core: Core, request: wire.Request) -> str:
    return core.navigation_url(request.request_base)
