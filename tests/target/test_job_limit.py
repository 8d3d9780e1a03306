"""At the 30-job cap with slow jobs the target keeps the queue full, loses nothing, prints each STATE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from devtools.sandbox_configs import DEMO_EMAIL, DEMO_TOKEN, client_credentials
from tests.target.conftest import (
    records_by_external_id,
    run_target,
    target_config,
    vendor_lines,
    vendor_record,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.target.conftest import TargetRun
    from zendesk_sandbox import Sandbox

JOB_CAP = 30
RECORDS = 6_000  # 60 full jobs: two waves through the cap
STATES_EVERY = 250
# Slow jobs: 100 items take 2.5 s after a 0.2 s queue wait, so the cap, not the input, decides the pace.
SLOW_CAPPED = {
    "max_active_jobs": JOB_CAP,
    "job_items_per_second": 40.0,
    "job_queue_seconds": 0.2,
    "records_per_object": 0,
    # An account budget that never binds: the cap, not the budget, is under test.
    "account_requests_per_window": 100_000,
}
FOREIGN_JOBS = 10


def _input() -> list[str]:
    return vendor_lines(range(RECORDS), states_every=STATES_EVERY)


def _expected_states() -> list[dict[str, Any]]:
    count = RECORDS // STATES_EVERY + 1
    return [{"bookmarks": {"vendor": {"seq": seq}}} for seq in range(1, count + 1)]


def _assert_all_written(sb: Sandbox) -> None:
    written = {k: v for k, v in records_by_external_id(sb, "vendor").items() if k.startswith("v-")}
    assert len(written) == RECORDS
    for n in range(RECORDS):
        want = vendor_record(n)
        got = written[f"v-{n}"]
        assert got["name"] == want["name"]
        assert got["custom_object_fields"]["rating"] == want["rating"]


def _run_everything_through_the_cap(sb: Sandbox, tmp_path: Path, **login: Any) -> TargetRun:
    """Run the target in `jobs` mode at the cap; check it printed every STATE and wrote every record."""
    config = target_config(sb, write_mode="jobs", max_concurrent_jobs=JOB_CAP, **login)
    run = run_target(config, _input(), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.states == _expected_states()
    assert run.rejected == []
    _assert_all_written(sb)
    return run


def _occupy_slots(sb: Sandbox, count: int) -> None:
    """Another integration of the same account queues `count` slow jobs of its own."""
    for n in range(count):
        items = [{"external_id": f"other-{n}-{i}", "name": f"Other {n} {i}"} for i in range(100)]
        response = requests.post(
            f"{sb.url}/api/v2/custom_objects/vendor/jobs",
            json={"job": {"action": "create_or_update_by_external_id", "items": items}},
            auth=(f"{DEMO_EMAIL}/token", DEMO_TOKEN),
            timeout=10,
        )
        assert response.ok, response.text


# How the target logs in: the sandbox's static token, or OAuth client credentials whose access tokens live
# two seconds, so that jobs posted under one token are polled under the next ones.
LOGINS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "static token": ({}, {}),
    "2-s OAuth tokens": ({"oauth_access_token_ttl_seconds": 2.0}, client_credentials()),
}


@pytest.mark.slow
@pytest.mark.parametrize(("sandbox_settings", "login"), LOGINS.values(), ids=LOGINS.keys())
def test_thirty_jobs_in_flight_nothing_lost(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    sandbox_settings: dict[str, Any],
    login: dict[str, Any],
) -> None:
    sb = sandbox_factory(**SLOW_CAPPED, **sandbox_settings)
    _run_everything_through_the_cap(sb, tmp_path, **login)
    stats = sb.admin.stats()
    # The target filled the account's queue (reading input did not wait for confirmations)...
    assert stats["max_active_jobs_seen"] == JOB_CAP
    # ...without one refusal: it counts a job as running until it has read its results, by when Zendesk
    # has freed the slot, so with the whole cap to itself it never asks for a 31st.
    assert stats["rate_limited"] == {}
    if login:  # a run of about 6 s renewed its 2-s token on the way, without losing a job
        assert stats["oauth_token_requests"]["client_credentials"] >= 3


@pytest.mark.slow
def test_cap_shared_with_another_integration(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**SLOW_CAPPED)
    _occupy_slots(sb, FOREIGN_JOBS)
    run = _run_everything_through_the_cap(sb, tmp_path)
    stats = sb.admin.stats()
    assert stats["max_active_jobs_seen"] == JOB_CAP
    # Each refusal is waited out for its Retry-After (until a slot frees), so refusals stay few: at most
    # one per job of the other integration that held a slot, not a retry storm.
    refused = stats["rate_limited"].get("job_limit", 0)
    assert 0 < refused <= FOREIGN_JOBS, stats["rate_limited"]
    assert set(stats["rate_limited"]) <= {"job_limit"}, stats["rate_limited"]
    assert DEMO_TOKEN not in run.stderr
