"""The lean start-up (lean_imports.py) leaves out what a run never uses; every piece still works when used.

No timing here (bench/startup.py measures it): these tests check what a fresh tap process has imported,
that each deferred piece is the SDK's real one once it is used, and that the console script keeps every
command (`--version`, `--about`, `--discover`, `--test`, `--test=schema`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tap_zendesk_objects.streams.warehouse import WAREHOUSE_STREAMS
from tests.tap.runner import FAST, TAP, run_tap, tap_config, write_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

# Packages a run has no use for: BATCH files, the SDK's own retry decorator, targets and sinks, records
# paths, flattening, entry-point plugins.
NOT_AT_START = [
    "upath",
    "fsspec",
    "asyncio",
    "backoff",
    "joblib",
    "jsonpath_ng",
    "inflection",
    "importlib_metadata",
    "singer_sdk.target_base",
    "singer_sdk.sinks",
    "singer_sdk.mapper_base",
    "dotenv",
    "logging.config",
    "packaging",
]


# What discovery offers with no custom object and no Sequin token.
ZENDESK_STREAMS = sorted(
    ["tickets", "users", "organizations", "groups", "ticket_fields", "user_fields", "organization_fields"]
    + [str(vars(stream)["name"]) for stream in WAREHOUSE_STREAMS]
)


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_tap_leaves_out_what_a_run_never_uses() -> None:
    code = (
        "import sys, json\n"
        "import tap_zendesk_objects.tap\n"
        f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))\n"
    )
    assert json.loads(_python(code)) == []


def test_every_deferred_piece_is_the_real_one_when_used() -> None:
    code = """
import json, sys
import tap_zendesk_objects.tap
import singer_sdk
from singer_sdk import Target, RESTStream, Stream, Tap
from singer_sdk.target_base import Target as TargetClass
from singer_sdk.helpers.jsonpath import extract_jsonpath
from singer_sdk.helpers import _batch, _compat, _flattening
import singer_sdk.helpers.jsonpath as jsonpath_helpers
import singer_sdk.streams.rest as rest
import backoff, upath, inflection, importlib_metadata, jsonpath_ng
out = {
    "target": Target is TargetClass,
    "init_names": singer_sdk.Tap is Tap and singer_sdk.RESTStream is RESTStream and Stream is not None,
    "jsonpath": list(extract_jsonpath("$.rows[1:]", {"rows": [1, 2, 3]})),
    "jsonpath_real": (jsonpath_helpers.Child, jsonpath_helpers.Slice)
    == (jsonpath_ng.Child, jsonpath_ng.Slice),
    "upath": type(_batch.UPath("/tmp")).__module__.startswith("upath"),
    "backoff": rest.backoff.expo is backoff.expo and "on_exception" in dir(backoff),
    "entry_points": len(list(_compat.entry_points(group="console_scripts"))) > 0,
    "inflection": _flattening.inflection.camelize("a_b") == inflection.camelize("a_b") == "AB",
    "real_modules": all(type(m).__name__ == "module" and getattr(m, "__file__", None)
                        for m in (backoff, upath, inflection, importlib_metadata, jsonpath_ng)),
}
print(json.dumps(out))
"""
    assert json.loads(_python(code)) == {
        "target": True,
        "init_names": True,
        "jsonpath": [2, 3],
        "jsonpath_real": True,
        "upath": True,
        "backoff": True,
        "entry_points": True,
        "inflection": True,
        "real_modules": True,
    }


def test_every_command_still_works(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
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


def test_dotenv_is_found_from_the_calling_module_as_before(tmp_path: Path) -> None:
    # `find_dotenv()` searches upwards from its caller's file: the SDK module, not the stand-in.
    (tmp_path / ".env").write_text("TAP_ZENDESK_OBJECTS_PAGE_SIZE=7\n")
    caller = tmp_path / "below" / "caller.py"
    caller.parent.mkdir()
    caller.write_text(
        "import json\n"
        "import tap_zendesk_objects.tap\n"
        "from singer_sdk.configuration import _dict_config\n"
        "found = _dict_config.find_dotenv()\n"
        "print(json.dumps([found, dict(_dict_config.DotEnv(found).dict())]))\n"
    )
    done = subprocess.run(
        [sys.executable, str(caller)], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [str(tmp_path / ".env"), {"TAP_ZENDESK_OBJECTS_PAGE_SIZE": "7"}]


def test_config_from_the_environment_still_works(sandbox_factory: Callable[..., Sandbox]) -> None:
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
