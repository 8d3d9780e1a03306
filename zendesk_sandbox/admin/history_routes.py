"""The admin HTTP API of tickets' history: comments, events, conversation logs and satisfaction ratings.

Mirrors `Admin.ticket_events`, `ticket_metric_events`, `conversation_log`, `ticket_comments`,
`add_ticket_comment`, `add_conversation_message`, `satisfaction_ratings` and `update_satisfaction_rating`
under /_sandbox/ (README.md, admin API).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.gateway import wire

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.admin.api import Admin

_TICKET_HISTORY = re.compile(r"^/_sandbox/tickets/(\d+)/(events|metric_events|comments|conversation_log)$")
_RATING = re.compile(r"^/_sandbox/satisfaction_ratings/(\d+)$")
_COMMENT_ATTRIBUTES = frozenset({"body", "public", "author_id"})
# GET /_sandbox/tickets/{id}/<what>: the answer's key and what reads it.
_READS: dict[str, tuple[str, Callable[[Admin, int], list[dict[str, Any]]]]] = {
    "events": ("ticket_events", lambda admin, ticket_id: admin.ticket_events(ticket_id)),
    "metric_events": ("ticket_metric_events", lambda admin, ticket_id: admin.ticket_metric_events(ticket_id)),
    "conversation_log": ("events", lambda admin, ticket_id: admin.conversation_log(ticket_id)),
    "comments": ("comments", lambda admin, ticket_id: admin.ticket_comments(ticket_id)),
}


def route(admin: Admin, method: str, path: str, body: dict[str, Any]) -> wire.Response | None:  # noqa: PLR0911 - a router
    """Answer a history request; None when `path` is not one (KeyError, ValueError, TypeError: refused)."""
    if path == "/_sandbox/satisfaction_ratings" and method == "GET":
        return wire.json_response(200, {"satisfaction_ratings": admin.satisfaction_ratings()})
    rating = _RATING.match(path)
    if rating and method == "PATCH":
        changed = admin.update_satisfaction_rating(int(rating.group(1)), **body)
        return wire.json_response(200, {"satisfaction_rating": changed})
    history = _TICKET_HISTORY.match(path)
    if history is None:
        return None
    ticket_id, what = int(history.group(1)), history.group(2)
    if admin.ticket(ticket_id) is None:
        raise KeyError(ticket_id)
    if method == "GET" and what in _READS:
        key, read = _READS[what]
        return wire.json_response(200, {key: read(admin, ticket_id)})
    if method == "POST" and what == "comments":
        return wire.json_response(201, {"ticket_event": _add_comment(admin, ticket_id, body)})
    if method == "POST" and what == "conversation_log":
        text = body.get("text")
        if set(body) != {"text"} or not isinstance(text, str):
            msg = 'the body must be {"text": "..."}'
            raise ValueError(msg)
        return wire.json_response(201, {"event": admin.add_conversation_message(ticket_id, text)})
    return wire.invalid_endpoint()


def _add_comment(admin: Admin, ticket_id: int, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - _COMMENT_ATTRIBUTES)
    text, public, author = body.get("body"), body.get("public", True), body.get("author_id")
    if unknown or not isinstance(text, str) or not isinstance(public, bool):
        msg = f"takes body (a string), public (a boolean), author_id (unknown: {unknown})"
        raise ValueError(msg)
    if author is not None and (not isinstance(author, int) or isinstance(author, bool)):
        msg = "author_id must be an integer"
        raise TypeError(msg)
    return admin.add_ticket_comment(ticket_id, text, public=public, author_id=author)
