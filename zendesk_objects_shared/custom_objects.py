"""The custom object contract both plugins read: stream names, and an object's field definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

# Our tap names each custom object's stream `custom_object_records__<key>`; the target maps it back.
STREAM_PREFIX = "custom_object_records__"
FIELDS_PAGE_SIZE = 100  # `page[size]` at most 100 on Zendesk's cursor-paginated lists (wire notes §4)

GetJson = Callable[[str, dict[str, str]], "dict[str, Any] | None"]


def object_fields(get_json: GetJson, key: str) -> list[dict[str, Any]] | None:
    """Every field definition of custom object `key`, standard fields included; None if it does not exist.

    `get_json(path, params)` returns the body, or None on 404.
    """
    path = f"/api/v2/custom_objects/{quote(key, safe='')}/fields"
    return cursor_list(get_json, path, {"include_standard_fields": "true"}, "custom_object_fields")


def cursor_list(
    get_json: GetJson, path: str, params: dict[str, str], key: str
) -> list[dict[str, Any]] | None:
    """Every object under `key` of a cursor-paginated list, all pages; None if `path` does not exist.

    Zendesk's cursor lists page by `page[size]` (at most 100), `page[after]` and `meta.has_more`; an
    answer without `meta` is the whole list. `get_json(path, params)` returns the body, or None on 404.
    """
    params = {**params, "page[size]": str(FIELDS_PAGE_SIZE)}
    items: list[dict[str, Any]] = []
    while True:
        body = get_json(path, params)
        if body is None:
            return None
        items.extend(item for item in body.get(key) or [] if isinstance(item, dict))
        meta = body.get("meta")
        after = meta.get("after_cursor") if isinstance(meta, dict) and meta.get("has_more") else None
        if not after:
            return items
        params = {**params, "page[after]": str(after)}
