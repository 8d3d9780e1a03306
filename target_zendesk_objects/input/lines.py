"""Input read line by line in bounded memory: stdin's Singer messages and the lines of BATCH files.

Each line holds one JSON object (`json_object_line`), a Singer message or a batch file's record.

Zendesk holds a custom object record to 32 KB (wire notes §4, §16.3): a line 500 times that is no message
this target could write, and reading it whole could take any amount of memory (a 1 MB gzip file can hold a
1 GiB line; so can a pipe). Each line is read up to `MAX_LINE` characters (bytes, for a binary file) and no
further.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, AnyStr

from singer_sdk.singerlib.exceptions import InvalidInputLine

from zendesk_objects_shared import fastjson

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

MIB = 1 << 20
MAX_LINE = 16 * MIB
TOO_LONG = f"longer than {MAX_LINE // MIB} MiB, far beyond the 32 KB of a Zendesk record; not read further"


class LineTooLongError(Exception):
    """Line `number` is longer than `MAX_LINE`."""

    def __init__(self, number: int) -> None:
        """Name the line."""
        super().__init__(f"line {number}: {TOO_LONG}")
        self.number = number


def bounded_lines(readline: Callable[[int], AnyStr]) -> Iterator[tuple[int, AnyStr]]:
    """(line number, line) from `readline(limit)`, each at most `MAX_LINE` long; LineTooLongError past it."""
    number = 0
    while line := readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise LineTooLongError(number)
        yield number, line


def json_object_line(line: str | bytes, *, where: str, not_an_object: str) -> dict[str, Any]:
    """The JSON object a line holds; InvalidInputLine, its text after `where`, for any other line."""
    try:
        value = fastjson.loads(line)
    except json.JSONDecodeError as exc:
        msg = f"{where}not JSON ({exc.msg} at column {exc.colno})"
        raise InvalidInputLine(msg) from None
    if not isinstance(value, dict):
        msg = f"{where}{not_an_object}"
        raise InvalidInputLine(msg)
    return value
