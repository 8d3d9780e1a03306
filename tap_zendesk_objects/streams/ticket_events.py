"""`ticket_events`, `ticket_comments` (one time-based export) and `ticket_metric_events` (wire notes §25)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import GATEWAY_TIMEOUT
from tap_zendesk_objects.schemas.warehouse import (
    TICKET_COMMENTS_SCHEMA,
    TICKET_EVENTS_SCHEMA,
    TICKET_METRIC_EVENTS_SCHEMA,
)
from tap_zendesk_objects.time_walks import ZendeskTimeExportStream
from tap_zendesk_objects.walking.paginators import TimeExportPaginator

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests
    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.walking.paginators import TimePageDone

COMMENT = "Comment"
# A comment child event's keys that ticket_events keeps (the rest is ticket_comments'): what the export
# sends without `include=comment_events`.
_COMMENT_FLAGS = ("id", "via", "via_reference_id", "event_type")


class TicketEventsWalk(ZendeskTimeExportStream):
    """A stream read from `GET /api/v2/incremental/ticket_events` pages (wire notes §25).

    Every ticket update, archived and deleted tickets' included, by `created_at`.
    """

    path = "/api/v2/incremental/ticket_events"
    records_key = "ticket_events"
    time_key = "created_at"
    walk_group = "ticket_events"

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        # This export takes no `per_page` (OAS IncrementalTicketEvents, wire notes §25.1): Zendesk serves
        # its time-based pages of up to 1000 events, so `page_size` does not apply here.
        params = super().get_url_params(context, next_page_token)
        del params["per_page"]
        return params

    @override
    def adjust_failed_request(
        self, prepared: requests.PreparedRequest, response: requests.Response
    ) -> requests.PreparedRequest | None:
        # No `per_page` to halve: a 504 is retried as any other 5xx.
        if response.status_code == GATEWAY_TIMEOUT:
            return None
        return super().adjust_failed_request(prepared, response)


class TicketEventsStream(TicketEventsWalk):
    """Each ticket update with its `child_events`: the field changes that field and tag history come from.

    A comment is kept as Zendesk sends it without the sideload, `comment_present` and `comment_public`;
    the comment itself is a `ticket_comments` record.
    """

    name = "ticket_events"
    schema: ClassVar[dict[str, Any]] = TICKET_EVENTS_SCHEMA
    replication_key = "created_at"

    @override
    def post_process(self, row: dict[str, Any], context: Any = None) -> dict[str, Any] | None:
        children = row.get("child_events")
        if isinstance(children, list) and any(
            isinstance(c, dict) and c.get("event_type") == COMMENT and "body" in c for c in children
        ):
            row["child_events"] = [_flagged(child) for child in children]
        return row


class TicketCommentsStream(TicketEventsWalk):
    """Each comment of the ticket event export (`include=comment_events`), with its `ticket_id`.

    Messaging tickets' conversations are not in this export (Airbyte PR #69173): see
    `ticket_conversation_log`.
    """

    name = "ticket_comments"
    schema: ClassVar[dict[str, Any]] = TICKET_COMMENTS_SCHEMA
    sideload = "comment_events"
    replication_key = "created_at"

    @override
    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        comments: list[dict[str, Any]] = []
        for event in self.page_rows(page):
            children = event.get("child_events")
            comments.extend(
                {
                    **child,
                    "ticket_id": event.get("ticket_id"),
                    "audit_id": child.get("audit_id") or event["id"],
                    "created_at": child.get("created_at") or event.get("created_at"),
                }
                for child in (children if isinstance(children, list) else ())
                if isinstance(child, dict)
                and child.get("event_type") == COMMENT
                and child.get("id") is not None
            )
        return comments


class MetricEventsPaginator(TimeExportPaginator):
    """`GET /api/v2/incremental/ticket_metric_events`, time-based: as `TimeExportPaginator`.

    The OAS's pages have no `end_of_stream` (wire notes §25): a page without the key is the last when it
    holds fewer events than were asked for, the time-based exports' older rule.
    """

    def __init__(
        self,
        start_time: int,
        stream: str,
        records_key: str,
        on_page: TimePageDone,
        page_size: Callable[[], int],
    ) -> None:
        """As `TimeExportPaginator`; `page_size()` is the `per_page` the current request asked for."""
        super().__init__(start_time, stream, records_key, on_page)
        self._page_size = page_size

    @override
    def is_last_page(self, body: dict[str, Any]) -> bool:
        if "end_of_stream" in body:
            return bool(body["end_of_stream"])
        return len(body.get(self._records_key) or []) < self._page_size()


class TicketMetricEventsStream(ZendeskTimeExportStream):
    """Every ticket metric event (SLA applied, activated, fulfilled, breached ...), by `time`.

    `deleted: true` is passed through for the events Zendesk marks deleted.
    """

    name = "ticket_metric_events"
    path = "/api/v2/incremental/ticket_metric_events"
    records_key = "ticket_metric_events"
    schema: ClassVar[dict[str, Any]] = TICKET_METRIC_EVENTS_SCHEMA
    replication_key = "time"
    time_key = "time"

    @override
    def get_new_paginator(self) -> TimeExportPaginator:
        return MetricEventsPaginator(
            self._walk_start, self.name, self.records_key, self.time_page_done, lambda: self._page_size
        )


def _flagged(child: Any) -> Any:  # noqa: ANN401 (a child event is any JSON)
    if not isinstance(child, dict) or child.get("event_type") != COMMENT or "body" not in child:
        return child
    flags = {key: child[key] for key in _COMMENT_FLAGS if key in child}
    return {**flags, "comment_present": True, "comment_public": bool(child.get("public"))}
