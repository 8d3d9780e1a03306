"""Users, organizations, groups and field definitions: show_many, search and the list endpoints.

- `users/show_many` and `organizations/show_many` (wire notes §15): `ids` or `external_ids`, at most 100 (more
is
  400 TooManyValues); unknown ids are simply absent; users come sorted by id, organizations by name (the
  real order is neither the request's nor the ids', wire notes §15); `{..., next_page: null, previous_page:
  null, count}`. Deleted users only with `include_deleted=true` (OAS).
- `users/search`: `external_id=` (exact, case-insensitive) or `query=` (store/search.py), offset pagination,
  100 per page at most, the first 10,000 results (OAS SearchUsers).
- `organizations/search`: `external_id=` or `name=`, not both, exact and case-insensitive; admins only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from zendesk_sandbox.api import listing
from zendesk_sandbox.data.datagen import compact
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.store.database import as_bytes
from zendesk_sandbox.store.search import QueryError, user_condition

if TYPE_CHECKING:
    from collections.abc import Sequence

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.data.fielddefs import FieldKind

MAX_IDS = 100
MAX_SEARCH_RESULTS = 10_000  # OAS SearchUsers: "to a maximum of 10,000 records per query"
_TRUE = frozenset({"true", "1"})


def _keys(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _joined(core: Core, kind: str, rows: Sequence[tuple[int, bytes | str]], tail: str) -> wire.Response:
    """Return `{"<kind>":[...], <tail>}` built from stored rows, each completed with its `url`."""
    prefix = f'{{"url":"{core.account_url()}/api/v2/{kind}/'
    items = b",".join(f'{prefix}{row_id}.json",'.encode() + as_bytes(rest) for row_id, rest in rows)
    return wire.Response(200, b'{"' + kind.encode() + b'":[' + items + b"]," + tail.encode() + b"}")


def _show_many_tail(count: int) -> str:
    return f'"next_page":null,"previous_page":null,"count":{count}'


def _show_many_keys(request: wire.Request) -> tuple[str, list[str | int]] | wire.Response:
    """Return the column and keys a show_many request names (ids as numbers, others left out), or a 400."""
    if "ids" in request.query:
        column, values = "id", _keys(request.query["ids"])
    elif "external_ids" in request.query:
        column, values = "external_id", _keys(request.query["external_ids"])
    else:
        return wire.classic_error(400, "InvalidValue", "Provide ids or external_ids")
    if len(values) > MAX_IDS:
        return wire.too_many_values()
    keys: list[str | int] = (
        [int(value) for value in values if value.isdigit()] if column == "id" else list(values)
    )
    return column, keys


def users_show_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/users/show_many?ids=|external_ids=."""
    found = _show_many_keys(request)
    if isinstance(found, wire.Response):
        return found
    column, keys = found
    include_deleted = request.query.get("include_deleted", "").lower() in _TRUE
    rows = core.people.users_by(column, keys, include_deleted=include_deleted)
    return _joined(core, "users", rows, _show_many_tail(len(rows)))


def organizations_show_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/organizations/show_many?ids=|external_ids=."""
    found = _show_many_keys(request)
    if isinstance(found, wire.Response):
        return found
    column, keys = found
    rows = core.people.organizations_by(column, keys)
    return _joined(core, "organizations", rows, _show_many_tail(len(rows)))


def users_search(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/users/search?query=|external_id= with offset pagination."""
    query = request.query
    if "external_id" in query:
        # "does not support the search syntax. It only accepts ids" (OAS SearchUsers)
        rows = core.people.users_by("external_id", [query["external_id"]], include_deleted=False)
        extra = f"&external_id={quote(query['external_id'])}"
    elif "query" in query:
        try:
            condition, params = user_condition(query["query"])
        except QueryError as bad:
            return wire.classic_error(400, "InvalidValue", f"The query cannot be read: {bad}")
        rows = core.people.search_users(condition, params)
        extra = f"&query={quote(query['query'])}"
    else:
        return wire.classic_error(400, "InvalidValue", "Provide query or external_id")
    try:
        page, per_page = int(query.get("page", "1")), int(query.get("per_page", str(listing.MAX_PAGE)))
    except ValueError:
        page = per_page = 0
    if page < 1 or per_page < 1:
        return wire.classic_error(
            400, "InvalidPaginationParameter", "page and per_page must be positive integers"
        )
    per_page = min(per_page, listing.MAX_PAGE)
    reachable = rows[:MAX_SEARCH_RESULTS]
    start = (page - 1) * per_page
    shown = reachable[start : start + per_page]
    base = _list_url(core, request, "users/search")

    def link(number: int) -> str:
        return f"{base}?page={number}&per_page={per_page}{extra}"

    next_page = link(page + 1) if start + per_page < len(reachable) else None
    previous_page = link(page - 1) if page > 1 else None
    tail = f'"next_page":{compact(next_page)},"previous_page":{compact(previous_page)},"count":{len(rows)}'
    return _joined(core, "users", shown, tail)


def organizations_search(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/organizations/search?external_id=|name= (admins only)."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    external_id, name = request.query.get("external_id"), request.query.get("name")
    if (external_id is None) == (name is None):
        return wire.classic_error(400, "InvalidValue", "Search by external_id or by name, not both")
    rows = (
        core.people.organizations_by("external_id", [external_id])
        if external_id is not None
        else core.people.organizations_by("name", [name or ""])
    )
    return _joined(core, "organizations", rows, _show_many_tail(len(rows)))


def groups(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/groups (cursor or offset pagination, by id)."""
    account = core.account_url()
    items = [
        group | {"url": f"{account}/api/v2/groups/{group['id']}.json"} for group in core.directory.groups()
    ]
    if request.query.get("exclude_deleted", "").lower() in _TRUE:
        items = [group for group in items if not group["deleted"]]
    return listing.paginated(request, "groups", items, _list_url(core, request, "groups"), offset=True)


def fields(core: Core, request: wire.Request, kind: FieldKind) -> wire.Response:
    """Serve GET /api/v2/{ticket,user,organization}_fields: by position, or cursor pages by id."""
    account = core.account_url()
    # Real ticket fields, custom ones too, answer `key: null` (wire notes §23); the sandbox
    # keeps a key of its own for them only to tell them apart inside.
    wire_key = {"key": None} if kind == "ticket" else {}
    items = [
        field | {"url": f"{account}/api/v2/{kind}_fields/{field['id']}.json", **wire_key}
        for field in core.directory.fields(kind)
    ]
    # ticket_fields: cursor pagination or none (wire notes §10); the OAS gives user and organization
    # fields offset pages too
    return listing.paginated(
        request, f"{kind}_fields", items, _list_url(core, request, f"{kind}_fields"), offset=kind != "ticket"
    )


def _list_url(core: Core, request: wire.Request, name: str) -> str:
    return (
        f"{core.navigation_url(request.request_base)}/api/v2/{name}{'.json' if request.json_suffix else ''}"
    )
