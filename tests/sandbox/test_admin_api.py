"""The admin HTTP API under /_sandbox/ mirrors the Python admin API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from tests.sandbox.clients import TICKETS, Client

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox


def _admin(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{sandbox.url}/_sandbox{path}", timeout=30, **kwargs)


def test_stats_count_requests_by_kind_status_and_reset(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    client.get(TICKETS, start_time=0)
    client.get("/api/v2/custom_objects/vendor/fields")
    client.get("/api/v2/nothing")
    stats = _admin(sandbox, "GET", "/stats").json()
    assert stats["requests"] == 3
    assert stats["requests_by_kind"] == {"ticket_export": 1, "custom_object_fields": 1, "unknown": 1}
    assert stats["responses_by_status"] == {"200": 2, "404": 1}
    assert _admin(sandbox, "POST", "/stats/reset").json()["requests"] == 0
    assert sandbox.admin.stats()["requests"] == 0


def test_settings_read_and_change_live(sandbox: Sandbox) -> None:
    settings = _admin(sandbox, "GET", "/settings").json()
    assert settings["export_requests_per_window"] == 10
    assert settings["faults"]["rate_limit_storm"] == 0
    assert "tickets" not in settings, "the data shape is not live"
    changed = _admin(
        sandbox, "PATCH", "/settings", json={"window_seconds": 1.5, "faults": {"rate_limit_storm": 1}}
    )
    assert changed.status_code == 200
    assert changed.json()["window_seconds"] == 1.5
    assert sandbox.settings.faults.rate_limit_storm == 1
    assert Client(sandbox).get("/api/v2/custom_objects").status_code == 429
    refused = _admin(sandbox, "PATCH", "/settings", json={"tickets": 5})
    assert refused.status_code == 400
    assert "tickets" in refused.json()["description"]


def test_tickets_can_be_created_changed_and_deleted(sandbox: Sandbox) -> None:
    created = _admin(sandbox, "POST", "/tickets", json={"subject": "via admin"}).json()["ticket"]
    assert created["subject"] == "via admin"
    assert created["id"] == 251
    changed = _admin(sandbox, "PATCH", f"/tickets/{created['id']}", json={"status": "solved"}).json()[
        "ticket"
    ]
    assert changed["status"] == "solved"
    deleted = _admin(sandbox, "DELETE", f"/tickets/{created['id']}").json()["ticket"]
    assert deleted["status"] == "deleted"
    stored = sandbox.admin.ticket(created["id"])
    assert stored is not None
    assert stored["status"] == "deleted"
    assert _admin(sandbox, "PATCH", "/tickets/99999", json={}).status_code == 404
    assert _admin(sandbox, "POST", "/tickets", json={"generated_timestamp": 1}).status_code == 400


def test_records_jobs_and_sequin_through_admin(sandbox: Sandbox) -> None:
    sandbox.admin.delete_custom_object_record("vendor", "vendor-00001")
    records = _admin(sandbox, "GET", "/custom_objects/vendor/records").json()["custom_object_records"]
    gone = next(r for r in records if r["external_id"] == "vendor-00001")
    assert gone["deleted"] is True
    assert gone["name"] != "[DELETED]", "admin reads are unmasked"
    assert _admin(sandbox, "GET", "/jobs").json() == {"jobs": []}
    added = _admin(
        sandbox,
        "POST",
        "/sequin/records",
        json={"collection_id": "stripe:customer", "upstream_id": "cus_x", "data": {"a": 1}},
    )
    assert added.json()["record"]["data"] == {"a": 1}
    removed = _admin(
        sandbox,
        "DELETE",
        "/sequin/records",
        params={"collection_id": "stripe:customer", "upstream_id": "cus_x"},
    )
    assert removed.json()["record"]["deleted"] is True
    assert sandbox.admin.sequin_records()[-1]["upstream_id"] == "cus_x"
    assert _admin(sandbox, "GET", "/custom_objects/nope/records").status_code == 404


def test_a_custom_object_can_be_created_and_written(sandbox: Sandbox) -> None:
    sandbox.admin.create_custom_object(
        "device",
        "Device",
        [{"key": "serial", "type": "text", "title": "Serial", "required": True}],
        name_mode="unique",
    )
    assert "device" in [
        o["key"] for o in Client(sandbox).get("/api/v2/custom_objects").json()["custom_objects"]
    ]
    record = sandbox.admin.upsert_custom_object_record("device", "d-1", "Device 1", {"serial": "S1"})
    assert record["custom_object_fields"] == {"serial": "S1"}
    fields = (
        Client(sandbox).get("/api/v2/custom_objects/device/fields", include_standard_fields="true").json()
    )
    assert [f["key"] for f in fields["custom_object_fields"]] == [
        "standard::name",
        "standard::external_id",
        "serial",
    ]
