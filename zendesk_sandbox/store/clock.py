"""Change timestamps that never fall at or behind a position an export has already handed out.

Cursors are (second, id) positions. With `recent_data_lag_seconds` below one second, an export can serve
the current second; a change later in that same second, to a record with a smaller id, would land behind
the cursor and never be exported. So every change is stamped after the newest second already served.
"""

from __future__ import annotations

import threading
import time


class ChangeClock:
    """Whole-second stamps for changes, kept ahead of every served export cutoff."""

    def __init__(self) -> None:
        """Start with nothing served."""
        self._served = 0
        self._lock = threading.Lock()

    def served(self, cutoff: int) -> None:
        """Record that an export page covered every change up to `cutoff`."""
        with self._lock:
            self._served = max(self._served, cutoff)

    def stamp(self) -> int:
        """Return the timestamp for a change made now."""
        with self._lock:
            return max(int(time.time()), self._served + 1)
