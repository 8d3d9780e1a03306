"""Bulk jobs: queued -> working -> completed with per-item results, failed jobs, failed items, refusals."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    import requests

    from zendesk_sandbox import Sandbox

JOBS = "/api/v2/custom_objects/{}/jobs"
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def _submit(client: Client, key: str, action: str, items: list[Any]) -> requests.Response:
    return client.request("POST", JOBS.format(key), json={"job": {"action": action, "items": items}})


def _statuses(client: Client, job_id: str, limit: float = 20.0) -> list[dict[str, Any]]:
    """Poll a job until it ends; return every distinct body seen, in order."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        body = client.get(f"/api/v2/job_statuses/{job_id}.json").json()["job_status"]
        if not seen or (body["status"], body["progress"]) != (seen[-1]["status"], seen[-1]["progress"]):
            seen.append(body)
        if body["status"] in {"completed", "failed"}:
            return seen
        time.sleep(0.02)
    pytest.fail(f"job did not end; saw {[s['status'] for s in seen]}")


def test_a_job_moves_from_queued_to_working_to_completed_with_results(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.2, job_items_per_second=40.0)
    client = Client(sandbox)
    items = [
        {"external_id": f"v-{i}", "name": f"Vendor job {i}", "custom_object_fields": {"rating": i}}
        for i in range(20)
    ]
    response = _submit(client, "vendor", "create_or_update_by_external_id", items)
    assert response.status_code == 200
    queued = response.json()["job_status"]
    assert re.fullmatch(r"V3-[0-9a-f]{32}", queued["id"])
    assert (queued["status"], queued["progress"], queued["results"], queued["total"]) == (
        "queued",
        None,
        None,
        20,
    )
    assert queued["url"].endswith(f"/api/v2/job_statuses/{queued['id']}.json")
    seen = _statuses(client, queued["id"])
    assert next(s["status"] for s in seen) == "queued"
    working = [s for s in seen if s["status"] == "working"]
    assert working, "the job must be seen working"
    assert all(s["results"] is None and s["progress"] < 20 for s in working)
    done = seen[-1]
    assert done["status"] == "completed"
    assert re.fullmatch(r"Completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000", done["message"])
    assert [r["index"] for r in done["results"]] == list(range(20))
    assert all(r["success"] and r["status"] == "Created" and ULID.match(r["id"]) for r in done["results"])
    stored = {
        r["external_id"]: r for r in sandbox.admin.custom_object_records("vendor", include_deleted=False)
    }
    assert stored["v-7"]["custom_object_fields"]["rating"] == 7


def test_invalid_items_fail_alone_and_updates_say_updated(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0)
    client = Client(sandbox)
    existing = sandbox.admin.custom_object_records("vendor", include_deleted=False)[0]
    items = [
        {"external_id": existing["external_id"], "custom_object_fields": {"rating": 1}},
        {"external_id": "bad-1", "name": "Bad", "custom_object_fields": {"rating": "lots"}},
        {"external_id": "new-1", "name": "Brand new"},
        {"name": "no external id"},
    ]
    job = _submit(client, "vendor", "create_or_update_by_external_id", items).json()["job_status"]
    results = _statuses(client, job["id"])[-1]["results"]
    assert [(r["index"], r["success"], r["status"]) for r in results] == [
        (0, True, "Updated"), (1, False, "Failed"), (2, True, "Created"), (3, False, "Failed"),
    ]  # fmt: skip
    assert results[1]["error"] == "RecordInvalid"
    assert set(results[1]["details"]) == {"rating"}
    assert results[1]["external_id"] == "bad-1"


def test_create_or_update_by_name_and_delete_by_external_id(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0)
    client = Client(sandbox)
    job = _submit(
        client, "vendor", "create_or_update_by_name", [{"name": "By Name", "external_id": "bn"}]
    ).json()
    assert _statuses(client, job["job_status"]["id"])[-1]["results"][0]["status"] == "Created"
    victims = [
        r["external_id"] for r in sandbox.admin.custom_object_records("vendor", include_deleted=False)[:2]
    ]
    job = _submit(client, "vendor", "delete_by_external_id", [*victims, "missing"]).json()
    results = _statuses(client, job["job_status"]["id"])[-1]["results"]
    assert [(r["status"], r["success"]) for r in results] == [
        ("Deleted", True),
        ("Deleted", True),
        ("Failed", False),
    ]
    assert results[2]["error"] == "RecordNotFound"
    live = {r["external_id"] for r in sandbox.admin.custom_object_records("vendor", include_deleted=False)}
    assert not live & set(victims)
    by_name = _submit(client, "apartment", "create_or_update_by_name", [{"name": "x"}]).json()
    result = _statuses(client, by_name["job_status"]["id"])[-1]["results"][0]
    assert result["success"] is False, "apartment names are not unique"


