"""`ticket_metrics` and `ticket_conversation_log`: read from the ticket export's pages (walking/riders.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.schemas.warehouse import CONVERSATION_LOG_SCHEMA, TICKET_METRICS_SCHEMA
from tap_zendesk_objects.streams.tickets import TicketExportWalk
from zendesk_objects_shared import RunFailure

if TYPE_CHECKING:
    from tap_zendesk_objects.runtime import TapRuntime

LOGGER = logging.getLogger("tap-zendesk-objects")
# Zendesk messaging's channels (wire notes §25); a ticket also says `from_messaging_channel: true`.
MESSAGING_CHANNELS = frozenset(
    {"native_messaging", "whatsapp", "facebook_messenger", "sunshine_conversations"}
)
LOG_PAGE_SIZE = 100  # conversation_log: "Returns a maximum of 100 records per page" (OAS)
MAX_LOG_PAGES = 1_000
# Tickets whose log position the bookmark keeps; a ticket beyond that is read from its log's start again.
MAX_REMEMBERED_LOGS = 20_000


class TicketMetricsStream(TicketExportWalk):
    """One metric set per ticket row of the ticket export (`include=metric_sets`): no request of its own.

    The metric set is read embedded in the ticket (`metric_set`) or from the top-level `metric_sets`
    array, whichever the page has (wire notes §18.3). A deleted ticket's row gives a record with
    `deleted: true` (its metric set, when Zendesk still sends it, kept).
    """

    name = "ticket_metrics"
    primary_keys: ClassVar[list[str]] = ["ticket_id"]
    schema: ClassVar[dict[str, Any]] = TICKET_METRICS_SCHEMA
    sideload = "metric_sets"
    replication_key = "generated_timestamp"
    is_sorted = True

    @override
    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        sideloaded = page.get("metric_sets")
        by_ticket = {
            m.get("ticket_id"): m for m in sideloaded if isinstance(m, dict)
        } if isinstance(sideloaded, list) else {}  # fmt: skip
        records = []
        for ticket in self.page_rows(page):
            metric_set = ticket.get("metric_set") or by_ticket.get(ticket["id"])
            record = dict(metric_set) if isinstance(metric_set, dict) else {}
            record["ticket_id"] = ticket["id"]
            record["generated_timestamp"] = ticket.get("generated_timestamp")
            record["deleted"] = ticket.get("status") == "deleted"
            records.append(record)
        return records


class ConversationLogStream(TicketExportWalk):
    """Messaging tickets' conversations: `GET /api/v2/tickets/{id}/conversation_log` for each changed one.

    Opt-in (`conversation_log: true`): a request (or more, 100 events a page) per exported messaging
    ticket, paced under the account budget. The bookmark keeps, besides the ticket export's position, where
    each ticket's log was last read (`logs`: ticket id -> cursor, the most recent `MAX_REMEMBERED_LOGS`),
    so a ticket that changes again is read from there.
    """

    name = "ticket_conversation_log"
    primary_keys: ClassVar[list[str]] = ["ticket_id", "id"]
    schema: ClassVar[dict[str, Any]] = CONVERSATION_LOG_SCHEMA
    replication_key = "created_at"
    is_sorted = False

    def __init__(self, *, runtime: TapRuntime, **kwargs: Any) -> None:  # noqa: ANN401
        """A conversation log stream; it reads only what the ticket export pages name."""
        super().__init__(runtime=runtime, **kwargs)
        self._read_log = runtime.get_json_or_none("events")

    @override
    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for ticket in self.page_rows(page):
            if ticket.get("status") != "deleted" and _is_messaging(ticket):
                records += self._log_since_last_read(int(ticket["id"]))
        return records

    def _log_since_last_read(self, ticket_id: int) -> list[dict[str, Any]]:
        logs: dict[str, str] = self.bookmark().setdefault("logs", {})
        cursor = logs.pop(str(ticket_id), None)
        path = f"/api/v2/tickets/{ticket_id}/conversation_log"
        events: list[dict[str, Any]] = []
        for _ in range(MAX_LOG_PAGES):
            params = {"page[size]": str(LOG_PAGE_SIZE), **({"page[after]": cursor} if cursor else {})}
            body = self._read_log(path, params)
            if body is None:  # deleted since the export page was served (404)
                return events
            events += [
                {**event, "ticket_id": ticket_id} for event in body["events"] if isinstance(event, dict)
            ]
            meta = body.get("meta")
            meta = meta if isinstance(meta, dict) else {}
            cursor = meta.get("after_cursor") or cursor
            if not meta.get("has_more"):
                break
        else:
            msg = f"{path}: more than {MAX_LOG_PAGES} pages; the log does not end"
            raise RunFailure(msg)
        if cursor:
            logs[str(ticket_id)] = cursor  # the most recently read last
            while len(logs) > MAX_REMEMBERED_LOGS:
                del logs[next(iter(logs))]
        return events


def _is_messaging(ticket: dict[str, Any]) -> bool:
    via = ticket.get("via")
    channel = via.get("channel") if isinstance(via, dict) else None
    return ticket.get("from_messaging_channel") is True or channel in MESSAGING_CHANNELS
