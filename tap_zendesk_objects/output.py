"""Writing Singer messages to stdout: plain `json`, buffered, flushed at every STATE."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from singer_sdk.io_base import SingerWriter
from singer_sdk.singerlib import RecordMessage
from typing_extensions import override

# Flush once this much output is waiting, so a slow reader still sees records stream.
FLUSH_BYTES = 1 << 20


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


_encode = json.JSONEncoder(default=_json_default, separators=(",", ":"), ensure_ascii=False).encode


class BufferedSingerWriter(SingerWriter):
    """The SDK writer serialises with simplejson and flushes after every record; this one buffers RECORDs.

    Order is kept (one buffer), and everything is flushed before a STATE line is, so a STATE never
    reaches the reader ahead of the records it covers.
    """

    def __init__(self) -> None:
        """Start with an empty buffer."""
        super().__init__()
        self._pending: list[str] = []
        self._pending_bytes = 0

    @override
    def serialize_message(self, message: Any) -> str:
        return _encode(message.to_dict())

    @override
    def write_message(self, message: Any) -> None:
        line = self.serialize_message(message) + "\n"
        self._pending.append(line)
        self._pending_bytes += len(line)
        if not isinstance(message, RecordMessage) or self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write out everything pending."""
        if self._pending:
            sys.stdout.write("".join(self._pending))
            self._pending.clear()
            self._pending_bytes = 0
        sys.stdout.flush()