def test_an_item_over_32_kb_fails_alone(sandbox: Sandbox) -> None:
    # The sandbox's decision (zendesk_sandbox/__init__.py): a job checks each item as a single write does,
    # so an oversize item fails with the 422's RecordTooLarge details and the rest of the job applies.
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0)
    client = Client(sandbox)
    address = {"address": "1 Main Street"}
    items = [
        {"external_id": "fits-1", "name": "Fits", "custom_object_fields": address},
        {"external_id": "huge", "name": "Huge", "custom_object_fields": address | {"notes": "x" * 40_000}},
        {"external_id": "fits-2", "name": "Fits too", "custom_object_fields": address},
    ]
    response = _submit(client, "apartment", "create_or_update_by_external_id", items)
    assert response.status_code == 200, "the job is accepted: its items are checked one by one"
    done = _statuses(client, response.json()["job_status"]["id"])[-1]
    assert done["status"] == "completed"
    assert [(r["external_id"], r["success"], r["status"]) for r in done["results"]] == [
        ("fits-1", True, "Created"), ("huge", False, "Failed"), ("fits-2", True, "Created"),
    ]  # fmt: skip
    assert done["results"][1]["error"] == "RecordInvalid"
    assert done["results"][1]["details"] == {
        "base": [{"error": "RecordTooLarge", "description": "Record size exceeds the 32 KB limit"}]
    }
    stored = {r["external_id"] for r in sandbox.admin.custom_object_records("apartment")}
    assert {"fits-1", "fits-2"} <= stored
    assert "huge" not in stored


def test_failed_jobs_apply_nothing(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0, job_failure_rate=1.0)
    client = Client(sandbox)
    job = _submit(
        client, "vendor", "create_or_update_by_external_id", [{"external_id": "f-1", "name": "F"}]
    ).json()
    done = _statuses(client, job["job_status"]["id"])[-1]
    assert done["status"] == "failed"
    assert done["results"] is None
    assert "f-1" not in {r["external_id"] for r in sandbox.admin.custom_object_records("vendor")}


def test_job_refusals(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    too_many = _submit(client, "vendor", "create", [{"name": f"n{i}"} for i in range(101)])
    assert too_many.status_code == 400
    assert too_many.json() == {
        "error": "TooManyValues",
        "description": "Parameter  cannot specify more than 100 values",
        "max_count": 100,
    }
    assert _submit(client, "vendor", "explode", [{"name": "x"}]).status_code == 400
    assert _submit(client, "vendor", "create", []).status_code == 400
    assert _submit(client, "no_such_object", "create", [{"name": "x"}]).status_code == 404
    missing = client.get("/api/v2/job_statuses/V3-00000000000000000000000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"] == "RecordNotFound"


def test_ended_jobs_are_forgotten_after_the_retention(sandbox: Sandbox) -> None:
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0, job_retention_seconds=0.0)
    client = Client(sandbox)
    first = _submit(client, "vendor", "create", [{"name": "kept briefly"}]).json()["job_status"]["id"]
    assert _statuses(client, first)[-1]["status"] == "completed"
    _submit(client, "vendor", "create", [{"name": "pushes the first out"}])
    assert client.get(f"/api/v2/job_statuses/{first}").status_code == 404


def test_single_writes_go_on_while_a_job_applies_its_items(sandbox: Sandbox) -> None:
    # A job applies its items in ticks under one transaction while PATCHes and DELETEs arrive: both
    # kinds of write must take the sandbox's locks in one order, or one of them waits forever.
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=200.0)
    client = Client(sandbox)
    items = [{"external_id": f"bulk-{i}", "name": f"Bulk vendor {i}"} for i in range(100)]
    job_id = _submit(client, "vendor", "create_or_update_by_external_id", items).json()["job_status"]["id"]
    for i in range(40):
        record = {"external_id": f"single-{i}", "name": f"Single vendor {i}"}
        patched = client.request(
            "PATCH",
            "/api/v2/custom_objects/vendor/records",
            params={"external_id": f"single-{i}"},
            json={"custom_object_record": record},
        )
        assert patched.status_code == 200, patched.text
        if i % 4 == 3:
            deleted = client.request(
                "DELETE", "/api/v2/custom_objects/vendor/records", params={"external_id": f"single-{i}"}
            )
            assert deleted.status_code == 204, deleted.text
    final = _statuses(client, job_id)[-1]
    assert final["status"] == "completed"
    assert all(result["success"] for result in final["results"])
