"""`satisfaction_ratings`: cursor pages of `GET /api/v2/satisfaction_ratings`, incremental on `updated_at`.

Zendesk's only time filter here, `start_time`, reads a rating's *creation* time (OAS: "Time of the oldest
satisfaction rating"), while a requester may change a rating later (bad to good) until the ticket closes.
So every run reads again the ratings created in the `satisfaction_ratings_lookback_days` before the
bookmark (default 30: a solved ticket closes at the latest 28 days after it is solved, Zendesk's longest
automation, and a closed ticket's rating can no longer change), and writes those whose `updated_at` is
later than the bookmark: a rating changed since the last run comes again, in its new version, and nothing
else repeats.

Bookmark: `replication_key_value` (the newest `updated_at` written) and `boundary_ids` (the ratings of
that second already written). During a walk also `cursor` (the last page written), `walk_start_time`
(the walk's `start_time`) and `walk_newest` (what the walk wrote newest so far), so a killed run resumes
the same walk from its last page, repeating at most that page.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_zendesk_objects.client import ZendeskApiStream
from tap_zendesk_objects.runtime import LIST_PAGE_SIZE
from tap_zendesk_objects.schemas.warehouse import SATISFACTION_RATINGS_SCHEMA
from tap_zendesk_objects.walking.paginators import ListCursorPaginator
from tap_zendesk_objects.walking.replication import VALUE, start_epoch
from zendesk_objects_shared.bodies import json_object
from zendesk_objects_shared.timestamps import epoch_seconds

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import requests
    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.walking.paginators import CursorPaginator

DAY = 86_400
WALK_KEYS = ("cursor", "walk_start_time", "walk_newest")


class SatisfactionRatingsStream(ZendeskApiStream):
    """Every satisfaction rating created or changed since the bookmark (see the module's docstring)."""

    name = "satisfaction_ratings"
    path = "/api/v2/satisfaction_ratings"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "satisfaction_ratings"
    schema: ClassVar[dict[str, Any]] = SATISFACTION_RATINGS_SCHEMA
    replication_key = "updated_at"
    is_sorted = False  # pages come by id

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self._context = context
        state = self.bookmark()
        since = start_epoch(state, "updated_at", self.name)
        self._since = since if since is not None else -1
        self._boundary = {int(i) for i in state.get("boundary_ids") or ()}
        if state.get("cursor") is None:
            lookback = int(self.config.get("satisfaction_ratings_lookback_days", 30)) * DAY
            start = self._runtime_start() if since is None else max(self._runtime_start(), since - lookback)
            state["walk_start_time"] = min(start, int(time.time()))
            state["walk_newest"] = None
        yield from super().request_records(context)
        newest = state.get("walk_newest")
        if newest:
            state[VALUE], state["boundary_ids"] = newest["updated_at"], newest["ids"]
            state["replication_key"] = self.replication_key
        for key in WALK_KEYS:
            state.pop(key, None)

    def _runtime_start(self) -> int:
        value = self.config.get("start_date")
        return epoch_seconds(str(value)) if value else 0

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "page[size]": LIST_PAGE_SIZE,
            "start_time": self.bookmark()["walk_start_time"],
        }
        if next_page_token:
            params["page[after]"] = next_page_token
        return params

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return self.new_cursor_paginator(ListCursorPaginator)

    @override
    def parse_response(self, response: requests.Response) -> Iterator[dict[str, Any]]:
        records = self.page_records(json_object(response))
        self._page_records = [r for r in records if self._changed_since_bookmark(r)]
        return iter(self._page_records)

    def _changed_since_bookmark(self, rating: dict[str, Any]) -> bool:
        second = _second(rating)
        if second is None:
            return True  # no readable updated_at: written (data), the bookmark ignores it
        return second > self._since or (second == self._since and rating["id"] not in self._boundary)

    @override
    def page_done(self, cursor: str | None, body: dict[str, Any], *, settled: bool = True) -> None:
        if settled:
            state = self.bookmark()
            if cursor is not None:
                state["cursor"] = cursor
            state["walk_newest"] = _newest(state.get("walk_newest"), self._page_records)
            self.runtime.write_state()
        self._progress.page(len(self._page_records))
        self._page_records = []


def _second(rating: dict[str, Any]) -> int | None:
    stamp = rating.get("updated_at")
    try:
        return epoch_seconds(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None


def _newest(saved: dict[str, Any] | None, records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest `updated_at` among what the walk wrote, with the ids written in that second."""
    best, best_second = saved, _second({"updated_at": saved["updated_at"]}) if saved else None
    ids = set(saved["ids"]) if saved else set()
    latest = int(time.time()) + 1
    for record in records:
        second = _second(record)
        if second is None or second > latest:
            continue
        if best_second is None or second > best_second:
            best_second, ids = second, {record["id"]}
            best = {"updated_at": record["updated_at"], "ids": []}
        elif second == best_second:
            ids.add(record["id"])
    if best is None:
        return None
    return {"updated_at": best["updated_at"], "ids": sorted(ids)}
