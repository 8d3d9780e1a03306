"""JSON for the record path: orjson, with `json` wherever orjson would read or write differently.

JSON decoding and encoding are most of the tap's CPU per record (bench/profile.py): orjson does both several
times faster than `json`, and writes the same bytes for what Zendesk and Sequin send. Where it would not:
- it reads an integer beyond 64 bits as a float (losing digits), so a document holding a run of 20 or more
  digits anywhere (even inside a string) is read by `json` instead;
- it refuses NaN, Infinity and lone surrogates, which `json` takes: such a document is read again by
  `json`, so what is accepted and the error for what is not are exactly `json`'s;
- it cannot write an integer beyond 64 bits: such a message is written by `json`;
- it cannot write a lone surrogate (valid in JSON input, not valid Unicode): such a message is written by
  `json` with non-ASCII characters escaped, which is still valid JSON and says exactly what was read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from collections.abc import Callable

# A run of 20 digits, found fast: map every ASCII digit to "0" and everything else to " " (one C pass
# over the document, about a sixth of what orjson takes to decode it), then look for twenty "0"s.
_DIGITS_TO_ZEROS = bytes(b"0"[0] if chr(byte) in "0123456789" else b" "[0] for byte in range(256))
_TWENTY_DIGITS = b"0" * 20
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def loads(document: bytes | str) -> Any:  # noqa: ANN401 (any JSON value)
    """Decode one JSON document; raises `json.JSONDecodeError` (with `json`'s message) when it is not JSON."""
    raw = document if isinstance(document, bytes) else document.encode("utf-8", "surrogatepass")
    if raw.translate(_DIGITS_TO_ZEROS).find(_TWENTY_DIGITS) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # read again by `json` below: its verdict and its message stand
    return json.loads(document)


def dumps(value: Any, default: Callable[[Any], Any]) -> bytes:  # noqa: ANN401 (any JSON value)
    """Encode compactly as UTF-8 (no ASCII escaping); `default` converts what JSON has no type for.

    Datetimes and dates are written as their ISO-8601 `isoformat()`, as `json` with such a default would.
    """
    try:
        return orjson.dumps(value, default=default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, or a lone surrogate
        text = json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate: escape it (and every other non-ASCII character)
        return json.dumps(value, default=default, separators=(",", ":")).encode()
