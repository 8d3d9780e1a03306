"""Peak memory (RSS, from os.wait4) of the tap at three export sizes; the goal is flat with size."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import (
    ProcessRun,
    Row,
    SandboxProcess,
    run_counted,
    tap_command,
    tap_config,
    unlimited_options,
)

GOAL_GROWTH = 0.10


def tap_runs(sizes: list[int]) -> dict[int, ProcessRun]:
    """Export `sizes` tickets each from an unthrottled sandbox; return the runs by size."""
    runs = {}
    for size in sizes:
        with SandboxProcess(size, options=unlimited_options()) as sandbox, tempfile.TemporaryDirectory() as d:
            runs[size] = run_counted(tap_command(Path(d), tap_config(sandbox.url), "tickets"))
        if runs[size].records != size:
            msg = f"the tap exported {runs[size].records} of {size} tickets"
            raise RuntimeError(msg)
    return runs


def rows(who: str, unit: str, runs: dict[int, ProcessRun]) -> list[Row]:
    """Return one row per size, the largest judged against the smallest."""
    sizes = sorted(runs)
    smallest = runs[sizes[0]].rss_mb
    out = []
    for size in sizes:
        run = runs[size]
        growth = run.rss_mb / smallest
        judged = size == sizes[-1] and len(sizes) > 1
        out.append(
            Row(
                "4. memory",
                f"{who} peak RSS at {size:,} {unit} ÷ at {sizes[0]:,}",
                f"{run.rss_mb:.0f} MB ({run.wall:.1f} s wall)",
                growth,
                f"≤ {1 + GOAL_GROWTH:.2f}" if judged else "",
                growth <= 1 + GOAL_GROWTH if judged else None,
            )
        )
    return out
