"""Records refused by Zendesk (422, failed job items) or locally land in the rejections file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import (
    FAST_SANDBOX,
    records_by_external_id,
    run_target,
    singer_lines,
    target_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox

MODES = ["auto", "upsert", "jobs"]
APARTMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "external_id": {"type": "string"},
        "name": {"type": "string"},
        "address": {"type": ["string", "null"]},
        "rooms": {"type": ["integer", "null"]},
        "kind": {"type": ["string", "null"]},
    },
}


def apartment(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "external_id": f"rej-{n}",
        "name": f"Rejection test {n}",
        "address": f"{n} Test Street",
        "rooms": 2,
        "kind": "flat",
    }
    record.update(changes)
    return record


def input_lines() -> list[str]:
    records = [apartment(n) for n in range(1, 21)]
    records[4] = apartment(5, address=None)  # Zendesk: address is required (422 BlankValue)
    records[9] = apartment(10, kind="castle")  # refused locally: not a dropdown option
    records[14] = apartment(15, address=None)
    return singer_lines(
        "apartment", APARTMENT_SCHEMA, records, key_properties=["external_id"], states_every=7
    )


@pytest.mark.parametrize("mode", MODES)
def test_refused_records_are_written_to_the_rejections_file(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    config = target_config(sb, write_mode=mode, max_rejected_records=3)
    run = run_target(config, input_lines(), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    by_id = {line["external_id"]: line for line in run.rejected}
    assert set(by_id) == {"rej-5", "rej-10", "rej-15"}
    for line in run.rejected:
        assert line["stream"] == "apartment"
        assert line["record"]["external_id"] == line["external_id"]
    assert "address" in by_id["rej-5"]["error"]
    assert "kind" in by_id["rej-10"]["error"]
    assert "refused locally" in by_id["rej-10"]["error"]
    held = records_by_external_id(sb, "apartment")
    assert {f"rej-{n}" for n in range(1, 21)} - set(held) == {"rej-5", "rej-10", "rej-15"}
    # Rejected records are settled too: every STATE comes out, the last one last.
    assert [s["bookmarks"]["apartment"]["seq"] for s in run.states] == [1, 2, 3]
    assert "3 rejected" in run.stderr


@pytest.mark.parametrize("mode", ["upsert", "jobs"])
def test_more_rejections_than_allowed_fail_the_run(sb: Sandbox, tmp_path: Path, mode: str) -> None:
    run = run_target(
        target_config(sb, write_mode=mode, max_rejected_records=2), input_lines(), tmp_path=tmp_path
    )
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("target-zendesk-objects: ")
    assert "17 records written, 3 rejected" in last
    assert "max_rejected_records (2)" in last
    assert len(run.rejected) == 3
    assert "Traceback" not in run.stderr
    # What was written is confirmed all the same.
    assert run.states[-1] == {"bookmarks": {"apartment": {"seq": 3}}}


def test_a_failed_job_is_retried_item_by_item(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST_SANDBOX, job_failure_rate=1.0)  # every job ends `failed`, nothing applied
    run = run_target(
        target_config(sb, write_mode="jobs", max_rejected_records=5), input_lines(), tmp_path=tmp_path
    )
    assert run.returncode == 0, run.stderr
    jobs = [job for job in sb.admin.jobs() if job["custom_object_key"] == "apartment"]
    assert jobs
    assert all(job["status"] == "failed" for job in jobs)
    assert "writing its items one by one" in run.stderr
    held = records_by_external_id(sb, "apartment")
    assert {f"rej-{n}" for n in range(1, 21)} - set(held) == {"rej-5", "rej-10", "rej-15"}
    assert {line["external_id"] for line in run.rejected} == {"rej-5", "rej-10", "rej-15"}
    assert run.states[-1] == {"bookmarks": {"apartment": {"seq": 3}}}


@pytest.mark.parametrize("mode", MODES)
def test_deletes_of_records_zendesk_never_held_are_done_and_counted(
    sb: Sandbox, tmp_path: Path, mode: str
) -> None:
    records = [apartment(n) for n in (1, 2, 3)]
    records += [apartment(n, deleted=True) for n in (2, 404, 405)]  # 404 and 405 never reached Zendesk
    schema = {
        "type": "object",
        "properties": {**APARTMENT_SCHEMA["properties"], "deleted": {"type": "boolean"}},
    }
    # A STATE after the creates, so that rej-2 reaches Zendesk before its delete is read.
    lines = singer_lines("apartment", schema, records, key_properties=["external_id"], states_every=3)
    run = run_target(target_config(sb, write_mode=mode), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.rejected == []
    summary = run.stderr.strip().splitlines()[-1]
    assert "6 records written, 0 rejected" in summary
    assert "2 deletes found no record" in summary
    held = records_by_external_id(sb, "apartment")
    assert {"rej-1", "rej-3"} <= set(held)
    assert not {"rej-2", "rej-404", "rej-405"} & set(held)
    assert run.states[-1] == {"bookmarks": {"apartment": {"seq": 3}}}
