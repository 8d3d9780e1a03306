"""`tap-zendesk-objects | target-zendesk-objects` in a shell, with the state carried from run to run."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tests.e2e.conftest import needs_target
from tests.e2e.tools import PROJECT_BIN, REPO_ROOT, clean_env, write_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

pytestmark = [pytest.mark.slow, needs_target]

# docs/running.md's commands: select the Sequin stream once, then each run starts from the state the target
# printed last (the target prints a state only once Zendesk confirmed every record before it).
PIPELINE = r"""
set -euo pipefail
[ -f catalog.json ] || tap-zendesk-objects --config tap.json --discover | python3 -c '
import json, sys
catalog = json.load(sys.stdin)
for stream in catalog["streams"]:
    for entry in stream["metadata"]:
        if not entry["breadcrumb"]:
            entry["metadata"]["selected"] = stream["tap_stream_id"] == "sequin_records"
json.dump(catalog, sys.stdout)' >catalog.json
[ -f state.json ] || echo '{}' >state.json
tap-zendesk-objects --config tap.json --catalog catalog.json --state state.json \
  | target-zendesk-objects --config target.json >state.out
if [ -s state.out ]; then tail -n 1 state.out >state.json; fi
"""


def _sequin_tap_settings() -> dict[str, Any]:
    """Return the config of meltano.yml's `tap-sequin-subscriptions` (the stream map, the collection)."""
    project = yaml.safe_load((REPO_ROOT / "meltano.yml").read_text())
    plugin = next(p for p in project["plugins"]["extractors"] if p["name"] == "tap-sequin-subscriptions")
    config: dict[str, Any] = plugin["config"]
    return config


def _run_pipeline(workdir: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(PATH=f"{PROJECT_BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        ["bash", "-c", PIPELINE],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_pipe_with_state_carried_between_runs(
    e2e_sandbox: Sandbox, tap_config: Path, target_config: Callable[..., Path]
) -> None:
    sb = e2e_sandbox
    workdir = tap_config.parent
    write_json(workdir / "tap.json", json.loads(tap_config.read_text()) | _sequin_tap_settings())
    target_config()  # target.json beside it

    first = _run_pipeline(workdir)
    assert first.returncode == 0, first.stderr[-4000:]
    subscriptions = sb.admin.sequin_records(collection_id="stripe:subscription", include_deleted=False)
    records = sb.admin.custom_object_records("subscription", include_deleted=False)
    assert sorted(r["external_id"] for r in records) == sorted(s["upstream_id"] for s in subscriptions)
    state = json.loads((workdir / "state.json").read_text())
    assert state["bookmarks"]["sequin_records"]["partitions"]

    written = {r["external_id"]: r["updated_at"] for r in records}
    changed = subscriptions[0]
    sb.admin.sequin_upsert(
        "stripe:subscription", changed["upstream_id"], changed["data"] | {"status": "past_due"}
    )
    time.sleep(1.1)  # updated_at has whole seconds: a rewrite in the next run would show
    second = _run_pipeline(workdir)
    assert second.returncode == 0, second.stderr[-4000:]

    after = {
        r["external_id"]: r for r in sb.admin.custom_object_records("subscription", include_deleted=False)
    }
    assert after[changed["upstream_id"]]["custom_object_fields"]["status"] == "past_due"
    # Only the change moved: every other record is untouched since the first run.
    rewritten = {key for key, record in after.items() if record["updated_at"] != written[key]}
    assert rewritten == {changed["upstream_id"]}
    assert json.loads((workdir / "state.json").read_text()) != state
