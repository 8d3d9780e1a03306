"""The tap's base streams: requests through the shared loop (http.py), records as Zendesk sends them."""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.catalog import REPLICATION_INCREMENTAL
from singer_sdk.streams.rest import RESTStream
from typing_extensions import override

from tap_zendesk_objects.runtime import LIST_PAGE_SIZE
from tap_zendesk_objects.walking.paginators import ListCursorPaginator, TicketExportPaginator
from tap_zendesk_objects.walking.progress import ProgressLog
from tap_zendesk_objects.walking.replication import (
    ReplicationMark,
    Stamp,
    StampReader,
    clock_ceiling,
    start_epoch,
    within_clock,
)
from tap_zendesk_objects.walking.riders import Ride
from zendesk_objects_shared import Outcome, RequestPacer, RunFailure, classify, error_message
from zendesk_objects_shared.auth import LeftToRequestLoop
from zendesk_objects_shared.bodies import holding, json_object
from zendesk_objects_shared.timestamps import epoch_seconds

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Generator, Iterable, Iterator

    import requests
    from requests.auth import AuthBase
    from singer_sdk.helpers.types import Context, Record, RequestFunc
    from singer_sdk.singerlib import Catalog

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.walking.paginators import CursorPaginator, WalkPaginator
    from zendesk_objects_shared import Credential

LOGGER = logging.getLogger("tap-zendesk-objects")

GATEWAY_TIMEOUT = 504


def with_query(
    prepared: requests.PreparedRequest, *, drop: Iterable[str] = (), **values: str | int
) -> requests.PreparedRequest:
    """A copy of `prepared` with query parameters removed (`drop`) and set (`values`)."""
    parts = urlsplit(prepared.url or "")
    dropped = set(drop) | set(values)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in dropped]
    query.extend((k, str(v)) for k, v in values.items())
    copy = prepared.copy()
    copy.url = urlunsplit(parts._replace(query=urlencode(query)))
    return copy


