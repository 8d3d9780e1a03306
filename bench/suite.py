"""The benchmark suite: every measurement in one run, one markdown table in bench/results/RESULTS.md.

Run `bench/run` (full sizes) or `bench/run --quick` (tiny sizes, for the smoke test; its table goes to
bench/results/RESULTS-quick.md). Every figure is a ratio of two things measured in this same run, because
the machines are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from dataclasses import dataclass

from bench import (
    end_to_end,
    lookups,
    memory,
    paced,
    peer_cpu,
    people_throughput,
    startup,
    tap_cpu,
    target_throughput,
    token_renewal,
    warehouse,
)
from bench.common import RESULTS, Row, table_lines


@dataclass(frozen=True)
class Sizes:
    """How big each measurement runs."""

    quick: bool  # passed to modules that own their sizes (bench/target_throughput.py)
    cpu_tickets: int
    cpu_object_records: int
    cpu_people: int  # users and organizations, as many of each
    peer_tickets: int
    peer_shipped_seconds: float
    paced_tickets: int
    paced_page_size: int
    paced_window: float
    paced_all_tickets: int  # the all-streams run: tickets, and users and organizations as many of each
    paced_all_people: int
    memory_sizes: tuple[int, ...]
    target_memory_sizes: tuple[int, ...]
    end_to_end_records: int
    startup_runs: int
    warehouse_tickets: int = 20_000  # the warehouse's paced exports (bench/warehouse.py)
    warehouse_people: int = 10_000
    comment_cpu_tickets: int = 50_000


FULL = Sizes(
    quick=False,
    cpu_tickets=100_000,
    cpu_object_records=100_000,
    cpu_people=100_000,
    peer_tickets=20_000,
    peer_shipped_seconds=75.0,
    paced_tickets=100_000,
    paced_page_size=1_000,
    paced_window=5.0,
    paced_all_tickets=20_000,
    paced_all_people=10_000,
    memory_sizes=(10_000, 100_000, 1_000_000),
    target_memory_sizes=(10_000, 100_000, 1_000_000),
    end_to_end_records=100_000,
    startup_runs=9,
)
QUICK = Sizes(
    quick=True,
    cpu_tickets=3_000,
    cpu_object_records=3_000,
    cpu_people=3_000,
    peer_tickets=600,
    peer_shipped_seconds=3.0,
    paced_tickets=3_000,
    paced_page_size=100,
    paced_window=0.3,
    paced_all_tickets=2_000,
    paced_all_people=1_000,
    memory_sizes=(1_000, 3_000),
    target_memory_sizes=(500, 2_000),
    end_to_end_records=3_000,
    startup_runs=2,
    warehouse_tickets=1_500,
    warehouse_people=500,
    comment_cpu_tickets=1_500,
)


def run_suite(sizes: Sizes) -> list[Row]:
    """Run every measurement and return the table rows, in order."""
    rows, cpu = tap_cpu.measure(sizes.cpu_tickets, sizes.cpu_object_records, sizes.cpu_people)
    peer = peer_cpu.measure(sizes.peer_tickets, sizes.peer_shipped_seconds)
    rows += peer_cpu.rows(peer, cpu["tickets"].tap)
    rows += paced.measure(sizes.paced_tickets, sizes.paced_page_size, sizes.paced_window)[0]
    rows += paced.measure_all_streams(
        sizes.paced_all_tickets, sizes.paced_all_people, sizes.paced_page_size // 2, sizes.paced_window
    )
    rows += warehouse.measure_comment_cpu(sizes.comment_cpu_tickets)
    rows += warehouse.measure_exports(
        sizes.warehouse_tickets, sizes.warehouse_people, sizes.paced_page_size, sizes.paced_window
    )
    rows += target_throughput.run(sizes.quick)
    rows += lookups.run(sizes.quick)
    rows += people_throughput.run(sizes.quick)
    rows += memory.rows("tap", "tickets", memory.tap_runs(list(sizes.memory_sizes)))
    rows += memory.rows("target", "records", memory.target_runs(list(sizes.target_memory_sizes)))
    rows += end_to_end.measure(sizes.end_to_end_records)[0]
    rows += startup.measure(sizes.startup_runs)
    rows += token_renewal.measure(sizes.paced_tickets, sizes.paced_page_size, sizes.paced_window)
    return rows


def markdown(rows: list[Row], *, quick: bool, took: float) -> str:
    """Render the rows as a markdown table with a header saying where and when it was measured."""
    lines = [
        f"# Benchmark results ({'quick sizes' if quick else 'full sizes'})",
        "",
        (
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} CPUs, {took:.0f} s in all."
        ),
        "",
        *table_lines(rows),
    ]
    return "\n".join(lines) + "\n"


def results_name(*, quick: bool) -> str:
    """Return the results file name; a quick run never overwrites the full run's table."""
    return "RESULTS-quick.md" if quick else "RESULTS.md"


def main(argv: list[str] | None = None) -> None:
    """Run the suite, write bench/results/RESULTS.md (RESULTS-quick.md with --quick) and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (seconds, not minutes)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = run_suite(QUICK if args.quick else FULL)
    text = markdown(rows, quick=args.quick, took=time.monotonic() - started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / results_name(quick=args.quick)).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
