"""The console script answers every command the SDK gives a tap, and reads its config from the environment.

`--version`, `--about`, `--discover`, `--test`, `--test=schema` and `--config ENV`, as a user or Meltano
calls them.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import TYPE_CHECKING

from tap_zendesk_objects.streams.warehouse import WAREHOUSE_STREAMS
from tests.tap.runner import FAST, TAP, run_tap, tap_config, write_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

# What discovery offers with no custom object and no Sequin token.
ZENDESK_STREAMS = sorted(
    ["tickets", "users", "organizations", "groups", "ticket_fields", "user_fields", "organization_fields"]
    + [str(vars(stream)["name"]) for stream in WAREHOUSE_STREAMS]
)


def test_every_command_works(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**FAST)
    config = str(write_json(tmp_path, "config", tap_config(sb, custom_object_keys=[], sequin_api_token=None)))
    version = subprocess.run([TAP, "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert version.stdout.startswith("tap-zendesk-objects v")
    about = subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "page_size" in json.loads(about.stdout)["settings"]["properties"]
    catalog = subprocess.run(
        [TAP, "--config", config, "--discover"], capture_output=True, text=True, timeout=60, check=True
    )
    assert sorted(s["tap_stream_id"] for s in json.loads(catalog.stdout)["streams"]) == ZENDESK_STREAMS
    for flag, wanted in (("--test", "RECORD"), ("--test=schema", "SCHEMA")):
        done = run_tap(tmp_path, tap_config(sb, custom_object_keys=[], sequin_api_token=None), flag)
        assert done.returncode == 0, done.stderr
        kinds = {json.loads(line)["type"] for line in done.stdout.splitlines() if line.strip()}
        assert wanted in kinds, (flag, kinds)


def test_config_from_the_environment_works(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(**FAST)
    settings = tap_config(sb, custom_object_keys=[], sequin_api_token=None)
    # The SDK reads a number from the environment as text: leave the one decimal setting at its default.
    del settings["export_window_seconds"]
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_ZENDESK_OBJECTS_")}
    for key, value in settings.items():
        if value is not None:
            text = json.dumps(value) if isinstance(value, list) else str(value)
            env[f"TAP_ZENDESK_OBJECTS_{key.upper()}"] = text
    command = [TAP, "--config", "ENV", "--discover"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(s["tap_stream_id"] for s in json.loads(done.stdout)["streams"]) == ZENDESK_STREAMS
