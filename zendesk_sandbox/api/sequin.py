"""Sequin's `GET /v1/records`: one stream of records, each change re-appended at the end.

See wire notes Sequin §4.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.gateway import wire
from zendesk_sandbox.store import cursors

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# query parameter -> column; the collection filter is spelled both ways in Sequin's docs
# (wire notes Sequin §1)
_FILTERS = {
    "sync_id": "sync_id",
    "provider": "provider",
    "collection": "collection_id",
    "collection_id": "collection_id",
}


def row_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """Return a stored Sequin row as the API's record object."""
    _, sync_id, collection_id, upstream_id, updated_at, data, deleted, created_at = row
    return {
        "sync_id": sync_id,
        "collection_id": collection_id,
        "upstream_id": upstream_id,
        "upstream_updated_at": updated_at,
        "data": json.loads(data),
        "deleted": bool(deleted),
        "created_at": created_at,
    }


def handle(core: Core, request: wire.Request) -> wire.Response:
    """Answer one Sequin request after the fault layer let it through."""
    core.stats.request("sequin")
    if request.method != "GET":
        return wire.sequin_error(404, "Not found")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), core.settings().sequin_token.encode()
    ):
        return wire.sequin_error(401, "Your API key is wrong")
    try:
        limit = int(request.query.get("limit", str(DEFAULT_LIMIT)))
    except ValueError:
        return wire.sequin_error(400, "limit must be an integer")
    if not 1 <= limit <= MAX_LIMIT:
        return wire.sequin_error(400, f"limit must be between 1 and {MAX_LIMIT}")
    after = 0
    cursor = request.query.get("after_cursor")
    if cursor:
        decoded = cursors.decode_sequin(cursor)
        if decoded is None:
            return wire.sequin_error(400, "after_cursor is not a valid cursor")
        after = decoded
    filters = {column: request.query[name] for name, column in _FILTERS.items() if request.query.get(name)}
    rows = core.store.sequin_page(after, filters, limit)
    # the cursor is always returned; with nothing new it is the same one (wire notes Sequin §4)
    next_cursor = cursors.encode_sequin(rows[-1][0]) if rows else (cursor or cursors.encode_sequin(after))
    return wire.json_response(200, {"records": [row_json(row) for row in rows], "cursor": next_cursor})
