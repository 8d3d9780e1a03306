"""The support warehouse's streams (issue 19): paced exports, what they cost in requests, CPU per comment.

1. Every export stream at once, the warehouse's included (tickets with metrics, users with identities,
   organizations, ticket events with comments, metric events), under one export limit on a short window:
   export requests per window ÷ the limit, counted as in paced.py, and the 429s.
2. Extra requests: the ticket and user exports' requests ÷ their pages of tickets and users (1.0: metrics
   and identities cost nothing), ticket event export requests per 1,000 events, and per-ticket requests
   (conversation logs) with `conversation_log` off.
3. CPU per `ticket_comments` record ÷ the `json` floor: fetching the same pages, counting only decoding
   each page and encoding each comment as a RECORD line with `json`, as tap_cpu.py does for tickets.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bench.common import (
    TAP,
    Row,
    SandboxProcess,
    run_counted,
    tap_catalog,
    tap_command,
    tap_config,
    unlimited_options,
    write_json,
)
from bench.paced import EXPORTS_PER_WINDOW, GOAL_OF_CEILING, RecordTimes
from devtools.sandbox_configs import DEMO_TOKEN

EVENTS_PATH = "/api/v2/incremental/ticket_events"
EXPORT_KINDS = (
    "ticket_export",
    "user_export",
    "organization_export",
    "ticket_event_export",
    "ticket_metric_event_export",
)
STREAMS = (
    "tickets",
    "ticket_metrics",
    "users",
    "user_identities",
    "organizations",
    "ticket_events",
    "ticket_comments",
    "ticket_metric_events",
)
GOAL_COMMENT_X_FLOOR = 2.0
GOAL_REQUESTS_PER_1000_COMMENTS = 1.0


def _catalog(config_path: Path) -> dict[str, Any]:
    catalog = tap_catalog(config_path, STREAMS[0])
    for entry in catalog["streams"]:
        for item in entry.get("metadata", []):
            if item.get("breadcrumb") == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in STREAMS
    return catalog


def measure_exports(tickets: int, people: int, page_size: int, window: float) -> list[Row]:
    """Export every warehouse export stream under one limit; the pacing and request-cost rows."""
    options = ["--export-limit", str(EXPORTS_PER_WINDOW), "--window-seconds", str(window)]
    with (
        SandboxProcess(tickets, options=options, people=people) as sandbox,
        tempfile.TemporaryDirectory() as workdir,
    ):
        config = tap_config(
            sandbox.url,
            custom_object_keys=[],
            page_size=page_size,
            export_requests_per_minute=EXPORTS_PER_WINDOW,
            export_window_seconds=window,
        )
        config_path = write_json(config, Path(workdir), "tap-config.json")
        catalog_path = write_json(_catalog(config_path), Path(workdir), "catalog.json")
        sandbox.reset_stats()
        times = RecordTimes()
        lines: dict[str, int] = {}

        def see(line: bytes) -> None:
            times.see(line)
            if line.startswith(b'{"type":"RECORD","stream":"'):
                name = line[27 : line.index(b'"', 27)].decode()
                lines[name] = lines.get(name, 0) + 1

        run = run_counted([TAP, "--config", str(config_path), "--catalog", str(catalog_path)], on_line=see)
        stats = sandbox.stats()
    kinds = stats["requests_by_kind"]
    exports = sum(int(kinds.get(kind, 0)) for kind in EXPORT_KINDS)
    span = times.last - (times.first or times.last)
    if exports < 2 * EXPORTS_PER_WINDOW or span <= 0:
        msg = f"a warehouse export of {exports} export requests is too short to measure"
        raise RuntimeError(msg)
    per_window = (exports - 1) / (span / window)
    limited = sum(stats["rate_limited"].values())
    pages = math.ceil(lines.get("tickets", 0) / page_size) + math.ceil(lines.get("users", 0) / page_size)
    walks = int(kinds.get("ticket_export", 0)) + int(kinds.get("user_export", 0))
    comments, events = lines.get("ticket_comments", 0), lines.get("ticket_events", 0)
    per_1000 = int(kinds.get("ticket_event_export", 0)) / max(events, 1) * 1000
    per_ticket = int(kinds.get("conversation_log", 0))
    by_kind = ", ".join(f"{kinds.get(kind, 0)} {kind.removesuffix('_export')}" for kind in EXPORT_KINDS)
    return [
        Row(
            "2b. warehouse",
            f"every export stream at once, the warehouse's included: export requests per window ÷ limit"
            f" ({EXPORTS_PER_WINDOW} per {window:g} s window shared)",
            f"{exports} export requests ({by_kind}), {run.records:,} records, {limited} 429s;"
            f" {per_window:.2f} per window",
            per_window / EXPORTS_PER_WINDOW,
            f"≥ {GOAL_OF_CEILING:.0%}, no 429",
            per_window / EXPORTS_PER_WINDOW >= GOAL_OF_CEILING and limited == 0,
        ),
        Row(
            "2b. warehouse",
            "ticket and user export requests ÷ their pages (metrics and identities ride along)",
            f"{walks} requests for {pages} pages of tickets and users; {lines.get('ticket_metrics', 0):,}"
            f" metric and {lines.get('user_identities', 0):,} identity records",
            walks / max(pages, 1),
            "1.0 (0 extra)",
            walks == pages,
        ),
        Row(
            "2b. warehouse",
            "ticket event export requests per 1,000 events (comments from the same pages)",
            f"{kinds.get('ticket_event_export', 0)} requests for {comments:,} comments and"
            f" {lines.get('ticket_events', 0):,} events; {per_ticket} per-ticket requests",
            per_1000,
            f"≤ {GOAL_REQUESTS_PER_1000_COMMENTS:g}, 0 per ticket",
            per_1000 <= GOAL_REQUESTS_PER_1000_COMMENTS and per_ticket == 0,
        ),
    ]


def comment_floor(url: str) -> tuple[int, float]:
    """Return comments and CPU seconds to decode every ticket event page and encode its comments."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {DEMO_TOKEN}"
    params: dict[str, Any] = {"start_time": 0, "include": "comment_events"}
    seen: set[Any] = set()
    cpu = 0.0
    extracted = "2026-01-01T00:00:00.000000+00:00"
    while True:
        response = session.get(f"{url}{EVENTS_PATH}", params=params, timeout=300)
        response.raise_for_status()
        content = response.content
        start = time.process_time()
        body = json.loads(content)
        for event in body["ticket_events"]:
            for child in event["child_events"]:
                if child.get("event_type") == "Comment":
                    record = {**child, "ticket_id": event["ticket_id"]}
                    message = {"type": "RECORD", "stream": "ticket_comments", "record": record}
                    json.dumps({**message, "time_extracted": extracted}, separators=(",", ":"))
                    seen.add(child["id"])
        cpu += time.process_time() - start
        if body["end_of_stream"]:
            return len(seen), cpu
        start_time = parse_qs(urlsplit(body["next_page"]).query)["start_time"][0]
        params = {**params, "start_time": start_time}


