"""Target throughput: records/s in `jobs`, `auto` and `upsert` mode against the ceiling the sandbox allows.

One sandbox (a subprocess) plays a Zendesk account whose job queue is the limit: at most `JOB_CAP` jobs
queued or working, each job waits `QUEUE_SECONDS` and then applies `ITEMS_PER_SECOND` items per second.
Every API request costs a `ROUND_TRIP_SECONDS` network round trip (loopback has none; a real Zendesk
request takes 100 ms or more, so this is kind to per-record upserts). Both sides allow `REQUESTS_PER_MINUTE`.

Ceiling for bulk writes, records/s = min(
    job cap:        JOB_CAP x 100 / (QUEUE_SECONDS + 100 / ITEMS_PER_SECOND)   (each slot holds one
                    100-item job for its queue wait plus its processing),
    request budget: REQUESTS_PER_MINUTE / 60 / 2 x 100                          (a job costs at least
                    one POST and one status poll),
    round trips:    100 / ROUND_TRIP_SECONDS                                    (jobs are POSTed one at a
                    time, in input order)).
Per-record upserts are one PATCH each, sent in input order: at most min(REQUESTS_PER_MINUTE / 60,
1 / ROUND_TRIP_SECONDS) records/s.

Records/s = records ÷ the time from the sandbox's first write request (job POST or PATCH; the target's
start-up excluded) to the target's last printed STATE (every record confirmed by then). A run of n full
waves of jobs ideally takes n x (QUEUE_SECONDS + 100 / ITEMS_PER_SECOND), so this is comparable with the
ceiling. Peak RSS of the target
(from os.wait4) at two input sizes shows memory staying flat. Goals: jobs >= 90% of the ceiling, jobs >=
20x upsert, auto >= 95% of the better of the two (the 5% allows for noise between two runs).

`python -m bench.target_throughput [--quick]` prints a markdown table; `run(quick)` returns its rows.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import TARGET, Row, SandboxProcess, run_counted, write_json
from bench.common import target_config as base_target_config

SECTION = "3. target throughput"
JOB_CAP = 30
JOB_ITEMS = 100
ITEMS_PER_SECOND = 40.0  # per job: 30 x 40 = 1,200 items/s in all, well under the sandbox worker's ~4,000
QUEUE_SECONDS = 0.2
ROUND_TRIP_SECONDS = 0.02
REQUESTS_PER_MINUTE = 6_000
STATE_EVERY = 1_000  # a tap-like input: one STATE per 1,000 records
GOAL_OF_CEILING = 0.90
GOAL_BULK_OVER_UPSERT = 20.0
GOAL_AUTO_OF_BEST = 0.95


@dataclass(frozen=True)
class Sizes:
    """Records per run."""

    bulk: int  # jobs and auto
    bulk_small: int  # the second jobs run, for the memory comparison
    upsert: int
    state_every: int


FULL = Sizes(bulk=36_000, bulk_small=9_000, upsert=1_000, state_every=STATE_EVERY)  # 12 and 3 full waves
QUICK = Sizes(bulk=2_000, bulk_small=600, upsert=60, state_every=200)


@dataclass(frozen=True)
class ModeRun:
    """One target run: its steady records/s, peak RSS, and what the sandbox counted."""

    mode: str
    records: int
    records_per_second: float
    rss_mb: float
    cpu_us_per_record: float
    requests: int
    jobs: int
    rate_limited: int


def ceilings() -> dict[str, float]:
    """Return each term of the bulk ceiling and the upsert ceiling, in records/s."""
    per_job_seconds = QUEUE_SECONDS + JOB_ITEMS / ITEMS_PER_SECOND
    per_second = REQUESTS_PER_MINUTE / 60
    return {
        "job cap": JOB_CAP * JOB_ITEMS / per_job_seconds,
        "request budget": per_second / 2 * JOB_ITEMS,
        "round trips": JOB_ITEMS / ROUND_TRIP_SECONDS,
        "upsert": min(per_second, 1 / ROUND_TRIP_SECONDS),
    }


def sandbox_settings() -> dict[str, object]:
    """Return the account the benchmark writes into (see the module docstring)."""
    return {
        "max_active_jobs": JOB_CAP,
        "job_items_per_second": ITEMS_PER_SECOND,
        "job_queue_seconds": QUEUE_SECONDS,
        "account_requests_per_window": REQUESTS_PER_MINUTE,
        "window_seconds": 60.0,
        "faults": {"slow_seconds": ROUND_TRIP_SECONDS, "path_contains": "/api/v2/"},
    }


def write_input(path: Path, prefix: str, count: int, state_every: int) -> None:
    """Write a tap-like Singer input: apartments `prefix-0…`, a STATE every `state_every` records."""
    schema = {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "address": {"type": "string"},
            "rooms": {"type": "integer"},
        },
    }
    with path.open("w", encoding="utf-8") as out:
        out.write(
            json.dumps({"type": "SCHEMA", "stream": "apartments", "schema": schema, "key_properties": []})
        )
        out.write("\n")
        for n in range(count):
            record = {
                "external_id": f"{prefix}-{n}",
                "name": f"Flat {n}",
                "address": f"{n} Bench Road",
                "rooms": 2,
            }
            out.write(json.dumps({"type": "RECORD", "stream": "apartments", "record": record}) + "\n")
            if (n + 1) % state_every == 0 or n + 1 == count:
                state = {"bookmarks": {"apartments": {"done": n + 1}}}
                out.write(json.dumps({"type": "STATE", "value": state}) + "\n")


class FirstWrite:
    """Watches the sandbox's counters on a thread and notes when the first write request arrived."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        """Start watching (the counters were just reset)."""
        self.at: float | None = None
        self._sandbox = sandbox
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            kinds = self._sandbox.stats()["requests_by_kind"]
            if kinds.get("jobs_create", 0) or kinds.get("records_patch", 0):
                self.at = time.monotonic()
                return
            time.sleep(0.005)

    def stop(self) -> float:
        """Stop watching and return when the first write came."""
        self._stop.set()
        self._thread.join(timeout=10)
        if self.at is None:
            msg = "the sandbox saw no write request"
            raise RuntimeError(msg)
        return self.at


