"""Running the tap as users do: its console script in a subprocess, against a sandbox over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema

from devtools import sandbox_configs
from tests.stub_server import StubServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from tests.stub_server import Received, Reply
    from zendesk_sandbox import Sandbox

TAP = str(Path(sys.executable).parent / "tap-zendesk-objects")
_files = count()

# Sandbox settings for tap tests: a one-second "minute", no recent-data lag so that changes made by a
# test are exported at once, and an export limit that only the pacing test lowers.
FAST = {"window_seconds": 1.0, "export_requests_per_window": 1000, "recent_data_lag_seconds": 0.0}


def tap_config(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    """A tap config pointing at the sandbox, paced to its (fast) export limit."""
    fast = {"export_window_seconds": 1.0, "export_requests_per_minute": 1000}
    return sandbox_configs.tap_config(sb.url, **{**fast, **overrides})


def tickets_only_config(url: str, **overrides: Any) -> dict[str, Any]:
    """A config for a stub server at `url` that serves only the ticket export: no objects, no Sequin."""
    fast = {"custom_object_keys": [], "export_requests_per_minute": 1000, "export_window_seconds": 1.0}
    return sandbox_configs.connection(url, **{**fast, **overrides})


@dataclass
class TapRun:
    """What one run of the tap printed."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict[str, Any]]

    def records(self, stream: str) -> list[dict[str, Any]]:
        """The records of `stream`, in output order."""
        return [m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream]

    def schema(self, stream: str) -> dict[str, Any]:
        """The last SCHEMA message's schema for `stream`."""
        schemas: list[dict[str, Any]] = [
            m["schema"] for m in self.messages if m["type"] == "SCHEMA" and m["stream"] == stream
        ]
        return schemas[-1]

    @property
    def states(self) -> list[dict[str, Any]]:
        """Every STATE value, in order."""
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict[str, Any]:
        """The last STATE value."""
        return self.states[-1]


def parse_messages(stdout: str) -> list[dict[str, Any]]:
    """Singer messages from stdout; a last line cut short by a kill is dropped."""
    lines = stdout.split("\n")
    return [json.loads(line) for line in lines[:-1] if line.strip()]


def write_json(directory: Path, stem: str, value: Any) -> Path:
    """Write `value` as JSON to a fresh file in `directory`."""
    path = directory / f"{stem}-{next(_files)}.json"
    path.write_text(json.dumps(value))
    return path


def tap_args(
    directory: Path,
    config: dict[str, Any],
    state: dict[str, Any] | None,
    *extra: str,
    catalog: dict[str, Any] | None = None,
) -> list[str]:
    """Command line of the tap for this config (and state, and catalog)."""
    args = [TAP, "--config", str(write_json(directory, "config", config))]
    if state is not None:
        args += ["--state", str(write_json(directory, "state", state))]
    if catalog is not None:
        args += ["--catalog", str(write_json(directory, "catalog", catalog))]
    return [*args, *extra]


def selected_catalog(directory: Path, config: dict[str, Any], streams: Sequence[str]) -> dict[str, Any]:
    """The tap's discovered catalog with only `streams` selected, as `meltano select` would write it."""
    args = tap_args(directory, config, None, "--discover")
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    catalog: dict[str, Any] = json.loads(done.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def run_tap(  # noqa: PLR0913 (each a way a test runs the tap)
    directory: Path,
    config: dict[str, Any],
    *extra: str,
    state: dict[str, Any] | None = None,
    timeout: float = 120,
    select: Sequence[str] | None = None,
    catalog: dict[str, Any] | None = None,
) -> TapRun:
    """Run the tap to its end and collect what it printed.

    `select`: only these streams, in a catalog discovered now; `catalog`: a catalog made earlier.
    """
    if select is not None:
        catalog = selected_catalog(directory, config, select)
    done = subprocess.run(
        tap_args(directory, config, state, *extra, catalog=catalog),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    messages = parse_messages(done.stdout) if not extra else []
    return TapRun(done.returncode, done.stdout, done.stderr, messages)


def run_on_stub(
    directory: Path,
    answer: Callable[[Received], Reply],
    stream: str,
    *,
    state: dict[str, Any] | None = None,
    timeout: float = 20,
    **settings: Any,
) -> tuple[TapRun, list[Received]]:
    """Run the tap on `stream` alone against a stub server playing `answer`; what it printed and was asked.

    `timeout` bounds the run: a tap that loops fails the test (subprocess.TimeoutExpired), never hangs it.
    """
    with StubServer(answer) as stub:
        config = tickets_only_config(stub.url, **settings)
        run = run_tap(directory, config, state=state, timeout=timeout, select=[stream])
    return run, list(stub.received)


def one_line_failure(run: TapRun) -> str:
    """The run failed with one line on stderr and no traceback: that line."""
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    return run.stderr.strip().splitlines()[-1]


def run_until_killed(args: list[str], after: int) -> str:
    """Start the tap and SIGKILL it once `after` RECORD lines were read; return all it printed."""
    lines: list[str] = []
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as tap:
        assert tap.stdout is not None
        seen = 0
        for line in tap.stdout:
            lines.append(line)
            seen += line.startswith('{"type":"RECORD"')
            if seen >= after:
                tap.send_signal(signal.SIGKILL)
                break
        rest = tap.stdout.read()  # what the pipe still holds (not communicate(): it skips the read-ahead)
        tap.wait(timeout=60)
    return "".join(lines) + rest


def resumed_runs(
    directory: Path, config: dict[str, Any], catalog: dict[str, Any], kills: Sequence[int]
) -> Iterator[TapRun]:
    """Runs SIGKILLed once they printed each count of RECORD lines in `kills`, then a run to the end.

    Each run starts from the last STATE printed before it, as a scheduler's retry of a killed job does. A
    killed run's stderr is not kept; the run to the end must succeed.
    """
    state: dict[str, Any] | None = None
    for after in kills:
        output = run_until_killed(tap_args(directory, config, state, catalog=catalog), after)
        killed = TapRun(-signal.SIGKILL, output, "", parse_messages(output))
        yield killed
        state = killed.states[-1] if killed.states else state
    final = run_tap(directory, config, state=state, catalog=catalog)
    assert final.returncode == 0, final.stderr
    yield final


def assert_valid(records: list[dict[str, Any]], schema: dict[str, Any]) -> None:
    """Every record validates against the stream's SCHEMA."""
    validator = jsonschema.Draft202012Validator(schema)
    for record in records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, (record.get("id"), errors)


def wait_until_changes_are_exportable() -> None:
    """Sleep until changes made so far are behind the exports' cutoff (whole seconds, like Zendesk's).

    A change made in the second an export page was served is stamped with the next second, so that no
    export ever skips it; it becomes visible once that second is in the past.
    """
    now = time.time()
    time.sleep(max(0.0, int(now) + 1.05 - now))
