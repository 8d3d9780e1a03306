"""The target's requests: job polls many at a time (or one at a time when Zendesk refuses that), spaced
so that no way of counting a minute is tripped, and held back when another integration spends the budget.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import FAST_EMPTY, records_by_external_id, run_target, target_config, vendor_lines

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox


def assert_all_written(sb: Sandbox, count: int) -> None:
    held = records_by_external_id(sb, "vendor")
    assert {f"v-{n}" for n in range(count)} <= set(held)


def job_requests(sb: Sandbox) -> dict[str, int]:
    kinds = sb.admin.stats()["requests_by_kind"]
    return {kind: kinds.get(kind, 0) for kind in ("jobs_create", "job_status_show_many", "job_status")}


@pytest.mark.slow
def test_bulk_jobs_cost_at_most_1_2_requests_per_100_records_at_a_real_budget(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # Jobs that take a while (0.2 s queued, 100 items in 0.25 s) and a real account's budget: 400 a minute.
    sb = sandbox_factory(job_queue_seconds=0.2, job_items_per_second=400, records_per_object=0)
    records = 4_000
    config = target_config(sb, write_mode="jobs", requests_per_minute=400, max_concurrent_jobs=30)
    run = run_target(config, vendor_lines(range(records), states_every=1_000), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.states) == 5
    assert_all_written(sb, records)
    counts = job_requests(sb)
    assert counts["jobs_create"] == records // 100
    assert counts["job_status"] == 0  # every poll asked for many jobs at once
    assert counts["job_status_show_many"] >= 1
    assert sum(counts.values()) / (records / 100) <= 1.2
    assert sb.admin.stats()["rate_limited"] == {}


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        ({"job_status_show_many_accepts_v3": False}, "InvalidValue"),
        ({"job_status_show_many_max_ids": 2}, "TooManyValues"),
    ],
)
def test_a_refused_show_many_falls_back_to_one_job_per_poll(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, refusal: dict[str, Any], reason: str
) -> None:
    sb = sandbox_factory(**FAST_EMPTY, **refusal)
    records = 1_500
    run = run_target(
        target_config(sb, write_mode="jobs"),
        vendor_lines(range(records), states_every=500),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.states) == 4
    assert_all_written(sb, records)
    warnings = [line for line in run.stderr.splitlines() if "refused job_statuses/show_many" in line]
    assert len(warnings) == 1
    assert reason in warnings[0]
    assert "polling one job per request from now on" in warnings[0]
    counts = job_requests(sb)
    assert counts["job_status_show_many"] == 1  # refused once, never asked again
    assert counts["job_status"] >= counts["jobs_create"]


@pytest.mark.slow
def test_requests_spaced_evenly_pass_a_limit_counted_in_tenths_of_the_window(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # The account admits 100 requests a second, but no more than 10 in any tenth of it.
    sb = sandbox_factory(
        **FAST_EMPTY, window_seconds=1.0, account_requests_per_window=100, limit_counting="tenths"
    )
    records = 150
    config = target_config(
        sb, write_mode="upsert", requests_per_minute=100, budget_window_seconds=1.0, max_concurrent_jobs=10
    )
    run = run_target(config, vendor_lines(range(records), states_every=50), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_all_written(sb, records)
    assert sb.admin.stats()["rate_limited"] == {}  # not one 429


@pytest.mark.slow
def test_a_foreign_integration_spending_most_of_the_budget_never_gets_the_target_a_429(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # 100 requests a second for the account, of which another integration spends 70; it has been at it
    # for a whole window when the target starts (a burst starting mid-run could cost a 429 and its wait).
    sb = sandbox_factory(
        **FAST_EMPTY, window_seconds=1.0, account_requests_per_window=100, foreign_requests_per_window=70
    )
    time.sleep(1.2)
    records = 200
    config = target_config(sb, write_mode="upsert", requests_per_minute=100, budget_window_seconds=1.0)
    run = run_target(config, vendor_lines(range(records), states_every=50), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_all_written(sb, records)
    stats = sb.admin.stats()
    assert stats["rate_limited"].get("account_limit", 0) == 0  # none of ours refused
    assert stats["foreign_requests"] > 0
    summary = run.stderr.strip().splitlines()[-1]
    assert "while other integrations spent the account budget" in summary
