"""Tap start-up: the CPU of a whole tap run that has nothing new to export, beside the code before the work.

Most nightly runs export little, so this fixed cost is most of what they spend. The tap runs from the state
its own previous run ended with (tickets and one custom object, one empty page each), so the run is start-up
(interpreter, imports, config validation, discovery) plus three requests and the exit. Four things are timed
in turns, `runs` times each, and each figure is the least of its runs (a busy machine only ever adds time):

- the tap as it is;
- the tap before the start-up work (commit `BASELINE_COMMIT`, its two packages extracted with `git archive`
  into a temporary directory and put first on `sys.path` of the same interpreter and venv), for scale: the
  row is a report, with no goal (the start-up tricks that once chased one were removed, simple beating a
  third of a second no nightly run feels);
- `python -c "import singer_sdk"`, for scale: what importing the SDK the usual way costs;
- the floor: `requests`, `jsonschema` and `click` imported alone, which no run can do without (HTTP,
  config validation, the command line).

Both source trees are compiled to bytecode first, as an installed package is (this environment may set
PYTHONDONTWRITEBYTECODE, which would have every run compile the sources again). CPU is user + system time
of the child process from `os.wait4`.
"""

from __future__ import annotations

import compileall
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, Row, SandboxProcess, tap_config, unlimited_options, write_json

# The last commit before the start-up work (fewer requests, field definitions read lazily), for scale.
BASELINE_COMMIT = "7282ebd7cd198402af2c32024ca8e5b66fb74258"
PACKAGES = ("tap_zendesk_objects", "zendesk_objects_shared")
FLOOR = "import requests, jsonschema, click"
# The tap's own console script, run from a chosen source directory by the same interpreter.
LAUNCHER = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from tap_zendesk_objects.tap import TapZendeskObjects; TapZendeskObjects.cli()"
)


def child_cpu(command: list[str]) -> tuple[float, bytes]:
    """Run `command` to its end; return its user+sys CPU seconds and its stdout."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout is not None else b""
    if proc.stdout is not None:
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        msg = f"{command[:4]} failed with status {status}"
        raise RuntimeError(msg)
    return usage.ru_utime + usage.ru_stime, out


def extract_baseline(directory: Path) -> Path | None:
    """The baseline's two packages, extracted into `directory`; None when this checkout lacks the commit.

    A shallow clone or a source archive has no history: the row then says so instead of a figure.
    """
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BASELINE_COMMIT, *PACKAGES], capture_output=True, check=False
    )
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as files:
        files.extractall(directory, filter="data")
    return directory


def baseline_streams(catalog: dict[str, Any]) -> dict[str, Any]:
    """The catalog with only the streams the baseline had selected: tickets and custom object records.

    The tap now also reads users, organizations and the field lists; the lists are read whole on every
    run, so a run with nothing new still exports them. Both taps run the same streams here, so the ratio
    compares start-up, not the work of streams one of them lacks.
    """
    for entry in catalog["streams"]:
        name = entry["tap_stream_id"]
        chosen = name == "tickets" or name.startswith("custom_object_records__")
        for item in entry.get("metadata", []):
            if item.get("breadcrumb") == []:
                item["metadata"]["selected"] = chosen
    return catalog


def last_state(stdout: bytes) -> dict[str, object]:
    """The value of the last STATE line of a tap's output."""
    states = [line for line in stdout.splitlines() if line.startswith(b'{"type":"STATE"')]
    value: dict[str, object] = json.loads(states[-1])["value"]
    return value


def measure(runs: int, tickets: int = 1_000) -> list[Row]:
    """Time the four, `runs` times each in turns; return the table rows."""
    with (
        SandboxProcess(tickets, options=unlimited_options()) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):
        workdir = Path(tmp)
        baseline = extract_baseline(workdir / "baseline")
        for source in (ROOT, baseline) if baseline else (ROOT,):
            for package in PACKAGES:
                compileall.compile_dir(source / package, quiet=1)
        config = str(write_json(tap_config(sandbox.url), workdir, "tap-config.json"))
        tap_now = [sys.executable, "-c", LAUNCHER, str(ROOT), "--config", config]
        _, discovered = child_cpu([*tap_now, "--discover"])
        catalog = str(write_json(baseline_streams(json.loads(discovered)), workdir, "catalog.json"))
        now = [*tap_now, "--catalog", catalog]
        _, first = child_cpu(now)
        state = str(write_json(last_state(first), workdir, "state.json"))
        commands = {
            "now": [*now, "--state", state],
            "sdk": [sys.executable, "-c", "import singer_sdk"],
            "floor": [sys.executable, "-c", FLOOR],
        }
        if baseline is not None:
            commands["baseline"] = [
                *[sys.executable, "-c", LAUNCHER, str(baseline)],
                *["--config", config, "--catalog", catalog, "--state", state],
            ]
        best = dict.fromkeys(commands, float("inf"))
        for _ in range(runs):
            for name, command in commands.items():
                cpu, out = child_cpu(command)
                if name != "sdk" and b'"type":"RECORD"' in out:
                    msg = f"the {name} tap exported records from a state that left nothing new"
                    raise RuntimeError(msg)
                best[name] = min(best[name], cpu)
    sdk = Row(
        "6. start-up",
        'tap run with nothing new ÷ `python -c "import singer_sdk"`',
        f"{best['now']:.2f} s vs {best['sdk']:.2f} s CPU",
        best["now"] / best["sdk"],
        "(scale)",
    )
    what = f"tap run with nothing new ÷ the same before the start-up work ({BASELINE_COMMIT[:7]})"
    floor = "floor: `requests`, `jsonschema`, `click` imported alone ÷ the tap run before the start-up work"
    if "baseline" not in best:
        missing = f"not measured: commit {BASELINE_COMMIT[:7]} is not in this checkout (a shallow clone?)"
        return [
            Row("6. start-up", what, f"{missing}; the tap {best['now']:.2f} s CPU", None, "(report)"),
            sdk,
            Row("6. start-up", floor, f"{missing}; the floor {best['floor']:.2f} s CPU", None),
        ]
    ratio = best["now"] / best["baseline"]
    return [
        Row(
            "6. start-up",
            f"{what}, least of {runs} runs each",
            f"{best['now']:.2f} s vs {best['baseline']:.2f} s CPU",
            ratio,
            "(report)",
        ),
        sdk,
        Row(
            "6. start-up",
            floor,
            f"{best['floor']:.2f} s vs {best['baseline']:.2f} s CPU",
            best["floor"] / best["baseline"],
            "(what no run can save)",
        ),
    ]
