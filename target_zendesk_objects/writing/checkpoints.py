"""The checkpoint ledger: a STATE is printed once every record that arrived before it is confirmed."""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def print_state(state: dict[str, Any]) -> None:
    """Write one STATE value to stdout as a JSON line and flush it at once."""
    sys.stdout.write(json.dumps(state, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class CheckpointLedger:
    """Numbers records as they arrive and releases each STATE when all lower numbers are settled.

    A record is settled when Zendesk confirmed it or when it was written to the rejections file.
    Records are numbered 1, 2, 3, …; `_low` is the lowest unsettled number, so a STATE that arrived after
    record n may be printed as soon as `_low > n`. Settling is called from the job poller thread too.
    """

    def __init__(self, emit: Callable[[dict[str, Any]], None] = print_state) -> None:
        """Start empty; `emit` prints a released STATE."""
        self._emit = emit
        self._lock = threading.Lock()
        self._last = 0  # number of the newest record
        self._low = 1  # lowest unsettled record number
        self._settled_above_low: set[int] = set()
        self._states: deque[tuple[int, dict[str, Any]]] = deque()
        self.settled_count = 0
        self.states_printed = 0

    def next_record(self) -> int:
        """Give the next record its number."""
        with self._lock:
            self._last += 1
            return self._last

    def state(self, value: dict[str, Any]) -> None:
        """Queue a STATE covering every record numbered so far; print it if they are all settled."""
        with self._lock:
            self._states.append((self._last, value))
            self._release()

    def settle(self, numbers: Iterable[int]) -> None:
        """Mark records as confirmed or recorded as rejected; print every STATE that this frees."""
        with self._lock:
            for number in numbers:
                self.settled_count += 1
                self._settled_above_low.add(number)
            while self._low in self._settled_above_low:
                self._settled_above_low.remove(self._low)
                self._low += 1
            self._release()

    @property
    def unsettled(self) -> int:
        """How many numbered records are still waiting for Zendesk."""
        with self._lock:
            return self._last - self._low + 1 - len(self._settled_above_low)

    @property
    def pending_states(self) -> int:
        """How many STATEs are waiting for their records."""
        with self._lock:
            return len(self._states)

    def _release(self) -> None:
        while self._states and self._states[0][0] < self._low:
            _, value = self._states.popleft()
            self._emit(value)
            self.states_printed += 1
