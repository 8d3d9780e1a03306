"""The list endpoints' pagination: cursor (`page[size]`, `page[after]`, `page[before]`), offset, or none.

Cursor pagination (wire notes §4, §10): at most 100 per page, items ordered by id, the body's `meta` says
`has_more`, `after_cursor`, `before_cursor` and `links` gives `prev`/`next` URLs (null where there is
nothing). Cursors are opaque: base64 of `{"o":"id","v":<id>}`, the shape of Zendesk's own examples (OAS
CursorPaginationPage). Offset pagination (`page`, `per_page` ≤ 100, 100 by default) answers `next_page`,
`previous_page` and `count`; it is what an endpoint that supports it does without parameters. Without
pagination parameters an endpoint that has no offset form (ticket_fields) lists every item by position.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from zendesk_sandbox.gateway import wire

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

MAX_PAGE = 100
_CURSOR_PARAMS = ("page[size]", "page[after]", "page[before]")


def uses_cursor(request: wire.Request) -> bool:
    """Return True when the request asks for cursor pagination."""
    return any(name in request.query for name in _CURSOR_PARAMS)


def paginated(  # noqa: PLR0913 (the page's parts, and the filters its links carry)
    request: wire.Request,
    key: str,
    items: Sequence[dict[str, Any]],
    base_url: str,
    *,
    offset: bool,
    filters: str = "",
    order: Callable[[dict[str, Any]], int] | None = None,
) -> wire.Response:
    """Return one page of `items` (already in their unpaginated order) as the request asks for it.

    `filters`: the request's filter parameters (`&external_id=…`), carried into the page links; `order`:
    the integer a cursor page orders by and its cursor holds (default: the item's `id`).
    """
    if uses_cursor(request):
        size = _int(request.query.get("page[size]", str(MAX_PAGE)))
        if size is None or not 1 <= size <= MAX_PAGE:
            return _refused("page[size] must be between 1 and 100")
        if "page[after]" in request.query and "page[before]" in request.query:
            return _refused("page[after] and page[before] cannot be used together")
        position = order or _by_id
        return _cursor_page(
            request, key, sorted(items, key=position), base_url, size=size, filters=filters, order=position
        )
    if not offset:
        return wire.json_response(
            200, {key: list(items), "next_page": None, "previous_page": None, "count": len(items)}
        )
    page = _int(request.query.get("page", "1"))
    per_page = _int(request.query.get("per_page", str(MAX_PAGE)))
    if page is None or page < 1 or per_page is None or per_page < 1:
        return _refused("page and per_page must be positive integers")
    return offset_page(
        key, list(items), base_url, page=page, per_page=min(per_page, MAX_PAGE), filters=filters
    )


def offset_page(  # noqa: PLR0913
    key: str, items: list[Any], base_url: str, *, page: int, per_page: int, filters: str = ""
) -> wire.Response:
    """Return page `page` of `items` with `next_page`, `previous_page` and `count`."""
    start = (page - 1) * per_page
    shown = items[start : start + per_page]

    def link(number: int) -> str:
        return f"{base_url}?page={number}&per_page={per_page}{filters}"

    return wire.json_response(
        200,
        {
            key: shown,
            "next_page": link(page + 1) if start + per_page < len(items) else None,
            "previous_page": link(page - 1) if page > 1 and items else None,
            "count": len(items),
        },
    )


def _by_id(item: dict[str, Any]) -> int:
    return int(item["id"])


def _cursor_page(  # noqa: PLR0913
    request: wire.Request,
    key: str,
    items: list[dict[str, Any]],
    base_url: str,
    *,
    size: int,
    filters: str,
    order: Callable[[dict[str, Any]], int],
) -> wire.Response:
    ids = [order(item) for item in items]
    if "page[before]" in request.query:
        before = decode_cursor(request.query["page[before]"])
        if before is None:
            return _refused("page[before] is not valid")
        end = sum(1 for item_id in ids if item_id < before)
        start = max(0, end - size)
    else:
        after = decode_cursor(request.query["page[after]"]) if "page[after]" in request.query else None
        if "page[after]" in request.query and after is None:
            return _refused("page[after] is not valid")
        start = 0 if after is None else sum(1 for item_id in ids if item_id <= after)
        end = start + size
    shown = items[start:end]
    after_cursor = encode_cursor(order(shown[-1])) if shown else None
    before_cursor = encode_cursor(order(shown[0])) if shown else None
    has_more = end < len(items)
    return wire.json_response(
        200,
        {
            key: shown,
            "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
            "links": {
                "prev": f"{base_url}?page[before]={quote(before_cursor)}&page[size]={size}{filters}"
                if before_cursor and start > 0
                else None,
                "next": f"{base_url}?page[after]={quote(after_cursor)}&page[size]={size}{filters}"
                if after_cursor and has_more
                else None,
            },
        },
    )


def encode_cursor(item_id: int) -> str:
    """Return the opaque cursor of an item id."""
    return base64.urlsafe_b64encode(
        json.dumps({"o": "id", "v": item_id}, separators=(",", ":")).encode()
    ).decode()


def decode_cursor(cursor: str) -> int | None:
    """Return the item id of a cursor, or None when it is not one of ours."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, UnicodeError, ValueError):
        return None
    value = decoded.get("v") if isinstance(decoded, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _refused(description: str) -> wire.Response:
    return wire.classic_error(400, "InvalidPaginationParameter", description)
