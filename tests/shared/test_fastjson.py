"""orjson on the record path reads and writes exactly what `json` would, falling back where it cannot."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import TYPE_CHECKING, Any

import pytest
import requests

from zendesk_objects_shared import fastjson

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox


def _isoformat_or_text(value: object) -> str:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else str(value)


def _json_line(value: Any) -> bytes:
    return json.dumps(value, default=_isoformat_or_text, separators=(",", ":"), ensure_ascii=False).encode()


def test_real_export_pages_read_and_write_as_with_json(sandbox: Sandbox) -> None:
    for path, key in (
        ("/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=300", "tickets"),
        ("/api/v2/incremental/custom_objects/vendor/cursor?start_time=0", "custom_object_records"),
        ("/v1/records?limit=200", "records"),
    ):
        auth = {"Authorization": "Bearer sandbox-token"}
        body = requests.get(f"{sandbox.url}{path}", headers=auth, timeout=30).content
        decoded = fastjson.loads(body)
        assert decoded == json.loads(body)
        assert decoded[key], path
        extracted = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc)
        for record in decoded[key]:
            message = {"type": "RECORD", "stream": key, "record": record, "time_extracted": extracted}
            assert fastjson.dumps(message, _isoformat_or_text) == _json_line(message)


@pytest.mark.parametrize(
    "document",
    [
        '{"id": 123456789012345678901234567890}',  # beyond 64 bits: orjson would read a float
        '{"big": -18446744073709551616, "text": "digits 12345678901234567890 in a string"}',
        '{"ratio": NaN, "limit": Infinity}',
        '{"text": "\\ud800 a lone surrogate"}',
        '{"name": "Zoë \\u00e9 ☃", "n": 1.5e-7, "m": 10000000000000000.0}',
    ],
)
def test_documents_orjson_reads_differently_are_read_as_json_does(document: str) -> None:
    expected = json.loads(document)
    for form in (document, document.encode()):
        got = fastjson.loads(form)
        assert repr(got) == repr(expected)  # repr: NaN != NaN, and 1 == 1.0 would hide a float


@pytest.mark.parametrize("document", ['{"a": ', "[1, 2", '{"a": 1} trailing', ""])
def test_a_document_that_is_not_json_fails_with_jsons_own_error(document: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(document)
    with pytest.raises(json.JSONDecodeError) as got:
        fastjson.loads(document.encode())
    assert str(got.value) == str(expected.value)


def test_values_orjson_cannot_write_are_written_as_json_does() -> None:
    value = {
        "huge": 2**70,
        "price": decimal.Decimal("19.90"),
        "at": dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "naive": dt.datetime(2026, 1, 1, 12, 0, 0, 5),  # noqa: DTZ001 (naive on purpose)
        "day": dt.date(2026, 2, 3),
        "text": 'Zoë ☃ "quoted" \\ / \n',
        3: "a non-text key",
    }
    assert fastjson.dumps(value, _isoformat_or_text) == _json_line(value)
    del value["huge"]  # without it, orjson writes the message itself: the same bytes
    assert fastjson.dumps(value, _isoformat_or_text) == _json_line(value)


def test_a_lone_surrogate_is_written_escaped_and_reads_back_the_same() -> None:
    value = {"text": "caf\u00e9 \ud800 half a pair"}
    written = fastjson.dumps(value, _isoformat_or_text)
    assert written.isascii()
    assert json.loads(written) == value
