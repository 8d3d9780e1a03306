"""BATCH messages (singer-sdk batch files) are written exactly like RECORD lines, or end the run in a line."""

from __future__ import annotations

import gzip
import json
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import (
    TargetRun,
    record_line,
    records_by_external_id,
    run_target,
    state_line,
    target_config,
    vendor_lines,
    vendor_record,
)

if TYPE_CHECKING:
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox


def batch_file(path: Path, records: list[dict[str, Any]], *, gzipped: bool = True) -> str:
    """Write records as singer-sdk does (one JSON object per line) and return the file's URL."""
    text = "".join(json.dumps(record) + "\n" for record in records).encode()
    path.write_bytes(gzip.compress(text) if gzipped else text)
    return path.as_uri()


def batch_line(stream: str, urls: list[str], *, compression: str | None = "gzip") -> str:
    encoding = {"format": "jsonl", "compression": compression}
    return json.dumps({"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": urls})


def schema_line() -> str:
    return vendor_lines([])[0]


@pytest.mark.parametrize("mode", ["auto", "upsert", "jobs"])
def test_batch_records_reach_zendesk_before_the_state_after_them(
    sb: Sandbox, tmp_path: Path, mode: str
) -> None:
    gz = batch_file(tmp_path / "part-1.jsonl.gz", [vendor_record(2), vendor_record(3)])
    plain = batch_file(tmp_path / "part-2.jsonl", [vendor_record(4)], gzipped=False)
    lines = [
        schema_line(),
        record_line("vendor", vendor_record(1)),
        batch_line("vendor", [gz]),
        batch_line("vendor", [plain], compression=None),
        state_line("vendor", 1),
    ]
    run = run_target(target_config(sb, write_mode=mode), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]
    held = records_by_external_id(sb, "vendor")
    assert {f"v-{n}" for n in range(1, 5)} <= set(held)
    assert held["v-3"]["name"] == "Vendor 3"
    assert "4 records written, 0 rejected" in run.stderr


def test_a_batch_record_refused_locally_goes_to_the_rejections_file(sb: Sandbox, tmp_path: Path) -> None:
    url = batch_file(
        tmp_path / "part.jsonl.gz", [vendor_record(1), vendor_record(2, categories=["gardening"])]
    )
    lines = [schema_line(), batch_line("vendor", [url]), state_line("vendor", 1)]
    config = target_config(sb, write_mode="jobs", max_rejected_records=1)
    run = run_target(config, lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]
    assert [rejected["external_id"] for rejected in run.rejected] == ["v-2"]
    assert "categories" in run.rejected[0]["error"]
    assert "v-1" in records_by_external_id(sb, "vendor")


def one_line_failure(run: TargetRun) -> str:
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    return run.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("mode", ["auto", "upsert", "jobs"])
def test_a_batch_naming_a_missing_file_ends_the_run_before_any_later_state(
    sb: Sandbox, tmp_path: Path, mode: str
) -> None:
    missing = (tmp_path / "gone.jsonl.gz").as_uri()
    lines = [
        schema_line(),
        record_line("vendor", vendor_record(1)),
        state_line("vendor", 1),
        batch_line("vendor", [missing]),
        state_line("vendor", 2),
    ]
    run = run_target(target_config(sb, write_mode=mode), lines, tmp_path=tmp_path)
    last = one_line_failure(run)
    assert last.startswith("target-zendesk-objects: line 4 (stream vendor): InvalidInputLine: BATCH file")
    assert missing in last
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]


