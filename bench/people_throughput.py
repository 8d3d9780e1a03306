"""Users and organizations: records/s at realistic budgets against the ceiling the budget and job cap allow.

The sandbox plays the account of bench/target_throughput.py (a 30-job cap, each job queued 0.2 s and then
processed at 40 items/s, a 20-ms round trip on every request), with bulk user import turned on and a
budget of 400 or 700 requests a minute in a "minute" of `BUDGET_WINDOW_SECONDS` (as there). Each run feeds
the target tap-like input in `jobs` mode and is timed from the sandbox's first lookup or write request to
the target's last STATE.

- Users (`zen:user`, matched by external id): one `users/create_or_update_many` job per 100 users, so the
  ceiling is bench/target_throughput.py's: the slower of each limit alone ((1 + 1/30) requests a job at the
  budget's rate, or the cap's waves of jobs) and the fastest ideal client that must poll to see a job end
  (bench/polling_ceiling.py). Goals: <= 1.2 requests per 100 records, >= 90% of the ceiling.
- Organizations (`zen:organization`): each 100 are first resolved (`organizations/show_many`, one request),
  then written by one `create_many` (the first run: every key new) or `update_many` job (the second run:
  the same keys again), so a job costs (2 + 1/30) requests and its POST comes after its lookup; the ceiling
  counts that (the ideal client spends two requests before each POST). Goals: <= 2.3 requests per 100
  records, >= 90% of that ceiling.
- Users when Zendesk refuses bulk import (403, its default): `users/create_or_update`, one request a user;
  its ceiling is the budget itself (one record a request). Reported beside that ceiling, no goal.

`python -m bench.people_throughput [--quick]` prints a markdown table; `run(quick)` returns its rows.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import Row, SandboxProcess, section_main
from bench.target_throughput import (
    BUDGET_WINDOW_SECONDS,
    BUDGETS_PER_MINUTE,
    GOAL_OF_CEILING,
    GOAL_REQUESTS_PER_100,
    STATE_EVERY,
    BudgetRun,
    ModeRun,
    Writer,
    run_mode,
    sandbox_settings,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

SECTION = "3c. target users and organizations"
ORGANIZATIONS_PER_MINUTE = 400
GOAL_ORGANIZATION_REQUESTS_PER_100 = 2.3
ORGANIZATION_KEYS = "bench-org"  # both organization runs write the same keys: created, then updated


@dataclass(frozen=True)
class Sizes:
    """Records per run."""

    users: int
    organizations: int
    fallback: int  # users written one at a time (each costs a request at the budget's pace)
    state_every: int


FULL = Sizes(users=24_000, organizations=12_000, fallback=600, state_every=STATE_EVERY)
QUICK = Sizes(users=600, organizations=600, fallback=60, state_every=200)


def _write_users(path: Path, prefix: str, count: int, state_every: int) -> None:
    schema = {"type": "object", "properties": {"external_id": {}, "email": {}, "name": {}, "notes": {}}}
    records = (
        {
            "external_id": f"{prefix}-{n}",
            "email": f"{prefix}-{n}@bench.example",
            "name": f"User {n}",
            "notes": "vip",
        }
        for n in range(count)
    )
    _write(path, "contacts", schema, records, count=count, every=state_every)


def _write_organizations(path: Path, prefix: str, count: int, state_every: int) -> None:
    del prefix  # the same keys in both runs (see ORGANIZATION_KEYS)
    schema = {"type": "object", "properties": {"external_id": {}, "name": {}, "notes": {}}}
    records = (
        {
            "external_id": f"{ORGANIZATION_KEYS}-{n}",
            "name": f"Bench organization {n}",
            "notes": f"v{time.time()}",
        }
        for n in range(count)
    )
    _write(path, "accounts", schema, records, count=count, every=state_every)


def _write(  # noqa: PLR0913 (one input file, each part named)
    path: Path,
    stream: str,
    schema: dict[str, Any],
    records: Iterable[dict[str, Any]],
    *,
    count: int,
    every: int,
) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            json.dumps({"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []}) + "\n"
        )
        for n, record in enumerate(records, start=1):
            out.write(json.dumps({"type": "RECORD", "stream": stream, "record": record}) + "\n")
            if n % every == 0 or n == count:
                out.write(json.dumps({"type": "STATE", "value": {"bookmarks": {stream: {"done": n}}}}) + "\n")


USERS = Writer(
    _write_users,
    {"object_map": {"contacts": "zen:user"}},
    write_kinds=("users_create_or_update_many", "users_create_or_update"),
    job_kinds=("users_create_or_update_many",),
)
ORGANIZATIONS = Writer(
    _write_organizations,
    {"object_map": {"accounts": "zen:organization"}},
    write_kinds=("organizations_show_many", "organizations_create_many", "organizations_update_many"),
    job_kinds=("organizations_create_many", "organizations_update_many"),
)


def _account(per_minute: int, *, bulk_user_import: bool = True) -> dict[str, object]:
    per_window = round(per_minute * BUDGET_WINDOW_SECONDS / 60)
    return sandbox_settings() | {
        "account_requests_per_window": per_window,
        "window_seconds": BUDGET_WINDOW_SECONDS,
        "bulk_user_import": bulk_user_import,
    }


def _budget(per_minute: int) -> dict[str, float]:
    return {
        "requests_per_minute": round(per_minute * BUDGET_WINDOW_SECONDS / 60),
        "budget_window_seconds": BUDGET_WINDOW_SECONDS,
    }


def measure(sizes: Sizes) -> dict[str, BudgetRun]:
    """Run every measurement, each in a fresh account (so that no run starts in another's window)."""
    runs: dict[str, BudgetRun] = {}
    with tempfile.TemporaryDirectory(prefix="bench-people-") as tmp:
        workdir = Path(tmp)
        for per_minute in BUDGETS_PER_MINUTE:
            with SandboxProcess(
                0, records_per_object=0, settings=_account(per_minute), db=workdir / f"u{per_minute}.sqlite"
            ) as sb:
                run = run_mode(
                    sb,
                    workdir,
                    "jobs",
                    sizes.users,
                    sizes.state_every,
                    budget=_budget(per_minute),
                    records=USERS,
                )
            runs[f"users {per_minute}"] = BudgetRun(per_minute, 0.0, run)
        per_minute = ORGANIZATIONS_PER_MINUTE
        with SandboxProcess(
            0, records_per_object=0, settings=_account(per_minute), db=workdir / "orgs.sqlite"
        ) as sb:
            for step in ("create", "update"):
                if step == "update":
                    time.sleep(BUDGET_WINDOW_SECONDS)  # the second run starts in a window of its own
                run = run_mode(
                    sb,
                    workdir,
                    "jobs",
                    sizes.organizations,
                    sizes.state_every,
                    budget=_budget(per_minute),
                    records=ORGANIZATIONS,
                )
                runs[f"organizations {step}"] = BudgetRun(per_minute, 0.0, run, lookups_per_job=1)
        account = _account(per_minute, bulk_user_import=False)
        with SandboxProcess(0, records_per_object=0, settings=account, db=workdir / "solo.sqlite") as sb:
            run = run_mode(
                sb,
                workdir,
                "jobs",
                sizes.fallback,
                sizes.state_every,
                budget=_budget(per_minute),
                records=USERS,
            )
        runs["users without bulk import"] = BudgetRun(per_minute, 0.0, run)
    return runs


def _pair(name: str, budget: BudgetRun, requests_goal: float) -> list[Row]:
    run, ceiling = budget.run, budget.ceiling
    of_ceiling = run.records_per_second / ceiling
    who = f"{name} ({budget.per_minute} requests a minute)"
    return [
        Row(
            SECTION,
            f"{who}: requests per 100 records",
            f"{run.requests} requests ({run.jobs} job POSTs, {run.polls} polls) for {run.records:,} records;"
            f" {run.rate_limited} 429s",
            run.requests_per_100,
            f"≤ {requests_goal}",
            run.requests_per_100 <= requests_goal and run.rate_limited == 0,
        ),
        Row(
            SECTION,
            f"{who}: records/s ÷ ceiling",
            f"{run.records_per_second:,.0f} of {ceiling:,.0f}/s, what the job cap and the budget allow"
            f" together for a client that polls (each alone: {budget.separate_ceiling:,.0f}/s)",
            of_ceiling,
            f"≥ {GOAL_OF_CEILING:.2f}",
            of_ceiling >= GOAL_OF_CEILING,
        ),
    ]


def rows(runs: dict[str, BudgetRun]) -> list[Row]:
    """Two rows per users and organizations run (requests per 100, records/s ÷ ceiling), one for the 403."""
    table: list[Row] = []
    for per_minute in BUDGETS_PER_MINUTE:
        table += _pair("users, `jobs`", runs[f"users {per_minute}"], GOAL_REQUESTS_PER_100)
    for step in ("create", "update"):
        table += _pair(
            f"organizations, resolve then {step}",
            runs[f"organizations {step}"],
            GOAL_ORGANIZATION_REQUESTS_PER_100,
        )
    solo = runs["users without bulk import"]
    run: ModeRun = solo.run
    ceiling = solo.per_minute  # one request a user, every request the budget allows
    records_a_minute = run.records_per_second * 60
    table.append(
        Row(
            SECTION,
            "users without bulk import (Zendesk's 403), one request each: records a minute ÷ ceiling"
            f" ({solo.per_minute} requests a minute)",
            f"{records_a_minute:,.0f} of {ceiling:,} records a minute; {run.requests} requests for"
            f" {run.records:,} records, {run.rate_limited} 429s",
            records_a_minute / ceiling,
            "reported",
            None,
        )
    )
    return table


def run(quick: bool) -> list[Row]:  # noqa: FBT001 (the bench runner's calling convention)
    """Measure at quick (tiny) or full sizes and return the table rows."""
    return rows(measure(QUICK if quick else FULL))


def main(argv: list[str] | None = None) -> None:
    """Command line: measure and print the markdown table."""
    section_main(run, __doc__, argv)


if __name__ == "__main__":
    main()
