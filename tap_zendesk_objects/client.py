"""HTTP for streams and discovery: one retry loop (pacing, 429, backoff, errors), and the base streams."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from singer_sdk import RESTStream
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import RecordMessage
from typing_extensions import override

from tap_zendesk_objects.paginators import CursorPaginator, page_body
from zendesk_objects_shared import (
    BearerAuth,
    Outcome,
    RequestFailedError,
    RequestPacer,
    RetryPolicy,
    ZendeskAPIError,
    classify,
    error_message,
    retry_after_seconds,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

    from requests.auth import AuthBase
    from singer_sdk.helpers.types import Context, RequestFunc

    from zendesk_objects_shared import ZendeskConnection

LOGGER = logging.getLogger("tap-zendesk-objects")

# Failures that never reached an HTTP status: the request is retried with backoff.
TRANSIENT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionResetError,
)
GATEWAY_TIMEOUT = 504
# One progress line per stream at most this often (and one at the end).
PROGRESS_EVERY_SECONDS = 5.0


@dataclass
class RequestRunner:
    """Sends a request until it succeeds or fails for good; the one place that waits, retries and gives up.

    429 → wait `Retry-After` (or one rate-limit window when absent), holding the shared pacer off too;
    5xx, resets, timeouts and bodies that are not whole JSON → capped exponential backoff;
    other 4xx → `ZendeskAPIError` with Zendesk's message and the setting to fix.
    """

    policy: RetryPolicy
    max_rate_limit_waits: int = 100
    sleep: Callable[[float], None] = field(default=time.sleep)

    def run(
        self,
        prepared: requests.PreparedRequest,
        send: Callable[[requests.PreparedRequest], requests.Response],
        *,
        label: str,
        pacer: RequestPacer | None = None,
        adjust: Callable[[requests.PreparedRequest, requests.Response], requests.PreparedRequest | None]
        | None = None,
    ) -> requests.Response:
        """Send `prepared` through `send`; `adjust` may rewrite the request after a failed response."""
        failures = 0
        rate_limited = 0
        while True:
            if pacer is not None:
                pacer.acquire()
            try:
                response = send(prepared)
            except TRANSIENT_ERRORS as exc:
                failures += 1
                self._back_off(failures, None, f"{type(exc).__name__}: {exc}", label, prepared)
                continue
            outcome = classify(response)
            if outcome is Outcome.OK:
                try:
                    page_body(response)
                except ValueError as exc:  # a body cut short (or not JSON at all) is a transient failure
                    failures += 1
                    self._back_off(failures, None, f"unreadable JSON body ({exc})", label, prepared)
                    continue
                return response
            if outcome is Outcome.RATE_LIMITED:
                rate_limited += 1
                self._wait_for_rate_limit(response, rate_limited, label, pacer)
                continue
            replacement = adjust(prepared, response) if adjust is not None else None
            if replacement is not None:
                prepared = replacement
                continue
            if outcome is Outcome.RETRYABLE:
                failures += 1
                reason = f"HTTP {response.status_code}: {error_message(response)}"
                self._back_off(failures, response, reason, label, prepared)
                continue
            raise ZendeskAPIError(response.status_code, error_message(response), url_path=_path(prepared))

    def _wait_for_rate_limit(
        self, response: requests.Response, count: int, label: str, pacer: RequestPacer | None
    ) -> None:
        if count > self.max_rate_limit_waits:
            msg = f"still rate limited after {count - 1} waits: {error_message(response)}"
            raise ZendeskAPIError(response.status_code, msg, url_path=urlsplit(response.url).path)
        asked = retry_after_seconds(response)
        wait = asked if asked is not None else self.policy.rate_limit_fallback_seconds
        why = "Retry-After" if asked is not None else "no Retry-After, waiting one rate-limit window"
        LOGGER.warning(
            "%s: HTTP 429 (%s); waiting %.1f s (%s) before retrying",
            label,
            error_message(response),
            wait,
            why,
        )
        if pacer is not None:
            pacer.hold_off(wait)  # the next acquire() waits, for every stream sharing the pacer
        else:
            self.sleep(wait)

    def _back_off(
        self,
        failures: int,
        response: requests.Response | None,
        reason: str,
        label: str,
        prepared: requests.PreparedRequest,
    ) -> None:
        if failures >= self.policy.max_tries:
            msg = f"giving up on {_path(prepared)} after {failures} attempts; last error: {reason}"
            raise RequestFailedError(msg)
        wait = self.policy.wait_seconds(failures, response)
        LOGGER.warning("%s: %s; retrying in %.1f s (attempt %d)", label, reason, wait, failures + 1)
        self.sleep(wait)


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


def _path(prepared: requests.PreparedRequest) -> str:
    return urlsplit(prepared.url or "").path


@dataclass
class TapRuntime:
    """What the tap shares with its streams: connections, the retry loop, the export pacer, state output."""

    connection: ZendeskConnection
    runner: RequestRunner
    export_pacer: RequestPacer
    write_state: Callable[[], None]
    sequin_base_url: str = ""
    session: requests.Session = field(default_factory=requests.Session)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET a Zendesk API path (discovery, metadata) through the retry loop and return its JSON object."""
        request = requests.Request("GET", self.connection.base_url + path, params=params or {})
        prepared = self.session.prepare_request(request)
        prepared = self.connection.auth(prepared)
        timeout = self.connection.timeout_seconds
        response = self.runner.run(
            prepared, lambda p: self.session.send(p, timeout=timeout), label=path.rsplit("/", 1)[-1]
        )
        return page_body(response)


