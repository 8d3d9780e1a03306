"""Paced throughput: a long ticket export against the real export limit on a short window.

The sandbox enforces 10 export requests per window (the real limit per minute, on a window of a few seconds)
and the tap paces itself to the same 10 per window, so the ceiling is 10 x page size records per window.
Achieved = pages ÷ windows elapsed, from the first page to the first page of the last batch of ten (page
91 of 100): a perfectly paced export starts every tenth page exactly one window after the one ten before
it. Counting from page 1, not process start, leaves out start-up; stopping at the last batch's first
page leaves out the nine pages a serial client then fetches at its own speed, which on a short window
would weigh far more than on Zendesk's real minute.

A second run exports every export stream at once (tickets, users, organizations, the custom object), all
sharing the one export pacer: export requests per window ÷ the limit, where a perfectly paced client sends
its N export requests N - 1 spacings (window ÷ limit) apart, from the first page's first record to the last.
`streams_export()` runs any such set of streams (bench/warehouse.py runs the warehouse's).
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import (
    OBJECT_STREAM,
    RECORD_PREFIXES,
    TAP,
    ProcessRun,
    Row,
    SandboxProcess,
    run_counted,
    tap_catalog,
    tap_command,
    tap_config,
    write_json,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

EXPORTS_PER_WINDOW = 10
GOAL_OF_CEILING = 0.95
GOAL_429_PER_100 = 1.0


class PageStarts:
    """Arrival times of the first RECORD line of every page on the tap's stdout."""

    def __init__(self, page_size: int) -> None:
        """Watch for pages of `page_size` records."""
        self.page_size = page_size
        self.records = 0
        self.times: list[float] = []

    def see(self, line: bytes) -> None:
        """Note one line of output."""
        if line.startswith(RECORD_PREFIXES):
            if self.records % self.page_size == 0:
                self.times.append(time.monotonic())
            self.records += 1


@dataclass(frozen=True)
class PacedExport:
    """One paced ticket export: how close to the ceiling it ran, and what the sandbox counted."""

    pages: int
    page_size: int
    window: float
    achieved: float  # tickets per window, from the first page to the first page of the last batch of ten
    run: ProcessRun
    stats: dict[str, Any]

    @property
    def ceiling(self) -> int:
        """Tickets per window a perfectly paced client reaches."""
        return EXPORTS_PER_WINDOW * self.page_size


