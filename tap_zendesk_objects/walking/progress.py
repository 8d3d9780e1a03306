"""ProgressLog: a stream's records so far and their rate, logged every few seconds and at a walk's end."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zendesk_objects_shared import RequestPacer

LOGGER = logging.getLogger("tap-zendesk-objects")
# One progress line per stream at most this often (and one at the end).
PROGRESS_EVERY_SECONDS = 5.0


class ProgressLog:
    """Records so far and rate for one stream, logged every few seconds and at the end.

    For a paced stream it also says how much of that time went to waiting for the export limit: with
    even spacing each wait is short, but together they show that the limit, not the tap, sets the pace.
    """

    def __init__(self, stream_name: str, pacer: RequestPacer | None = None) -> None:
        """Start counting now."""
        self.stream_name = stream_name
        self.records = 0
        self.pages = 0
        self._pacer = pacer
        self._waited_before = pacer.total_wait_seconds if pacer is not None else 0.0
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
            waited = ""
            if self._pacer is not None:
                seconds = self._pacer.total_wait_seconds - self._waited_before
                waited = f"; {seconds:.1f} s of it waiting for the {self._pacer.reason}"
            LOGGER.info(
                "%s: %d records so far in %d pages (%.0f records/s)%s%s",
                self.stream_name,
                self.records,
                self.pages,
                self.records / elapsed,
                waited,
                ", done" if final else "",
            )
