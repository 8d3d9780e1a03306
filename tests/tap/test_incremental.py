"""A run from the previous run's final STATE returns only what changed (plus at most a page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import FAST, run_tap, tap_config, wait_until_changes_are_exportable

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

PAGE = 25


def test_second_run_returns_only_changes(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**FAST)
    collections = sorted({r["collection_id"] for r in sb.admin.sequin_records()})
    config = tap_config(sb, page_size=PAGE, sequin_page_size=PAGE, sequin_collections=collections)
    first = run_tap(tmp_path, config)
    assert first.returncode == 0, first.stderr

    ids = sorted(sb.admin.ticket_ids(include_deleted=False))
    sb.admin.update_ticket(ids[3], subject="second run sees this")
    sb.admin.delete_ticket(ids[4])
    created = sb.admin.create_ticket(subject="new since the first run")
    key = sb.admin.custom_objects()[0]["key"]
    alive = [r for r in sb.admin.custom_object_records(key, include_deleted=False) if r["external_id"]]
    sb.admin.delete_custom_object_record(key, alive[0]["external_id"])
    collection = collections[0]
    sb.admin.sequin_upsert(collection, "fresh-upstream-id", {"note": "new"})
    wait_until_changes_are_exportable()

    second = run_tap(tmp_path, config, state=first.final_state)
    assert second.returncode == 0, second.stderr
    tickets = {t["id"]: t for t in second.records("tickets")}
    assert {ids[3], ids[4], created} <= set(tickets)
    assert len(tickets) <= 3 + PAGE
    assert tickets[ids[3]]["subject"] == "second run sees this"
    assert tickets[ids[4]]["status"] == "deleted"

    records = second.records(f"custom_object_records__{key}")
    assert alive[0]["id"] in {r["id"] for r in records if r["deleted"]}
    assert len(records) <= 1 + PAGE

    sequin = second.records("sequin_records")
    assert ("fresh-upstream-id", collection) in {(r["upstream_id"], r["collection_id"]) for r in sequin}
    assert len(sequin) <= 1 + PAGE


# A cursor Zendesk cannot read (expired or damaged), beside the mark the tap restarts from: its own
# high-water mark, or the SDK's keys alone (no high_water) as `meltano state set` writes them.
@pytest.mark.parametrize(
    "bookmark",
    [
        pytest.param(lambda mark: {"high_water": mark}, id="high_water"),
        pytest.param(
            lambda mark: {"replication_key": "generated_timestamp", "replication_key_value": mark},
            id="replication_key_value_only",
        ),
    ],
)
def test_refused_cursor_restarts_from_the_bookmarks_mark(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, bookmark: Callable[[int], dict[str, Any]]
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=100)
    first = run_tap(tmp_path, config)
    tickets = first.records("tickets")
    mark = sorted(t["generated_timestamp"] for t in tickets)[len(tickets) // 2]
    state = {"bookmarks": {"tickets": {"cursor": "bm90LWEtY3Vyc29y", **bookmark(mark)}}}
    second = run_tap(tmp_path, config, state=state)
    assert second.returncode == 0, second.stderr
    assert "refused the saved cursor" in second.stderr
    got = {t["id"] for t in second.records("tickets")}
    # Everything from the mark's second on, nothing older: never start_date, never ahead.
    assert got == {t["id"] for t in tickets if t["generated_timestamp"] >= mark}


def test_custom_object_export_without_end_of_stream_and_null_last_cursor(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # The other reading of wire notes §3/§13: no `end_of_stream`, and `after_cursor` null on the last page.
    sb = sandbox_factory(
        custom_object_export_end_of_stream=False, custom_object_last_page_cursor="null", **FAST
    )
    config = tap_config(sb, sequin_api_token=None, page_size=PAGE)
    first = run_tap(tmp_path, config)
    assert first.returncode == 0, first.stderr
    second = run_tap(tmp_path, config, state=first.final_state)
    assert second.returncode == 0, second.stderr
    for obj in sb.admin.custom_objects():
        stream = f"custom_object_records__{obj['key']}"
        seeded = {r["id"] for r in sb.admin.custom_object_records(obj["key"], include_deleted=True)}
        assert {r["id"] for r in first.records(stream)} == seeded
        assert first.final_state["bookmarks"][stream]["cursor"]  # the last non-null cursor is kept
        assert len(second.records(stream)) <= PAGE  # nothing changed: at most the last page again
