"""Reading Zendesk's ISO-8601 timestamps and dates, one way for both plugins.

Zendesk writes timestamps as `2023-09-18T15:57:42Z` (wire notes §1) and custom object dates either as
`2025-07-03` or as `2025-07-03T00:00:00+00:00` (wire notes §5): every reading is accepted, one is emitted.
"""

from __future__ import annotations

import datetime as dt


def parse_datetime(text: str) -> dt.datetime:
    """An ISO-8601 date-time (a trailing `Z` allowed; no zone means UTC); ValueError when it is not one."""
    parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.timezone.utc)


def epoch_seconds(text: str) -> int:
    """Whole epoch seconds of an ISO-8601 date-time; ValueError when it is not one."""
    return int(parse_datetime(text).timestamp())


def describe_epoch(seconds: float) -> str:
    """Epoch seconds for a message: `2100-01-01T00:00:00Z`, or a phrase for a time no calendar holds."""
    try:
        moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return "beyond the year 9999" if seconds > 0 else "before the year 1"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(value: object) -> str:
    """`YYYY-MM-DD` of a date, a date-time, or text holding either; ValueError for anything else."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if len(text) == len("YYYY-MM-DD"):
            return dt.date.fromisoformat(text).isoformat()
        # The date-time reading: its date, as written (no zone conversion).
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    msg = f"expected a date (YYYY-MM-DD), got {value!r}"
    raise ValueError(msg)
