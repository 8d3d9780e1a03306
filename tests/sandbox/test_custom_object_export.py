"""The custom object cursor export: OAS page shape, masking of deleted records, switches, refusals."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.sandbox.clients import Client, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

MASK = "[DELETED]"


def _export(key: str) -> str:
    return f"/api/v2/incremental/custom_objects/{key}/cursor"


def test_pages_cover_every_record_in_updated_at_order_with_the_oas_keys(sandbox: Sandbox) -> None:
    pages = list(Client(sandbox).pages(_export("apartment"), key="custom_object_records", per_page=15))
    records = [r for page in pages for r in page["custom_object_records"]]
    assert len(pages) == 3  # 40 records in pages of 15
    assert {r["id"] for r in records} == {r["id"] for r in sandbox.admin.custom_object_records("apartment")}
    assert [(r["updated_at"], r["id"]) for r in records] == sorted(
        (r["updated_at"], r["id"]) for r in records
    )
    for page in pages:
        assert set(page) == {
            "custom_object_records", "after_cursor", "after_url", "before_cursor", "before_url", "filter",
            "meta", "end_of_stream",
        }  # fmt: skip
        assert page["end_of_stream"] is not page["meta"]["has_more"]
        assert page["filter"] == {"exclude_deleted": False}
    assert pages[-1]["after_cursor"] is not None, "default: the last page keeps its cursor, like tickets"


def test_deleted_records_are_masked_and_can_be_excluded(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(deleted_record_ratio=0.3)
    client = Client(sandbox)
    records = [
        r
        for p in client.pages(_export("vendor"), key="custom_object_records")
        for r in p["custom_object_records"]
    ]
    stored = {r["id"]: r for r in sandbox.admin.custom_object_records("vendor")}
    masked = [r for r in records if stored[r["id"]]["deleted"]]
    assert masked
    for record in masked:
        assert record["name"] == record["external_id"] == MASK
        assert set(record["custom_object_fields"].values()) == {MASK}
        assert record["updated_at"] == stored[record["id"]]["updated_at"]
    live = [r for r in records if not stored[r["id"]]["deleted"]]
    assert all(r["name"] == stored[r["id"]]["name"] for r in live)
    pages = list(
        client.pages(_export("vendor"), key="custom_object_records", **{"filter[exclude_deleted]": "true"})
    )
    kept = {r["id"] for p in pages for r in p["custom_object_records"]}
    assert kept == {r["id"] for r in live}
    assert pages[0]["filter"] == {"exclude_deleted": True}


def test_last_page_cursor_and_end_of_stream_follow_their_switches(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(custom_object_last_page_cursor="null", custom_object_export_end_of_stream=False)
    client = Client(sandbox)
    page = client.get(_export("apartment"), start_time=0).json()
    assert page["meta"]["has_more"] is False
    assert page["after_cursor"] is None
    assert page["after_url"] is None
    assert "end_of_stream" not in page


def test_a_record_written_after_the_export_shows_up_from_the_kept_cursor(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(recent_data_lag_seconds=0)
    client = Client(sandbox)
    last = list(client.pages(_export("vendor"), key="custom_object_records"))[-1]
    sandbox.admin.upsert_custom_object_record("vendor", "new-vendor", "New Vendor", {"rating": 4})
    past_change_stamps()
    page = client.get(_export("vendor"), cursor=last["after_cursor"]).json()
    assert [r["external_id"] for r in page["custom_object_records"]] == ["new-vendor"]
    assert page["custom_object_records"][0]["custom_object_fields"]["rating"] == 4


def test_numeric_values_can_be_served_as_strings(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(numeric_values_as_strings=True)
    page = Client(sandbox).get(_export("apartment"), start_time=0).json()
    live = [r for r in page["custom_object_records"] if r["name"] != MASK]
    rooms = [
        r["custom_object_fields"]["rooms"] for r in live if r["custom_object_fields"]["rooms"] is not None
    ]
    rents = [r["custom_object_fields"]["rent"] for r in live if r["custom_object_fields"]["rent"] is not None]
    assert rooms
    assert all(isinstance(value, str) and value.isdigit() for value in rooms)
    assert rents
    assert all(isinstance(value, str) and float(value) > 0 for value in rents)
    dates = [
        r["custom_object_fields"]["available_on"] for r in live if r["custom_object_fields"]["available_on"]
    ]
    assert dates
    assert all(value.endswith("T00:00:00+00:00") for value in dates)


def test_refusals_use_the_errors_list_shape(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    recent = client.get(_export("apartment"), start_time=int(time.time()))
    assert recent.status_code == 400
    assert recent.json() == {
        "errors": [
            {
                "code": "StartTimeTooRecent",
                "status": "400",
                "title": "start_time must be more than 60 seconds ago",
            }
        ]
    }
    bad = client.get(_export("apartment"), cursor="%%%")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "InvalidCursor"
    unknown = client.get(_export("no_such_object"), start_time=0)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == "CustomObjectNotFound"
    cursor = client.get(_export("apartment"), start_time=0, per_page=5).json()["after_cursor"]
    sandbox.admin.expire_cursors()
    assert client.get(_export("apartment"), cursor=cursor).json()["errors"][0]["code"] == "InvalidCursor"