def run_mode(sandbox: SandboxProcess, workdir: Path, mode: str, count: int, state_every: int) -> ModeRun:
    """Feed `count` records through the target in `mode`; time its STATEs and read the sandbox's counters."""
    prefix = f"{mode}-{count}"
    lines = workdir / f"{prefix}.jsonl"
    write_input(lines, prefix, count, state_every)
    config = base_target_config(
        sandbox.url,
        workdir,
        write_mode=mode,
        max_concurrent_jobs=JOB_CAP,
        requests_per_minute=REQUESTS_PER_MINUTE,
    )
    config_path = write_json(config, workdir, f"config-{prefix}.json")
    states: list[tuple[float, int]] = []

    def on_line(line: bytes) -> None:
        if line.strip():
            done = json.loads(line)["bookmarks"]["apartments"]["done"]
            states.append((time.monotonic(), int(done)))

    sandbox.reset_stats()
    first_write = FirstWrite(sandbox)
    with lines.open("rb") as stdin:
        run = run_counted([TARGET, "--config", str(config_path)], stdin=stdin, on_line=on_line)
    started = first_write.stop()
    stats = sandbox.stats()
    if not states or states[-1][1] != count:
        msg = f"{mode}: the target confirmed {states[-1][1] if states else 0} of {count} records"
        raise RuntimeError(msg)
    rate = count / max(states[-1][0] - started, 1e-9)
    kinds = stats["requests_by_kind"]
    return ModeRun(
        mode=mode,
        records=count,
        records_per_second=rate,
        rss_mb=run.rss_mb,
        cpu_us_per_record=run.cpu / count * 1e6,
        requests=int(stats["requests"]),
        jobs=int(kinds.get("jobs_create", 0)),
        rate_limited=sum(stats["rate_limited"].values()),
    )


