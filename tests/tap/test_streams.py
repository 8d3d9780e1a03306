"""Each stream exports every record once, valid against its SCHEMA, deleted ones marked, changes included."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from typing import TYPE_CHECKING, Any

from tests.tap.runner import (
    FAST,
    assert_valid,
    parse_messages,
    run_tap,
    selected_catalog,
    tap_args,
    tap_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox


def test_tickets_all_once_valid_and_deleted_marked(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    run = run_tap(tmp_path, tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=60))
    assert run.returncode == 0, run.stderr
    tickets = run.records("tickets")
    ids = Counter(t["id"] for t in tickets)
    assert set(ids) == set(sb.admin.ticket_ids(include_deleted=True))
    assert max(ids.values()) == 1
    assert_valid(tickets, run.schema("tickets"))
    deleted = {t["id"] for t in tickets if t["status"] == "deleted"}
    expected_deleted = {i for i in ids if (sb.admin.ticket(i) or {}).get("status") == "deleted"}
    assert deleted == expected_deleted
    assert deleted  # the seeded data set has deleted tickets
    # The bookmark holds the last page's cursor and the newest generated_timestamp emitted.
    bookmark = run.final_state["bookmarks"]["tickets"]
    assert bookmark["cursor"]
    assert bookmark["high_water"] == max(t["generated_timestamp"] for t in tickets)


def test_a_state_follows_every_page_and_never_runs_ahead(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=25)
    run = run_tap(tmp_path, config, select=["tickets"])
    assert run.returncode == 0, run.stderr
    newest = 0
    since_state = 0
    checkpoints = []
    for message in run.messages:
        if message["type"] == "RECORD":
            newest = max(newest, message["record"]["generated_timestamp"])
            since_state += 1
        elif message["type"] == "STATE" and "tickets" in message["value"].get("bookmarks", {}):
            bookmark = message["value"]["bookmarks"]["tickets"]
            # What the bookmark covers was printed before it.
            assert bookmark.get("high_water", 0) <= newest
            checkpoints.append(since_state)
            since_state = 0
        assert since_state <= 25  # never more than a page of records without a STATE after it
    assert len(checkpoints) >= len(sb.admin.ticket_ids(include_deleted=True)) // 25


def test_exclude_deleted_leaves_deleted_out(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, sequin_api_token=None, exclude_deleted=True)
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr
    assert {t["id"] for t in run.records("tickets")} == set(sb.admin.ticket_ids(include_deleted=False))
    for obj in sb.admin.custom_objects():
        key = obj["key"]
        records = run.records(f"custom_object_records__{key}")
        assert {r["id"] for r in records} == {
            r["id"] for r in sb.admin.custom_object_records(key, include_deleted=False)
        }
        assert not any(r["deleted"] for r in records)


def _check_custom_objects(sb: Sandbox, run: Any) -> None:
    objects = sb.admin.custom_objects()
    assert objects
    for obj in objects:
        key = obj["key"]
        stream = f"custom_object_records__{key}"
        records = run.records(stream)
        assert_valid(records, run.schema(stream))
        seeded = {r["id"]: r for r in sb.admin.custom_object_records(key, include_deleted=True)}
        assert Counter(r["id"] for r in records) == Counter(list(seeded))
        for record in records:
            truth = seeded[record["id"]]
            assert record["deleted"] is bool(truth["deleted"])
            if record["deleted"]:
                assert all(v is None for v in (record["custom_object_fields"] or {}).values())
            else:
                assert record["name"] == truth["name"]
                assert record["external_id"] == truth["external_id"]


def test_custom_object_records_typed_and_deleted_marked(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    run = run_tap(tmp_path, tap_config(sb, sequin_api_token=None, page_size=15))
    assert run.returncode == 0, run.stderr
    _check_custom_objects(sb, run)
    assert any(
        r["deleted"]
        for obj in sb.admin.custom_objects()
        for r in run.records(f"custom_object_records__{obj['key']}")
    )


def test_numbers_sent_as_strings_still_match_the_schema(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(numeric_values_as_strings=True, **FAST)
    run = run_tap(tmp_path, tap_config(sb, sequin_api_token=None))
    assert run.returncode == 0, run.stderr
    _check_custom_objects(sb, run)


def test_discovery_reports_each_custom_objects_fields(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    run = run_tap(tmp_path, tap_config(sb), "--discover")
    assert run.returncode == 0, run.stderr
    catalog = {entry["tap_stream_id"]: entry for entry in json.loads(run.stdout)["streams"]}
    assert {"tickets", "sequin_records"} <= set(catalog)
    for obj in sb.admin.custom_objects():
        properties = catalog[f"custom_object_records__{obj['key']}"]["schema"]["properties"]
        fields = properties["custom_object_fields"]["properties"]
        for field in sb.admin.custom_object_fields(obj["key"]):
            if field["key"].startswith("standard::"):
                continue
            assert field["key"] in fields
            if field["type"] == "integer":
                assert fields[field["key"]]["type"] == ["integer", "null"]


def test_sequin_records_per_collection_with_deletes(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    truth = sb.admin.sequin_records()
    collections = sorted({r["collection_id"] for r in truth})
    config = tap_config(sb, custom_object_keys=[], sequin_collections=collections, sequin_page_size=17)
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr
    records = run.records("sequin_records")
    assert_valid(records, run.schema("sequin_records"))
    keys = Counter((r["collection_id"], r["upstream_id"]) for r in records)
    assert set(keys) == {(r["collection_id"], r["upstream_id"]) for r in truth}
    assert max(keys.values()) == 1
    partitions = run.final_state["bookmarks"]["sequin_records"]["partitions"]
    assert sorted(p["context"]["collection_id"] for p in partitions) == collections
    assert all(p["cursor"] for p in partitions)


def test_changes_during_an_export_arrive_in_their_latest_version(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    # 25 pages at ten requests a second keep the export running for seconds after the changes below, so
    # they are past the export cutoff (whole seconds) before its last pages are served.
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=10)
    config["export_requests_per_minute"] = 10
    ids = sorted(sb.admin.ticket_ids(include_deleted=False))
    catalog = selected_catalog(tmp_path, config, ["tickets"])
    args = tap_args(tmp_path, config, None, catalog=catalog)
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as tap:
        assert tap.stdout is not None
        first = tap.stdout.readline()  # the tap is under way once it prints
        assert first
        early, late = ids[0], ids[-1]
        sb.admin.update_ticket(early, subject="changed while exporting (early)")
        sb.admin.update_ticket(late, subject="changed while exporting (late)")
        sb.admin.delete_ticket(ids[len(ids) // 2])
        created = sb.admin.create_ticket(subject="created while exporting")
        rest = tap.stdout.read()
        tap.wait(timeout=120)
    assert tap.returncode == 0
    tickets = [m["record"] for m in parse_messages(first + rest) if m["type"] == "RECORD"]
    latest = {t["id"]: t for t in tickets}  # a later version overrides an earlier one, as in a target
    for ticket_id in (early, late, ids[len(ids) // 2], created):
        truth = sb.admin.ticket(ticket_id)
        assert truth is not None
        assert latest[ticket_id]["subject"] == truth["subject"]
        assert latest[ticket_id]["status"] == truth["status"]
    assert set(latest) == set(sb.admin.ticket_ids(include_deleted=True))
