"""`organizations`: the time-based organization export (there is no cursor one, wire notes §18.4)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from singer_sdk import typing as th
from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.custom_fields import FieldTyper, schema_properties, typer_for
from tap_zendesk_objects.paginators import TimeExportPaginator
from tap_zendesk_objects.people_schemas import ORGANIZATION_PROPERTIES
from tap_zendesk_objects.replication import start_epoch, within_clock
from zendesk_objects_shared.timestamps import epoch_seconds

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import requests
    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.client import TapRuntime
    from tap_zendesk_objects.custom_fields import TypedField

LOGGER = logging.getLogger("tap-zendesk-objects")


class OrganizationsStream(ZendeskExportStream):
    """Every organization that changed since the bookmark, each once, by `start_time` pages.

    Bookmark: `{"start_time": <next_page's start_time>, "boundary_ids": [...]}`. A page that spans several
    seconds ends with `end_time` = its last record's second, so the next page starts inside that second
    again and repeats its records (wire notes §18.2). `boundary_ids` are the organizations already written
    in that second: the next page (of this run or the next) skips exactly those, and nothing else.
    """

    name = "organizations"
    path = "/api/v2/incremental/organizations"
    primary_keys: ClassVar[list[str]] = ["id"]
    records_key = "organizations"
    replication_key = "updated_at"
    is_sorted = True

    def __init__(self, *, runtime: TapRuntime, fields: Sequence[TypedField], **kwargs: Any) -> None:  # noqa: ANN401
        """An organizations stream whose `organization_fields` values are also typed `cf_...` properties."""
        schema = th.PropertiesList(
            *ORGANIZATION_PROPERTIES.wrapped.values(), *schema_properties(fields, "organization")
        )
        self._fields = list(fields)
        self._typer = FieldTyper(self.name, ())
        super().__init__(runtime=runtime, schema=schema.to_dict(), **kwargs)
        # Where the walk is (the next request's start_time) and the ids already written in that second;
        # the bookmark takes both from a settled page only (`time_page_done`).
        self._walk_start = 0
        self._boundary: set[int] = set()

    @property
    def start_time_min_age(self) -> float:
        """How old `start_time` must be: Zendesk's minute (the export window), plus a second of margin."""
        window = float(self.config.get("export_window_seconds", 60.0))
        return min(float(self.START_TIME_LAG_SECONDS), window + 1)

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self._context = context
        # After the SDK applied the input catalog: its schema decides which fields become properties.
        self._typer = typer_for(self.name, self._fields, self.effective_schema)
        state = self.bookmark()
        start = state.get("start_time")
        if start is None:
            # A state set by hand may hold only the SDK's replication_key_value: start from that second.
            from_key = start_epoch(state, self.replication_key, self.name)
            start = self.runtime_start_date() if from_key is None else from_key
            state["start_time"] = start
        self._walk_start = within_clock(self.name, "`start_time`", int(start))
        self._boundary = {int(i) for i in state.get("boundary_ids") or ()}
        age = time.time() - int(start)
        if age < self.start_time_min_age:
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
        return {"per_page": self._page_size, "start_time": int(next_page_token)}

    @override
    def get_new_paginator(self) -> TimeExportPaginator:
        return TimeExportPaginator(self._walk_start, self.name, self.records_key, self.time_page_done)

    @override
    def parse_response(self, response: requests.Response) -> Iterator[dict[str, Any]]:
        records = super().parse_response(response)
        boundary = self._boundary
        if not boundary:
            return records
        start = _start_time(response)
        # Records of the boundary second already written (by the previous page, or the previous run).
        return (r for r in records if r["id"] not in boundary or _second(r) != start)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        self._typer.from_object(row, row.get("organization_fields"))
        return row

    def time_page_done(self, next_start: int, body: dict[str, Any], *, settled: bool) -> None:
        """After a page's records were written: walk on to `next_start`; a settled page moves the bookmark.

        The walk, and the bookmark with it, keeps the ids of `next_start`'s second already written.
        """
        records = [r for r in body.get(self.records_key) or [] if isinstance(r, dict)]
        boundary = self._boundary if next_start == self._walk_start else set()
        for record in reversed(records):  # the page is in updated_at order: its last second is at the end
            if _second(record) != next_start:
                break
            if record.get("id") is not None:
                boundary.add(int(record["id"]))
        self._walk_start, self._boundary = next_start, boundary
        if settled:
            state = self.bookmark()
            state["start_time"] = next_start
            state["boundary_ids"] = sorted(boundary)
            if self._replication_mark is not None:  # the export is in updated_at order: moved per page
                self._replication_mark.page_written(state, self.newest_stamp(records))
            self.runtime.write_state()
        self._progress.page(len(records))
        self._page_size = min(self.max_page_size, self._page_size * 2)


def _start_time(response: requests.Response) -> int | None:
    value = dict(parse_qsl(urlsplit(response.request.url or "").query)).get("start_time")
    return int(value) if value is not None and value.isdigit() else None


def _second(record: dict[str, Any]) -> int | None:
    stamp = record.get("updated_at")
    try:
        return epoch_seconds(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None
