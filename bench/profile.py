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
    FAST_JOBS_SETTINGS,
    RESULTS,
    TARGET,
    SandboxProcess,
    fast_jobs_options,
    tap_command,
    tap_config,
    target_config,
    unlimited_options,
    write_json,
)

TOP = 25


def profiled(command: list[str], profile_file: Path) -> list[str]:
    """Return `command` (a Python console script and its arguments) run under cProfile."""
    return [sys.executable, "-m", "cProfile", "-o", str(profile_file), *command]


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
        subprocess.run(profiled(command, profile_file), stdout=subprocess.DEVNULL, check=True)
    return report(profile_file, f"tap-zendesk-objects: export of {tickets:,} tickets (main thread)")


def profile_target(records: int, workdir: Path) -> str:
    """Profile the target loading `records` generated records in `jobs` mode into a fast sandbox."""
    profile_file = workdir / "target.prof"
    db = workdir / "target.sqlite"
    with SandboxProcess(100, options=fast_jobs_options(), settings=FAST_JOBS_SETTINGS, db=db) as sandbox:
        config = write_json(target_config(sandbox.url, workdir, write_mode="jobs"), workdir, "target.json")
        generator = subprocess.Popen(
            [sys.executable, "-m", "bench.singer_lines", "--records", str(records)], stdout=subprocess.PIPE
        )
        try:
            command = profiled([TARGET, "--config", str(config)], profile_file)
            subprocess.run(command, stdin=generator.stdout, stdout=subprocess.DEVNULL, check=True)
        finally:
            if generator.stdout is not None:
                generator.stdout.close()
            generator.wait(timeout=60)
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
