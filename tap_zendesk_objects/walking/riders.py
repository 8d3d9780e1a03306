"""One export's pages written as several streams (`tickets` and `ticket_metrics`, and so on).

`tickets`, `ticket_metrics` and `ticket_conversation_log` read the ticket export, `users` and
`user_identities` the user export, `ticket_events` and `ticket_comments` the ticket event export.

Each stream of such a group (`walk_group`) can run alone: it walks the export from its own bookmark
and writes only its own records. When several are selected and their bookmarks stand at the same position
(`POSITION_KEYS`: the same cursor and high-water mark, or the same start time and boundary ids; every
stream of a first run), the first of them to sync walks the export once, asking for the sideloads all of
them need, and the others ride along: from each page, every rider's records are written just before the
walker's (whose `post_process` may change the rows), and every rider's bookmark takes the walker's
position; then one STATE follows. So a rider's bookmark never passes records it has
not written, and a kill repeats at most that page for all of them. A rider that syncs later in the run
has nothing left to do (`TapRuntime.rode`). Streams whose bookmarks differ walk alone this once: their
walks end at the same position, so the next run they walk together.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from singer_sdk import metrics

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.walking.progress import ProgressLog
    from tap_zendesk_objects.walking.replication import ReplicationMark, Stamp

LOGGER = logging.getLogger("tap-zendesk-objects")


class WalkStream(Protocol):
    """A stream as a ride sees it, walking an export or riding along: `ZendeskObjectsStream` (client.py)."""

    POSITION_KEYS: ClassVar[tuple[str, ...]]
    walk_group: ClassVar[str]
    sideload: ClassVar[str]

    @property
    def name(self) -> str:
        """The stream's name."""

    @property
    def path(self) -> str | None:
        """The export's path, which the walker's record counters name."""

    @property
    def selected(self) -> bool:
        """Whether the catalog selects the stream."""

    @property
    def runtime(self) -> TapRuntime:
        """The run's runtime: `rode` names the streams already written along another stream's walk."""

    @property
    def _page_records(self) -> list[dict[str, Any]]:
        """The records the stream wrote of the current page."""

    @property
    def _replication_mark(self) -> ReplicationMark | None:
        """The stream's replication value, moved as its walk goes."""

    @property
    def _progress(self) -> ProgressLog:
        """The stream's progress log."""

    def bookmark(self) -> dict[str, Any]:
        """The stream's writable bookmark."""

    def start_walk(self, context: Context | None) -> None:
        """Get ready for a walk the stream makes or rides along."""

    def finish_walk(self) -> None:
        """The walk reached the export's end."""

    def page_records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        """The stream's records on a page."""

    def ride_along(self, records: list[dict[str, Any]]) -> None:
        """Write records another stream's walk read for this one."""

    def newest_stamp(self, records: list[dict[str, Any]]) -> Stamp | None:
        """The newest replication key value of records written."""

    def _write_schema_message(self) -> None:
        """Write the stream's SCHEMA message (the SDK's own)."""


class Ride:
    """The streams riding along one stream's walk, and what each of them read from the current page."""

    def __init__(self, walker: WalkStream, riders: list[WalkStream]) -> None:
        """`riders` ride along the walk of `walker`."""
        self.walker = walker
        self.riders = riders
        self._read: list[list[dict[str, Any]]] = [[] for _ in riders]
        # The SDK counts a stream's records while it syncs; a rider's are written during the walker's sync,
        # so each rider has a counter of its own: Meltano's `record_count` metric counts them there.
        self._counters = [metrics.record_counter(rider.name, endpoint=walker.path) for rider in riders]

    @classmethod
    def alone(cls, walker: WalkStream) -> Ride:
        """A walk nobody rides along."""
        return cls(walker, [])

    @classmethod
    def start(cls, walker: WalkStream, streams: Iterable[WalkStream]) -> Ride:
        """The walk `walker` starts now, with every selected stream of its group at the same position.

        `streams` are the run's streams, those that may ride along.
        """
        group = walker.walk_group
        if not group:
            return cls.alone(walker)
        position = _position(walker)
        riders = [
            stream
            for stream in streams
            if stream is not walker
            and stream.walk_group == group
            and stream.selected
            and stream.name not in walker.runtime.rode
            and _position(stream) == position
        ]
        for rider in riders:
            walker.runtime.rode.add(rider.name)
            rider.start_walk(None)
            rider._write_schema_message()  # noqa: SLF001 - the SDK's own, before the rider's first record
            LOGGER.info("%s: rides along the %s walk (one export, no extra request)", rider.name, walker.name)
        return cls(walker, riders)

    def includes(self) -> list[str]:
        """The sideloads the walk asks for: those of the walker and of every rider."""
        return sorted({s.sideload for s in (self.walker, *self.riders) if s.sideload})

    def read(self, page: dict[str, Any]) -> None:
        """Write every rider's records of a page, before the walker's own are written (and changed)."""
        self._read = []
        for rider, counter in zip(self.riders, self._counters, strict=True):
            rider.ride_along(rider.page_records(page))
            self._read.append(rider._page_records)  # noqa: SLF001 - what the rider wrote of this page
            counter.increment(len(self._read[-1]))

    def page_written(self, *, settled: bool) -> None:
        """The walker wrote a page and moves its bookmark: the riders' bookmarks take the same position."""
        walked = self.walker.bookmark()
        for rider, records in zip(self.riders, self._read, strict=True):
            if settled:
                state = rider.bookmark()
                for key in rider.POSITION_KEYS:
                    if key in walked:
                        state[key] = walked[key]
                mark = rider._replication_mark  # noqa: SLF001 - the rider's own, moved as its walk would
                if mark is not None:
                    mark.page_written(state, rider.newest_stamp(records))
            rider._progress.page(len(records))  # noqa: SLF001
        self._read = [[] for _ in self.riders]

    def finished(self) -> None:
        """The walk reached the export's end: so did every rider's."""
        for rider, counter in zip(self.riders, self._counters, strict=True):
            rider.finish_walk()
            counter.exit()  # logs the rider's record_count


def _position(stream: WalkStream) -> tuple[Any, ...]:
    state = stream.bookmark()
    position = tuple(_comparable(state.get(key)) for key in stream.POSITION_KEYS)
    if position[0] is None:
        # Without a cursor (or start time) a walk starts at the replication value a state may hold.
        position += (state.get("replication_key_value"),)
    return position


def _comparable(value: Any) -> Any:  # noqa: ANN401 (bookmark values are any JSON)
    return tuple(value) if isinstance(value, list) else value
