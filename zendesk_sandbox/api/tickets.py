"""`GET /api/v2/tickets` (List Tickets), read by the target to find tickets by external id.

The OAS: `external_id` "Lists tickets by external id. External ids don't have to be unique for each ticket.
As a result, the request may return multiple tickets with the same external id." Offset or cursor
pagination, 100 a page at most; deleted tickets are not listed (they have their own endpoint,
`/api/v2/deleted_tickets`). The external id is compared exactly (whether Zendesk ignores case here is not
documented).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from zendesk_sandbox.api import listing

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core
    from zendesk_sandbox.gateway import wire


def list_tickets(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/tickets[?external_id=]: undeleted tickets by id."""
    account = core.account_url()
    external_id = request.query.get("external_id")
    items = []
    for ticket_id in core.store.live_ticket_ids(external_id):
        body = core.store.ticket(ticket_id)
        if body is not None:
            items.append({"url": f"{account}/api/v2/tickets/{ticket_id}.json", **body})
    base = (
        f"{core.navigation_url(request.request_base)}/api/v2/tickets{'.json' if request.json_suffix else ''}"
    )
    filters = "" if external_id is None else f"&external_id={quote(external_id, safe='')}"
    return listing.paginated(request, "tickets", items, base, offset=True, filters=filters)
