"""The support warehouse's streams (issue 19): paced exports, what they cost in requests, CPU per comment.

1. Every export stream at once, the warehouse's included (tickets with metrics, users with identities,
   organizations, ticket events with comments, metric events), under one export limit on a short window:
   export requests per window ÷ the limit, counted as in paced.py, and the 429s.
2. Extra requests: the ticket and user exports' requests ÷ their pages of tickets and users (1.0: metrics
   and identities cost nothing), ticket event export requests ÷ ⌈events ÷ 1,000⌉ (1.0: one request per
   1,000 events, comments included), and per-ticket requests (conversation logs) with `conversation_log`
   off.
3. CPU per `ticket_comments` record ÷ the `json` floor, measured by tap_cpu.py as tickets are: the floor
   decodes the same pages and encodes each comment as a RECORD line with `json`.
"""

from __future__ import annotations

import math
from typing import Any

from bench import paced, tap_cpu
from bench.common import Row, SandboxProcess, unlimited_options

EVENTS_PATH = "/api/v2/incremental/ticket_events"
STREAMS = (
    "tickets",
    "ticket_metrics",
    "users",
    "user_identities",
    "organizations",
    "ticket_events",
    "ticket_comments",
    "ticket_metric_events",
)
GOAL_COMMENT_X_FLOOR = 2.0
ZENDESK_EVENT_PAGE = 1000  # events a ticket event export page holds (wire notes §25.1)


def measure_exports(tickets: int, people: int, page_size: int, window: float) -> list[Row]:
    """Export every warehouse export stream under one limit; the pacing and request-cost rows."""
    export = paced.streams_export(tickets, people, page_size, window, STREAMS, custom_object_keys=[])
    kinds, lines = export.kinds, export.records
    pages = math.ceil(lines.get("tickets", 0) / page_size) + math.ceil(lines.get("users", 0) / page_size)
    walks = kinds.get("ticket_export", 0) + kinds.get("user_export", 0)
    comments, events = lines.get("ticket_comments", 0), lines.get("ticket_events", 0)
    event_requests = kinds.get("ticket_event_export", 0)
    # One request per 1,000 events: the last page holds the rest, so ⌈events ÷ 1,000⌉ requests at best.
    pages_of_1000 = max(math.ceil(events / ZENDESK_EVENT_PAGE), 1)
    per_ticket = kinds.get("conversation_log", 0)
    return [
        export.row("2b. warehouse", "every export stream at once, the warehouse's included"),
        Row(
            "2b. warehouse",
            "ticket and user export requests ÷ their pages (metrics and identities ride along)",
            f"{walks} requests for {pages} pages of tickets and users; {lines.get('ticket_metrics', 0):,}"
            f" metric and {lines.get('user_identities', 0):,} identity records",
            walks / max(pages, 1),
            "1.0 (0 extra)",
            walks == pages,
        ),
        Row(
            "2b. warehouse",
            "ticket event export requests ÷ ⌈events ÷ 1,000⌉ (comments from the same pages)",
            f"{event_requests} requests for {events:,} events and {comments:,} comments"
            f" ({event_requests / max(events, 1) * 1000:.2f} per 1,000 events);"
            f" {per_ticket} per-ticket requests",
            event_requests / pages_of_1000,
            "≤ 1.0 (1 per 1,000 events), 0 per ticket",
            event_requests <= pages_of_1000 and per_ticket == 0,
        ),
    ]


def comments(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The comments of a ticket event page, each with its ticket, as the floor encodes them."""
    return [
        {**child, "ticket_id": event["ticket_id"]}
        for event in page["ticket_events"]
        for child in event["child_events"]
        if child.get("event_type") == "Comment"
    ]


def measure_comment_cpu(tickets: int) -> list[Row]:
    """CPU per ticket_comments record of the tap ÷ the `json` floor, as tap_cpu.py measures tickets."""
    with SandboxProcess(tickets, options=unlimited_options()) as sandbox:
        export = tap_cpu.Export(EVENTS_PATH, "ticket_events", include="comment_events", extract=comments)
        result = tap_cpu.measure_stream(sandbox.url, "ticket_comments", export)
    return [tap_cpu.row("ticket comments", result, GOAL_COMMENT_X_FLOOR)]
