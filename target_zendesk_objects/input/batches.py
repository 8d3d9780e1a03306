"""Reading the records of a Singer BATCH message (singer-sdk's batch files), one at a time.

A singer-sdk tap with `batch_config` sends BATCH messages instead of RECORD lines: each names files
(`file://`, or any filesystem fsspec knows) of JSON Lines records, plain or gzip-compressed. Their records
are read in order and handed back one by one, so the target writes them exactly as RECORD lines, in
constant memory however large the files are: a line is read up to `lines.MAX_LINE` bytes and no further.
"""

from __future__ import annotations

import gzip
import zlib
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib.exceptions import InvalidInputLine
from upath import UPath

from target_zendesk_objects.input.lines import TOO_LONG, LineTooLongError, bounded_lines, json_object_line

if TYPE_CHECKING:
    from collections.abc import Iterator

SUPPORTED = "JSON Lines files, plain or gzip"


def batch_records(message: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Yield (file, line number, record) for every record of the BATCH message's files, in order."""
    encoding = message.get("encoding")
    manifest = message.get("manifest")
    if not isinstance(encoding, dict) or not isinstance(manifest, list):
        msg = "a BATCH message needs an `encoding` object and a `manifest` list of file URLs"
        raise InvalidInputLine(msg)
    form, compression = encoding.get("format"), encoding.get("compression")
    if form != "jsonl" or compression not in {None, "none", "gzip"}:
        msg = (
            f"BATCH files of format {form!r} with compression {compression!r} are not supported ({SUPPORTED})"
        )
        raise InvalidInputLine(msg)
    for url in manifest:
        if not isinstance(url, str) or not url:
            msg = f"a BATCH manifest entry must be a file URL, got {url!r}"
            raise InvalidInputLine(msg)
        yield from _file_records(url, gzipped=compression == "gzip")


def _file_records(url: str, *, gzipped: bool) -> Iterator[tuple[str, int, dict[str, Any]]]:
    try:
        raw = UPath(url).open("rb")
    except (OSError, ValueError) as exc:
        msg = f"BATCH file {url} cannot be read ({type(exc).__name__}: {exc})"
        raise InvalidInputLine(msg) from None
    with raw, gzip.open(raw) if gzipped else raw as lines:
        number = 0
        try:
            for number, line in bounded_lines(lines.readline):
                if line.strip():
                    yield url, number, _record(url, number, line)
        except LineTooLongError as exc:
            msg = f"BATCH file {url} line {exc.number}: {TOO_LONG}"
            raise InvalidInputLine(msg) from None
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt file
            msg = f"BATCH file {url} cannot be read after line {number} ({type(exc).__name__}: {exc})"
            raise InvalidInputLine(msg) from None


def _record(url: str, number: int, line: bytes) -> dict[str, Any]:
    where = f"BATCH file {url} line {number}: "
    return json_object_line(line, where=where, not_an_object="a record must be a JSON object")
