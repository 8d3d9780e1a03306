"""Tap CPU per record, for tickets, custom object records, users and organizations, beside the `json` floor.

The floor is the CPU time of decoding the same 1,000-record export pages with `json` and encoding every
record as a Singer RECORD line with `json` (the pages are fetched outside the timed part). The tap figure is
the user+sys CPU of a whole `tap-zendesk-objects` process (os.wait4), start-up included, exporting the same
records from a sandbox with its limits lifted. The same tap asked for the last hour only (no records, one
page) gives its fixed cost (interpreter, imports, discovery); the figure also shows the CPU per record
above that fixed cost, which is what a long export converges to.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests

from bench.common import (
    CUSTOM_OBJECT,
    EMAIL,
    OBJECT_STREAM,
    TOKEN,
    ProcessRun,
    Row,
    SandboxProcess,
    run_counted,
    tap_command,
    tap_config,
    unlimited_options,
)

if TYPE_CHECKING:
    from collections.abc import Callable

TICKETS_PATH = "/api/v2/incremental/tickets/cursor"
OBJECTS_PATH = f"/api/v2/incremental/custom_objects/{CUSTOM_OBJECT}/cursor"
USERS_PATH = "/api/v2/incremental/users/cursor"
ORGANIZATIONS_PATH = "/api/v2/incremental/organizations"
GOAL_X_FLOOR = 3.0
# Tickets' own goal (issue 12): typing their custom field values must not take them above the floor.
GOAL_TICKETS_X_FLOOR = 1.0


@dataclass(frozen=True)
class Export:
    """Where a stream's records come from: the export's path, its records array, the sideload it asks."""

    path: str
    records_key: str
    include: str = ""
    # The page's records, when they are not its records array as it is (the comments inside ticket events).
    extract: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None

    def records(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        """The records of one decoded page."""
        return list(page[self.records_key]) if self.extract is None else self.extract(page)


@dataclass
class CpuResult:
    """The tap and the floor on one stream."""

    stream: str
    tap: ProcessRun
    fixed_cpu: float
    floor_records: int
    floor_cpu: float

    @property
    def floor_us(self) -> float:
        """Return the floor's CPU microseconds per record."""
        return self.floor_cpu / max(self.floor_records, 1) * 1e6

    @property
    def marginal_us(self) -> float:
        """Return the tap's CPU microseconds per record above its fixed cost."""
        return (self.tap.cpu - self.fixed_cpu) / max(self.tap.records, 1) * 1e6

    @property
    def x_floor(self) -> float:
        """Return the tap's CPU per record as a multiple of the floor's."""
        return self.tap.cpu_us_per_record / self.floor_us


def floor_cpu(url: str, export: Export, stream: str) -> tuple[int, float]:
    """Return records and CPU seconds to decode every page and encode its records with `json`."""
    session = requests.Session()
    session.auth = (f"{EMAIL}/token", TOKEN)
    base: dict[str, Any] = {"per_page": 1000, **({"include": export.include} if export.include else {})}
    params = {**base, "start_time": 0}
    records, cpu = 0, 0.0
    # A time-based export repeats the records of a page's last second on the next page (wire notes §18.2):
    # their decoding counts in the floor's CPU, but each record once in its count, as the tap writes it.
    seen: set[Any] = set()
    extracted = "2026-01-01T00:00:00.000000+00:00"
    while True:
        response = session.get(f"{url}{export.path}", params=params, timeout=300)
        response.raise_for_status()
        body_bytes = response.content
        start = time.process_time()
        body = json.loads(body_bytes)
        rows = export.records(body)
        for record in rows:
            message = {"type": "RECORD", "stream": stream, "record": record, "time_extracted": extracted}
            json.dumps(message, separators=(",", ":"))
        cpu += time.process_time() - start
        if "next_page" in body:  # time-based
            seen.update(record["id"] for record in rows)
            if body["end_of_stream"]:
                return len(seen), cpu
            params = {**base, "start_time": parse_qs(urlsplit(body["next_page"]).query)["start_time"][0]}
            continue
        records += len(rows)
        more = not body.get("end_of_stream", False) and body.get("meta", {}).get("has_more", True)
        if not more or not body.get("after_cursor"):
            return records, cpu
        params = {**base, "cursor": body["after_cursor"]}


def measure_stream(url: str, stream: str, export: Export) -> CpuResult:
    """Run the tap on `stream` (first, before this process holds any pages), then the floor."""
    last_hour = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory() as workdir:
        tap = run_counted(tap_command(Path(workdir), tap_config(url), stream))
        fixed = run_counted(tap_command(Path(workdir), tap_config(url, start_date=last_hour), stream))
    floor_records, floor = floor_cpu(url, export, stream)
    if floor_records != tap.records:
        msg = f"the tap wrote {tap.records} {stream} records where the export holds {floor_records}"
        raise RuntimeError(msg)
    return CpuResult(
        stream=stream, tap=tap, fixed_cpu=fixed.cpu, floor_records=floor_records, floor_cpu=floor
    )


def row(label: str, result: CpuResult, goal: float) -> Row:
    """The table row of one stream: the tap's CPU per record ÷ the floor's, and above its fixed cost."""
    return Row(
        "1. tap CPU",
        f"{label}: tap ÷ `json` floor ({result.tap.records:,} records)",
        f"{result.tap.cpu_us_per_record:.1f} µs vs {result.floor_us:.1f} µs per record; "
        f"{result.marginal_us:.1f} µs ({result.marginal_us / result.floor_us:.2f}x) above the "
        f"tap's fixed {result.fixed_cpu:.2f} s",
        result.x_floor,
        f"≤ {goal:g}x",
        result.x_floor <= goal,
    )


def measure(tickets: int, object_records: int, people: int) -> tuple[list[Row], dict[str, CpuResult]]:
    """Measure tickets, custom object records, users and organizations; return rows and results by stream."""
    results: dict[str, CpuResult] = {}
    with SandboxProcess(tickets, options=unlimited_options()) as sandbox:
        results["tickets"] = measure_stream(sandbox.url, "tickets", Export(TICKETS_PATH, "tickets"))
    with SandboxProcess(1_000, records_per_object=object_records, options=unlimited_options()) as sandbox:
        objects = Export(OBJECTS_PATH, "custom_object_records")
        results[OBJECT_STREAM] = measure_stream(sandbox.url, OBJECT_STREAM, objects)
    with SandboxProcess(1_000, people=people, options=unlimited_options()) as sandbox:
        results["users"] = measure_stream(sandbox.url, "users", Export(USERS_PATH, "users"))
        organizations = Export(ORGANIZATIONS_PATH, "organizations")
        results["organizations"] = measure_stream(sandbox.url, "organizations", organizations)
    labels = {"tickets": "tickets", OBJECT_STREAM: "custom object records"}
    rows = [
        row(labels.get(stream, stream), result, GOAL_TICKETS_X_FLOOR if stream == "tickets" else GOAL_X_FLOOR)
        for stream, result in results.items()
    ]
    return rows, results