def measure(sizes: Sizes) -> dict[str, ModeRun]:
    """Run every mode against one sandbox; return the runs by name."""
    runs: dict[str, ModeRun] = {}
    with tempfile.TemporaryDirectory(prefix="bench-target-") as tmp:
        workdir = Path(tmp)
        with SandboxProcess(
            0, records_per_object=0, settings=sandbox_settings(), db=workdir / "sb.sqlite"
        ) as sb:
            runs["jobs"] = run_mode(sb, workdir, "jobs", sizes.bulk, sizes.state_every)
            runs["auto"] = run_mode(sb, workdir, "auto", sizes.bulk, sizes.state_every)
            runs["upsert"] = run_mode(sb, workdir, "upsert", sizes.upsert, sizes.state_every)
            runs["jobs-small"] = run_mode(sb, workdir, "jobs", sizes.bulk_small, sizes.state_every)
    return runs


def rows(runs: dict[str, ModeRun]) -> list[Row]:
    """Turn the runs into table rows judged against the goals."""
    limits = ceilings()
    bulk_ceiling = min(limits["job cap"], limits["request budget"], limits["round trips"])
    jobs, auto, upsert = runs["jobs"], runs["auto"], runs["upsert"]
    small = runs["jobs-small"]
    best = max(jobs.records_per_second, upsert.records_per_second)
    of_ceiling = jobs.records_per_second / bulk_ceiling
    bulk_ratio = jobs.records_per_second / max(upsert.records_per_second, 1e-9)
    auto_ratio = auto.records_per_second / best
    growth = big_rss_growth(small, jobs)
    terms = ", ".join(f"{name} {value:,.0f}" for name, value in limits.items() if name != "upsert")
    return [
        Row(
            SECTION,
            "`jobs` records/s ÷ ceiling",
            f"{jobs.records_per_second:,.0f} of {bulk_ceiling:,.0f}/s (min of {terms}); "
            f"{jobs.requests / jobs.records * 100:.1f} requests per 100 records, {jobs.rate_limited} 429s, "
            f"target CPU {jobs.cpu_us_per_record:.0f} µs per record",
            of_ceiling,
            f"≥ {GOAL_OF_CEILING:.2f}",
            of_ceiling >= GOAL_OF_CEILING,
        ),
        Row(
            SECTION,
            "`jobs` ÷ `upsert` records/s",
            f"{jobs.records_per_second:,.0f} vs {upsert.records_per_second:,.1f}/s "
            f"(upsert ceiling {limits['upsert']:,.0f}/s)",
            bulk_ratio,
            f"≥ {GOAL_BULK_OVER_UPSERT:.0f}",
            bulk_ratio >= GOAL_BULK_OVER_UPSERT,
        ),
        Row(
            SECTION,
            "`auto` ÷ better of `jobs`, `upsert`",
            f"{auto.records_per_second:,.0f}/s in {auto.jobs} jobs",
            auto_ratio,
            f"≥ {GOAL_AUTO_OF_BEST:.2f}",
            auto_ratio >= GOAL_AUTO_OF_BEST,
        ),
        Row(
            SECTION,
            f"target peak RSS, `jobs`, {small.records:,} → {jobs.records:,} records",
            f"{small.rss_mb:.0f} MB → {jobs.rss_mb:.0f} MB",
            growth,
            "≤ 1.10 (flat)",
            growth <= 1.10,
        ),
    ]


def big_rss_growth(small: ModeRun, big: ModeRun) -> float:
    """Return the peak RSS at the bigger size over the peak RSS at the smaller one."""
    return big.rss_mb / max(small.rss_mb, 1e-9)


def run(quick: bool) -> list[Row]:  # noqa: FBT001 (the bench runner's calling convention)
    """Measure at quick (tiny) or full sizes and return the table rows."""
    return rows(measure(QUICK if quick else FULL))


def markdown(table: list[Row]) -> str:
    """Render rows as a markdown table."""
    lines = ["| measure | what | figure | ratio | goal | met |", "|---|---|---|---:|---|---|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: measure and print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    args = parser.parse_args(argv)
    print(markdown(run(args.quick)))


if __name__ == "__main__":
    main()