def measure_comment_cpu(tickets: int) -> list[Row]:
    """CPU per ticket_comments record of the tap ÷ the `json` floor."""
    with SandboxProcess(tickets, options=unlimited_options()) as sandbox, tempfile.TemporaryDirectory() as d:
        config = tap_config(sandbox.url, custom_object_keys=[])
        tap = run_counted(tap_command(Path(d), config, "ticket_comments"))
        last_hour = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
        fixed = run_counted(tap_command(Path(d), {**config, "start_date": last_hour}, "ticket_comments"))
        floor_records, floor_cpu = comment_floor(sandbox.url)
    if floor_records != tap.records:
        msg = f"the tap wrote {tap.records} comments where the export holds {floor_records}"
        raise RuntimeError(msg)
    floor_us = floor_cpu / max(floor_records, 1) * 1e6
    ratio = tap.cpu_us_per_record / floor_us
    marginal = (tap.cpu - fixed.cpu) / max(tap.records, 1) * 1e6
    return [
        Row(
            "1. tap CPU",
            f"ticket comments: tap ÷ `json` floor ({tap.records:,} records)",
            f"{tap.cpu_us_per_record:.1f} µs vs {floor_us:.1f} µs per record; {marginal:.1f} µs"
            f" ({marginal / floor_us:.2f}x) above the tap's fixed {fixed.cpu:.2f} s",
            ratio,
            f"≤ {GOAL_COMMENT_X_FLOOR:g}x",
            ratio <= GOAL_COMMENT_X_FLOOR,
        )
    ]
