"""Reading Singer input with line numbers, so bad input ends the run with one line naming the line."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import IO, TYPE_CHECKING, Any

from singer_sdk.exceptions import (
    InvalidJSONSchema,
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from typing_extensions import override

from target_zendesk_objects.input.lines import TOO_LONG, LineTooLongError, bounded_lines, json_object_line
from target_zendesk_objects.records.item import BadRecordError
from target_zendesk_objects.writing.client import UnknownObjectError
from zendesk_objects_shared.errors import one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

INPUT_ERRORS = (
    InvalidInputLine,
    RecordsWithoutSchemaException,
    InvalidRecord,
    InvalidJSONSchema,
    MissingKeyPropertiesError,
    BadRecordError,
    UnknownObjectError,
)


def describe_input_error(exc: BaseException) -> str:
    """One line for an input error: where the reader was (`line N (stream S)`), the error type and text."""
    text = one_line(str(exc))
    where = getattr(exc, "input_location", "")
    return f"{where}: {type(exc).__name__}: {text}" if where else f"{type(exc).__name__}: {text}"


class NumberedSingerReader(SingerReader):
    """The SDK's reader loop, counting lines; an input error learns its line and stream."""

    def __init__(self) -> None:
        """Start at line 0."""
        super().__init__()
        self.line_number = 0
        self.before_failing: Callable[[], None] = lambda: None

    @override
    def deserialize_json(self, line: str) -> dict[str, Any]:
        # The SDK's version logs the whole line with a traceback; one line of error is enough.
        # The line number and stream are added where the error is caught (input_location).
        return json_object_line(
            line, where="", not_an_object="not a Singer message (a JSON object with a `type`)"
        )

    @override
    def process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict[str, Any]], None]]
    ) -> Counter[str]:
        stats: dict[str, int] = defaultdict(int)
        for number, line in self._lines(file_input or self.default_input):
            self.line_number = number
            if not line.strip():
                continue
            message: dict[str, Any] = {}
            try:
                message = self.deserialize_json(line)
                self._dispatch(message, callbacks)
            except INPUT_ERRORS as exc:
                # The error keeps its type (callers and the SDK's tests expect it); the CLI prints it as one
                # line with this location, after the jobs already sent have settled and printed their STATE.
                exc.input_location = self._location(message, exc)  # type: ignore[union-attr]
                self.before_failing()
                raise
            except Exception:
                self.before_failing()  # e.g. Zendesk refused the credentials: still print what is confirmed
                raise
            stats[message["type"]] += 1
        return Counter(stats)

    def _lines(self, stream: IO[str]) -> Iterator[tuple[int, str]]:
        """(number, line) of the input, each line read in bounded memory (lines.py)."""
        try:
            yield from bounded_lines(stream.readline)
        except LineTooLongError as exc:
            self.line_number = exc.number
            error = InvalidInputLine(TOO_LONG)
            error.input_location = f"line {exc.number}"  # type: ignore[attr-defined]
            self.before_failing()
            raise error from None

    def _location(self, message: dict[str, Any], exc: BaseException) -> str:
        """`line N (stream S)`, plus the batch file and its line for a record read from a BATCH."""
        parts = [f"stream {message['stream']}"] if isinstance(message.get("stream"), str) else []
        batch = getattr(exc, "batch_location", None)
        if batch:
            parts.append(batch)
        return f"line {self.line_number}" + (f" ({', '.join(parts)})" if parts else "")

    def _dispatch(
        self, message: dict[str, Any], callbacks: dict[str, Callable[[dict[str, Any]], None]]
    ) -> None:
        kind = message.get("type")
        callback = callbacks.get(kind) if isinstance(kind, str) else None
        if callback is None or not isinstance(kind, str):
            msg = f"unknown message type {kind!r}" if "type" in message else "a message without a `type`"
            raise InvalidInputLine(msg)
        check_shape(kind, message)
        callback(message)


# The Singer spec's message shapes: what each key must be before the SDK may read it. (None: may be absent.)
_SHAPES: dict[str, dict[str, tuple[type, ...]]] = {
    "SCHEMA": {"stream": (str,), "schema": (dict,), "key_properties": (list, type(None))},
    "RECORD": {"stream": (str,), "record": (dict,)},
    "STATE": {"value": (dict,)},
    "ACTIVATE_VERSION": {"stream": (str,), "version": (int,)},
    "BATCH": {"stream": (str,), "encoding": (dict,), "manifest": (list,)},
}
_NAMES = {str: "a string", dict: "a JSON object", list: "a list", int: "an integer", type(None): "null"}


def check_shape(kind: str, message: dict[str, Any]) -> None:
    """Raise InvalidInputLine naming the first key of a `kind` message that is missing or of a wrong type."""
    for key, allowed in _SHAPES.get(kind, {}).items():
        optional = type(None) in allowed
        if key not in message:
            if optional:
                continue
            msg = f"a {kind} message without `{key}`"
            raise InvalidInputLine(msg)
        value = message[key]
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            wanted = " or ".join(_NAMES[kind_] for kind_ in allowed)
            msg = f"a {kind} message whose `{key}` is {type(value).__name__}, not {wanted}"
            raise InvalidInputLine(msg)
    if kind == "SCHEMA":
        keys = message.get("key_properties") or []
        if not all(isinstance(key, str) for key in keys):
            msg = "a SCHEMA message whose `key_properties` are not all property names (strings)"
            raise InvalidInputLine(msg)
