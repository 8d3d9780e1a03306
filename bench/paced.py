"""Paced throughput: a long ticket export against the real export limit on a short window.

The sandbox enforces 10 export requests per window (the real limit per minute, on a window of a few seconds)
and the tap paces itself to the same 10 per window. A perfectly paced export sends its first 10 pages at
once and 10 more at the start of every later window, so after the first window it moves at most
10 x page size records per window: that is the ceiling. Achieved = records after the first 10 pages ÷
windows elapsed between the first and the last RECORD line, so process start-up does not count.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from bench.common import ProcessRun, Row, SandboxProcess, run_counted, tap_command, tap_config

EXPORTS_PER_WINDOW = 10
GOAL_OF_CEILING = 0.95
GOAL_429_PER_100 = 1.0


def measure(tickets: int, page_size: int, window: float) -> tuple[list[Row], ProcessRun]:
    """Run the paced export; return the table rows and the tap run."""
    options = ["--export-limit", str(EXPORTS_PER_WINDOW), "--window-seconds", str(window)]
    with SandboxProcess(tickets, options=options) as sandbox, tempfile.TemporaryDirectory() as workdir:
        config = tap_config(
            sandbox.url,
            page_size=page_size,
            export_requests_per_minute=EXPORTS_PER_WINDOW,
            export_window_seconds=window,
        )
        command = tap_command(Path(workdir), config, "tickets")
        sandbox.reset_stats()
        run = run_counted(command)
        stats = sandbox.stats()
    pages = math.ceil(run.records / page_size)
    if pages < 2 * EXPORTS_PER_WINDOW or run.first_record_at is None or run.last_record_at is None:
        msg = f"a paced export of {pages} pages is too short to measure"
        raise RuntimeError(msg)
    span_windows = (run.last_record_at - run.first_record_at) / window
    after_first_window = run.records - EXPORTS_PER_WINDOW * page_size
    ceiling = EXPORTS_PER_WINDOW * page_size
    achieved = after_first_window / span_windows
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
