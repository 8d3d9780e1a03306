"""The benchmark's joint ceiling for `jobs` mode: what the budget and the job cap allow a polling client."""

from __future__ import annotations

import pytest

from bench.polling_ceiling import ideal_polling_seconds

JOB_SECONDS = 2.7  # the benchmark's jobs: 0.2 s in the queue, 100 items at 40 a second
CAP = 30


def separate_seconds(jobs: int, per_second: float) -> float:
    """The bound that takes each limit alone: the budget's time (1 + 1/30 requests a job), or the cap's."""
    budget = jobs * (1 + 1 / CAP) / per_second + JOB_SECONDS
    waves = -(-jobs // CAP) * JOB_SECONDS
    return max(budget, waves)


@pytest.mark.parametrize("per_minute", [200, 400, 700, 2_500, 6_000])
def test_no_polling_client_beats_either_limit_alone(per_minute: int) -> None:
    per_second = per_minute / 60
    ideal = ideal_polling_seconds(240, requests_per_second=per_second, per_job_seconds=JOB_SECONDS, cap=CAP)
    # Every job costs its POST: 240 ticks at least, then the last job's run.
    assert ideal >= 239 / per_second + JOB_SECONDS
    # And the cap lets at most 30 jobs run at once: 8 waves at least.
    assert ideal >= 8 * JOB_SECONDS


def test_an_ample_budget_leaves_the_cap_as_the_limit() -> None:
    ideal = ideal_polling_seconds(240, requests_per_second=100, per_job_seconds=JOB_SECONDS, cap=CAP)
    # The cap's 8 waves, and a little for the ticks that POSTs and polls take between waves.
    assert 8 * JOB_SECONDS <= ideal <= 8 * JOB_SECONDS * 1.03


def test_a_tight_budget_leaves_the_budget_as_the_limit() -> None:
    per_second = 200 / 60
    ideal = ideal_polling_seconds(240, requests_per_second=per_second, per_job_seconds=JOB_SECONDS, cap=CAP)
    assert ideal / separate_seconds(240, per_second) == pytest.approx(1.0, abs=0.03)


def test_when_budget_and_cap_are_close_polling_costs_what_neither_bound_counts() -> None:
    # 700 a minute is 11.7 requests a second; 30 jobs of 2.7 s end at 11.1 a second. A client that polls
    # often spends the POSTs' budget, one that polls rarely leaves ended jobs holding slots.
    per_second = 700 / 60
    ideal = ideal_polling_seconds(240, requests_per_second=per_second, per_job_seconds=JOB_SECONDS, cap=CAP)
    assert separate_seconds(240, per_second) / ideal == pytest.approx(0.87, abs=0.01)


def test_more_slots_or_shorter_jobs_are_never_slower() -> None:
    base = ideal_polling_seconds(240, requests_per_second=700 / 60, per_job_seconds=JOB_SECONDS, cap=CAP)
    more_slots = ideal_polling_seconds(240, requests_per_second=700 / 60, per_job_seconds=JOB_SECONDS, cap=40)
    shorter = ideal_polling_seconds(240, requests_per_second=700 / 60, per_job_seconds=2.0, cap=CAP)
    assert more_slots <= base
    assert shorter <= base
