"""The SDK-standard `replication_key` / `replication_key_value` of a bookmark, kept beside the cursor.

A stream that declares `replication_key` is INCREMENTAL in the catalog, but its position stays the export's
cursor: a rerun resumes from the cursor whatever order the export sends records in. `replication_key_value`
says in the SDK's standard keys how far the written records reach, so `meltano state get` reads it and a
state set by hand with only `replication_key_value` starts the export there (see `start_epoch`).

- A stream whose export is ordered by its replication key (`is_sorted`) moves the value after every page
  to the newest value written.
- Any other stream keeps the newest value written aside and moves `replication_key_value` only when the
  walk ends: mid-walk, records still to come may be older, so the value never claims a point that a
  restart from it would skip records before.
"""

from __future__ import annotations

from typing import Any

from zendesk_objects_shared import RunFailure
from zendesk_objects_shared.timestamps import parse_datetime

KEY = "replication_key"
VALUE = "replication_key_value"


class BadBookmarkError(RunFailure):
    """A bookmark (from `--state`) holds a value that cannot be read as a point in time."""


def order(value: Any) -> float:  # noqa: ANN401 (an integer epoch or an ISO-8601 string)
    """Epoch seconds of a replication value: integer epoch seconds or an ISO-8601 date-time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text.isdigit():
        return float(text)
    return parse_datetime(text).timestamp()


def newest_on_page(records: list[dict[str, Any]], key: str) -> Any:  # noqa: ANN401
    """The newest value of `key` on a page of records (None when no record has one)."""
    values = [r[key] for r in records if r.get(key) is not None]
    if not values:
        return None
    if all(isinstance(v, str) for v in values) and len({len(v) for v in values}) == 1:
        # Zendesk's ISO-8601 UTC timestamps of one format sort as text: parse none of them.
        return max(values)
    readable = [(order(v), v) for v in values if _readable(v)]
    return max(readable, key=lambda pair: pair[0])[1] if readable else None


def _readable(value: Any) -> bool:  # noqa: ANN401
    try:
        order(value)
    except ValueError:
        return False
    return True


def later(current: Any, candidate: Any) -> Any:  # noqa: ANN401
    """The later of two replication values (either may be None)."""
    if current is None:
        return candidate
    if candidate is None:
        return current
    return candidate if order(candidate) > order(current) else current


def start_epoch(bookmark: dict[str, Any], key: str, stream: str) -> int | None:
    """Epoch seconds a walk without a cursor may start from, per `replication_key_value`; None if unset.

    A value saved for another replication key is not this stream's position and is ignored, as the SDK
    does; a value without `replication_key` (set by hand) is taken as this stream's.
    """
    value = bookmark.get(VALUE)
    if value is None or bookmark.get(KEY, key) != key:
        return None
    try:
        return int(order(value))
    except ValueError:
        msg = (
            f"{stream}: the state's `replication_key_value` {value!r} is neither epoch seconds nor an "
            "ISO-8601 date-time"
        )
        raise BadBookmarkError(msg) from None


class ReplicationMark:
    """Moves one bookmark's `replication_key_value` as pages are written (see the module's docstring)."""

    def __init__(self, key: str, *, is_sorted: bool) -> None:
        """Track `key`; `is_sorted`: the export is ordered by it."""
        self.key = key
        self.is_sorted = is_sorted
        self._pending: Any = None

    def page_written(self, bookmark: dict[str, Any], records: list[dict[str, Any]]) -> None:
        """A page's records were written: move the value (sorted) or remember the newest (unsorted)."""
        newest = newest_on_page(records, self.key)
        if self.is_sorted:
            self._save(bookmark, newest)
        else:
            self._pending = later(self._pending, newest)

    def walk_finished(self, bookmark: dict[str, Any]) -> None:
        """The walk reached the export's end: the newest value written becomes the bookmark's."""
        self._save(bookmark, self._pending)
        self._pending = None

    def _save(self, bookmark: dict[str, Any], newest: Any) -> None:  # noqa: ANN401
        if newest is None:
            return
        saved = bookmark.get(VALUE) if bookmark.get(KEY) == self.key else None
        try:
            value = later(saved, newest)
        except ValueError:  # an unreadable value set by hand: the written records' value replaces it
            value = newest
        bookmark[KEY] = self.key
        bookmark[VALUE] = value