class ProgressLog:
    """Records so far and rate for one stream, logged every few seconds and at the end."""

    def __init__(self, stream_name: str) -> None:
        """Start counting now."""
        self.stream_name = stream_name
        self.records = 0
        self.pages = 0
        self._started = time.monotonic()
        self._logged = self._started

    def page(self, records: int, *, final: bool = False) -> None:
        """Count one page (`final`: the walk ended, log the totals); log if it is time to."""
        self.records += records
        self.pages += not final
        now = time.monotonic()
        if final or now - self._logged >= PROGRESS_EVERY_SECONDS:
            self._logged = now
            elapsed = max(now - self._started, 1e-9)
            LOGGER.info(
                "%s: %d records so far in %d pages (%.0f records/s)%s",
                self.stream_name,
                self.records,
                self.pages,
                self.records / elapsed,
                ", done" if final else "",
            )


class ZendeskObjectsStream(RESTStream[Any]):
    """Base of every stream: records pass through as the API sends them, requests go through the runtime."""

    # Records are decoded with plain `json` and already match their schemas (the ticket schema is the OAS's,
    # custom object fields are coerced in `post_process`): recursive conformance would only cost CPU.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # STATE goes out after every page (see `_page_done`), not every N records.
    STATE_MSG_FREQUENCY = 10**9
    records_key: ClassVar[str]

    def __init__(self, *, runtime: TapRuntime, **kwargs: Any) -> None:  # noqa: ANN401
        """Build the stream around the tap's shared runtime."""
        self.runtime = runtime
        super().__init__(**kwargs)
        self._context: Context | None = None
        self._plain_records: bool | None = None
        self._progress = ProgressLog(self.name)

    @property
    def pacer(self) -> RequestPacer | None:
        """The pacer this stream's requests wait for (None: not paced)."""
        return None

    @property
    @override
    def timeout(self) -> int:
        return math.ceil(self.runtime.connection.timeout_seconds)

    @override
    def validate_response(self, response: requests.Response) -> None:
        # Status handling lives in RequestRunner, around the SDK's request (see request_decorator).
        return

    @override
    def request_decorator(self, func: RequestFunc) -> RequestFunc:
        def send(prepared: requests.PreparedRequest, context: Context | None) -> requests.Response:
            return self.runtime.runner.run(
                prepared,
                lambda request: func(request, context),
                label=self.name,
                pacer=self.pacer,
                adjust=self.adjust_failed_request,
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
        # The SDK sets `self.context` only for parent/child syncs; partitions arrive here, so keep it.
        self._context = context
        self._progress = ProgressLog(self.name if not context else f"{self.name} {dict(context)}")
        yield from super().request_records(context)
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
        return iter(page_body(response).get(self.records_key) or ())

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
        records = body.get(self.records_key) or []
        if settled:
            state = self.bookmark()
            if cursor is not None:
                state["cursor"] = cursor
            self.update_bookmark(state, records)
            self.runtime.write_state()
        self._progress.page(len(records))

    def update_bookmark(self, state: dict[str, Any], records: list[dict[str, Any]]) -> None:
        """Add what else the bookmark tracks from this page's records (e.g. the high-water timestamp)."""

    def new_cursor_paginator(self, paginator_class: type[CursorPaginator]) -> CursorPaginator:
        """A paginator starting at the bookmark's cursor, saving each page's position back into it."""
        return paginator_class(self.bookmark().get("cursor"), self.name, self.records_key, self.page_done)


class ZendeskExportStream(ZendeskObjectsStream):
    """A Zendesk cursor export: `start_time` on the first request only, `cursor` afterwards.

    Bookmark: `{"cursor": <after_cursor of the last page written>, "high_water": <epoch seconds>}`.
    `high_water` is the newest timestamp emitted (or the `start_time` the walk began at), so a refused
    cursor can restart from it: that repeats the records of that second, and skips none.
    """

    # Zendesk serves no data from the last minute; `start_time` must be at least 60 s old (NOTES §2, §3).
    START_TIME_LAG_SECONDS = 61

    @property
    @override
    def url_base(self) -> str:
        return self.runtime.connection.base_url

    @property
    @override
    def authenticator(self) -> AuthBase:
        return self.runtime.connection.auth

    @property
    @override
    def pacer(self) -> RequestPacer | None:
        return self.runtime.export_pacer

    @property
    def max_page_size(self) -> int:
        """The configured `page_size`."""
        return int(self.config.get("page_size", 1000))

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self._page_size = self.max_page_size
        yield from super().request_records(context)

    def filter_params(self) -> dict[str, Any]:
        """Query parameters sent on every request (e.g. the deleted-records filter)."""
        return {}

    @override
    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"per_page": self._page_size, **self.filter_params()}
        if next_page_token:
            params["cursor"] = next_page_token
        else:
            params["start_time"] = self.first_start_time()
        return params

    def first_start_time(self) -> int:
        """Where a walk without a cursor starts: the bookmark's high water, else `start_date`, else 0."""
        state = self.bookmark()
        if state.get("high_water") is not None:
            start = int(state["high_water"])
        else:
            start = self.runtime_start_date()
            # The walk covers everything from here: a refused cursor may fall back to it.
            state["high_water"] = start
        return min(start, int(time.time()) - self.START_TIME_LAG_SECONDS)

    def runtime_start_date(self) -> int:
        """`start_date` as epoch seconds (0 = the beginning of the account)."""
        value = self.config.get("start_date")
        if not value:
            return 0
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return int(parsed.timestamp())

    @override
    def adjust_failed_request(
        self, prepared: requests.PreparedRequest, response: requests.Response
    ) -> requests.PreparedRequest | None:
        query = dict(parse_qsl(urlsplit(prepared.url or "").query))
        page_size = int(query.get("per_page", self._page_size))
        if response.status_code == GATEWAY_TIMEOUT and page_size > 1:
            # Big pages time out upstream ("upstream request timeout", NOTES §2, §11 #4-6): ask for half.
            self._page_size = max(1, page_size // 2)
            LOGGER.warning(
                "%s: HTTP 504 for %d records per page; retrying with %d",
                self.name,
                page_size,
                self._page_size,
            )
            return with_query(prepared, per_page=self._page_size)
        if classify(response) is Outcome.INVALID_CURSOR and "cursor" in query:
            state = self.bookmark()
            start = min(int(state.get("high_water") or 0), int(time.time()) - self.START_TIME_LAG_SECONDS)
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


class SequinStream(ZendeskObjectsStream):
    """Sequin `GET /v1/records`: Bearer token, its own base URL, `after_cursor` paging; not paced."""

    records_key = "records"

    @property
    @override
    def url_base(self) -> str:
        return self.runtime.sequin_base_url

    @property
    @override
    def authenticator(self) -> AuthBase:
        return BearerAuth(str(self.config["sequin_api_token"]))
