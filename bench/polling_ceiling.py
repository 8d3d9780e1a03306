"""The budget and the job cap together: how fast an ideal client can write jobs when it must poll.

Zendesk tells a client that a job has ended only when the client asks (a status poll); until then the job
holds one of the account's 30 slots, as far as the client can know. Polls cost requests from the same
budget as the job POSTs. So when the budget's rate and the cap's rate are close (700 requests a minute
against 30 jobs of 2.7 s), a client cannot reach both: polling often frees slots sooner but spends the
budget; polling rarely leaves finished jobs holding slots. The bound that takes each limit alone
(`BudgetRun.ceiling` in target_throughput.py) is then out of reach of any client.

`ideal_polling_seconds` plays, event by event, clients that know better than any real one could:

- every request (POST or poll) takes one tick of an even pace at exactly the budget, and no time beyond it
  (no round trip, no margin);
- each job's end is known to the instant (`per_job_seconds` after its POST);
- a poll learns of every job ended by then, and frees their slots at once.

Each client POSTs whenever a slot is free, and otherwise polls when the k-th earliest of its unfinished
jobs ends (or at the next tick, if later). The fastest of k = 1 ... cap is the bound the benchmark
compares against. Real clients also pay round trips and a pacing margin, so they stay below it.
"""

from __future__ import annotations

import bisect


def ideal_polling_seconds(
    jobs: int, *, requests_per_second: float, per_job_seconds: float, cap: int, requests_per_job: int = 1
) -> float:
    """Seconds from the first POST until the fastest ideal polling client has seen every job end.

    `requests_per_job`: the ticks each job's POST takes, the requests that must come before it included
    (an organization job's lookup of its keys: 2).
    """
    return min(
        _seconds_polling_every(
            k, jobs, requests_per_second, per_job_seconds, cap, requests_per_job=requests_per_job
        )
        for k in range(1, cap + 1)
    )


def _seconds_polling_every(  # noqa: PLR0913 (the client's parameters, each named)
    k: int, jobs: int, requests_per_second: float, per_job_seconds: float, cap: int, *, requests_per_job: int
) -> float:
    """One ideal client: a poll waits until `k` jobs (or all it has in flight) have ended."""
    tick = 1 / requests_per_second
    now = next_tick = 0.0
    ends: list[float] = []  # jobs in flight, by when they end (sorted)
    submitted = seen = 0
    while seen < jobs:
        if len(ends) < cap and submitted < jobs:
            now = max(now, next_tick)
            bisect.insort(ends, now + per_job_seconds)
            submitted += 1
            next_tick = now + tick * requests_per_job
        else:
            now = max(ends[min(k, len(ends)) - 1], next_tick, now)
            ended = bisect.bisect_right(ends, now)
            del ends[:ended]
            seen += ended
            next_tick = now + tick
    return now
