"""Writing Singer messages to stdout: orjson-encoded, buffered, flushed at every STATE."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from singer_sdk.io_base import SingerWriter
from singer_sdk.singerlib import RecordMessage
from typing_extensions import override

from zendesk_objects_shared import fastjson

# Flush once this much output is waiting, so a slow reader still sees records stream.
FLUSH_BYTES = 1 << 20


def _json_default(value: object) -> str:
    # orjson writes datetimes itself; this sees the rest (Decimal, ...), written as text as `json` would.
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class BufferedSingerWriter(SingerWriter):
    """The SDK writer serialises with simplejson and flushes after every record; this one buffers RECORDs.

    Order is kept (one buffer), and everything is flushed before a STATE line is, so a STATE never
    reaches the reader ahead of the records it covers.
    """

    def __init__(self) -> None:
        """Start with an empty buffer."""
        super().__init__()
        self._pending: list[bytes] = []
        self._pending_bytes = 0

    @override
    def serialize_message(self, message: Any) -> str:
        return self._encode(message).decode()

    @staticmethod
    def _encode(message: Any) -> bytes:  # noqa: ANN401 (any Singer message)
        return fastjson.dumps(message.to_dict(), _json_default)

    @override
    def write_message(self, message: Any) -> None:
        line = self._encode(message) + b"\n"
        self._pending.append(line)
        self._pending_bytes += len(line)
        if not isinstance(message, RecordMessage) or self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write out everything pending."""
        out = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # stdout replaced by a text stream (an in-process test harness)
            sys.stdout.write(out.decode())
            sys.stdout.flush()
            return
        sys.stdout.flush()  # anything written as text before goes first
        binary.write(out)
        binary.flush()
