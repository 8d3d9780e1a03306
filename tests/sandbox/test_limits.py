"""Rate limits: the shared export window, the account budget (plain-text 429) and the active-job cap."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.sandbox.clients import TICKETS, Client

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

WINDOW = 1.0


def _object_export(key: str = "apartment") -> str:
    return f"/api/v2/incremental/custom_objects/{key}/cursor"


def test_export_limit_is_shared_by_both_exports_and_frees_after_the_window(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(window_seconds=WINDOW, export_requests_per_window=3)
    client = Client(sandbox)
    assert client.get(TICKETS, start_time=0).status_code == 200
    assert client.get(_object_export(), start_time=0).status_code == 200
    assert client.get(TICKETS, start_time=0).status_code == 200
    refused = client.get(_object_export(), start_time=0)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "APIRateLimitExceeded",
        "description": "Number of allowed incremental export API requests per minute exceeded",
    }
    wait = float(refused.headers["Retry-After"])
    assert 0 < wait <= WINDOW
    assert client.get("/api/v2/custom_objects").status_code == 200, "other endpoints are not export-limited"
    time.sleep(wait + 0.05)
    assert client.get(TICKETS, start_time=0).status_code == 200
    assert sandbox.admin.stats()["rate_limited"] == {"export_limit": 1}


def test_retry_after_is_whole_seconds_with_a_real_minute(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(export_requests_per_window=1)
    client = Client(sandbox)
    client.get(TICKETS, start_time=0)
    refused = client.get(TICKETS, start_time=0)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"].isdigit()
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_account_budget_answers_plain_text_and_counts_every_zendesk_request(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(window_seconds=WINDOW, account_requests_per_window=4)
    client = Client(sandbox)
    seen = [client.get("/api/v2/custom_objects") for _ in range(4)]
    assert [r.status_code for r in seen] == [200] * 4
    assert [r.headers["x-rate-limit-remaining"] for r in seen] == ["3", "2", "1", "0"]
    assert seen[0].headers["x-rate-limit"] == seen[0].headers["ratelimit-limit"] == "4"
    refused = client.get("/api/v2/ticket_fields")
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.text == "Number of allowed API requests per minute exceeded"
    assert float(refused.headers["Retry-After"]) > 0
    records = f"{sandbox.url}/v1/records"
    sequin = client.session.get(records, headers={"Authorization": "Bearer sandbox-token"}, timeout=30)
    assert sequin.status_code == 200, "Sequin is not part of the Zendesk budget"
    assert client.session.get(f"{sandbox.url}/_sandbox/stats", timeout=30).status_code == 200
    time.sleep(float(refused.headers["Retry-After"]) + 0.05)
    assert client.get("/api/v2/custom_objects").status_code == 200


def _job(count: int = 1, prefix: str = "j") -> dict[str, Any]:
    items = [{"external_id": f"{prefix}-{i}", "name": f"{prefix} {i}"} for i in range(count)]
    return {"job": {"action": "create_or_update_by_external_id", "items": items}}


def test_job_cap_refuses_with_429_and_retry_after_until_a_job_finishes(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(max_active_jobs=2, job_queue_seconds=0.1, job_items_per_second=10.0)
    client = Client(sandbox)
    first = client.request("POST", "/api/v2/custom_objects/vendor/jobs", json=_job(count=3, prefix="a"))
    second = client.request("POST", "/api/v2/custom_objects/vendor/jobs", json=_job(count=3, prefix="b"))
    assert [first.status_code, second.status_code] == [200, 200]
    refused = client.request("POST", "/api/v2/custom_objects/vendor/jobs", json=_job(prefix="c"))
    assert refused.status_code == 429
    assert refused.json()["error"] == "TooManyJobs"
    wait = float(refused.headers["Retry-After"])
    assert 0 < wait <= 1.0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        again = client.request("POST", "/api/v2/custom_objects/vendor/jobs", json=_job(prefix="c"))
        if again.status_code == 200:
            break
        time.sleep(wait)
    assert again.status_code == 200
    stats = sandbox.admin.stats()
    assert stats["max_active_jobs_seen"] == 2
    assert stats["rate_limited"]["job_limit"] >= 1


def test_configure_resets_the_windows(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(export_requests_per_window=1)
    client = Client(sandbox)
    client.get(TICKETS, start_time=0)
    assert client.get(TICKETS, start_time=0).status_code == 429
    sandbox.configure(export_requests_per_window=1)
    assert client.get(TICKETS, start_time=0).status_code == 200
