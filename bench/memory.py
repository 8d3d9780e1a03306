"""Peak memory (RSS, from os.wait4) of the tap and of the target at three sizes; the goal is flat with size.

The target is fed generated Singer lines (bench/singer_lines.py, its own process) through a pipe, into a
fresh sandbox whose jobs start at once and run as fast as the sandbox can apply them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import (
    TARGET,
    LastState,
    ProcessRun,
    Row,
    SandboxProcess,
    fast_jobs_sandbox,
    run_counted,
    run_piped,
    tap_command,
    tap_config,
    target_config,
    unlimited_options,
    write_json,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

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


def run_target_on_generated(
    size: int, workdir: Path, *, wrapper: Sequence[str] = (), **config: object
) -> ProcessRun:
    """Pipe `size` generated records into the target writing to a fresh fast-jobs sandbox; check the end.

    `wrapper` goes before the target's command line (e.g. `python -m cProfile -o FILE`).
    """
    db = workdir / f"target-{size}.sqlite"
    with fast_jobs_sandbox(db) as sandbox:
        config_path = write_json(target_config(sandbox.url, workdir, **config), workdir, "target-config.json")
        last_state = LastState()
        run, _ = run_piped(
            [sys.executable, "-m", "bench.singer_lines", "--records", str(size)],
            [*wrapper, TARGET, "--config", str(config_path)],
            on_line=last_state.see,
        )
    db.unlink(missing_ok=True)
    # The final STATE is printed only once Zendesk confirmed every record before it (issue 4).
    if last_state.value != {"bench": {"records": size}}:
        msg = f"the target's last STATE was {last_state.value!r} after {size} records"
        raise RuntimeError(msg)
    run.records = size
    return run


def target_runs(sizes: list[int]) -> dict[int, ProcessRun]:
    """Run the target on `sizes` generated records each; return the runs by size."""
    runs = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as name:
            runs[size] = run_target_on_generated(size, Path(name))
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