@contextmanager
def paced_sandbox(  # noqa: PLR0913 (the data set, the pacing, and what the sandbox and the tap add)
    tickets: int,
    page_size: int,
    window: float,
    *,
    people: int | None = None,
    settings: dict[str, Any] | None = None,
    login: Callable[[str, Path], dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Iterator[tuple[SandboxProcess, Path, dict[str, Any]]]:
    """A sandbox enforcing the export limit per `window` seconds, a work dir, a tap config paced to it.

    `settings` go to the sandbox; `login(url, workdir)` gives the tap's auth (default: the static token),
    `extra` more tap settings.
    """
    options = ["--export-limit", str(EXPORTS_PER_WINDOW), "--window-seconds", str(window)]
    with (
        SandboxProcess(tickets, options=options, settings=settings, people=people) as sandbox,
        tempfile.TemporaryDirectory() as workdir,
    ):
        config = tap_config(
            sandbox.url,
            page_size=page_size,
            export_requests_per_minute=EXPORTS_PER_WINDOW,
            export_window_seconds=window,
            **(login(sandbox.url, Path(workdir)) if login is not None else {}),
            **(extra or {}),
        )
        yield sandbox, Path(workdir), config


def paced_export(
    tickets: int,
    page_size: int,
    window: float,
    *,
    settings: dict[str, Any] | None = None,
    login: Callable[[str, Path], dict[str, Any]] | None = None,
) -> PacedExport:
    """Run the paced ticket export: `settings` for the sandbox, `login(url, workdir)` the tap's auth."""
    with paced_sandbox(tickets, page_size, window, settings=settings, login=login) as (
        sandbox,
        workdir,
        config,
    ):
        command = tap_command(workdir, config, "tickets")
        sandbox.reset_stats()
        page_starts = PageStarts(page_size)
        run = run_counted(command, on_line=page_starts.see)
        stats = sandbox.stats()
    pages = math.ceil(run.records / page_size)
    last_batch = (pages - 1) // EXPORTS_PER_WINDOW * EXPORTS_PER_WINDOW  # 0-based index of its first page
    if last_batch < EXPORTS_PER_WINDOW:
        msg = f"a paced export of {pages} pages is too short to measure"
        raise RuntimeError(msg)
    span_windows = (page_starts.times[last_batch] - page_starts.times[0]) / window
    achieved = last_batch * page_size / span_windows
    return PacedExport(pages, page_size, window, achieved, run, stats)


def measure(tickets: int, page_size: int, window: float) -> tuple[list[Row], ProcessRun]:
    """Run the paced export; return the table rows and the tap run."""
    export = paced_export(tickets, page_size, window)
    pages, stats, run, ceiling, achieved = (
        export.pages,
        export.stats,
        export.run,
        export.ceiling,
        export.achieved,
    )
    limited = sum(stats["rate_limited"].values())
    per_100 = limited / max(stats["requests"], 1) * 100
    rows = [
        Row(
            "2. paced export",
            f"tickets per window ÷ ceiling ({pages} pages of {page_size}, "
            f"{EXPORTS_PER_WINDOW} per {window:g} s window)",
            f"{achieved:,.0f} of {ceiling:,} per window; {run.wall:.1f} s wall",
            achieved / ceiling,
            f"≥ {GOAL_OF_CEILING:.0%}",
            achieved / ceiling >= GOAL_OF_CEILING,
        ),
        Row(
            "2. paced export",
            "429 answers per 100 requests",
            f"{limited} of {stats['requests']} requests",
            per_100,
            f"≤ {GOAL_429_PER_100:g}",
            per_100 <= GOAL_429_PER_100,
        ),
    ]
    return rows, run


# Every export the sandbox counts against the export limit, by its stats' request kinds.
EXPORT_KINDS = (
    "ticket_export",
    "user_export",
    "organization_export",
    "custom_object_export",
    "ticket_event_export",
    "ticket_metric_event_export",
)
STREAM_OF_RECORD = re.compile(rb'^\{"type":"RECORD","stream":"([^"]+)"')


@dataclass(frozen=True)
class StreamsExport:
    """Several export streams at once under one export limit: what the sandbox counted, what the tap wrote."""

    window: float
    run: ProcessRun
    kinds: dict[str, int]  # requests by kind, as the sandbox counted them
    limited: int  # 429s
    records: dict[str, int]  # RECORD lines by stream

    @property
    def exports(self) -> int:
        """Export requests, every kind."""
        return sum(self.kinds.get(kind, 0) for kind in EXPORT_KINDS)

    @property
    def per_window(self) -> float:
        """Export requests per window: N requests of a perfectly paced client lie N - 1 spacings apart."""
        span = (self.run.last_record_at or 0.0) - (self.run.first_record_at or 0.0)
        return (self.exports - 1) / (span / self.window)

    def row(self, section: str, what: str) -> Row:
        """The table row: export requests per window ÷ the limit, no 429."""
        by_kind = ", ".join(
            f"{self.kinds[kind]} {kind.removesuffix('_export')}"
            for kind in EXPORT_KINDS
            if kind in self.kinds
        )
        ratio = self.per_window / EXPORTS_PER_WINDOW
        return Row(
            section,
            f"{what}: export requests per window ÷ limit ({EXPORTS_PER_WINDOW} per {self.window:g} s window"
            " shared)",
            f"{self.exports} export requests ({by_kind}), {self.run.records:,} records, {self.limited} 429s;"
            f" {self.per_window:.2f} per window",
            ratio,
            f"≥ {GOAL_OF_CEILING:.0%}, no 429",
            ratio >= GOAL_OF_CEILING and self.limited == 0,
        )


def streams_export(
    tickets: int, people: int, page_size: int, window: float, streams: Sequence[str], **config: object
) -> StreamsExport:
    """Export `streams` at once, the sandbox's export limit the tap's; `config`: more tap settings."""
    with paced_sandbox(tickets, page_size, window, people=people, extra=config) as (
        sandbox,
        workdir,
        settings,
    ):
        config_path = write_json(settings, workdir, "tap-config.json")
        catalog_path = write_json(tap_catalog(config_path, *streams), workdir, "catalog.json")
        sandbox.reset_stats()
        records: dict[str, int] = {}

        def count(line: bytes) -> None:
            named = STREAM_OF_RECORD.match(line)
            if named:
                records[named[1].decode()] = records.get(named[1].decode(), 0) + 1

        run = run_counted([TAP, "--config", str(config_path), "--catalog", str(catalog_path)], on_line=count)
        stats = sandbox.stats()
    export = StreamsExport(
        window,
        run,
        {kind: int(n) for kind, n in stats["requests_by_kind"].items()},
        sum(stats["rate_limited"].values()),
        records,
    )
    if export.exports < 2 * EXPORTS_PER_WINDOW or run.first_record_at == run.last_record_at:
        msg = f"an export of {export.exports} export requests is too short to measure"
        raise RuntimeError(msg)
    return export


def measure_all_streams(tickets: int, people: int, page_size: int, window: float) -> list[Row]:
    """Export tickets, users, organizations and the custom object under one shared limit; the row."""
    streams = ("tickets", "users", "organizations", OBJECT_STREAM)
    export = streams_export(tickets, people, page_size, window, streams)
    return [export.row("2. paced export", "every export stream at once")]
