"""`meltano state` round trip with the SDK-standard keys: set by hand, run, get, `--full-refresh`, clear."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.tools import meltano

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

pytestmark = pytest.mark.slow

STATE_ID = "sandbox:tap-zendesk-export-to-target-duckdb"


def _state(output: str) -> dict[str, Any]:
    # `meltano state get` prints the state as JSON (after any log lines).
    start = output.index('{"singer_state"')
    state: dict[str, Any] = json.JSONDecoder().raw_decode(output[start:])[0]
    return state


def test_hand_set_state_full_refresh_and_clear(e2e_sandbox: Sandbox, meltano_env: dict[str, str]) -> None:
    sb = e2e_sandbox
    stamps = {i: (sb.admin.ticket(i) or {})["generated_timestamp"] for i in sb.admin.ticket_ids()}
    mark = sorted(stamps.values())[len(stamps) // 2]
    # What docs/tap.md shows: only the SDK's keys, no cursor: the export starts at that time.
    hand_set = {"singer_state": {"bookmarks": {"tickets": {"replication_key_value": mark}}}}
    done = meltano(["state", "set", "--force", STATE_ID, json.dumps(hand_set)], meltano_env)
    assert done.returncode == 0, done.output[-3000:]

    first = meltano(["run", "zendesk-export"], meltano_env)
    assert first.returncode == 0, first.output[-5000:]
    assert first.records_read("tap-zendesk-export")["tickets"] == sum(1 for s in stamps.values() if s >= mark)

    got = meltano(["state", "get", STATE_ID], meltano_env)
    assert got.returncode == 0, got.output[-3000:]
    tickets = _state(got.output)["singer_state"]["bookmarks"]["tickets"]
    assert tickets["cursor"]
    assert tickets["replication_key"] == "generated_timestamp"
    assert tickets["replication_key_value"] == max(stamps.values())

    # `--full-refresh` runs without the stored state: everything again.
    full = meltano(["run", "--full-refresh", "zendesk-export"], meltano_env)
    assert full.returncode == 0, full.output[-5000:]
    assert full.records_read("tap-zendesk-export")["tickets"] == len(stamps)

    cleared = meltano(["state", "clear", "--force", STATE_ID], meltano_env)
    assert cleared.returncode == 0, cleared.output[-3000:]
    after = meltano(["run", "zendesk-export"], meltano_env)
    assert after.returncode == 0, after.output[-5000:]
    assert after.records_read("tap-zendesk-export")["tickets"] == len(stamps)
