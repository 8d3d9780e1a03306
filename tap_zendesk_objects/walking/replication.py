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

No bookmark time passes the run's own clock (`clock_ceiling`): a record's value that is not a time, or is
later than now, is left out (`StampReader`), and a state's time later than now ends the run where a walk
would start from it (`within_clock`).
"""

from __future__ import annotations

import logging
import math
import reprlib
import time
from typing import Any

from zendesk_objects_shared import RunFailure
from zendesk_objects_shared.timestamps import describe_epoch, parse_datetime

LOGGER = logging.getLogger("tap-zendesk-objects")
KEY = "replication_key"
VALUE = "replication_key_value"
# A replication value as the records carry it, and its epoch seconds.
Stamp = tuple[Any, int]


class BadBookmarkError(RunFailure):
    """A bookmark (from `--state`) holds a value that is not a point in time, or one later than now."""


def order(value: Any) -> float:  # noqa: ANN401 (an integer epoch or an ISO-8601 string)
    """Epoch seconds of a replication value: integer epoch seconds or an ISO-8601 date-time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text.isdigit():
        return float(text)
    return parse_datetime(text).timestamp()


def clock_ceiling() -> int:
    """The latest time a bookmark may name: this second of the run's own clock, plus one.

    The plus one: an `end_time` may name the second after its last record (wire notes §18.2). Times the
    server hands back are held to now, not to now - 60 s: Zendesk's own minute of lag (wire notes §18.4)
    already keeps its honest times a minute behind, so its clock may run ahead of ours by that much, and a
    server without the lag (the sandbox) serves changes of the last minute. The lag applies where the tap
    picks a time itself: the `start_time` it sends is never later than now - 61 s (client.py).
    """
    return int(time.time()) + 1


class StampReader:
    """Reads a stream's replication key from the records of a page, for its bookmark.

    A record is emitted whatever its timestamp says (it is data, and the cursor, not the timestamp, is
    where the export resumes); but a value that is not a time (`"garbage"`) or is later than the run's clock
    (a user stamped in 2999) is left out of the bookmark, with one warning per stream for each kind:
    raised to such a value, `high_water` would send a restart after a refused cursor past everything
    exported since the real position.
    """

    def __init__(self, stream: str, key: str) -> None:
        """Read `key` from the records of `stream`."""
        self.stream = stream
        self.key = key
        self._warned: set[str] = set()

    def newest(self, records: list[dict[str, Any]]) -> Stamp | None:
        """The newest usable value on a page, as the records carry it and in epoch seconds; None: none."""
        latest = clock_ceiling()
        best: Stamp | None = None
        for record in records:
            value = record.get(self.key)
            if value is None:
                continue
            epoch = _epoch_or_none(value)
            if epoch is None:
                self._warn(record, "is not a time")
            elif epoch > latest:
                self._warn(record, "is later than this run's clock", f" ({describe_epoch(latest)})")
            elif best is None or epoch >= best[1]:
                best = (value, int(epoch))
        return best

    def _warn(self, record: dict[str, Any], kind: str, detail: str = "") -> None:
        if kind in self._warned:
            return
        self._warned.add(kind)
        LOGGER.warning(
            "%s: record %s has %s %s, which %s%s: emitted, the bookmark ignores it (warned once per stream)",
            self.stream,
            record.get("id"),
            self.key,
            reprlib.repr(record.get(self.key)),
            kind,
            detail,
        )


def _epoch_or_none(value: Any) -> float | None:  # noqa: ANN401
    try:
        epoch = order(value)
    except (ValueError, OverflowError):
        return None
    return epoch if math.isfinite(epoch) else None


def within_clock(stream: str, name: str, epoch: int) -> int:
    """`epoch`, a time the state holds as `name`; BadBookmarkError when it is later than the run's clock.

    No export reaches past now: such a time (set by hand, or by a version that let a server's time through)
    would start every run after data it never read. Only the person who set it knows where to start.
    """
    latest = clock_ceiling()
    if epoch <= latest:
        return epoch
    msg = (
        f"{stream}: the state's {name} {epoch} ({describe_epoch(epoch)}) is later than this run's clock"
        f" ({describe_epoch(latest)}), so no export has reached it; set the bookmark to where the export"
        " really stopped, or clear it"
    )
    raise BadBookmarkError(msg)


def start_epoch(bookmark: dict[str, Any], key: str, stream: str) -> int | None:
    """Epoch seconds a walk without a cursor may start from, per `replication_key_value`; None if unset.

    A value saved for another replication key is not this stream's position and is ignored, as the SDK
    does; a value without `replication_key` (set by hand) is taken as this stream's.
    """
    value = bookmark.get(VALUE)
    if value is None or bookmark.get(KEY, key) != key:
        return None
    epoch = _epoch_or_none(value)
    if epoch is None:
        msg = (
            f"{stream}: the state's `replication_key_value` {value!r} is neither epoch seconds nor an "
            "ISO-8601 date-time"
        )
        raise BadBookmarkError(msg)
    return within_clock(stream, f"`{VALUE}`", int(epoch))


class ReplicationMark:
    """Moves one bookmark's `replication_key_value` as pages are written (see the module's docstring)."""

    def __init__(self, key: str, *, is_sorted: bool) -> None:
        """Track `key`; `is_sorted`: the export is ordered by it."""
        self.key = key
        self.is_sorted = is_sorted
        self._pending: Stamp | None = None

    def page_written(self, bookmark: dict[str, Any], newest: Stamp | None) -> None:
        """A page's records were written: move the value (sorted) or remember the newest (unsorted)."""
        if self.is_sorted:
            self._save(bookmark, newest)
        elif newest is not None and (self._pending is None or newest[1] > self._pending[1]):
            self._pending = newest

    def walk_finished(self, bookmark: dict[str, Any]) -> None:
        """The walk reached the export's end: the newest value written becomes the bookmark's."""
        self._save(bookmark, self._pending)
        self._pending = None

    def _save(self, bookmark: dict[str, Any], newest: Stamp | None) -> None:
        if newest is None:
            return
        saved = bookmark.get(VALUE) if bookmark.get(KEY) == self.key else None
        epoch = _epoch_or_none(saved) if saved is not None else None
        # A saved value that is not a time, or is past the clock (set by hand, or by a version that let a
        # server's time through), gives way to the value of the records written.
        keep = epoch is not None and newest[1] <= epoch <= clock_ceiling()
        bookmark[KEY] = self.key
        bookmark[VALUE] = saved if keep else newest[0]
