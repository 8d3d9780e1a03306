"""Cursor exports: tickets, users (wire notes §18.1) and custom object records (wire notes §3).

See wire notes §2. What they read from a request as the time-based exports do (per_page, start_time, the
cutoff) is exports.py's; all three start where their cursor says or else at their start_time (`_position`),
each refusing in its own words (`_Refusals`); the ticket and user exports read theirs alike (`_reading`)
and end their pages alike (`_after_cursor`, `_page_end`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import quote

from zendesk_sandbox.api import exports, identities
from zendesk_sandbox.data import datagen
from zendesk_sandbox.data.datagen import compact
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.store import cursors
from zendesk_sandbox.store.database import as_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.settings import SandboxSettings

_TRUE = frozenset({"true", "1"})
# Query parameters an after_url carries forward besides the cursor (wire notes §2: per_page is preserved).
_CARRIED = ("per_page", "include", "exclude_deleted", "support_type_scope", "filter[exclude_deleted]")


def _after_url(core: Core, request: wire.Request, path: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    suffix = ".json" if request.json_suffix else ""
    extra = "".join(
        f"&{quote(k, safe='[]')}={quote(request.query[k], safe=',')}" for k in _CARRIED if k in request.query
    )
    return f"{core.navigation_url(request.request_base)}{path}{suffix}?cursor={quote(cursor, safe='')}{extra}"


class _Refusals(NamedTuple):
    """The bodies one cursor export refuses a bad request with: the same mistakes, each export's words."""

    per_page: Callable[[str], wire.Response]
    cursor: Callable[[], wire.Response]  # a cursor that does not decode, or has expired
    too_recent: Callable[[], wire.Response]
    no_start: Callable[[], wire.Response]  # neither a cursor nor a start_time


_Id = TypeVar("_Id", int, str)  # the id half of a position: a ticket's or user's number, a record's text


def _position(  # noqa: PLR0913 - the request, and how this export reads and refuses one
    core: Core,
    request: wire.Request,
    settings: SandboxSettings,
    refusals: _Refusals,
    *,
    decode: Callable[[str], tuple[int, _Id] | None],
    lowest_id: _Id,
) -> tuple[int, _Id]:
    """Return where a page starts: its cursor's position, or else (start_time, lowest_id).

    A given cursor wins over start_time; one that does not decode or has expired is refused
    (ExportRefusedError), and so are a missing or too recent start_time.
    """
    cursor = request.query.get("cursor")
    if not cursor:
        start = exports.start_time(
            request, settings.start_time_min_age_seconds, refusals.too_recent, refusals.no_start
        )
        return (start, lowest_id)
    position = decode(cursor)
    if position is None or core.cursors.expired(cursor, settings.cursor_ttl_seconds):
        raise exports.ExportRefusedError(refusals.cursor())
    return position


# --- tickets -------------------------------------------------------------------------------------------

_TICKETS_PATH = "/api/v2/incremental/tickets/cursor"
# A stored ticket body is compact JSON: its status reads as these bytes (a metric set says solved or not).
_SOLVED, _CLOSED = b'"status":"solved"', b'"status":"closed"'


def _ticket_refusal(description: str) -> wire.Response:
    # The ticket export's refusals are unconfirmed (wire notes §13). Reading: the classic error shape every
    # ticket endpoint uses (§8) with the 400 status §3 documents for the same refusals on the sister endpoint.
    return wire.classic_error(400, "InvalidValue", description)


_TICKET_REFUSALS = _Refusals(
    per_page=_ticket_refusal,
    cursor=lambda: wire.classic_error(400, "InvalidPaginationParameter", "cursor is invalid or expired"),
    too_recent=lambda: _ticket_refusal("start_time must be more than 60 seconds ago"),
    no_start=lambda: _ticket_refusal("start_time is required when no cursor is given"),
)


class _Reading(NamedTuple):
    """What an admitted ticket or user export request asks for, and the newest second it may see."""

    settings: SandboxSettings
    per_page: int
    position: tuple[int, int]
    cutoff: int


