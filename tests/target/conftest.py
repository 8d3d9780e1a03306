"""The target harness: a sandbox, its configs, Singer input builders, and a subprocess run of the target."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devtools import sandbox_configs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from zendesk_sandbox.sandbox import Sandbox

RUN_TIMEOUT_SECONDS = 120
# Bulk jobs that start at once and run fast; with a one-second budget window (`sb`).
FAST_JOBS: dict[str, Any] = {"job_queue_seconds": 0.05, "job_items_per_second": 5000}
FAST_SANDBOX: dict[str, Any] = {**FAST_JOBS, "window_seconds": 1}
# The same jobs in a sandbox seeded with no custom object records.
FAST_EMPTY: dict[str, Any] = {**FAST_JOBS, "records_per_object": 0}


@dataclass
class TargetRun:
    """What one run of the target printed and wrote."""

    returncode: int
    states: list[dict[str, Any]]
    stdout: str
    stderr: str
    rejected: list[dict[str, Any]]


@pytest.fixture
def sb(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with the test-sized data, fast jobs and a one-second budget window."""
    return sandbox_factory(**FAST_SANDBOX)


def target_config(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    """A config for sandbox `sb`: its URL and credentials, fast settings; `overrides` win."""
    fast = {"requests_per_minute": 100_000, "request_timeout_seconds": 30, "max_concurrent_jobs": 10}
    return sandbox_configs.target_config(sb.url, **{**fast, **overrides})


def run_target(
    config: dict[str, Any],
    lines: Sequence[str] | str | Path,
    *,
    tmp_path: Path,
    timeout: float = RUN_TIMEOUT_SECONDS,
    wrapper: Sequence[str] = (),
) -> TargetRun:
    """Run the console script with `config`, feeding `lines` (a list, a text, or a file) on stdin.

    `wrapper`: a command the target's command line is appended to (e.g. one that measures it).
    """
    config = dict(config)
    rejected_path = Path(config.setdefault("rejected_records_path", str(tmp_path / "rejected.jsonl")))
    config_path = tmp_path / "target-config.json"
    config_path.write_text(json.dumps(config))
    if isinstance(lines, Path):
        text = lines.read_text()
    elif isinstance(lines, str):
        text = lines
    else:
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    completed = subprocess.run(
        [*wrapper, sys.executable, "-m", "target_zendesk_objects", "--config", str(config_path)],
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    states = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    rejected = (
        [json.loads(line) for line in rejected_path.read_text().splitlines() if line.strip()]
        if rejected_path.exists()
        else []
    )
    return TargetRun(completed.returncode, states, completed.stdout, completed.stderr, rejected)


def singer_lines(
    stream: str,
    schema: dict[str, Any],
    records: Sequence[dict[str, Any]],
    *,
    key_properties: Sequence[str],
    states_every: int | None = None,
) -> list[str]:
    """SCHEMA, RECORDs and STATEs ({stream: {"seq": n}}) every `states_every` records and at the end."""
    lines = [
        json.dumps(
            {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": list(key_properties)}
        )
    ]
    seq = 0
    for index, record in enumerate(records, start=1):
        lines.append(record_line(stream, record))
        if states_every and index % states_every == 0:
            seq += 1
            lines.append(state_line(stream, seq))
    seq += 1
    lines.append(state_line(stream, seq))
    return lines


def record_line(stream: str, record: dict[str, Any]) -> str:
    """One RECORD line of `stream`."""
    return json.dumps({"type": "RECORD", "stream": stream, "record": record})


def state_line(stream: str, seq: int) -> str:
    """One STATE line whose value tells its position: `{"bookmarks": {stream: {"seq": seq}}}`."""
    return json.dumps({"type": "STATE", "value": {"bookmarks": {stream: {"seq": seq}}}})


def records_by_external_id(sb: Sandbox, key: str) -> dict[str, dict[str, Any]]:
    """The sandbox's non-deleted records of custom object `key`, by external id."""
    return {
        str(record["external_id"]): record
        for record in sb.admin.custom_object_records(key, include_deleted=False)
        if record.get("external_id") is not None
    }


def records_by_name(sb: Sandbox, key: str) -> dict[str, dict[str, Any]]:
    """The sandbox's non-deleted records of custom object `key`, by name."""
    return {
        str(record["name"]): record for record in sb.admin.custom_object_records(key, include_deleted=False)
    }


def vendor_schema() -> dict[str, Any]:
    """A flat schema for the sandbox's `vendor` object (unique names)."""
    return {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "email": {"type": ["string", "null"]},
            "rating": {"type": ["integer", "null"]},
            "categories": {"type": ["array", "null"], "items": {"type": "string"}},
            "active": {"type": ["boolean", "null"]},
            "summary": {"type": ["string", "null"]},
            "deleted": {"type": ["boolean", "null"]},
        },
    }


def vendor_record(n: int, **changes: Any) -> dict[str, Any]:
    """A valid flat vendor record number `n`."""
    record: dict[str, Any] = {
        "external_id": f"v-{n}",
        "name": f"Vendor {n}",
        "email": f"vendor{n}@example.com",
        "rating": n % 5,
        "categories": ["plumbing"] if n % 2 else ["cleaning", "electrical"],
        "active": n % 3 == 0,
        "summary": f"Vendor number {n}",
    }
    record.update(changes)
    return record


def vendor_lines(numbers: Iterable[int], *, states_every: int | None = None) -> list[str]:
    """The `vendor` stream's SCHEMA and the vendor records numbered `numbers`, keyed by `external_id`."""
    records = [vendor_record(n) for n in numbers]
    return singer_lines(
        "vendor", vendor_schema(), records, key_properties=["external_id"], states_every=states_every
    )
