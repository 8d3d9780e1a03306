"""Our tap's custom object stream piped into the target copies one object into another: they end equal.

As a user would run it: `tap-zendesk-objects --catalog … | target-zendesk-objects`, the tap's tickets
stream deselected in the catalog, and a stream map on the target that drops the records' own
`custom_object_key` (which would otherwise send them back to the object they came from) so that
`object_map` routes them into the copy. A second sync from the target's last STATE carries the changes.

Zendesk's export sends a deleted record with every value masked, its external id included; only its `id`
is left. A copy keyed by the source's external ids therefore cannot follow deletes (the target's
DELETE by the source id finds nothing); a mirror that must follow deletes keys the copy by the source
`id` (`external_id_property: id`). Both recipes are proven here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import FAST, TAP, tap_config, wait_until_changes_are_exportable
from tests.target.conftest import target_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

SOURCE = "apartment"
COPY = "apartment_copy"
STREAM = f"custom_object_records__{SOURCE}"
TARGET = [sys.executable, "-m", "target_zendesk_objects"]
TIMEOUT_SECONDS = 120


def _make_copy_object(sb: Sandbox) -> None:
    """Create the destination: an empty object with the source's field definitions and name mode."""
    spec = next(spec for spec in sb.settings.custom_objects if spec.key == SOURCE)
    sb.admin.create_custom_object(
        COPY, "Apartment copy", [dict(field) for field in spec.fields], name_mode=spec.name_mode
    )


def _catalog(tmp_path: Path, config_path: Path) -> Path:
    """The tap's discovered catalog with only the source object's stream selected."""
    discovered = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT_SECONDS,
    )
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == STREAM
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


def _pipe(tap_cmd: list[str], target_cmd: list[str]) -> tuple[list[dict[str, Any]], str]:
    """Run `tap | target`; return the STATEs the target printed and its stderr (the tap must succeed too)."""
    with subprocess.Popen(tap_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tap:
        target = subprocess.run(
            target_cmd, stdin=tap.stdout, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
        assert tap.wait(timeout=TIMEOUT_SECONDS) == 0
    assert target.returncode == 0, target.stderr[-2000:]
    return [json.loads(line) for line in target.stdout.splitlines() if line.strip()], target.stderr


def _contents(sb: Sandbox, key: str, by: str = "external_id") -> dict[str, tuple[str, dict[str, Any]]]:
    """An object's live records as `by` (external id, or id) -> (name, fields)."""
    records = sb.admin.custom_object_records(key, include_deleted=False)
    contents = {str(r[by]): (r["name"], r["custom_object_fields"]) for r in records}
    assert len(contents) == len(records), f"{key} holds an external id twice"
    return contents


def _change_source(sb: Sandbox, *, deletes: bool) -> None:
    """Between syncs: update two records, add one, and (when `deletes`) delete two."""
    records = sb.admin.custom_object_records(SOURCE, include_deleted=False)
    for record in records[:2]:
        fields = record["custom_object_fields"] | {"rooms": 9, "notes": "changed after the first sync"}
        sb.admin.upsert_custom_object_record(SOURCE, record["external_id"], record["name"] + " (new)", fields)
    for record in records[2:4] if deletes else []:
        sb.admin.delete_custom_object_record(SOURCE, record["external_id"])
    sb.admin.upsert_custom_object_record(
        SOURCE, "apartment-new", "Apartment new", {"address": "1 Fresh Lane", "kind": "studio", "rooms": 1}
    )


def _deleted_ids(sb: Sandbox) -> set[str]:
    return {r["id"] for r in sb.admin.custom_object_records(SOURCE) if r["deleted"]}


class CopyRun:
    """A user's setup: source object, empty copy, tap catalog, target config; `sync()` runs the pipe."""

    def __init__(self, sb: Sandbox, tmp_path: Path, **target_settings: Any) -> None:
        """Prepare the copy object and both configs in `tmp_path`."""
        self.sb, self.tmp_path = sb, tmp_path
        _make_copy_object(sb)
        tap_config_path = tmp_path / "tap.json"
        tap_config_path.write_text(
            json.dumps(tap_config(sb, custom_object_keys=[SOURCE], sequin_api_token=None))
        )
        catalog = _catalog(tmp_path, tap_config_path)
        target_config_path = tmp_path / "target.json"
        self.rejected = tmp_path / "rejected.jsonl"
        config = target_config(
            sb,
            object_map={STREAM: COPY},
            stream_maps={STREAM: {"custom_object_key": "__NULL__"}},
            rejected_records_path=str(self.rejected),
            **target_settings,
        )
        target_config_path.write_text(json.dumps(config))
        self.tap_cmd = [TAP, "--config", str(tap_config_path), "--catalog", str(catalog)]
        self.target_cmd = [*TARGET, "--config", str(target_config_path)]
        self.state: dict[str, Any] | None = None

    def sync(self) -> None:
        """One `tap | target` run from the last STATE the target printed."""
        tap_cmd = list(self.tap_cmd)
        if self.state is not None:
            state_path = self.tmp_path / "state.json"
            state_path.write_text(json.dumps(self.state))
            tap_cmd += ["--state", str(state_path)]
        states, _ = _pipe(tap_cmd, self.target_cmd)
        assert states, "the target printed no STATE"
        self.state = states[-1]
        assert not self.rejected.exists() or not self.rejected.read_text().strip()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["jobs", "upsert", "auto"])
def test_copy_keeps_names_external_ids_and_fields(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = sandbox_factory(**FAST)
    copy = CopyRun(sb, tmp_path, write_mode=mode)
    copy.sync()
    assert _contents(sb, COPY) == _contents(sb, SOURCE)
    _change_source(sb, deletes=False)
    wait_until_changes_are_exportable()
    copy.sync()
    source = _contents(sb, SOURCE)
    assert "apartment-new" in source
    assert _contents(sb, COPY) == source


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["jobs", "upsert"])
def test_copy_keyed_by_source_id_follows_deletes(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = sandbox_factory(**FAST)
    copy = CopyRun(sb, tmp_path, write_mode=mode, external_id_property="id")
    copy.sync()
    assert _contents(sb, COPY) == _contents(sb, SOURCE, by="id")
    deleted_before = _deleted_ids(sb)
    _change_source(sb, deletes=True)
    wait_until_changes_are_exportable()
    copy.sync()
    source = _contents(sb, SOURCE, by="id")
    deleted = _deleted_ids(sb)
    assert len(deleted - deleted_before) == 2
    assert _contents(sb, COPY) == source
    assert not deleted & set(_contents(sb, COPY))
