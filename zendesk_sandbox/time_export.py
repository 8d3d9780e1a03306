"""The time-based organization export, `GET /api/v2/incremental/organizations?start_time=` (wire notes §18.2).

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

import time
from typing import TYPE_CHECKING
from urllib.parse import quote

from zendesk_sandbox import auth, wire
from zendesk_sandbox.datagen import compact
from zendesk_sandbox.store import as_bytes

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core

MAX_PAGE = 1000  # default and maximum per_page, as the other exports
_PATH = "/api/v2/incremental/organizations"
_ALL = 1 << 62  # "no limit" for the rows that finish a second


def organization_export(core: Core, request: wire.Request) -> wire.Response:  # noqa: PLR0911 - one per refusal
    """Serve one page of GET /api/v2/incremental/organizations."""
    settings = core.settings()
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    per_page = _per_page(request.query.get("per_page"))
    if per_page is None:
        return wire.classic_error(400, "InvalidValue", "per_page must be an integer between 1 and 1000")
    raw = request.query.get("start_time")
    try:
        start = int(float(raw)) if raw is not None else None
    except ValueError:
        start = None
    if start is None:
        return wire.classic_error(422, "InvalidValue", "start_time is required and must be a Unix epoch time")
    if start > time.time() - settings.start_time_min_age_seconds:
        return wire.classic_error(
            422,
            "InvalidValue",
            f"Too recent start_time. Use a start_time older than {_age(settings.start_time_min_age_seconds)}",
        )
    cutoff = int(time.time() - settings.recent_data_lag_seconds)
    core.clock.served(cutoff)
    people = core.people
    rows = people.organizations_from(start, cutoff, per_page)
    if not rows:
        return _page(core, request, rows, start, end_of_stream=True)
    first, last = rows[0][1], rows[-1][1]
    if len(rows) < per_page:  # everything up to the cutoff fits on this page
        return _page(core, request, rows, last + 1 if first == last else last, end_of_stream=True)
    cap = settings.time_export_max_same_second
    if cap is not None and people.count_in_second(last) > cap:
        if first == last:  # the page cannot finish its second: the same start_time again
            return _page(
                core, request, people.organizations_in_second(last, 0, cap), start, end_of_stream=False
            )
        rows = [row for row in rows if row[1] < last]
        return _page(core, request, rows, last, end_of_stream=False)
    rows += people.organizations_in_second(last, rows[-1][0], _ALL)  # finish the second
    more = people.any_organization_after(last, cutoff)
    return _page(core, request, rows, last + 1 if first == last else last, end_of_stream=not more)


def _page(
    core: Core,
    request: wire.Request,
    rows: list[tuple[int, int, bytes]],
    end_time: int,
    *,
    end_of_stream: bool,
) -> wire.Response:
    prefix = f'{{"url":"{core.account_url()}/api/v2/organizations/'
    items = b",".join(f'{prefix}{org_id}.json",'.encode() + as_bytes(rest) for org_id, _, rest in rows)
    suffix = ".json" if request.json_suffix else ""
    per_page = f"&per_page={quote(request.query['per_page'])}" if "per_page" in request.query else ""
    next_page = f"{core.navigation_url(request.request_base)}{_PATH}{suffix}?start_time={end_time}{per_page}"
    tail = (
        f'],"next_page":{compact(next_page)},"count":{len(rows)},'
        f'"end_of_stream":{"true" if end_of_stream else "false"},"end_time":{end_time}}}'
    )
    return wire.Response(200, b'{"organizations":[' + items + tail.encode())


def _per_page(raw: str | None) -> int | None:
    if raw is None:
        return MAX_PAGE
    try:
        value = int(raw)
    except ValueError:
        return None
    return min(value, MAX_PAGE) if value >= 1 else None


def _age(seconds: float) -> str:
    minutes = seconds / 60
    if minutes.is_integer():
        return "1 minute" if minutes == 1 else f"{int(minutes)} minutes"
    return f"{seconds:g} seconds"
