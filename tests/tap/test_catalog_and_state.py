"""The catalog says how each stream replicates; the state holds the SDK-standard keys beside the cursor."""

from __future__ import annotations

import json
import re
import subprocess
from typing import TYPE_CHECKING, Any

from tests.tap.runner import FAST, TAP, run_tap, tap_config, write_json
from zendesk_objects_shared.timestamps import parse_datetime

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

PAGE = 20
# What each export orders by (wire notes §2, §3, Sequin §4); any other stream is a whole list each run.
REPLICATION_KEYS = {
    "tickets": "generated_timestamp",
    "users": "updated_at",
    "organizations": "updated_at",
    "sequin_records": "upstream_updated_at",
    # the support warehouse's streams (wire notes §25)
    "ticket_metrics": "generated_timestamp",
    "ticket_metric_events": "time",
    "ticket_events": "created_at",
    "ticket_comments": "created_at",
    "satisfaction_ratings": "updated_at",
    "user_identities": "updated_at",
}
OBJECT_KEY = "updated_at"
LIST_STREAMS = ("groups", "ticket_fields", "user_fields", "organization_fields", "brands", "ticket_forms",
                "tags", "sla_policies", "schedules", "schedule_holidays", "group_memberships",
                "organization_memberships", "macros")  # fmt: skip
SDK_TRANSIENT_KEYS = {"progress_markers", "starting_replication_value", "replication_key_signpost"}


def _expected_key(stream: str) -> str | None:
    if stream.startswith("custom_object_records__"):
        return OBJECT_KEY
    return REPLICATION_KEYS.get(stream)


