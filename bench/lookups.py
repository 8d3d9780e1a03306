"""Lookups in bulk: `jobs` with one lookup field per record, against the ceiling of the same request budget.

The sandbox plays the account of bench/target_throughput.py at a realistic budget (400 requests a minute,
in a "minute" of `BUDGET_WINDOW_SECONDS`), with the same job cap and job speed. The target writes `contract`
records whose lookup field `apartment` (zen:custom_object:apartment) is given by the apartment's external
id (`apartment__external_id`), 10% distinct keys spread at random over the input; the target resolves
them with `filter[external_ids]`, 100 keys a request, each key once. The same records are then written
without the lookup.

Ceiling, records/s = records ÷ max(
    budget: (jobs x (1 + 1/30) + distinct keys / 100) requests at the budget's rate, plus one job's run
            for the last job (a job's POST and its share of a show_many poll, as in
            bench/target_throughput.py, and one lookup request per 100 distinct keys),
    job cap: the cap's waves of jobs, each taking the queue wait and 100 items' processing).
Records/s = records ÷ the time from the sandbox's first lookup or write request to the target's last
STATE. Goals: records/s with lookups >= 90% of that ceiling; requests per 100 records reported with and
without lookups, the lookup requests at most one per 100 distinct keys plus one per STATE (at a STATE the
keys gathered so far are resolved even when fewer than 100, so that the STATE is not held back).

`python -m bench.lookups [--quick]` prints a markdown table; `run(quick)` returns its rows.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import TARGET, FirstRequest, Row, SandboxProcess, run_counted, write_json
from bench.common import target_config as base_target_config
from bench.target_throughput import (
    BUDGET_WINDOW_SECONDS,
    ITEMS_PER_SECOND,
    JOB_CAP,
    JOB_ITEMS,
    QUEUE_SECONDS,
    REQUESTS_PER_JOB,
    sandbox_settings,
)

SECTION = "3b. target lookups"
PER_MINUTE = 400
DISTINCT_SHARE = 0.10
KEYS_PER_REQUEST = 100
GOAL_OF_CEILING = 0.90
STATE_EVERY = 1_000
OBJECT = "contract"  # its `apartment` field is a lookup to zen:custom_object:apartment
FULL_RECORDS = 20_000
QUICK_RECORDS = 1_000
FIRST_KINDS = ("records_list", "jobs_create", "records_patch")  # the target's first lookup or write


@dataclass(frozen=True)
class LookupRun:
    """One run: records, how fast they were confirmed, and the requests the sandbox counted."""

    records: int
    distinct_keys: int
    records_per_second: float
    requests: int
    lookup_requests: int
    jobs: int
    rate_limited: int
    rejected: int

    @property
    def requests_per_100(self) -> float:
        """Requests of every kind per 100 records."""
        return self.requests / self.records * 100

    def ceiling(self) -> float:
        """Records/s of the best client under the budget and the job cap (see the module docstring)."""
        jobs = math.ceil(self.records / JOB_ITEMS)
        per_second = PER_MINUTE / 60
        per_job_seconds = QUEUE_SECONDS + JOB_ITEMS / ITEMS_PER_SECOND
        requests = jobs * REQUESTS_PER_JOB + math.ceil(self.distinct_keys / KEYS_PER_REQUEST)
        budget_seconds = requests / per_second + per_job_seconds
        cap_seconds = -(-jobs // JOB_CAP) * per_job_seconds
        return self.records / max(budget_seconds, cap_seconds)


def write_input(path: Path, prefix: str, count: int, distinct: int, *, lookups: bool) -> None:
    """Contracts `prefix-0…`; with `lookups`, each names one of `distinct` apartments by external id."""
    keys = [n % distinct + 1 for n in range(count)]
    random.Random(7).shuffle(keys)  # noqa: S311 (a fixed spread, not a secret)
    properties = {
        "external_id": {"type": "string"},
        "value": {"type": "number"},
        "apartment__external_id": {"type": "string"},
    }
    schema = {"type": "object", "properties": properties}
    with path.open("w", encoding="utf-8") as out:
        out.write(
            json.dumps({"type": "SCHEMA", "stream": "contracts", "schema": schema, "key_properties": []})
        )
        out.write("\n")
        for n, key in enumerate(keys):
            record: dict[str, object] = {"external_id": f"{prefix}-{n}", "value": 100.0 + n}
            if lookups:
                record["apartment__external_id"] = f"apartment-{key:05d}"
            out.write(json.dumps({"type": "RECORD", "stream": "contracts", "record": record}) + "\n")
            if (n + 1) % STATE_EVERY == 0 or n + 1 == count:
                out.write(json.dumps({"type": "STATE", "value": {"done": n + 1}}) + "\n")


def run_once(
    sandbox: SandboxProcess, workdir: Path, count: int, distinct: int, *, lookups: bool
) -> LookupRun:
    """Feed `count` contracts through the target in `jobs` mode; time its STATEs, read the counters."""
    prefix = f"{'lookups' if lookups else 'plain'}-{time.monotonic_ns()}"
    lines = workdir / f"{prefix}.jsonl"
    write_input(lines, prefix, count, distinct, lookups=lookups)
    config = base_target_config(
        sandbox.url,
        workdir,
        custom_object_key=OBJECT,
        write_mode="jobs",
        max_concurrent_jobs=JOB_CAP,
        requests_per_minute=round(PER_MINUTE * BUDGET_WINDOW_SECONDS / 60),
        budget_window_seconds=BUDGET_WINDOW_SECONDS,
        rejected_records_path=str(workdir / f"{prefix}-rejected.jsonl"),
    )
    config_path = write_json(config, workdir, f"config-{prefix}.json")
    states: list[tuple[float, int]] = []

    def on_line(line: bytes) -> None:
        if line.strip():
            states.append((time.monotonic(), int(json.loads(line)["done"])))

    sandbox.reset_stats()
    first = FirstRequest(sandbox, FIRST_KINDS)
    with lines.open("rb") as stdin:
        run_counted([TARGET, "--config", str(config_path)], stdin=stdin, on_line=on_line)
    started = first.stop()
    stats = sandbox.stats()
    if not states or states[-1][1] != count:
        msg = f"lookups: the target confirmed {states[-1][1] if states else 0} of {count} records"
        raise RuntimeError(msg)
    rejected_path = workdir / f"{prefix}-rejected.jsonl"
    kinds = stats["requests_by_kind"]
    return LookupRun(
        records=count,
        distinct_keys=distinct if lookups else 0,
        records_per_second=count / max(states[-1][0] - started, 1e-9),
        requests=int(stats["requests"]),
        lookup_requests=int(kinds.get("records_list", 0)),
        jobs=int(kinds.get("jobs_create", 0)),
        rate_limited=sum(stats["rate_limited"].values()),
        rejected=len(rejected_path.read_text().splitlines()) if rejected_path.exists() else 0,
    )


def measure(count: int) -> dict[str, LookupRun]:
    """Run with and without the lookup field against one sandbox at the realistic budget."""
    distinct = max(1, round(count * DISTINCT_SHARE))
    per_window = round(PER_MINUTE * BUDGET_WINDOW_SECONDS / 60)
    settings = sandbox_settings() | {
        "account_requests_per_window": per_window,
        "window_seconds": BUDGET_WINDOW_SECONDS,
        "deleted_record_ratio": 0.0,  # every apartment a key names is there to be found
    }
    with tempfile.TemporaryDirectory(prefix="bench-lookups-") as tmp:
        workdir = Path(tmp)
        with SandboxProcess(
            0, records_per_object=distinct, settings=settings, db=workdir / "sb.sqlite"
        ) as sb:
            plain = run_once(sb, workdir, count, distinct, lookups=False)
            time.sleep(BUDGET_WINDOW_SECONDS)  # a fresh budget window for the second run
            with_lookups = run_once(sb, workdir, count, distinct, lookups=True)
    return {"plain": plain, "lookups": with_lookups}


def rows(runs: dict[str, LookupRun]) -> list[Row]:
    """Two rows: records/s with lookups against the ceiling, and requests per 100 records."""
    run, plain = runs["lookups"], runs["plain"]
    ceiling = run.ceiling()
    of_ceiling = run.records_per_second / ceiling
    # The stage resolves full groups of 100 keys, and what is left of a group at each STATE (so the STATE is
    # not held back): at most one request per 100 distinct keys plus one per STATE.
    states = math.ceil(run.records / STATE_EVERY)
    bound = math.ceil(run.distinct_keys / KEYS_PER_REQUEST) + states
    who = f"{PER_MINUTE} requests a minute, {run.records:,} records, {run.distinct_keys:,} distinct keys"
    return [
        Row(
            SECTION,
            f"`jobs` with a lookup per record, records/s ÷ ceiling ({who})",
            f"{run.records_per_second:,.0f} of {ceiling:,.0f}/s; without lookups"
            f" {plain.records_per_second:,.0f}/s; {run.rate_limited} 429s, {run.rejected} rejected",
            of_ceiling,
            f"≥ {GOAL_OF_CEILING:.2f}",
            of_ceiling >= GOAL_OF_CEILING and run.rejected == 0 and run.rate_limited == 0,
        ),
        Row(
            SECTION,
            "`jobs` requests per 100 records, with ÷ without lookups",
            f"{run.requests_per_100:.2f} with vs {plain.requests_per_100:.2f} without; {run.lookup_requests}"
            f" lookup requests for {run.distinct_keys:,} distinct keys and {states} STATEs (bound {bound})",
            run.requests_per_100 / plain.requests_per_100,
            "(report); lookup requests ≤ bound",
            run.lookup_requests <= bound,
        ),
    ]


def run(quick: bool) -> list[Row]:  # noqa: FBT001 (the bench runner's calling convention)
    """Measure at quick (tiny) or full size and return the table rows."""
    return rows(measure(QUICK_RECORDS if quick else FULL_RECORDS))


def main() -> None:
    """Print the rows as a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    table = run(parser.parse_args().quick)
    print("| what | figure | ratio | goal | met |")
    print("|---|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(row.cells()[1:]) + " |")


if __name__ == "__main__":
    main()
