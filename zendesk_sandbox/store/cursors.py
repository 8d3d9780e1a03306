"""Export cursors: their wire encodings and which of them the sandbox treats as expired.

Ticket cursors are base64 of `"{generated_timestamp}.0||{id}|"` (wire notes §2, real). Custom object cursors
are base64 of `"{updated_ts}|{record_id}"` (opaque; the real format is unknown). Sequin cursors are base64
of the stream position (wire notes Sequin §1 observation).

Expiry rule (real lifetimes are unconfirmed, wire notes §13): the sandbox remembers when it handed out each
cursor; with `cursor_ttl_seconds` set, a cursor presented more than that long after it was handed out is
refused as expired, and `Admin.expire_cursors()` expires every cursor handed out so far. A well-formed
cursor this process never handed out (e.g. from an earlier run on the same file) is accepted.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections import OrderedDict

_TICKET = re.compile(r"^(\d+)\.0\|\|(\d+)\|$")
_RECORD = re.compile(r"^(\d+)\|([0-9A-Z]*)$")
MAX_REMEMBERED = 200_000


def _decode(cursor: str) -> str | None:
    try:
        return base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        return None


def encode_ticket(position: tuple[int, int]) -> str:
    """Return the ticket cursor for (generated_timestamp, id)."""
    return base64.b64encode(f"{position[0]}.0||{position[1]}|".encode()).decode()


def decode_ticket(cursor: str) -> tuple[int, int] | None:
    """Return (generated_timestamp, id) of a ticket cursor, or None when it is not one."""
    match = _TICKET.match(_decode(cursor) or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def encode_record(position: tuple[int, str]) -> str:
    """Return the custom object export cursor for (updated_ts, record id)."""
    return base64.b64encode(f"{position[0]}|{position[1]}".encode()).decode()


def decode_record(cursor: str) -> tuple[int, str] | None:
    """Return (updated_ts, record id) of a custom object cursor, or None."""
    match = _RECORD.match(_decode(cursor) or "")
    return (int(match.group(1)), match.group(2)) if match else None


def encode_sequin(position: int) -> str:
    """Return the Sequin cursor for a stream position."""
    return base64.b64encode(str(position).encode()).decode()


def decode_sequin(cursor: str) -> int | None:
    """Return the stream position of a Sequin cursor, or None."""
    text = _decode(cursor) or ""
    return int(text) if text.isdigit() else None


class CursorLedger:
    """When each cursor was handed out, to refuse expired ones."""

    def __init__(self) -> None:
        """Start with no cursors."""
        self._issued: OrderedDict[str, float] = OrderedDict()
        self._expired_before = float("-inf")
        self._lock = threading.Lock()

    def issued(self, cursor: str | None) -> None:
        """Remember that `cursor` was handed out now."""
        if cursor is None:
            return
        with self._lock:
            self._issued[cursor] = time.monotonic()
            self._issued.move_to_end(cursor)
            while len(self._issued) > MAX_REMEMBERED:
                self._issued.popitem(last=False)

    def expire_all(self) -> None:
        """Treat every cursor handed out so far as expired."""
        with self._lock:
            self._expired_before = time.monotonic()

    def expired(self, cursor: str, ttl: float | None) -> bool:
        """Return True when `cursor` was handed out and has since expired."""
        with self._lock:
            when = self._issued.get(cursor)
        if when is None:
            return False
        if when <= self._expired_before:
            return True
        return ttl is not None and time.monotonic() - when > ttl
