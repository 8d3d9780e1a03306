"""Cursor paginators, one per API flavour; each reports a page's position once that page's records are out."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, NoReturn, Protocol
from urllib.parse import parse_qsl, urlsplit

from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from zendesk_objects_shared import RunFailure
from zendesk_objects_shared.bodies import json_object

if TYPE_CHECKING:
    import requests

LOGGER = logging.getLogger(__name__)


class PageDone(Protocol):
    """Told of every page once its records are written; `settled`: its cursor may become the bookmark."""

    def __call__(self, cursor: str | None, body: dict[str, Any], *, settled: bool) -> None:
        """`settled` is False for an empty page that is not the last, or a page whose cursor came back."""


class ExportStalledError(RunFailure):
    """An export keeps handing out pages that lead nowhere; the text says which stream and why."""


class CursorPaginator(BaseAPIPaginator["str | None"]):
    """Follow a cursor API; report each page; stop on its last page, or fail when it stops progressing.

    A misbehaving server (or proxy) can answer forever without `end_of_stream`: empty pages with cursors
    that alternate (A, B, A, ...) or are new every time. The walk fails with one line when a cursor comes
    back that this walk already followed (among the last `REMEMBERED_CURSORS`), or after `MAX_EMPTY_PAGES`
    empty pages in a row that are not the last. The cursor of an empty page is reported as unsettled, so
    the bookmark stays at the last page whose records were written (wire notes §11 #12-#14).
    """

    MAX_EMPTY_PAGES = 10
    REMEMBERED_CURSORS = 1000

    def __init__(self, start_cursor: str | None, stream: str, records_key: str, on_page: PageDone) -> None:
        """Start at `start_cursor` (None: the stream's first request) and report pages to `on_page`."""
        super().__init__(start_cursor)
        self._stream = stream
        self._records_key = records_key
        self._on_page = on_page
        self._recent: deque[str] = deque()
        self._followed: set[str] = set()
        self._empty_pages = 0
        if start_cursor is not None:
            self._remember(start_cursor)

    def page_cursor(self, body: dict[str, Any]) -> str | None:
        """The cursor this page hands out for the next request."""
        raise NotImplementedError

    def is_last_page(self, body: dict[str, Any]) -> bool:  # noqa: ARG002
        """Whether the API says nothing follows this page."""
        return False

    @override
    def get_next(self, response: requests.Response) -> str | None:
        return self.page_cursor(json_object(response))

    @override
    def advance(self, response: requests.Response) -> None:
        body = json_object(response)
        self._page_count += 1
        # The last page's cursor is kept (wire notes §2): the next run starts exactly where this one ended.
        cursor = self.page_cursor(body) or self._value
        last = self.is_last_page(body)
        empty = not body.get(self._records_key)
        self._empty_pages = self._empty_pages + 1 if empty and not last else 0
        came_back = not last and cursor is not None and cursor in self._followed
        self._on_page(cursor, body, settled=last or not (empty or came_back))
        if came_back:
            self._stall(f"it handed out cursor {cursor!r} a second time, without `end_of_stream`")
        if self._empty_pages >= self.MAX_EMPTY_PAGES:
            self._stall(f"{self._empty_pages} pages in a row held no records and none was the last")
        if cursor is not None:
            self._remember(cursor)
        self._finished = last
        self._value = cursor

    def _remember(self, cursor: str) -> None:
        self._recent.append(cursor)
        self._followed.add(cursor)
        if len(self._recent) > self.REMEMBERED_CURSORS:
            self._followed.discard(self._recent.popleft())

    def _stall(self, why: str) -> NoReturn:
        msg = (
            f"{self._stream}: the export is not progressing: {why}; stopped after {self._page_count} pages,"
            " the bookmark stays at the last page whose records were written"
        )
        raise ExportStalledError(msg)


class TicketExportPaginator(CursorPaginator):
    """`GET /api/v2/incremental/tickets/cursor`: follow `after_cursor`; stop on `end_of_stream: true`.

    The page with `end_of_stream: true` may hold records and still carries `after_cursor` (wire notes §2).
    """

    @override
    def page_cursor(self, body: dict[str, Any]) -> str | None:
        return body.get("after_cursor")

    @override
    def is_last_page(self, body: dict[str, Any]) -> bool:
        return bool(body.get("end_of_stream"))

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # An empty page still carries the position; the stop rule above decides.
        return True


class CustomObjectExportPaginator(TicketExportPaginator):
    """`GET /api/v2/incremental/custom_objects/{key}/cursor`: follow `after_cursor`.

    Stops on `end_of_stream: true`, `meta.has_more: false` or a missing `after_cursor`: which of them the
    real endpoint sends is unconfirmed (wire notes §3, §13), so any one of them ends the walk.
    """

    @override
    def is_last_page(self, body: dict[str, Any]) -> bool:
        meta = body.get("meta")
        no_more = isinstance(meta, dict) and meta.get("has_more") is False
        return bool(body.get("end_of_stream")) or no_more or not body.get("after_cursor")


class SequinCursorPaginator(CursorPaginator):
    """Sequin `GET /v1/records`: follow `cursor`; stop on an empty page.

    Sequin returns the cursor it was sent on an empty page, so the SDK's "stop on an empty page"
    (`continue_if_empty` False) ends the walk before that page is advanced over (wire notes Sequin §4).
    """

    @override
    def page_cursor(self, body: dict[str, Any]) -> str | None:
        return body.get("cursor")


class ListCursorPaginator(CursorPaginator):
    """Zendesk list endpoints with cursor pagination: follow `meta.after_cursor` as `page[after]`.

    Serves `/groups`, `/ticket_fields`, `/user_fields`, `/organization_fields` (wire notes §23); stops when
    `meta.has_more` is false.
    """

    @override
    def page_cursor(self, body: dict[str, Any]) -> str | None:
        meta = body.get("meta")
        return meta.get("after_cursor") if isinstance(meta, dict) else None

    @override
    def is_last_page(self, body: dict[str, Any]) -> bool:
        meta = body.get("meta")
        return not (isinstance(meta, dict) and meta.get("has_more") and meta.get("after_cursor"))

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        return True


class TimePageDone(Protocol):
    """Told of every time-based page once its records are written, with the `start_time` it leads to."""

    def __call__(self, next_start: int, body: dict[str, Any]) -> None:
        """`next_start`: the `start_time` of the page's `next_page`."""


class TimeExportPaginator(BaseAPIPaginator[int]):
    """`GET /api/v2/incremental/organizations` (time-based): follow `next_page`'s `start_time`.

    Stops on `end_of_stream: true`; the last page still has a `next_page` (wire notes §18.2), whose
    `start_time` is where the next run starts. A page that leads back to its own `start_time` without
    `end_of_stream` (more records in one second than Zendesk will put on a page, wire notes §18.2) is
    followed once more; the second time the walk fails with one line rather than loop, or skip the rest of
    that second.
    """

    MAX_STUCK_PAGES = 2

    def __init__(self, start_time: int, stream: str, on_page: TimePageDone) -> None:
        """Start at `start_time` and report pages to `on_page`."""
        super().__init__(start_time)
        self._stream = stream
        self._on_page = on_page
        self._stuck = 0

    @override
    def get_next(self, response: requests.Response) -> int:
        return self.next_start(json_object(response))

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # A page whose records were all written before (its boundary second) still leads on; the stop rule
        # above decides.
        return True

    def next_start(self, body: dict[str, Any]) -> int:
        """The `start_time` of the page's `next_page` (else its `end_time`; else where this page began)."""
        next_page = body.get("next_page")
        if isinstance(next_page, str):
            values = dict(parse_qsl(urlsplit(next_page).query))
            if values.get("start_time", "").isdigit():
                return int(values["start_time"])
        end_time = body.get("end_time")
        return int(end_time) if isinstance(end_time, int) else self._value

    @override
    def advance(self, response: requests.Response) -> None:
        body = json_object(response)
        self._page_count += 1
        start = self.next_start(body)
        last = bool(body.get("end_of_stream"))
        self._on_page(start, body)
        self._stuck = self._stuck + 1 if start <= self._value and not last else 0
        if self._stuck >= self.MAX_STUCK_PAGES:
            msg = (
                f"{self._stream}: the export is not progressing: it answered start_time {start} again for"
                f" {self._stuck} pages, without `end_of_stream` (more records changed in that second than"
                f" Zendesk puts on a page); stopped after {self._page_count} pages, the bookmark stays at"
                " that second"
            )
            raise ExportStalledError(msg)
        self._finished = last
        self._value = start
