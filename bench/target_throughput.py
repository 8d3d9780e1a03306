"""Target throughput: records/s in `jobs`, `auto` and `upsert` mode against the ceiling the sandbox allows.

One sandbox (a subprocess) plays a Zendesk account whose job queue is the limit: at most `JOB_CAP` jobs
queued or working, each job waits `QUEUE_SECONDS` and then applies `ITEMS_PER_SECOND` items per second.
Every API request costs a `ROUND_TRIP_SECONDS` network round trip (loopback has none; a real Zendesk
request takes 100 ms or more, so this is kind to per-record upserts). Both sides allow `REQUESTS_PER_MINUTE`.

Ceiling for bulk writes, records/s = min(
    job cap:        JOB_CAP x 100 / (QUEUE_SECONDS + 100 / ITEMS_PER_SECOND)   (each slot holds one
                    100-item job for its queue wait plus its processing),
    request budget: REQUESTS_PER_MINUTE / 60 / (1 + 1/30) x 100                 (a job costs at least
                    its POST and its share of one show_many poll, which covers up to the 30 jobs the
                    cap lets run at once),
    round trips:    100 / ROUND_TRIP_SECONDS                                    (jobs are POSTed one at a
                    time, in input order)).
Per-record upserts are one PATCH each, sent in input order: at most min(REQUESTS_PER_MINUTE / 60,
1 / ROUND_TRIP_SECONDS) records/s.

Records/s = records ÷ the time from the sandbox's first write request (job POST or PATCH; the target's
start-up excluded) to the target's last printed STATE (every record confirmed by then). A run of n full
waves of jobs ideally takes n x PER_JOB_SECONDS, so this is comparable with the
ceiling. Peak RSS of the target
(from os.wait4) at two input sizes shows memory staying flat. Goals: jobs >= 90% of the ceiling, jobs >=
20x upsert, auto >= 95% of the better of the two (the 5% allows for noise between two runs).

Realistic budgets: `jobs` again at 400 and 700 requests a minute, alone and with another integration of
the account spending half of the budget (the sandbox's foreign traffic, at an even pace, steady for a
whole window before the target starts). The sandbox's "minute" lasts `BUDGET_WINDOW_SECONDS` there (and the
target's budget window with it), so the rates are those of 400 and 700 a minute in a fifth of the time.
The ceiling is what the budget and the job cap allow together: the slower of (a) each limit alone — the
budget's time for (1 + 1/30) requests a job plus one job's run for the last job, or the job cap's time for
its waves — and (b) the fastest ideal client that must poll to learn that a job has ended
(bench/polling_ceiling.py: exact pacing, no round trips, every job's end known to the instant). (b) is
lower than (a) only when the budget's and the cap's rates are close (700 a minute alone: 0.87 of (a)),
because there polls that free slots sooner spend the budget the POSTs need; the row shows both.
Goals: <= 1.2 requests per 100 records, records/s >= 90% of that ceiling, no 429.

`python -m bench.target_throughput [--quick]` prints a markdown table; `run(quick)` returns its rows.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import TARGET, FirstRequest, Row, SandboxProcess, run_counted, section_main, write_json
from bench.common import target_config as base_target_config
from bench.polling_ceiling import ideal_polling_seconds

if TYPE_CHECKING:
    from collections.abc import Callable

SECTION = "3. target throughput"
JOB_CAP = 30
JOB_ITEMS = 100
ITEMS_PER_SECOND = 40.0  # per job: 30 x 40 = 1,200 items/s in all, well under the sandbox worker's ~4,000
QUEUE_SECONDS = 0.2
PER_JOB_SECONDS = QUEUE_SECONDS + JOB_ITEMS / ITEMS_PER_SECOND  # one job's time in its slot
ROUND_TRIP_SECONDS = 0.02
REQUESTS_PER_MINUTE = 6_000
STATE_EVERY = 1_000  # a tap-like input: one STATE per 1,000 records
WRITE_KINDS = ("jobs_create", "records_patch")  # where a run's rate starts: its first write request
# The fewest requests a 100-record job can cost: its POST, and its share of a show_many poll covering
# every job the 30-job cap lets run at once.
REQUESTS_PER_JOB = 1 + 1 / JOB_CAP
BUDGETS_PER_MINUTE = (400, 700)
BUDGET_WINDOW_SECONDS = 12.0  # a "minute" a fifth as long, so 400 and 700 a minute are 80 and 140 a window
GOAL_REQUESTS_PER_100 = 1.2
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

    budget: int  # each realistic-budget run


FULL = Sizes(bulk=36_000, bulk_small=9_000, upsert=1_000, state_every=STATE_EVERY, budget=24_000)
QUICK = Sizes(bulk=2_000, bulk_small=600, upsert=60, state_every=200, budget=600)


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
    polls: int = 0

    @property
    def requests_per_100(self) -> float:
        """Requests (every one: job POSTs, polls, field reads) per 100 records."""
        return self.requests / self.records * 100


def ceilings() -> dict[str, float]:
    """Return each term of the bulk ceiling and the upsert ceiling, in records/s."""
    per_second = REQUESTS_PER_MINUTE / 60
    return {
        "job cap": JOB_CAP * JOB_ITEMS / PER_JOB_SECONDS,
        "request budget": per_second / REQUESTS_PER_JOB * JOB_ITEMS,
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


@dataclass(frozen=True)
class Writer:
    """What a run feeds the target: its input, the target settings it needs, the requests that write it."""

    write: Callable[[Path, str, int, int], None]  # (file, key prefix, records, a STATE every n)
    settings: dict[str, object]
    write_kinds: tuple[str, ...] = WRITE_KINDS  # where a run's rate starts: its first write request
    job_kinds: tuple[str, ...] = ("jobs_create",)


APARTMENTS = Writer(write_input, {})  # the custom object records of every run here


def run_mode(  # noqa: PLR0913
    sandbox: SandboxProcess,
    workdir: Path,
    mode: str,
    count: int,
    state_every: int,
    *,
    budget: dict[str, float] | None = None,
    records: Writer | None = None,
) -> ModeRun:
    """Feed `count` records through the target in `mode`; time its STATEs and read the sandbox's counters.

    `budget`: the target's `requests_per_minute` and `budget_window_seconds` (default: the bench's 6,000).
    `records`: other records than apartments (bench/people_throughput.py), with their settings and kinds.
    """
    prefix = f"{mode}-{count}-{time.monotonic_ns()}"
    lines = workdir / f"{prefix}.jsonl"
    writer = records or APARTMENTS
    writer.write(lines, prefix, count, state_every)
    config = base_target_config(
        sandbox.url,
        workdir,
        write_mode=mode,
        max_concurrent_jobs=JOB_CAP,
        **(budget or {"requests_per_minute": REQUESTS_PER_MINUTE}),
        **writer.settings,
    )
    config_path = write_json(config, workdir, f"config-{prefix}.json")
    states: list[tuple[float, int]] = []

    def on_line(line: bytes) -> None:
        if line.strip():
            (bookmark,) = json.loads(line)["bookmarks"].values()
            states.append((time.monotonic(), int(bookmark["done"])))

    sandbox.reset_stats()
    first_write = FirstRequest(sandbox, writer.write_kinds)
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
        jobs=sum(int(kinds.get(kind, 0)) for kind in writer.job_kinds),
        rate_limited=sum(stats["rate_limited"].values()),
        polls=int(kinds.get("job_status_show_many", 0)) + int(kinds.get("job_status", 0)),
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


@dataclass(frozen=True)
class BudgetRun:
    """`jobs` under one realistic budget, with or without another integration spending half of it."""

    per_minute: int
    foreign_share: float
    run: ModeRun
    lookups_per_job: int = (
        0  # requests each job needs before its POST (organizations: 1, bench/people_throughput.py)
    )

    @property
    def separate_ceiling(self) -> float:
        """Records/s the budget alone or the job cap alone allows, whichever is lower.

        It needs the budget's time for the requests (`REQUESTS_PER_JOB` a job) and then one job's time for
        the last job to run, or the cap's time for its waves of jobs, whichever is longer. (In a long run
        the last job's time vanishes and this is the budget's or the cap's steady rate.)
        """
        return self.run.records / max(self._budget_seconds(), self._cap_seconds())

    @property
    def ceiling(self) -> float:
        """Records/s the budget and the job cap allow together, for a client that must poll.

        The slower of the separate bound and the fastest ideal polling client (bench/polling_ceiling.py):
        when the budget's and the cap's rates are close, polls spent to free slots sooner come out of
        the budget, so no client reaches the separate bound.
        """
        ideal = ideal_polling_seconds(
            round(self._jobs()),
            requests_per_second=self._left_per_second(),
            per_job_seconds=PER_JOB_SECONDS,
            cap=JOB_CAP,
            requests_per_job=1 + self.lookups_per_job,
        )
        return self.run.records / max(self._budget_seconds(), self._cap_seconds(), ideal)

    def _jobs(self) -> float:
        return self.run.records / JOB_ITEMS

    def _left_per_second(self) -> float:
        return self.per_minute * (1 - self.foreign_share) / 60

    def _budget_seconds(self) -> float:
        per_job = REQUESTS_PER_JOB + self.lookups_per_job
        return self._jobs() * per_job / self._left_per_second() + PER_JOB_SECONDS

    def _cap_seconds(self) -> float:
        return -(-self._jobs() // JOB_CAP) * PER_JOB_SECONDS


def measure_budgets(sizes: Sizes) -> list[BudgetRun]:
    """Run `jobs` at each realistic budget, alone and beside a foreign integration spending half."""
    scale = BUDGET_WINDOW_SECONDS / 60
    runs = []
    for per_minute in BUDGETS_PER_MINUTE:
        for foreign_share in (0.0, 0.5):
            per_window = round(per_minute * scale)
            settings = sandbox_settings() | {
                "account_requests_per_window": per_window,
                "window_seconds": BUDGET_WINDOW_SECONDS,
                "foreign_requests_per_window": round(per_window * foreign_share),
            }
            with tempfile.TemporaryDirectory(prefix="bench-budget-") as tmp:
                workdir = Path(tmp)
                with SandboxProcess(
                    0, records_per_object=0, settings=settings, db=workdir / "sb.sqlite"
                ) as sb:
                    if foreign_share:  # let the other integration fill a whole window first
                        time.sleep(BUDGET_WINDOW_SECONDS)
                    budget = {
                        "requests_per_minute": per_window,
                        "budget_window_seconds": BUDGET_WINDOW_SECONDS,
                    }
                    run = run_mode(sb, workdir, "jobs", sizes.budget, sizes.state_every, budget=budget)
            runs.append(BudgetRun(per_minute, foreign_share, run))
    return runs


def budget_rows(runs: list[BudgetRun]) -> list[Row]:
    """Two rows per budget run: requests per 100 records, and records/s against the ceiling."""
    table = []
    for budget in runs:
        run, who = budget.run, f"{budget.per_minute} requests a minute"
        if budget.foreign_share:
            who += f", {budget.foreign_share:.0%} spent by another integration"
        ceiling, separate = budget.ceiling, budget.separate_ceiling  # the ceiling plays 30 clients
        of_ceiling = run.records_per_second / ceiling
        table += [
            Row(
                SECTION,
                f"`jobs` requests per 100 records ({who})",
                f"{run.requests} requests ({run.jobs} job POSTs, {run.polls} polls) for"
                f" {run.records:,} records; {run.rate_limited} 429s",
                run.requests_per_100,
                f"≤ {GOAL_REQUESTS_PER_100}",
                run.requests_per_100 <= GOAL_REQUESTS_PER_100 and run.rate_limited == 0,
            ),
            Row(
                SECTION,
                f"`jobs` records/s ÷ ceiling ({who})",
                f"{run.records_per_second:,.0f} of {ceiling:,.0f}/s, the job cap and what the"
                " budget leaves together for a client that polls (each alone:"
                f" {separate:,.0f}/s, {run.records_per_second / separate:.2f})",
                of_ceiling,
                f"≥ {GOAL_OF_CEILING:.2f}",
                of_ceiling >= GOAL_OF_CEILING,
            ),
        ]
    return table


def run(quick: bool) -> list[Row]:  # noqa: FBT001 (the bench runner's calling convention)
    """Measure at quick (tiny) or full sizes and return the table rows."""
    sizes = QUICK if quick else FULL
    return rows(measure(sizes)) + budget_rows(measure_budgets(sizes))


def main(argv: list[str] | None = None) -> None:
    """Command line: measure and print the markdown table."""
    section_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
