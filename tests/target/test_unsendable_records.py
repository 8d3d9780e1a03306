"""Records Zendesk cannot take (a lone surrogate, more than 32 KB) are rejected locally; the run goes on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.target.conftest import (
    records_by_external_id,
    run_target,
    singer_lines,
    target_config,
    vendor_record,
    vendor_schema,
)

if TYPE_CHECKING:
    from pathlib import Path

    from zendesk_sandbox.sandbox import Sandbox

WRITE_KINDS = ("records_patch", "records_delete", "jobs_create")


def write_requests(sb: Sandbox) -> int:
    kinds = sb.admin.stats()["requests_by_kind"]
    return sum(kinds.get(kind, 0) for kind in WRITE_KINDS)


UNSENDABLE = {
    "lone surrogate in a field": (
        vendor_record(2, summary="half a pair: \ud800"),
        "summary: holds '\\ud800', a lone surrogate",
    ),
    "lone surrogate in the key": (vendor_record(2, external_id="v-\udfff"), "key: holds '\\udfff'"),
    "40 KB record": (vendor_record(2, summary="x" * 40_000), "over Zendesk's 32 KB limit per record"),
}


@pytest.mark.parametrize("mode", ["upsert", "jobs", "auto"])
@pytest.mark.parametrize("case", sorted(UNSENDABLE))
def test_an_unsendable_record_is_rejected_before_any_request(
    sb: Sandbox, tmp_path: Path, mode: str, case: str
) -> None:
    bad, reason = UNSENDABLE[case]
    records = [vendor_record(1), bad, vendor_record(3)]
    lines = singer_lines("vendor", vendor_schema(), records, key_properties=["external_id"])
    sb.admin.reset_stats()
    run = run_target(target_config(sb, write_mode=mode, max_rejected_records=1), lines, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.states == [{"bookmarks": {"vendor": {"seq": 1}}}]
    held = records_by_external_id(sb, "vendor")
    assert {"v-1", "v-3"} <= set(held)
    [rejected] = run.rejected
    assert rejected["record"]["external_id"] == bad["external_id"]
    assert rejected["error"].startswith("refused locally: ")
    assert reason in rejected["error"]
    # The good records cost their writes, the bad one none: one job for both, or (`auto` with a
    # handful of records before the STATE) one PATCH each.
    assert write_requests(sb) == (1 if mode == "jobs" else 2)


def test_the_rejections_file_keeps_a_lone_surrogate_as_valid_json(sb: Sandbox, tmp_path: Path) -> None:
    bad = vendor_record(2, summary="\ud800 and é")
    lines = singer_lines("vendor", vendor_schema(), [bad], key_properties=["external_id"])
    run = run_target(target_config(sb, write_mode="jobs"), lines, tmp_path=tmp_path)
    assert run.returncode == 1  # one rejection, more than max_rejected_records (0)
    text = (tmp_path / "rejected.jsonl").read_text(encoding="utf-8")
    assert json.loads(text)["record"]["summary"] == "\ud800 and é"
    assert "1 rejected" in run.stderr.strip().splitlines()[-1]
