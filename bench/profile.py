"""Where the tap and the target spend their CPU: cProfile of one export and one bulk load.

`python -m bench.profile` (full sizes: 100,000 tickets; 100,000 records in `jobs` mode) or `--quick` writes
bench/results/profile-tap.txt and profile-target.txt: the functions with the most time of their own, then
the most time including callees. Run it before optimising, and again after, to see what moved.

cProfile sees the main thread only: for the target that is the input loop (reading, validation, mapping,
buffering); job POSTs and polls run on worker threads and mostly wait on the network.
"""

from __future__ import annotations

import argparse
import io
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import (
    RESULTS,
    SandboxProcess,
    tap_command,
    tap_config,
    unlimited_options,
)
from bench.memory import run_target_on_generated

TOP = 25


def cprofile(profile_file: Path) -> list[str]:
    """Return what goes before a Python console script's command line to run it under cProfile."""
    return [sys.executable, "-m", "cProfile", "-o", str(profile_file)]


def report(profile_file: Path, title: str) -> str:
    """Return the top functions by own time and by cumulative time, as text."""
    out = io.StringIO()
    out.write(f"# {title}\n\n")
    stats = pstats.Stats(str(profile_file), stream=out)
    stats.strip_dirs()
    out.write("## by own time (tottime)\n")
    stats.sort_stats(pstats.SortKey.TIME).print_stats(TOP)
    out.write("## by cumulative time (cumtime)\n")
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(TOP)
    return out.getvalue()


def profile_tap(tickets: int, workdir: Path) -> str:
    """Profile an unthrottled export of `tickets` tickets; return the report."""
    profile_file = workdir / "tap.prof"
    with SandboxProcess(tickets, options=unlimited_options()) as sandbox:
        command = tap_command(workdir, tap_config(sandbox.url), "tickets")
        subprocess.run([*cprofile(profile_file), *command], stdout=subprocess.DEVNULL, check=True)
    return report(profile_file, f"tap-zendesk-objects: export of {tickets:,} tickets (main thread)")


def profile_target(records: int, workdir: Path) -> str:
    """Profile the target loading `records` generated records in `jobs` mode into a fast sandbox."""
    profile_file = workdir / "target.prof"
    run_target_on_generated(records, workdir, wrapper=cprofile(profile_file), write_mode="jobs")
    return report(profile_file, f"target-zendesk-objects: {records:,} records in `jobs` mode (main thread)")


def main(argv: list[str] | None = None) -> None:
    """Profile both plugins and write bench/results/profile-{tap,target}.txt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds, not minutes)")
    args = parser.parse_args(argv)
    size = 2_000 if args.quick else 100_000
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as name:
        for who, text in (
            ("tap", profile_tap(size, Path(name))),
            ("target", profile_target(size, Path(name))),
        ):
            path = RESULTS / f"profile-{who}.txt"
            path.write_text(text, encoding="utf-8")
            print(f"{path}:\n" + "\n".join(text.splitlines()[: TOP + 12]) + "\n")


if __name__ == "__main__":
    main()
