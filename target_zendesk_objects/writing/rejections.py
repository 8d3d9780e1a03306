"""The rejections file: one JSON line per refused record, and the run's count of them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import IO, Any

from zendesk_objects_shared import SECRETS

LOGGER = logging.getLogger("target-zendesk-objects")


def _json_default(value: object) -> str:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class RejectionLog:
    """Appends `{stream, external_id, record, error}` lines to `path` (opened on the first rejection).

    Lines are appended, never truncated, so a rerun after a crash keeps the earlier run's rejections.
    Each line is flushed before the record counts as settled, so a printed STATE never covers a record
    that is neither in Zendesk nor in this file.
    """

    def __init__(self, path: str | Path) -> None:
        """Write to `path` when the first record is rejected."""
        self.path = Path(path)
        self.count = 0
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def record(self, stream: str, external_id: str | None, record: dict[str, Any], error: str) -> None:
        """Write one rejected record with its reason (any secret a server echoed into it masked)."""
        error = SECRETS.mask(error)
        entry = {"stream": stream, "external_id": external_id, "record": record, "error": error}
        line = json.dumps(entry, default=_json_default, ensure_ascii=False)
        if not line.isascii():
            try:
                line.encode()
            except UnicodeEncodeError:  # a lone surrogate (the reason it was rejected): escape it
                line = json.dumps(entry, default=_json_default)
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line + "\n")
            self._file.flush()
            self.count += 1
        LOGGER.warning("Rejected a record of %s (external id %s): %s", stream, external_id, error)

    def close(self) -> None:
        """Close the file if it was opened."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