def _reading(core: Core, request: wire.Request) -> _Reading | wire.Response:
    """Read a ticket or user export request: admins only, its cursor or else its start_time, the cutoff.

    Refused as the ticket export refuses; the user export's refusals are the same.
    """
    settings = core.settings()
    forbidden = auth.admins_only(request)
    if forbidden is not None:
        return forbidden
    try:
        per_page = exports.per_page(request, _TICKET_REFUSALS.per_page)
        position = _position(
            core, request, settings, _TICKET_REFUSALS, decode=cursors.decode_ticket, lowest_id=0
        )
    except exports.ExportRefusedError as refused:
        return refused.response
    return _Reading(settings, per_page, position, exports.served_cutoff(core, settings))


def _after_cursor(core: Core, rows: list[tuple[Any, ...]], position: tuple[int, int]) -> str:
    """Return (and remember) the cursor after a page of (id, second, ...) rows of a ticket or user export."""
    last = (rows[-1][1], rows[-1][0]) if rows else position  # an empty page keeps the incoming position
    after_cursor = cursors.encode_ticket(last)
    core.cursors.issued(after_cursor)
    return after_cursor


def _page_end(after_url: str | None, after_cursor: str, *, end_of_stream: bool) -> bytes:
    """Return the keys that end a ticket or user export page, and its closing brace."""
    return (
        f',"after_url":{compact(after_url)},"before_url":null,"after_cursor":{compact(after_cursor)},'
        f'"before_cursor":null,"end_of_stream":{"true" if end_of_stream else "false"}}}'.encode()
    )


def ticket_export(core: Core, request: wire.Request) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/tickets/cursor (admins only, wire notes §1)."""
    reading = _reading(core, request)
    if isinstance(reading, wire.Response):
        return reading
    settings, per_page, position, cutoff = reading
    exclude = request.query.get("exclude_deleted", "").lower() in _TRUE
    rows = core.store.ticket_page(position, cutoff, per_page + 1, exclude_deleted=exclude)
    end_of_stream = len(rows) <= per_page
    rows = rows[:per_page]
    includes = {part.strip() for part in request.query.get("include", "").split(",") if part.strip()}
    account = core.account_url()
    ticket_url = f',{{"url":"{account}/api/v2/tickets/'.encode()
    metric_sets = "metric_sets" in includes
    body, sideloaded = _ticket_pieces(
        rows, ticket_url, metric_sets=metric_sets, placement=settings.metric_sets_sideload
    )
    if rows:
        body[1] = body[1][1:]  # no comma before the first ticket
    after_cursor = _after_cursor(core, rows, position)
    body.append(b"]")
    if sideloaded is not None:
        body += [b',"metric_sets":[', b",".join(sideloaded), b"]"]
    if "users" in includes:
        ids = {value for row in rows for value in (row[5], row[6], row[7]) if value is not None}
        users = [
            f'{{"url":"{account}/api/v2/users/{uid}.json",'.encode() + as_bytes(rest)
            for uid, rest in core.store.users_rest(ids)
        ]
        body += [b',"users":[', b",".join(users), b"]"]
    after_url = _after_url(core, request, _TICKETS_PATH, after_cursor)
    body.append(_page_end(after_url, after_cursor, end_of_stream=end_of_stream))
    return wire.Response(200, b"".join(body))


def _ticket_pieces(
    rows: list[tuple[Any, ...]], ticket_url: bytes, *, metric_sets: bool, placement: str
) -> tuple[list[bytes], list[bytes] | None]:
    """The page's tickets as pieces of `{"tickets":[...`, and the top-level metric sets (None: not asked)."""
    # wire notes §18.3: a `metric_set` in each ticket, a top-level `metric_sets` array, or both
    embedded, top_level = placement != "top_level", placement != "embedded"
    sideloaded: list[bytes] = []
    # One flat list of pieces joined once: each stored body is copied a single time.
    body: list[bytes] = [b'{"tickets":[']
    for row in rows:
        ticket_id, rest = row[0], as_bytes(row[8])
        body += (ticket_url, str(ticket_id).encode(), b'.json",')
        if metric_sets and not row[2]:
            # singer-io tap-zendesk reads the metric set embedded per ticket (wire notes §2)
            solved = _SOLVED in rest or _CLOSED in rest  # the stored body's own status
            metric_set = datagen.metric_set_json(ticket_id, row[3], row[4], solved=solved).encode()
            if top_level:
                sideloaded.append(metric_set)
            if embedded:
                body += (rest[:-1], b',"metric_set":', metric_set, b"}")
                continue
        body.append(rest)
    return body, sideloaded if metric_sets and top_level else None


