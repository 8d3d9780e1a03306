"""`GET /api/v2/job_statuses/show_many?ids=`: many job statuses in one request, and each way it refuses."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

SHOW_MANY = "/api/v2/job_statuses/show_many"
JOBS = "/api/v2/custom_objects/vendor/jobs"
UNKNOWN_V3 = "V3-00000000000000000000000000000000"


def _submit(client: Client, prefix: str, count: int = 2) -> str:
    items = [{"external_id": f"{prefix}-{i}", "name": f"{prefix} {i}"} for i in range(count)]
    response = client.request(
        "POST", JOBS, json={"job": {"action": "create_or_update_by_external_id", "items": items}}
    )
    assert response.status_code == 200, response.text
    job_id: str = response.json()["job_status"]["id"]
    return job_id


def _wait_ended(client: Client, job_id: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if client.get(f"/api/v2/job_statuses/{job_id}").json()["job_status"]["status"] == "completed":
            return
        time.sleep(0.02)
    pytest.fail(f"job {job_id} did not complete")


def _single(client: Client, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v2/job_statuses/{job_id}.json").json()["job_status"]
    return body


def test_show_many_answers_each_known_job_as_its_single_status_sorted_by_id(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0)
    client = Client(sandbox)
    done = [_submit(client, f"done{n}") for n in range(3)]
    for job_id in done:
        _wait_ended(client, job_id)
    sandbox.configure(job_queue_seconds=600.0)  # this one stays queued while the test looks
    queued = _submit(client, "queued")
    asked = [queued, *reversed(done), UNKNOWN_V3, "not-a-job", done[0]]
    for suffix in ("", ".json"):
        response = client.get(SHOW_MANY + suffix, ids=",".join(asked))
        assert response.status_code == 200, response.text
        statuses = response.json()["job_statuses"]
        assert [status["id"] for status in statuses] == sorted([*done, queued])
        assert statuses == [_single(client, status["id"]) for status in statuses]
    by_id = {status["id"]: status for status in statuses}
    assert by_id[queued]["status"] == "queued"
    assert all(by_id[job_id]["status"] == "completed" and by_id[job_id]["results"] for job_id in done)


def test_show_many_is_one_request_of_its_own_kind_against_the_account_budget(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(job_queue_seconds=600.0, account_requests_per_window=50)
    client = Client(sandbox)
    ids = [_submit(client, f"budget{n}") for n in range(3)]
    sandbox.admin.reset_stats()
    before = int(client.get(f"/api/v2/job_statuses/{ids[0]}").headers["x-rate-limit-remaining"])
    polled = client.get(SHOW_MANY, ids=",".join(ids))
    assert polled.status_code == 200
    assert len(polled.json()["job_statuses"]) == 3
    assert int(polled.headers["x-rate-limit-remaining"]) == before - 1
    stats = sandbox.admin.stats()
    assert stats["requests"] == 2
    assert stats["requests_by_kind"] == {"job_status": 1, "job_status_show_many": 1}


def test_show_many_refuses_no_ids_and_too_many_ids(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    for params in ({}, {"ids": ""}, {"ids": " , ,"}):
        missing = client.get(SHOW_MANY, **params)
        assert missing.status_code == 400, params
        assert set(missing.json()) == {"error", "description"}
    hundred = ",".join(f"V3-{n:032x}" for n in range(100))
    assert client.get(SHOW_MANY, ids=hundred).json() == {"job_statuses": []}
    too_many = client.get(SHOW_MANY, ids=hundred + ",V3-ffffffffffffffffffffffffffffffff")
    assert too_many.status_code == 400
    assert too_many.json() == {
        "error": "TooManyValues",
        "description": "Parameter  cannot specify more than 100 values",
        "max_count": 100,
    }
    sandbox.configure(job_status_show_many_max_ids=3)
    assert client.get(SHOW_MANY, ids="a,b,c").status_code == 200
    smaller = client.get(SHOW_MANY, ids="a,b,c,d")
    assert smaller.status_code == 400
    assert smaller.json()["max_count"] == 3
    assert smaller.json()["description"] == "Parameter  cannot specify more than 3 values"


def test_show_many_can_be_told_to_refuse_custom_object_job_ids(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=600.0)
    client = Client(sandbox)
    job_id = _submit(client, "v3")
    assert [s["id"] for s in client.get(SHOW_MANY, ids=job_id).json()["job_statuses"]] == [job_id]
    changed = requests.patch(
        f"{sandbox.url}/_sandbox/settings", json={"job_status_show_many_accepts_v3": False}, timeout=30
    )
    assert changed.json()["job_status_show_many_accepts_v3"] is False
    for ids in (job_id, f"0123456789abcdef0123456789abcdef,{job_id}"):
        refused = client.get(SHOW_MANY, ids=ids)
        assert refused.status_code == 400
        body = refused.json()
        assert set(body) == {"error", "description"}
        assert job_id in body["description"]
    assert client.get(SHOW_MANY, ids="0123456789abcdef0123456789abcdef").json() == {"job_statuses": []}
    assert client.get(f"/api/v2/job_statuses/{job_id}").status_code == 200, "the single status still works"


def test_show_many_leaves_out_forgotten_jobs(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0, job_retention_seconds=0.0)
    client = Client(sandbox)
    first = _submit(client, "old")
    _wait_ended(client, first)
    second = _submit(client, "new")  # a submission forgets the jobs that ended over 0 s ago
    statuses = client.get(SHOW_MANY, ids=f"{first},{second}").json()["job_statuses"]
    assert [status["id"] for status in statuses] == [second]
