"""Sequin's GET /v1/records: stream order, filters, limit, cursors, changes re-appended, auth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.sandbox.clients import sequin

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

RECORDS = "/v1/records"


def _all(sandbox: Sandbox, **params: Any) -> tuple[list[dict[str, Any]], str]:
    session = sequin(sandbox)
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        query = dict(params, **({"after_cursor": cursor} if cursor else {}))
        body = session.get(sandbox.url + RECORDS, params=query, timeout=30).json()
        assert body["cursor"]
        if not body["records"]:
            return records, body["cursor"]
        records += body["records"]
        cursor = body["cursor"]
    pytest.fail("the stream never ran dry")


def test_paging_returns_every_record_once_in_stream_order(sandbox: Sandbox) -> None:
    records, _ = _all(sandbox, limit=25)
    assert len(records) == 120
    assert [(r["collection_id"], r["upstream_id"]) for r in records] == [
        (r["collection_id"], r["upstream_id"]) for r in sandbox.admin.sequin_records()
    ]
    assert set(records[0]) == {
        "sync_id", "collection_id", "upstream_id", "upstream_updated_at", "data", "deleted", "created_at"
    }  # fmt: skip
    assert len({r["sync_id"] for r in records}) == 2
    assert {r["collection_id"].split(":")[0] for r in records} == {"stripe", "salesforce"}


def test_filters_by_collection_provider_and_sync_id(sandbox: Sandbox) -> None:
    everything, _ = _all(sandbox, limit=500)
    contacts, _ = _all(sandbox, collection="salesforce:contact")
    assert contacts
    assert contacts == [r for r in everything if r["collection_id"] == "salesforce:contact"]
    stripe, _ = _all(sandbox, provider="stripe")
    assert stripe == [r for r in everything if r["collection_id"].startswith("stripe:")]
    sync_id = stripe[0]["sync_id"]
    by_sync, _ = _all(sandbox, sync_id=sync_id)
    assert by_sync == [r for r in everything if r["sync_id"] == sync_id]


def test_limit_defaults_to_100_and_above_500_is_refused(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(sequin_records=600)
    session = sequin(sandbox)
    assert len(session.get(sandbox.url + RECORDS, timeout=30).json()["records"]) == 100
    assert len(session.get(sandbox.url + RECORDS, params={"limit": 500}, timeout=30).json()["records"]) == 500
    refused = session.get(sandbox.url + RECORDS, params={"limit": 501}, timeout=30)
    assert refused.status_code == 400
    assert set(refused.json()) == {"summary"}


def test_an_empty_page_returns_the_same_cursor(sandbox: Sandbox) -> None:
    _, cursor = _all(sandbox, limit=500)
    body = sequin(sandbox).get(sandbox.url + RECORDS, params={"after_cursor": cursor}, timeout=30).json()
    assert body == {"records": [], "cursor": cursor}


def test_changes_and_deletes_are_reappended_at_the_end_of_the_stream(sandbox: Sandbox) -> None:
    _, cursor = _all(sandbox, limit=500)
    first = sandbox.admin.sequin_records()[0]
    sandbox.admin.sequin_upsert(first["collection_id"], first["upstream_id"], {"id": "changed"})
    second = sandbox.admin.sequin_records()[0]
    sandbox.admin.sequin_delete(second["collection_id"], second["upstream_id"])
    sandbox.admin.sequin_upsert("stripe:customer", "cus_new", {"id": "cus_new"})
    body = sequin(sandbox).get(sandbox.url + RECORDS, params={"after_cursor": cursor}, timeout=30).json()
    assert [(r["upstream_id"], r["deleted"]) for r in body["records"]] == [
        (first["upstream_id"], False),
        (second["upstream_id"], True),
        ("cus_new", False),
    ]
    assert body["records"][0]["data"] == {"id": "changed"}
    assert body["records"][1]["data"] == second["data"]
    everything, _ = _all(sandbox, limit=500)
    assert len(everything) == 121, "a change moves a record, it never duplicates it"


def test_wrong_or_missing_token_gets_401_summary(sandbox: Sandbox) -> None:
    wrong = sequin(sandbox, "nope").get(sandbox.url + RECORDS, timeout=30)
    assert wrong.status_code == 401
    assert wrong.json() == {"summary": "Your API key is wrong"}
    assert requests.get(sandbox.url + RECORDS, timeout=30).status_code == 401
    bad_cursor = sequin(sandbox).get(sandbox.url + RECORDS, params={"after_cursor": "!!"}, timeout=30)
    assert bad_cursor.status_code == 400