# --- users ---------------------------------------------------------------------------------------------

_USERS_PATH = "/api/v2/incremental/users/cursor"


def user_export(core: Core, request: wire.Request) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/users/cursor: the ticket export's rules, by updated_at.

    Keys `users, after_url, before_url, after_cursor, before_cursor, end_of_stream`; the cursor is base64 of
    `"<updated_at>.0||<id>|"`, in (updated_at, id) order (wire notes §18.1, real). Refusals as for tickets.
    Deleted users are sent with `active: false`. Admins only (OAS).
    """
    reading = _reading(core, request)
    if isinstance(reading, wire.Response):
        return reading
    _, per_page, position, cutoff = reading
    rows = core.people.user_page(position, cutoff, per_page + 1)
    end_of_stream = len(rows) <= per_page
    rows = rows[:per_page]
    prefix = f'{{"url":"{core.account_url()}/api/v2/users/'
    users = b",".join(f'{prefix}{user_id}.json",'.encode() + as_bytes(rest) for user_id, _, rest in rows)
    after_cursor = _after_cursor(core, rows, position)
    after_url = _after_url(core, request, _USERS_PATH, after_cursor)
    includes = {part.strip() for part in request.query.get("include", "").split(",")}
    # The users export's sideloads are unconfirmed (wire notes §18.3, §25): identities as a top-level array.
    sideload = (
        b',"identities":[' + identities.identities_json(rows, core.account_url()) + b"]"
        if "identities" in includes
        else b""
    )
    end = _page_end(after_url, after_cursor, end_of_stream=end_of_stream)
    return wire.Response(200, b'{"users":[' + users + b"]" + sideload + end)


# --- custom object records -----------------------------------------------------------------------------

# This endpoint answers its 400s in the newer errors-list shape (OAS, wire notes §3).
_RECORD_REFUSALS = _Refusals(
    per_page=lambda text: wire.errors_list(400, "InvalidParameter", text),
    cursor=lambda: wire.errors_list(400, "InvalidCursor", "cursor is invalid or expired"),
    too_recent=lambda: wire.errors_list(
        400, "StartTimeTooRecent", "start_time must be more than 60 seconds ago"
    ),
    no_start=lambda: wire.errors_list(
        400, "StartTimeRequired", "start_time is required when no cursor is given"
    ),
)


def record_export(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve one page of GET /api/v2/incremental/custom_objects/{key}/cursor (OAS shape, wire notes §3)."""
    settings = core.settings()
    if key not in core.records.objects():
        return wire.errors_list(404, "CustomObjectNotFound", "Custom object not found")
    try:
        per_page = exports.per_page(request, _RECORD_REFUSALS.per_page)
        position = _position(
            core, request, settings, _RECORD_REFUSALS, decode=cursors.decode_record, lowest_id=""
        )
    except exports.ExportRefusedError as refused:
        return refused.response
    cursor = request.query.get("cursor")
    exclude = request.query.get("filter[exclude_deleted]", "").lower() in _TRUE
    cutoff = exports.served_cutoff(core, settings)
    found = core.store.export_records(key, position, cutoff, per_page + 1, exclude_deleted=exclude)
    has_more = len(found) > per_page
    found = found[:per_page]
    last = (found[-1].updated_ts, found[-1].id) if found else position
    after_cursor: str | None = cursors.encode_record(last)
    if not has_more and settings.custom_object_last_page_cursor == "null":
        after_cursor = None
    core.cursors.issued(after_cursor)
    path = f"/api/v2/incremental/custom_objects/{key}/cursor"
    account = core.account_url()
    body: dict[str, Any] = {
        "custom_object_records": [core.records.render(record, account, masked=True) for record in found],
        "after_cursor": after_cursor,
        "after_url": _after_url(core, request, path, after_cursor),
        "before_cursor": cursor or None,
        "before_url": _after_url(core, request, path, cursor) if cursor else None,
        "filter": {"exclude_deleted": exclude},
        "meta": {"has_more": has_more},
    }
    if settings.custom_object_export_end_of_stream:
        body["end_of_stream"] = not has_more
    return wire.json_response(200, body)
