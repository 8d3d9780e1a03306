"""Time-based exports: organizations (wire notes §18.2), and ticket events and metric events (§25) alike.

Organizations have no cursor export (wire notes §18.4). A page holds the organizations changed at or after
`start_time`, by (updated_at, id), `{organizations, next_page, count, end_of_stream, end_time}`:
- a page grows past `per_page` to finish the second its last record is in (REAL, zenpy cassettes);
- a page within one second sets `end_time` to that second + 1; a page spanning several seconds sets it to
  its last record's second, so the next page repeats that second: duplicates at the boundary (REAL);
- `next_page` is `start_time=<end_time>`, on the last page too, which says `end_of_stream: true` (REAL);
- an empty page keeps `end_time = start_time` (decided: nothing to advance past);
- `start_time` newer than a minute (`start_time_min_age_seconds`) is refused with the time-based 422
  `InvalidValue` "Too recent start_time..." (wire notes §8); a missing or unreadable one with the same status;
- more records in one second than `time_export_max_same_second` (default None: no such cap; what Zendesk
  does is UNCONFIRMED, wire notes §18.2): a page that starts in such a second holds that many of its records
  and answers `end_time` and `next_page` with the request's own `start_time`, the loop third-party clients
  report (wire notes §18.2); a page that reaches such a second after others stops before it.
Admins only (OAS). Counts against the export limit like the cursor exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from zendesk_sandbox.api import exports
from zendesk_sandbox.data.datagen import compact
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.store.database import as_bytes
from zendesk_sandbox.store.time_rows import TimeRows

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core

_PATH = "/api/v2/incremental/organizations"
_ALL = 1 << 62  # "no limit" for the rows that finish a second
# Query parameters a next_page carries forward besides start_time.
_CARRIED = ("per_page", "include", "support_type_scope")


class TimeSource(Protocol):
    """The rows of one time-based export: (id, second, body) in (second, id) order."""

    def rows_from(self, start: int, cutoff: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Up to `limit` rows with start <= second <= cutoff."""
        ...

    def rows_in_second(self, second: int, after_id: int, limit: int) -> list[tuple[int, int, bytes]]:
        """Rows of `second` with an id above `after_id`."""
        ...

    def count_in_second(self, second: int) -> int:
        """How many rows fall in `second`."""
        ...

    def any_after(self, second: int, cutoff: int) -> bool:
        """Whether a row falls after `second` and up to `cutoff`."""
        ...


@dataclass(frozen=True)
class TimeExport:
    """One time-based export: its path, its items' key and how a stored row becomes an item's JSON."""

    path: str
    key: str
    render: Callable[[Core, int, bytes], bytes]
    end_of_stream: bool = True  # False: pages leave the key out (the OAS's ticket metric events)
    # The export takes no per_page (the OAS names none for ticket events): pages of this many, per_page
    # ignored and not carried into next_page. None: per_page as the users and organizations exports take it.
    page_size: int | None = None


def _organization(core: Core, org_id: int, rest: bytes) -> bytes:
    return f'{{"url":"{core.account_url()}/api/v2/organizations/{org_id}.json",'.encode() + as_bytes(rest)


ORGANIZATIONS = TimeExport(_PATH, "organizations", _organization)


def organization_export(core: Core, request: wire.Request) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/organizations."""
    return time_export(core, request, TimeRows(core.store, "organizations"), ORGANIZATIONS)


def time_export(  # noqa: PLR0911 - one per refusal
    core: Core, request: wire.Request, source: TimeSource, export: TimeExport, extra: str = ""
) -> wire.Response:
    """Serve one page of a time-based export (the rules in the module's docstring); `extra`: more keys."""
    settings = core.settings()
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    min_age = settings.start_time_min_age_seconds
    try:
        per_page = export.page_size or exports.per_page(
            request, lambda description: wire.classic_error(400, "InvalidValue", description)
        )
        start = exports.start_time(
            request,
            min_age,
            lambda: wire.classic_error(
                422, "InvalidValue", f"Too recent start_time. Use a start_time older than {_age(min_age)}"
            ),
            lambda: wire.classic_error(
                422, "InvalidValue", "start_time is required and must be a Unix epoch time"
            ),
        )
    except exports.ExportRefusedError as refused_export:
        return refused_export.response
    cutoff = exports.served_cutoff(core, settings)
    page = _Page(core, request, export, extra)
    rows = source.rows_from(start, cutoff, per_page)
    if not rows:
        return page.answer(rows, start, end_of_stream=True)
    first, last = rows[0][1], rows[-1][1]
    if len(rows) < per_page:  # everything up to the cutoff fits on this page
        return page.answer(rows, last + 1 if first == last else last, end_of_stream=True)
    cap = settings.time_export_max_same_second
    if cap is not None and source.count_in_second(last) > cap:
        if first == last:  # the page cannot finish its second: the same start_time again
            return page.answer(source.rows_in_second(last, 0, cap), start, end_of_stream=False)
        rows = [row for row in rows if row[1] < last]
        return page.answer(rows, last, end_of_stream=False)
    rows += source.rows_in_second(last, rows[-1][0], _ALL)  # finish the second
    more = source.any_after(last, cutoff)
    return page.answer(rows, last + 1 if first == last else last, end_of_stream=not more)


@dataclass(frozen=True)
class _Page:
    core: Core
    request: wire.Request
    export: TimeExport
    extra: str

    def answer(
        self, rows: list[tuple[int, int, bytes]], end_time: int, *, end_of_stream: bool
    ) -> wire.Response:
        core, request, export = self.core, self.request, self.export
        items = b",".join(export.render(core, row_id, rest) for row_id, _, rest in rows)
        suffix = ".json" if request.json_suffix else ""
        names = [name for name in _CARRIED if name != "per_page" or export.page_size is None]
        carried = "".join(
            f"&{name}={quote(request.query[name], safe=',')}" for name in names if name in request.query
        )
        base = core.navigation_url(request.request_base)
        next_page = f"{base}{export.path}{suffix}?start_time={end_time}{carried}"
        stream_end = (
            f',"end_of_stream":{"true" if end_of_stream else "false"}' if export.end_of_stream else ""
        )
        tail = (
            f'],"next_page":{compact(next_page)},"count":{len(rows)}{stream_end},'
            f'"end_time":{end_time}{self.extra}}}'
        )
        return wire.Response(200, b'{"' + export.key.encode() + b'":[' + items + tail.encode())


def _age(seconds: float) -> str:
    minutes = seconds / 60
    if minutes.is_integer():
        return "1 minute" if minutes == 1 else f"{int(minutes)} minutes"
    return f"{seconds:g} seconds"
