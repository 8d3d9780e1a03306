"""Cursor paginators, one per API flavour; each reports a page's position once that page's records are out."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_zendesk_objects.walking.replication import clock_ceiling
from zendesk_objects_shared import RunFailure
from zendesk_objects_shared.bodies import json_object
from zendesk_objects_shared.timestamps import describe_epoch

if TYPE_CHECKING:
    import requests

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class PageDone(Protocol):
    """Told of every page once its records are written; `settled`: its cursor may become the bookmark."""

    def __call__(self, cursor: str | None, body: dict[str, Any], *, settled: bool) -> None:
        """`settled` is False for an empty page that is not the last, or a page that fails the walk."""


class TimePageDone(Protocol):
    """Told of every time-based page once its records are written, with the `start_time` it leads to."""

    def __call__(self, next_start: int, body: dict[str, Any], *, settled: bool) -> None:
        """`next_start`: the `start_time` of the page's `next_page`; `settled` as for `PageDone`."""


class ExportStalledError(RunFailure):
    """An export keeps handing out pages that lead nowhere; the text says which stream and why."""


class WalkPaginator(BaseAPIPaginator[T | None]):
    """What every export walk shares: it ends with one line as soon as its pages stop leading anywhere.

    A misbehaving server (or proxy) can answer forever without saying the last page came. A page that is
    not the last fails the walk when it gives no position to follow (`POSITION`), one that leads back
    (`leads_back`), or when it is the `MAX_EMPTY_PAGES`-th empty one in a row; any page fails it with a
    position no honest server can give (`impossible`). The page that fails the walk and every empty page
    that is not the last are reported unsettled: the bookmark stays at the last page whose records were
    written and whose position led on (wire notes §11 #12-#14).
    """

    MAX_EMPTY_PAGES = 10
    POSITION = "position"

    def __init__(self, start: T | None, stream: str, records_key: str) -> None:
        """Start at `start` (None: the stream's first request) in the export of `stream`."""
        super().__init__(start)
        self._stream = stream
        self._records_key = records_key
        self._empty_pages = 0

    def position(self, body: dict[str, Any]) -> T | None:
        """Where this page leads: the next request's position, None when the page gives none."""
        raise NotImplementedError

    def is_last_page(self, body: dict[str, Any]) -> bool:  # noqa: ARG002
        """Whether the API says nothing follows this page."""
        return False

    def leads_back(self, position: T) -> str | None:  # noqa: ARG002
        """Why following `position` would not progress (None: it does)."""
        return None

    def impossible(self, position: T | None) -> str | None:  # noqa: ARG002
        """Why `position`, even on the last page, is one no honest server gives (None: it is fine)."""
        return None

    def report(self, position: T | None, body: dict[str, Any], *, settled: bool) -> None:
        """Tell the stream a page's records are written and where the page leads."""
        raise NotImplementedError

    def followed(self, position: T) -> None:
        """The walk moves on to `position`."""

    @override
    def get_next(self, response: requests.Response) -> T | None:
        return self.position(json_object(response))

    @override
    def advance(self, response: requests.Response) -> None:
        body = json_object(response)
        self._page_count += 1
        last = self.is_last_page(body)
        # The last page's position is kept (wire notes §2): the next run starts exactly where this one ended.
        position = self.position(body)
        if last and position is None:
            position = self._value
        why = self._why_stalled(position, body, last=last)
        empty = not body.get(self._records_key)
        self.report(position, body, settled=why is None and (last or not empty))
        if why is not None:
            self._stall(why)
        if position is not None:
            self.followed(position)
        self._finished = last
        self._value = position

    def _why_stalled(self, position: T | None, body: dict[str, Any], *, last: bool) -> str | None:
        why = self.impossible(position)
        if why is not None or last:
            return why
        if position is None:
            # Following nothing would send the first request again, and get this page again, forever.
            return f"a page that is not the last (no `end_of_stream`) handed out no {self.POSITION}"
        self._empty_pages = self._empty_pages + 1 if not body.get(self._records_key) else 0
        why = self.leads_back(position)
        if why is None and self._empty_pages >= self.MAX_EMPTY_PAGES:
            why = f"{self._empty_pages} pages in a row held no records and none was the last"
        return why

    def _stall(self, why: str) -> NoReturn:
        msg = (
            f"{self._stream}: the export is not progressing: {why}; stopped after {self._page_count} pages,"
            " the bookmark stays at the last page whose records were written"
        )
        raise ExportStalledError(msg)