def test_a_batch_record_that_breaks_its_schema_names_the_file_and_line(sb: Sandbox, tmp_path: Path) -> None:
    url = batch_file(tmp_path / "part.jsonl.gz", [vendor_record(1), vendor_record(2, rating="high")])
    lines = [schema_line(), batch_line("vendor", [url]), state_line("vendor", 1)]
    run = run_target(target_config(sb, write_mode="jobs"), lines, tmp_path=tmp_path)
    last = one_line_failure(run)
    assert f"line 2 (stream vendor, BATCH file {url} line 2): InvalidRecord" in last
    assert run.states == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json\n", "line 1: not JSON"),
        (b'["a list"]\n', "line 1: a record must be a JSON object"),
        # mtime=0: the gzip header is the same in every xdist worker, so both collect the same test
        (gzip.compress(b'{"external_id": "v-1"}\n', mtime=0)[:-8], "cannot be read after line"),
    ],
    ids=["not-json", "not-an-object", "cut-short-gzip"],
)
def test_a_malformed_batch_file_ends_the_run_in_one_line(
    sb: Sandbox, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(content if content.startswith(b"\x1f\x8b") else gzip.compress(content))
    lines = [schema_line(), batch_line("vendor", [path.as_uri()]), state_line("vendor", 1)]
    last = one_line_failure(run_target(target_config(sb), lines, tmp_path=tmp_path))
    assert "line 2 (stream vendor)" in last
    assert expected in last


def test_a_batch_in_a_format_the_target_cannot_read(sb: Sandbox, tmp_path: Path) -> None:
    url = batch_file(tmp_path / "part.parquet", [vendor_record(1)])
    line = json.dumps(
        {"type": "BATCH", "stream": "vendor", "encoding": {"format": "parquet"}, "manifest": [url]}
    )
    last = one_line_failure(run_target(target_config(sb), [schema_line(), line], tmp_path=tmp_path))
    assert "line 2 (stream vendor)" in last
    assert "'parquet'" in last
    assert "not supported" in last


# Runs the command after the output path, then writes the largest resident size it reached (KiB on Linux).
PEAK_RSS = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]);"
    " open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss));"
    " sys.exit(code)"
)
GIB = 1 << 30
MIB = 1 << 20


def huge_line_file(path: Path) -> str:
    """A gzip file of about 1 MB whose first record is one line of 1 GiB, built in constant memory.

    A gzip file may hold several members, read as one stream (RFC 1952 §2.2): one compressed MiB is
    written 1,024 times.
    """
    with path.open("wb") as out:
        out.write(gzip.compress(b'{"external_id": "v-1", "name": "', mtime=0))
        mebibyte = gzip.compress(b"a" * MIB, mtime=0)
        for _ in range(GIB // MIB):
            out.write(mebibyte)
        out.write(gzip.compress(b'"}\n' + json.dumps(vendor_record(2)).encode() + b"\n", mtime=0))
    return path.as_uri()


def test_a_batch_line_of_a_gibibyte_ends_the_run_in_bounded_memory(sb: Sandbox, tmp_path: Path) -> None:
    url = huge_line_file(tmp_path / "huge.jsonl.gz")
    assert (tmp_path / "huge.jsonl.gz").stat().st_size < 2 * MIB
    peak = tmp_path / "peak-rss"
    lines = [schema_line(), batch_line("vendor", [url]), state_line("vendor", 1)]
    wrapper = [sys.executable, "-c", PEAK_RSS, str(peak)]
    last = one_line_failure(run_target(target_config(sb), lines, tmp_path=tmp_path, wrapper=wrapper))
    assert f"line 2 (stream vendor): InvalidInputLine: BATCH file {url} line 1: longer than" in last
    assert int(peak.read_text()) * 1024 < 300 * MIB  # the line was never held whole


def test_an_input_line_of_a_gibibyte_ends_the_run_in_bounded_memory(sb: Sandbox, tmp_path: Path) -> None:
    # A SCHEMA, then one line of 1 GiB on the target's stdin, written by a process that never holds it.
    writer = (
        "import sys; write = sys.stdout.write; write(sys.argv[1] + '\\n'); chunk = 'a' * (1 << 20)\n"
        "for _ in range(1024): write(chunk)\n"
    )
    # sh runs `python -c WRITER SCHEMA | <the target's command line>`, which run_target appends.
    pipe = [
        "sh",
        "-c",
        'w=$1 s=$2; shift 2; "$0" -c "$w" "$s" 2>/dev/null | "$@"',
        sys.executable,
        writer,
        schema_line(),
    ]
    peak = tmp_path / "peak-rss"
    wrapper = [sys.executable, "-c", PEAK_RSS, str(peak), *pipe]
    last = one_line_failure(run_target(target_config(sb), [], tmp_path=tmp_path, wrapper=wrapper))
    assert last.endswith(
        "line 2: InvalidInputLine: longer than 16 MiB, far beyond the 32 KB of a Zendesk"
        " record; not read further"
    )
    assert int(peak.read_text()) * 1024 < 300 * MIB  # the line was never held whole
