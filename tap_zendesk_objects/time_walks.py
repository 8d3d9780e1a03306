"""The time-based exports: `start_time` pages, each export's boundary second written once (wire notes §18.2).

Organizations, ticket events and ticket metric events have no cursor export (wire notes §18.4, §25).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.walking.paginators import TimeExportPaginator
from tap_zendesk_objects.walking.replication import start_epoch, within_clock
from zendesk_objects_shared.bodies import json_object
from zendesk_objects_shared.timestamps import epoch_seconds

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

LOGGER = logging.getLogger("tap-zendesk-objects")


class ZendeskTimeExportStream(ZendeskExportStream):
    """Every row that changed since the bookmark, each once, by `start_time` pages of a time-based export.

    Bookmark: `{"start_time": <next_page's start_time>, "boundary_ids": [...]}`. A page that spans several
    seconds ends with `end_time` = its last row's second, so the next page starts inside that second
    again and repeats its rows (wire notes §18.2). `boundary_ids` are the rows already written in that
    second (by `time_key`): the next page (of this run or the next) skips exactly those, and nothing else.
    """

    primary_keys: ClassVar[list[str]] = ["id"]
    # The rows' time the export pages by: `start_time` is compared with it.
    time_key: ClassVar[str] = "updated_at"
    is_sorted = True
    POSITION_KEYS: ClassVar[tuple[str, ...]] = ("start_time", "boundary_ids")
    paginator_class: ClassVar[type[TimeExportPaginator]] = TimeExportPaginator

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401
        """A time-based export stream."""
        super().__init__(**kwargs)
        # Where the walk is (the next request's start_time) and the ids already written in that second;
        # the bookmark takes both from a settled page only (`time_page_done`).
        self._walk_start = 0
        self._boundary: set[int] = set()

    @property
    def start_time_min_age(self) -> float:
        """How old `start_time` must be: Zendesk's minute (the export window), plus a second of margin."""
        return min(float(self.START_TIME_LAG_SECONDS), self.runtime.export_pacer.window_seconds + 1)

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self._context = context
        state = self.bookmark()
        start = state.get("start_time")
        if start is None:
            # A state set by hand may hold only the SDK's replication_key_value: start from that second.
            # (Not written into the bookmark: a settled page does that, and walking/riders.py compares
            # bookmarks.)
            from_key = start_epoch(state, self.replication_key, self.name) if self.replication_key else None
            start = self.runtime_start_date() if from_key is None else from_key
        self._walk_start = within_clock(self.name, "`start_time`", int(start))
        self._boundary = {int(i) for i in state.get("boundary_ids") or ()}
        age = time.time() - int(start)
        if age < self.start_time_min_age and self.name not in self.runtime.rode:
            # Zendesk refuses a start_time younger than a minute, and serves nothing from the last minute
            # anyway (wire notes §18.2, §18.4): what changed after the bookmark comes on the next run.
            LOGGER.info(
                "%s: nothing to export yet: the bookmark's start_time %d is %.0f s old, Zendesk wants %.0f s",
                self.name,
                int(start),
                age,
                self.start_time_min_age,
            )
            return
        yield from super().request_records(context)

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        return {"per_page": self._page_size, "start_time": int(next_page_token), **self.walk_params()}

    @override
    def get_new_paginator(self) -> TimeExportPaginator:
        return self.paginator_class(self._walk_start, self.name, self.records_key, self.time_page_done)

    @override
    def page_view(self, response: requests.Response) -> dict[str, Any]:
        body = json_object(response)
        boundary = self._boundary
        if not boundary:
            return body
        start = _start_time(response)
        rows = body.get(self.records_key) or []
        # Rows of the boundary second already written (by the previous page, or the previous run).
        second = self.second
        kept = [
            r for r in rows if not isinstance(r, dict) or r.get("id") not in boundary or second(r) != start
        ]
        return {**body, self.records_key: kept}

    def second(self, row: dict[str, Any]) -> int | None:
        """The epoch second of a row's `time_key`; None when it has none."""
        stamp = row.get(self.time_key)
        try:
            return epoch_seconds(stamp) if isinstance(stamp, str) else None
        except ValueError:
            return None

    def time_page_done(self, next_start: int, body: dict[str, Any], *, settled: bool) -> None:
        """After a page's records were written: walk on to `next_start`; a settled page moves the bookmark.

        The walk, and the bookmark with it, keeps the ids of `next_start`'s second already written.
        """
        rows = [r for r in body.get(self.records_key) or [] if isinstance(r, dict)]
        boundary = self._boundary if next_start == self._walk_start else set()
        for row in reversed(rows):  # the page is in `time_key` order: its last second is at the end
            if self.second(row) != next_start:
                break
            if row.get("id") is not None:
                boundary.add(int(row["id"]))
        self._walk_start, self._boundary = next_start, boundary
        if settled:
            state = self.bookmark()
            state["start_time"] = next_start
            state["boundary_ids"] = sorted(boundary)
        self.page_finished(settled=settled)
        self._page_size = min(self.max_page_size, self._page_size * 2)


def _start_time(response: requests.Response) -> int | None:
    value = dict(parse_qsl(urlsplit(response.request.url or "").query)).get("start_time")
    return int(value) if value is not None and value.isdigit() else None