def _discover(tmp_path: Path, config: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [TAP, "--config", str(write_json(tmp_path, "config", config)), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    catalog: dict[str, Any] = json.loads(done.stdout)
    return catalog


def _root_metadata(entry: dict[str, Any]) -> dict[str, Any]:
    roots = [m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == []]
    return roots[0] if roots else {}


def _epoch(value: Any) -> float:
    return float(value) if isinstance(value, int) else parse_datetime(str(value)).timestamp()


def _newest(records: list[dict[str, Any]], key: str) -> float:
    return max(_epoch(r[key]) for r in records)


def _one_custom_object(sb: Sandbox, page_size: int) -> tuple[str, dict[str, Any]]:
    """The sandbox's first custom object: its stream, and a config that exports it beside the others."""
    key = sb.admin.custom_objects()[0]["key"]
    config = tap_config(sb, custom_object_keys=[key], sequin_api_token=None, page_size=page_size)
    return f"custom_object_records__{key}", config


def test_discovery_says_incremental_with_each_exports_replication_key(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    catalog = _discover(tmp_path, tap_config(sb))
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    assert {"tickets", "sequin_records"} <= set(streams)
    assert any(name.startswith("custom_object_records__") for name in streams)
    for name, entry in streams.items():
        key = _expected_key(name)
        root = _root_metadata(entry)
        if key is None:  # a stream exported whole each run says so
            assert entry.get("replication_method") == "FULL_TABLE", name
            assert not entry.get("replication_key"), name
            assert not root.get("replication-key"), name
            continue
        assert entry["replication_method"] == "INCREMENTAL", name
        assert entry["replication_key"] == key, name
        assert root["replication-key"] == key, name
        assert root["valid-replication-keys"] == [key], name
        assert key in entry["schema"]["properties"], name


def test_state_holds_cursor_and_replication_key_value(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    collections = sorted({r["collection_id"] for r in sb.admin.sequin_records()})
    config = tap_config(sb, page_size=PAGE, sequin_page_size=PAGE, sequin_collections=collections)
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr
    for name in ("tickets", "users", "organizations"):
        assert f"Beginning sync of '{name}' in incremental mode" in run.stderr
    # Only the lists read whole each run say full_table, and truly.
    full_table = re.findall(r"Beginning sync of '([^']+)' in full_table mode", run.stderr)
    assert sorted(set(full_table)) == sorted(LIST_STREAMS)  # a child stream (holidays) once per schedule
    assert "not resumable" not in run.stderr  # the SDK's warning for unsorted streams would be untrue here

    bookmarks = run.final_state["bookmarks"]
    tickets = run.records("tickets")
    newest_ticket = max(t["generated_timestamp"] for t in tickets)
    assert bookmarks["tickets"]["cursor"]
    assert bookmarks["tickets"]["high_water"] == newest_ticket
    assert bookmarks["tickets"]["replication_key"] == "generated_timestamp"
    assert bookmarks["tickets"]["replication_key_value"] == newest_ticket
    for name in ("users", "organizations"):
        assert bookmarks[name]["replication_key"] == "updated_at", name
        assert _epoch(bookmarks[name]["replication_key_value"]) == _newest(run.records(name), "updated_at")
    assert bookmarks["organizations"]["start_time"]
    objects = [name for name in bookmarks if name.startswith("custom_object_records__")]
    assert objects
    for name in objects:
        bookmark = bookmarks[name]
        assert bookmark["cursor"]
        assert bookmark["replication_key"] == OBJECT_KEY
        assert _epoch(bookmark["replication_key_value"]) == _newest(run.records(name), OBJECT_KEY)
    sequin = run.records("sequin_records")
    partitions = bookmarks["sequin_records"]["partitions"]
    assert sorted(p["context"]["collection_id"] for p in partitions) == collections
    for partition in partitions:
        mine = [r for r in sequin if r["collection_id"] == partition["context"]["collection_id"]]
        assert partition["cursor"]
        assert partition["replication_key"] == "upstream_updated_at"
        assert _epoch(partition["replication_key_value"]) == _newest(mine, "upstream_updated_at")
    for state in run.states:
        text = json.dumps(state)
        assert not any(key in text for key in SDK_TRANSIENT_KEYS), state


def test_replication_key_value_moves_per_page_when_sorted_and_at_the_end_otherwise(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    stream, config = _one_custom_object(sandbox_factory(**FAST), page_size=PAGE)
    run = run_tap(tmp_path, config, select=["tickets", stream])
    assert run.returncode == 0, run.stderr
    written: dict[str, list[dict[str, Any]]] = {"tickets": [], stream: []}
    last_record_of = {
        name: max(i for i, m in enumerate(run.messages) if m.get("stream") == name) for name in written
    }
    for index, message in enumerate(run.messages):
        if message["type"] == "RECORD":
            written[message["stream"]].append(message["record"])
            continue
        if message["type"] != "STATE":
            continue
        bookmarks = message["value"].get("bookmarks", {})
        if written["tickets"] and "tickets" in bookmarks:
            # tickets are exported in generated_timestamp order: the value follows every page written
            assert bookmarks["tickets"]["replication_key_value"] == _newest(
                written["tickets"], "generated_timestamp"
            )
        if stream in bookmarks and index < last_record_of[stream]:
            # custom object records are not declared sorted: the value waits for the walk's end
            assert "replication_key_value" not in bookmarks[stream], (index, bookmarks[stream])
    assert len(written[stream]) > PAGE  # several pages, so the mid-walk states were checked
    final = run.final_state["bookmarks"][stream]
    assert _epoch(final["replication_key_value"]) == _newest(written[stream], OBJECT_KEY)


def test_hand_set_replication_key_value_without_cursor_starts_the_export_there(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    stream, config = _one_custom_object(sandbox_factory(**FAST), page_size=100)
    first = run_tap(tmp_path, config)
    assert first.returncode == 0, first.stderr
    tickets, records = first.records("tickets"), first.records(stream)
    ticket_mark = sorted(t["generated_timestamp"] for t in tickets)[len(tickets) // 2]
    record_mark = sorted(r[OBJECT_KEY] for r in records)[len(records) // 2]
    people = {name: first.records(name) for name in ("users", "organizations")}
    people_marks = {
        name: sorted(r["updated_at"] for r in rows)[len(rows) // 2] for name, rows in people.items()
    }
    # What `meltano state set` would be given: the SDK's keys only, no cursor, no high_water, no start_time;
    # some without `replication_key` at all.
    state = {
        "bookmarks": {
            "tickets": {"replication_key": "generated_timestamp", "replication_key_value": ticket_mark},
            stream: {"replication_key_value": record_mark},
            "users": {"replication_key": "updated_at", "replication_key_value": people_marks["users"]},
            "organizations": {"replication_key_value": people_marks["organizations"]},
        }
    }
    second = run_tap(tmp_path, config, state=state)
    assert second.returncode == 0, second.stderr
    for name, rows in people.items():
        mark = _epoch(people_marks[name])
        assert {r["id"] for r in second.records(name)} == {
            r["id"] for r in rows if _epoch(r["updated_at"]) >= mark
        }
    assert {t["id"] for t in second.records("tickets")} == {
        t["id"] for t in tickets if t["generated_timestamp"] >= ticket_mark
    }
    assert {r["id"] for r in second.records(stream)} == {
        r["id"] for r in records if _epoch(r[OBJECT_KEY]) >= _epoch(record_mark)
    }
    bookmarks = second.final_state["bookmarks"]
    assert bookmarks["tickets"]["cursor"]
    assert bookmarks["tickets"]["replication_key_value"] == max(t["generated_timestamp"] for t in tickets)
    assert bookmarks[stream]["replication_key"] == OBJECT_KEY


def test_unreadable_replication_key_value_ends_the_run_with_one_line(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None)
    state = {"bookmarks": {"tickets": {"replication_key_value": "last tuesday"}}}
    run = run_tap(tmp_path, config, state=state)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "tickets: the state's `replication_key_value` 'last tuesday'" in last
    assert "Traceback" not in run.stderr
    assert not run.records("tickets")


def test_a_catalog_saying_full_table_cannot_stop_the_cursor_export(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # A catalog saved before the streams said INCREMENTAL: FULL_TABLE, no replication key.
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=100)
    catalog = _discover(tmp_path, config)
    for entry in catalog["streams"]:
        entry["replication_method"] = "FULL_TABLE"
        entry.pop("replication_key", None)
        root = _root_metadata(entry)
        root.pop("replication-key", None)
        root["forced-replication-method"] = "FULL_TABLE"
    first = run_tap(tmp_path, config, "--catalog", str(write_json(tmp_path, "catalog", catalog)))
    assert first.returncode == 0, first.stderr
    assert "the catalog asks for FULL_TABLE replication" in first.stderr
    assert "Beginning sync of 'tickets' in incremental mode" in first.stderr
    state = json.loads(
        [line for line in first.stdout.splitlines() if line.startswith('{"type":"STATE"')][-1]
    )["value"]
    assert state["bookmarks"]["tickets"]["replication_key"] == "generated_timestamp"