class CursorPaginator(WalkPaginator[str]):
    """Follow a cursor API; report each page; stop on its last page, or fail when it stops progressing.

    On top of the walk's rules (see `WalkPaginator`), a cursor leads back when this walk already followed
    it (among the last `REMEMBERED_CURSORS`): e.g. cursors that alternate (A, B, A, ...).
    """

    REMEMBERED_CURSORS = 1000
    POSITION = "cursor"

    def __init__(self, start_cursor: str | None, stream: str, records_key: str, on_page: PageDone) -> None:
        """Start at `start_cursor` (None: the stream's first request) and report pages to `on_page`."""
        super().__init__(start_cursor, stream, records_key)
        self._on_page = on_page
        self._recent: deque[str] = deque()
        self._followed: set[str] = set()
        if start_cursor is not None:
            self.followed(start_cursor)

    def page_cursor(self, body: dict[str, Any]) -> str | None:
        """The cursor this page hands out for the next request."""
        raise NotImplementedError

    @override
    def position(self, body: dict[str, Any]) -> str | None:
        return self.page_cursor(body) or None

    @override
    def leads_back(self, position: str) -> str | None:
        if position in self._followed:
            return f"it handed out cursor {position!r} a second time, without `end_of_stream`"
        return None

    @override
    def report(self, position: str | None, body: dict[str, Any], *, settled: bool) -> None:
        self._on_page(position, body, settled=settled)

    @override
    def followed(self, position: str) -> None:
        self._recent.append(position)
        self._followed.add(position)
        if len(self._recent) > self.REMEMBERED_CURSORS:
            self._followed.discard(self._recent.popleft())


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


class TimeExportPaginator(WalkPaginator[int]):
    """`GET /api/v2/incremental/organizations` (time-based): follow `next_page`'s `start_time`.

    Stops on `end_of_stream: true`; the last page still has a `next_page` (wire notes §18.2), whose
    `start_time` is where the next run starts. On top of the walk's rules (see `WalkPaginator`): a
    `start_time` before the one reached leads back; a page that leads to its own `start_time` (more records
    in one second than Zendesk will put on a page, wire notes §18.2) is followed once more, and the second
    time the walk fails rather than loop, or skip the rest of that second; a `start_time` later than the
    run's clock fails the walk on any page.
    """

    MAX_STUCK_PAGES = 2
    POSITION = "`next_page` (nor `end_time`)"

    def __init__(self, start_time: int, stream: str, records_key: str, on_page: TimePageDone) -> None:
        """Start at `start_time` and report pages to `on_page`."""
        super().__init__(start_time, stream, records_key)
        self._on_page = on_page
        self._stuck = 0

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        # A page whose records were all written before (its boundary second) still leads on; the stop rule
        # above decides.
        return True

    @override
    def is_last_page(self, body: dict[str, Any]) -> bool:
        return bool(body.get("end_of_stream"))

    @override
    def position(self, body: dict[str, Any]) -> int | None:
        """The `start_time` of the page's `next_page` (else its `end_time`; None without either)."""
        next_page = body.get("next_page")
        if isinstance(next_page, str):
            values = dict(parse_qsl(urlsplit(next_page).query))
            if values.get("start_time", "").isdigit():
                return int(values["start_time"])
        end_time = body.get("end_time")
        return end_time if isinstance(end_time, int) and not isinstance(end_time, bool) else None

    @override
    def impossible(self, position: int | None) -> str | None:
        # The bookmark would name a time no export has reached: every later run would start after data it
        # never read (and, past "now", export nothing at all). Clamping it to now would claim the same of
        # the time in between: only ending the run, the bookmark where it was, loses nothing.
        latest = clock_ceiling()
        if position is None or position <= latest:
            return None
        return (
            f"it answered start_time {position} ({describe_epoch(position)}), later than this run's clock"
            f" ({describe_epoch(latest)})"
        )

    @override
    def leads_back(self, position: int) -> str | None:
        current = self._value or 0
        if position < current:
            return f"it answered start_time {position}, before the start_time {current} it had reached"
        self._stuck = self._stuck + 1 if position == current else 0
        if self._stuck < self.MAX_STUCK_PAGES:
            return None
        return (
            f"it answered start_time {position} again for {self._stuck} pages, without `end_of_stream` (more"
            " records changed in that second than Zendesk puts on a page)"
        )

    @override
    def report(self, position: int | None, body: dict[str, Any], *, settled: bool) -> None:
        self._on_page(position if position is not None else self._value or 0, body, settled=settled)