class ZendeskObjectsStream(RESTStream[Any]):
    """Base of every stream: records pass through as the API sends them, requests go through the runtime.

    A stream that declares `replication_key` (and `is_sorted` when its export is ordered by that key) is
    INCREMENTAL in the catalog, and its bookmark holds the SDK-standard `replication_key` and
    `replication_key_value` beside the cursor, moved page by page (see walking/replication.py). Without one
    it is FULL_TABLE.
    """

    # Records are decoded with plain `json` and already match their schemas (the ticket schema is the OAS's,
    # custom object fields are coerced in `post_process`): recursive conformance would only cost CPU.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # STATE goes out after every page (see `_page_done`), not every N records.
    STATE_MSG_FREQUENCY = 10**9
    records_key: ClassVar[str]
    # The key of the page's rows (`records_key`) whose newest value is the walk's position (`high_water`);
    # None: the replication key. The records a stream emits may be other objects than those rows
    # (walking/riders.py).
    position_key: ClassVar[str | None] = None
    # Streams read from one export's pages share it (walking/riders.py): its name, and the `include` they
    # need.
    walk_group: ClassVar[str] = ""
    sideload: ClassVar[str] = ""
    # The bookmark keys that say where in its export a stream is (walking/riders.py compares and copies them).
    POSITION_KEYS: ClassVar[tuple[str, ...]] = ("cursor", "high_water")

    def __init__(self, *, runtime: TapRuntime, **kwargs: Any) -> None:  # noqa: ANN401
        """Build the stream around the tap's shared runtime."""
        self.runtime = runtime
        super().__init__(**kwargs)
        self._context: Context | None = None
        self._plain_records: bool | None = None
        self._progress = ProgressLog(self.name, self.pacer)
        # What the class declares; an input catalog cannot turn a cursor export into another method.
        self.declared_replication_key = self.replication_key
        self._replication_mark: ReplicationMark | None = None
        self._stamps: StampReader | None = None
        self._positions: StampReader | None = None
        self._page_records: list[dict[str, Any]] = []
        self.ride = Ride.alone(self)

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        super().apply_catalog(catalog)
        declared = self.declared_replication_key
        method = self.replication_method
        if declared and (self.replication_key != declared or method != REPLICATION_INCREMENTAL):
            # E.g. a catalog saved before these streams said INCREMENTAL. The export is incremental by its
            # cursor whatever the catalog says; a full re-export is a run without state (`--full-refresh`).
            LOGGER.warning(
                "%s: the catalog asks for %s replication by %s; this export is incremental by cursor: "
                "replicating INCREMENTAL by %s (to export everything again, run without state)",
                self.name,
                method,
                self.replication_key,
                declared,
            )
            self.replication_key = declared
            self.forced_replication_method = REPLICATION_INCREMENTAL

    @override
    def _increment_stream_state(self, latest_record: Record, *, context: Context | None = None) -> None:
        # The SDK moves `replication_key_value` per record, and for a stream not declared sorted keeps it in
        # "progress_markers" marked "not resumable". These streams resume from their cursor whatever the
        # order, so the value moves per page instead, with the cursor (`page_done`), and no marker lies.
        return

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> dt.datetime | None:
        # The signpost only caps progress markers being promoted, and these streams write none.
        return None

    @override
    def _write_starting_replication_value(self, context: Context | None) -> None:
        # Where a walk starts is the cursor, else the bookmark's timestamps (`first_start_time`); the SDK's
        # `starting_replication_value` (start_date for any key type, sdk#1677) would only clutter STATE.
        return

    @property
    def pacer(self) -> RequestPacer | None:
        """The pacer this stream's requests wait for (None: not paced)."""
        return None

    @property
    def credential(self) -> Credential:
        """What authorizes this stream's requests: the Zendesk account's credential."""
        return self.runtime.credential

    @property
    @override
    def authenticator(self) -> AuthBase:
        return LeftToRequestLoop()  # the request loop authorizes every attempt (`credential`)

    @property
    @override
    def timeout(self) -> int:
        return math.ceil(self.runtime.connection.timeout_seconds)

    @property
    @override
    def requests_session(self) -> requests.Session:
        # This thread's session from the shared loop: its connections honour the total deadline.
        return self.runtime.http.session()

    @override
    def validate_response(self, response: requests.Response) -> None:
        # Status handling lives in the shared loop, around the SDK's request (see request_decorator).
        return

    @override
    def request_decorator(self, func: RequestFunc) -> RequestFunc:
        # The SDK's own backoff is replaced by the shared loop: pacing, deadline, 429 waits, retries, and
        # a page checked before it counts (a 200 without its records array is retried, never taken as empty).
        check = holding(self.records_key, list)

        def send(prepared: requests.PreparedRequest, context: Context | None) -> requests.Response:
            return self.runtime.http.send(
                prepared,
                context=self.name,
                pacer=self.pacer,
                transport=lambda request: func(request, context),
                check=check,
                adjust=self.adjust_failed_request,
                credential=self.credential,
            )

        return send

    def adjust_failed_request(
        self,
        prepared: requests.PreparedRequest,  # noqa: ARG002
        response: requests.Response,  # noqa: ARG002
    ) -> requests.PreparedRequest | None:
        """A changed request to retry after this failed response, or None for the default handling."""
        return None

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if self.name in self.runtime.rode:
            # Its records and bookmark came with another stream's walk of the same export (walking/riders.py).
            LOGGER.info("%s: written along another stream's walk of the same export this run", self.name)
            return
        # The SDK sets `self.context` only for parent/child syncs; partitions arrive here, so keep it.
        self._context = context
        self.start_walk(context)
        self.ride = Ride.start(self, self._run_streams())
        yield from super().request_records(context)
        self.finish_walk()
        self.ride.finished()

    def _run_streams(self) -> list[ZendeskObjectsStream]:
        """The tap's streams of this run: those that may ride along this stream's walk."""
        return [stream for stream in self._tap.streams.values() if isinstance(stream, ZendeskObjectsStream)]

    def start_walk(self, context: Context | None) -> None:
        """Before a walk this stream makes or rides along: progress, replication value, typers."""
        self._progress = ProgressLog(self.name if not context else f"{self.name} {dict(context)}", self.pacer)
        key = self.replication_key
        self._replication_mark = ReplicationMark(key, is_sorted=self.is_sorted) if key else None
        if key and (self._stamps is None or self._stamps.key != key):
            self._stamps = StampReader(self.name, key)  # kept across partitions: warns once per stream
        position = self.position_key or key
        if position and (self._positions is None or self._positions.key != position):
            # One reader when both keys are one: its warnings come once per stream.
            same = self._stamps is not None and self._stamps.key == position
            self._positions = self._stamps if same else StampReader(self.name, position)

    def finish_walk(self) -> None:
        """The walk reached the export's end: the replication value catches up, the totals are logged."""
        if self._replication_mark is not None:
            self._replication_mark.walk_finished(self.bookmark())
        self._progress.page(0, final=True)

    @override
    def _generate_record_messages(self, record: dict[str, Any]) -> Generator[RecordMessage, None, None]:
        # The SDK walks every record to drop deselected properties, conforms types and runs stream maps.
        # When nothing is deselected, no map or flattening is configured and conformance is off, all of that
        # returns the record unchanged: skip it (it is most of the tap's CPU per ticket otherwise).
        if self._plain_records is None:
            self._plain_records = self._records_pass_unchanged()
        if not self._plain_records:
            yield from super()._generate_record_messages(record)
            return
        yield RecordMessage(
            stream=self.name, record=record, version=self._stream_version, time_extracted=utc_now()
        )

    def _records_pass_unchanged(self) -> bool:
        maps = self.stream_maps
        identity = len(maps) == 1 and type(maps[0]) is SameRecordTransform and not maps[0].flattening_enabled
        return (
            identity and all(self.mask.values()) and self.TYPE_CONFORMANCE_LEVEL is TypeConformanceLevel.NONE
        )

    @override
    def parse_response(self, response: requests.Response) -> Iterator[dict[str, Any]]:
        page = self.page_view(response)
        self._page_records = self.page_records(page)
        self.ride.read(page)  # riders write theirs now, before this stream's records change (post_process)
        return iter(self._page_records)

    def page_view(self, response: requests.Response) -> dict[str, Any]:
        """The page's body as this walk reads it (a time-based walk drops its boundary second's rows)."""
        return json_object(response)

    def page_rows(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        """The page's rows (`records_key`) that are objects with an `id`: what riders' records hang on."""
        rows = page.get(self.records_key) or []
        return [row for row in rows if isinstance(row, dict) and row.get("id") is not None]

    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        """This stream's records on a page: its rows that carry their primary key."""
        records: list[Any] = page[self.records_key]
        keys = self.primary_keys or []
        keyed = [r for r in records if isinstance(r, dict) and all(r.get(k) is not None for k in keys)]
        if len(keyed) < len(records):
            # A record without its key could never be matched downstream: refuse it, loudly.
            LOGGER.warning(
                "%s: %d of %d records on this page have no %s: refused, not emitted",
                self.name,
                len(records) - len(keyed),
                len(records),
                " + ".join(keys),
            )
        return keyed

    @override
    def generate_child_contexts(
        self, record: dict[str, Any], context: Context | None
    ) -> Iterable[Context | None]:
        return ()  # no child streams: skip the SDK's per-record child-context work

    def bookmark(self) -> dict[str, Any]:
        """The writable bookmark of the stream (or of the partition being synced)."""
        return self.get_context_state(self._context)

    def page_done(self, cursor: str | None, body: dict[str, Any], *, settled: bool = True) -> None:
        """After a page's records were written: move the bookmark to the page's cursor and print STATE.

        An unsettled page (empty, and not the last) leaves the bookmark where it was: its cursor is only
        kept once a later page proves the walk is progressing.
        """
        rows = body.get(self.records_key) or []
        if settled:
            state = self.bookmark()
            if cursor is not None:
                state["cursor"] = cursor
            self.update_bookmark(state, self.newest_position(rows))
        self.page_finished(settled=settled)

    def page_finished(self, *, settled: bool) -> None:
        """After the bookmark took a page's position: its replication value, the riders, STATE, progress."""
        if settled and self._replication_mark is not None:
            self._replication_mark.page_written(self.bookmark(), self.newest_stamp(self._page_records))
        self.ride.page_written(settled=settled)
        if settled:
            self.runtime.write_state()
        self._progress.page(len(self._page_records))
        self._page_records = []

    def newest_stamp(self, records: list[dict[str, Any]]) -> Stamp | None:
        """The newest replication key value of records written that a bookmark may take (StampReader)."""
        return self._stamps.newest(records) if self._stamps is not None else None

    def newest_position(self, rows: list[dict[str, Any]]) -> Stamp | None:
        """The newest position value of a page's rows (`position_key`), for `high_water`."""
        return self._positions.newest(rows) if self._positions is not None else None

    def walk_params(self) -> dict[str, Any]:
        """Query parameters this walk needs for the streams it writes: the `include` sideloads."""
        includes = self.ride.includes()
        return {"include": ",".join(includes)} if includes else {}

    def ride_along(self, records: list[dict[str, Any]]) -> None:
        """Write records another stream's walk read for this one (walking/riders.py), via `post_process`."""
        written = []
        for record in records:
            processed = self.post_process(record, None)
            if processed is not None:
                self._write_record_message(processed)
                written.append(processed)
        self._page_records = written

    def update_bookmark(self, state: dict[str, Any], newest: Stamp | None) -> None:
        """Add what else the bookmark tracks from the page's newest replication value (e.g. `high_water`)."""

    def new_cursor_paginator(self, paginator_class: type[CursorPaginator]) -> CursorPaginator:
        """A paginator starting at the bookmark's cursor, saving each page's position back into it."""
        return paginator_class(self.bookmark().get("cursor"), self.name, self.records_key, self.page_done)


class ZendeskApiStream(ZendeskObjectsStream):
    """A stream of the Zendesk API: the account's base URL (and its credential, the base's default)."""

    @property
    @override
    def url_base(self) -> str:
        return self.runtime.connection.base_url


class ZendeskExportStream(ZendeskApiStream):
    """A Zendesk cursor export: `start_time` on the first request only, `cursor` afterwards.

    Bookmark: `{"cursor": <after_cursor of the last page written>, "high_water": <epoch seconds>}`.
    `high_water` is the newest replication key value emitted (or the `start_time` the walk began at), so a
    refused cursor can restart from it: that repeats the records of that second, and skips none.
    """

    # Zendesk serves no data from the last minute; `start_time` must be at least 60 s old (wire notes §2, §3).
    START_TIME_LAG_SECONDS = 61
    # The export's own parameter for the `exclude_deleted` setting (None: the export has no such filter).
    exclude_deleted_param: ClassVar[str | None] = None

    @property
    @override
    def pacer(self) -> RequestPacer | None:
        return self.runtime.export_pacer

    @property
    def max_page_size(self) -> int:
        """The configured `page_size`."""
        return int(self.config.get("page_size", 1000))

    @override
    def get_new_paginator(self) -> WalkPaginator[Any]:
        # The ticket and user cursor exports end alike; the custom object and time exports have their own.
        return self.new_cursor_paginator(TicketExportPaginator)

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self._page_size = self.max_page_size
        yield from super().request_records(context)

    def filter_params(self) -> dict[str, Any]:
        """Query parameters sent on every request: the deleted-records filter, if the settings ask for it."""
        if self.exclude_deleted_param and self.config.get("exclude_deleted"):
            return {self.exclude_deleted_param: "true"}
        return {}

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"per_page": self._page_size, **self.filter_params(), **self.walk_params()}
        if next_page_token:
            params["cursor"] = next_page_token
        else:
            params["start_time"] = self.first_start_time()
        return params

    def first_start_time(self) -> int:
        """Where a walk without a cursor starts: the bookmark's time, else `start_date`, else 0."""
        state = self.bookmark()
        start = self.bookmark_time()
        if start is None:
            start = self.runtime_start_date()
        start = min(start, int(time.time()) - self.START_TIME_LAG_SECONDS)
        # The walk covers everything from here: a refused cursor may fall back to it.
        state["high_water"] = start
        return start

    def bookmark_time(self) -> int | None:
        """The bookmark's time in epoch seconds: `high_water` or `replication_key_value` (e.g. set by hand).

        The earlier of the two when both are there: a start too early repeats records, one too late would
        skip them. None when the bookmark has neither.
        """
        state = self.bookmark()
        high_water = state.get("high_water")
        marks = [within_clock(self.name, "`high_water`", int(high_water))] if high_water is not None else []
        key = self.replication_key
        from_key = start_epoch(state, key, self.name) if key else None
        if from_key is not None:
            marks.append(from_key)
        return min(marks) if marks else None

    @override
    def update_bookmark(self, state: dict[str, Any], newest: Stamp | None) -> None:
        # Every export's replication key is the timestamp it exports by: tickets' `generated_timestamp`
        # (system updates bump only that one, wire notes §2, §11 #10), `updated_at` for the others.
        if newest is None:
            return
        saved = int(state.get("high_water") or 0)
        # A saved mark past the clock (from a version that let a server's time through) is not kept.
        state["high_water"] = max(newest[1], saved if saved <= clock_ceiling() else 0)

    def runtime_start_date(self) -> int:
        """`start_date` as epoch seconds (0 = the beginning of the account)."""
        value = self.config.get("start_date")
        if not value:
            return 0
        return epoch_seconds(str(value))

    @override
    def adjust_failed_request(
        self, prepared: requests.PreparedRequest, response: requests.Response
    ) -> requests.PreparedRequest | None:
        query = dict(parse_qsl(urlsplit(prepared.url or "").query))
        page_size = int(query.get("per_page", self._page_size))
        if response.status_code == GATEWAY_TIMEOUT and page_size > 1:
            # Big pages time out upstream ("upstream request timeout", wire notes §2, §11 #4-6): ask for half.
            self._page_size = max(1, page_size // 2)
            LOGGER.warning(
                "%s: HTTP 504 for %d records per page; retrying with %d",
                self.name,
                page_size,
                self._page_size,
            )
            return with_query(prepared, per_page=self._page_size)
        if classify(response) is Outcome.INVALID_CURSOR and "cursor" in query:
            start = min(self.bookmark_time() or 0, int(time.time()) - self.START_TIME_LAG_SECONDS)
            LOGGER.warning(
                "%s: Zendesk refused the saved cursor (%s); restarting from the high-water timestamp %d",
                self.name,
                error_message(response),
                start,
            )
            return with_query(prepared, drop=["cursor"], start_time=start)
        return None

    @override
    def page_done(self, cursor: str | None, body: dict[str, Any], *, settled: bool = True) -> None:
        super().page_done(cursor, body, settled=settled)
        # After a 504 shrank the page, grow back towards `page_size` one page at a time.
        self._page_size = min(self.max_page_size, self._page_size * 2)


class ZendeskListStream(ZendeskApiStream):
    """A small Zendesk list read whole on every run (full table): cursor pages of `page[size]=100`.

    No bookmark: a run that stops half-way reads the whole list again next time. Not paced by the export
    limit; its few requests count against the account's limit only.
    """

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"page[size]": LIST_PAGE_SIZE}
        if next_page_token:
            params["page[after]"] = next_page_token
        return params

    @override
    def get_new_paginator(self) -> CursorPaginator:
        return ListCursorPaginator(None, self.name, self.records_key, self.page_done)

    @override
    def page_done(self, cursor: str | None, body: dict[str, Any], *, settled: bool = True) -> None:
        self._progress.page(len(body.get(self.records_key) or []))


class SequinStream(ZendeskObjectsStream):
    """Sequin `GET /v1/records`: Bearer token, its own base URL, `after_cursor` paging; not paced."""

    records_key = "records"

    @property
    @override
    def url_base(self) -> str:
        return self.runtime.sequin_base_url

    @property
    @override
    def credential(self) -> Credential:
        credential = self.runtime.sequin_credential
        if credential is None:  # pragma: no cover (the stream exists only with a Sequin token)
            msg = "the Sequin stream runs without `sequin_api_token`"
            raise RunFailure(msg)
        return credential
