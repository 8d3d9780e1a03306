"""Scenario files replayed through the target in every write mode; the sandbox must hold what they say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import (
    FAST_SANDBOX,
    TargetRun,
    records_by_external_id,
    records_by_name,
    run_target,
    target_config,
    vendor_lines,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.sandbox import Sandbox

SCENARIOS = Path(__file__).parent / "scenarios"
MODES = ["auto", "upsert", "jobs"]


def messages(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SCENARIOS / name).read_text().splitlines()]


def replay(sb: Sandbox, name: str, tmp_path: Path, **config: Any) -> TargetRun:
    run = run_target(target_config(sb, **config), SCENARIOS / name, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    last_state = [m["value"] for m in messages(name) if m["type"] == "STATE"][-1]
    assert run.states, "no STATE printed"
    assert run.states[-1] == last_state
    assert run.rejected == []
    return run


def input_records(name: str, stream: str) -> list[dict[str, Any]]:
    return [m["record"] for m in messages(name) if m["type"] == "RECORD" and m["stream"] == stream]


def vendor_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("email", "rating", "categories", "active", "summary")}


@pytest.mark.parametrize("mode", MODES)
def test_flat_records(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    run = replay(sb, "flat_records.singer", tmp_path, write_mode=mode)
    held = records_by_external_id(sb, "vendor")
    sent = input_records("flat_records.singer", "vendor")
    assert len(sent) == 130
    for record in sent:
        stored = held[record["external_id"]]
        assert stored["name"] == record["name"]
        assert stored["custom_object_fields"] == vendor_fields(record)
    assert [s["bookmarks"]["vendor"]["seq"] for s in run.states] == [1, 2, 3, 4]


@pytest.mark.parametrize("mode", MODES)
def test_records_with_custom_object_fields_round_trip(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    replay(sb, "custom_object_fields.singer", tmp_path, write_mode=mode)
    held = records_by_external_id(sb, "apartment")
    sent = input_records("custom_object_fields.singer", "custom_object_records__apartment")
    for record in sent:
        stored = held[record["external_id"]]
        assert stored["name"] == record["name"]
        expected = {k: v for k, v in record["custom_object_fields"].items() if v is not None}
        got = {k: v for k, v in stored["custom_object_fields"].items() if v is not None}
        # Zendesk answers a date field as a midnight date-time (wire notes §5): compare the date part.
        got["available_on"] = got["available_on"][:10]
        assert got == expected


@pytest.mark.parametrize("mode", MODES)
def test_updates_of_one_external_id_last_wins(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    replay(sb, "updates.singer", tmp_path, write_mode=mode)
    held = records_by_external_id(sb, "vendor")
    assert held["scn-v900"]["custom_object_fields"]["summary"] == "version 7"
    assert held["scn-v900"]["custom_object_fields"]["rating"] == 2
    assert held["scn-v901"]["custom_object_fields"]["summary"] == "other version 7"
    assert sum(1 for key in held if key in {"scn-v900", "scn-v901"}) == 2


@pytest.mark.parametrize("metadata", ["sdc-stripped", "add_record_metadata"])
@pytest.mark.parametrize("mode", MODES)
def test_deletes(sb: Sandbox, tmp_path: Path, mode: str, metadata: str) -> None:
    # Without add_record_metadata the SDK strips `_sdc_deleted_at` before the sink sees the record.
    add = metadata == "add_record_metadata"
    replay(sb, "deletes.singer", tmp_path, write_mode=mode, add_record_metadata=add)
    held = records_by_external_id(sb, "vendor")
    present = {key for key in held if key.startswith("scn-v5")}
    assert present == {f"scn-v{n}" for n in range(505, 512)}
    deleted = {
        r["external_id"]
        for r in sb.admin.custom_object_records("vendor", include_deleted=True)
        if r["deleted"]
    }
    assert {f"scn-v{n}" for n in range(500, 505)} <= deleted


@pytest.mark.parametrize("mode", MODES)
def test_mixed_streams_to_several_objects(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    run = replay(
        sb,
        "mixed_streams.singer",
        tmp_path,
        write_mode=mode,
        object_map={"suppliers": "vendor", "flats": "apartment"},
    )
    vendors = records_by_external_id(sb, "vendor")
    apartments = records_by_external_id(sb, "apartment")
    for record in input_records("mixed_streams.singer", "suppliers"):
        assert vendors[record["external_id"]]["custom_object_fields"] == vendor_fields(record)
    for record in input_records("mixed_streams.singer", "flats"):
        stored = apartments[record["code"]]  # the key property is the external id
        assert stored["name"] == record["name"]
        fields = stored["custom_object_fields"]
        assert (fields["address"], fields["rooms"], fields["kind"]) == (
            record["address"],
            record["rooms"],
            record["kind"],
        )
    assert "extra_column" in run.stderr  # one warning for the property that is not a field
    assert run.stderr.count("'extra_column' is not a field") == 1


SEQUIN_TO_APARTMENT = {
    "sequin_records": {
        "custom_object_key": "'apartment'",
        "external_id": "upstream_id",
        "name": "data['street']",
        "address": "data['street']",
        "rooms": "int(data['bedrooms'])",
        "kind": "data['type']",
        "deleted": "bool(deleted)",
        "collection_id": "collection_id",
        "upstream_id": "upstream_id",
        "__else__": None,
    }
}


@pytest.mark.parametrize("mode", MODES)
def test_sequin_records_reshaped_by_stream_maps(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    replay(sb, "sequin_stream_maps.singer", tmp_path, write_mode=mode, stream_maps=SEQUIN_TO_APARTMENT)
    held = records_by_external_id(sb, "apartment")
    sent = input_records("sequin_stream_maps.singer", "sequin_records")
    live = {r["upstream_id"]: r for r in sent if not r["deleted"]}
    gone = {r["upstream_id"] for r in sent if r["deleted"]}
    assert gone == {"scn-s3"}
    assert {k for k in held if k.startswith("scn-s")} == set(live) - gone
    for upstream_id, record in live.items():
        if upstream_id in gone:
            continue
        fields = held[upstream_id]["custom_object_fields"]
        assert fields["address"] == record["data"]["street"]
        assert fields["rooms"] == record["data"]["bedrooms"]
        assert fields["kind"] == record["data"]["type"]


@pytest.mark.parametrize("mode", MODES)
def test_match_on_name(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    replay(sb, "flat_records.singer", tmp_path, write_mode=mode, match_on="name")
    replay(sb, "updates.singer", tmp_path, write_mode=mode, match_on="name")
    replay(sb, "deletes.singer", tmp_path, write_mode=mode, match_on="name")
    held = records_by_name(sb, "vendor")
    for record in input_records("flat_records.singer", "vendor"):
        assert held[record["name"]]["custom_object_fields"] == vendor_fields(record)
    assert held["Scenario vendor 900"]["custom_object_fields"]["summary"] == "version 7"
    names = {
        name
        for name in held
        if name.startswith("Scenario vendor 5") and len(name) == len("Scenario vendor 500")
    }
    assert names == {f"Scenario vendor {n}" for n in range(505, 512)}


def test_match_on_name_needs_unique_names(sb: Sandbox, tmp_path: Path) -> None:
    run = run_target(
        target_config(sb, match_on="name", custom_object_key="apartment"),
        SCENARIOS / "flat_records.singer",
        tmp_path=tmp_path,
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "unique" in last
    assert "apartment" in last
    assert run.states == []


def test_auto_patches_a_trickle_and_sends_jobs_for_bulk(sb: Sandbox, tmp_path: Path) -> None:
    trickle = vendor_lines(range(12), states_every=3)
    run = run_target(target_config(sb, write_mode="auto"), trickle, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(run.states) == 5
    assert sb.admin.jobs() == []  # three records per STATE: all by PATCH
    bulk = vendor_lines(range(100, 350), states_every=125)
    run = run_target(target_config(sb, write_mode="auto"), bulk, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    # 125 records per STATE: a full job of 100, then the 25 left when the STATE arrives, twice.
    assert sorted(job["total"] for job in sb.admin.jobs()) == [25, 25, 100, 100]
    held = records_by_external_id(sb, "vendor")
    assert {f"v-{n}" for n in [*range(12), *range(100, 350)]} <= set(held)


@pytest.mark.parametrize("mode", ["upsert", "jobs"])
def test_server_errors_and_resets_are_retried(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    faults = {"error_rate": 0.1, "reset_rate": 0.03, "path_contains": "/api/v2/", "fault_seed": 7}
    sb = sandbox_factory(**FAST_SANDBOX, faults=faults)
    lines = vendor_lines(range(30), states_every=10)
    run = run_target(target_config(sb, write_mode=mode), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "retrying in" in run.stderr
    assert run.rejected == []
    assert run.states[-1] == {"bookmarks": {"vendor": {"seq": 4}}}
    held = records_by_external_id(sb, "vendor")
    assert {f"v-{n}" for n in range(30)} <= set(held)
