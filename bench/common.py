"""What every measurement shares: the sandbox in a subprocess, tap configs and catalogs, child rusage."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import requests
from typing_extensions import Self

from devtools.sandbox_configs import DEMO_EMAIL, DEMO_TOKEN, connection
from devtools.sandbox_configs import target_config as target_config_for
from zendesk_sandbox.settings import SandboxSettings, data_signature

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
TAP = str(BIN / "tap-zendesk-objects")
TARGET = str(BIN / "target-zendesk-objects")
EMAIL, TOKEN = DEMO_EMAIL, DEMO_TOKEN
UNLIMITED = 1_000_000
# Every seeded file keeps the sandbox's default data shape except these two sizes.
CUSTOM_OBJECT = "apartment"  # the seeded object that carries all ten field types
OBJECT_STREAM = f"custom_object_records__{CUSTOM_OBJECT}"
# Ours and the SDK's writers print compact JSON; singer-python (the peer) puts a space after each colon.
RECORD_PREFIXES = (b'{"type":"RECORD"', b'{"type": "RECORD"')
TABLE_HEADER = ("measure", "what", "figure", "ratio", "goal", "met")


@dataclass
class Row:
    """One line of the results table: a measured figure, the ratio it is judged by, and the goal."""

    section: str
    what: str
    figure: str
    ratio: float | None
    goal: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        """Return the row as table cells."""
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        verdict = {True: "yes", False: "**no**", None: ""}[self.met]
        cells = [self.section, self.what, self.figure, ratio, self.goal, verdict]
        return [cell.replace("|", "\\|") for cell in cells]  # a bare | would end the markdown cell


def table_lines(rows: Iterable[Row]) -> list[str]:
    """Return the rows as the lines of a markdown table, its header first."""
    lines = ["| " + " | ".join(TABLE_HEADER) + " |", "|---|---|---|---:|---|---|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return lines


def section_main(run: Callable[[bool], list[Row]], doc: str | None, argv: list[str] | None = None) -> None:
    """A section's command line: `run(quick)` (`--quick`: tiny sizes), its rows printed as markdown."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    args = parser.parse_args(argv)
    print("\n".join(table_lines(run(args.quick))))


@dataclass
class ProcessRun:
    """What one child process did: its RECORD lines, CPU seconds, peak RSS and timings."""

    records: int
    cpu: float
    rss_mb: float
    wall: float
    returncode: int
    first_record_at: float | None = None
    last_record_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cpu_us_per_record(self) -> float:
        """Return user+sys CPU microseconds per RECORD line."""
        return self.cpu / max(self.records, 1) * 1e6


def sandbox_db(tickets: int, records_per_object: int = 200, people: int | None = None) -> Path:
    """Return the cached SQLite file for a data shape (bench/results/, git-ignored, seeded on first use).

    The name carries the data set's signature, so a file seeded by an older sandbox is never reused.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    shape = SandboxSettings(tickets=tickets, records_per_object=records_per_object)
    if people is not None:
        shape = dataclasses.replace(shape, users=people, organizations=people)
    return RESULTS / f"sandbox-{tickets}-{records_per_object}-{data_signature(shape)}.sqlite"


class SandboxProcess:
    """`zendesk-sandbox serve` in a subprocess on a cached SQLite file; use as a context manager."""

    def __init__(  # noqa: PLR0913 (all but `tickets` are keywords)
        self,
        tickets: int,
        *,
        records_per_object: int = 200,
        options: Sequence[str] = (),
        settings: dict[str, Any] | None = None,
        db: Path | None = None,
        people: int | None = None,
    ) -> None:
        """Start it (seeding the file first if it is new) and wait for its ready line.

        `db` replaces the cached file, for a sandbox that a target writes into (a cached file must stay as
        seeded).
        """
        db = db or sandbox_db(tickets, records_per_object, people)
        self._settings_file: Path | None = None
        args = [sys.executable, "-m", "zendesk_sandbox.cli", "serve", "--port", "0", "--db", str(db)]
        args += ["--tickets", str(tickets), "--records-per-object", str(records_per_object), *options]
        if people is not None:  # users and organizations, as many of each
            args += ["--users", str(people), "--organizations", str(people)]
        if settings:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
                json.dump(settings, handle)
            self._settings_file = Path(handle.name)
            args += ["--settings-json", handle.name]
        started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout is not None else ""
        if " listening on " not in line:
            self.stop()
            msg = f"sandbox did not start: {line!r}"
            raise RuntimeError(msg)
        self.url = line.split(" listening on ", 1)[1].split(" ", 1)[0]
        self.ready_seconds = time.monotonic() - started

    def stats(self) -> dict[str, Any]:
        """Return the sandbox's request counters."""
        body: dict[str, Any] = requests.get(f"{self.url}/_sandbox/stats", timeout=30).json()
        return body

    def reset_stats(self) -> None:
        """Zero the sandbox's request counters."""
        requests.post(f"{self.url}/_sandbox/stats/reset", timeout=30).raise_for_status()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then wait)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=60)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._settings_file is not None:
            self._settings_file.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        """Return the running sandbox."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the sandbox."""
        self.stop()


def unlimited_options() -> list[str]:
    """Return serve options that lift every request limit, so only the client's own cost shows."""
    return ["--export-limit", str(UNLIMITED), "--account-limit", str(UNLIMITED)]


def fast_jobs_sandbox(db: Path) -> SandboxProcess:
    """Start a fresh sandbox on `db` for a target to write into: no request limits, instant fast jobs.

    Its jobs start at once and run as fast as the sandbox can apply them.
    """
    options = [*unlimited_options(), "--job-items-per-second", str(UNLIMITED)]
    return SandboxProcess(100, options=options, settings={"job_queue_seconds": 0.0}, db=db)


def target_config(url: str, workdir: Path, **extra: object) -> dict[str, Any]:
    """Return a target config writing into the sandbox at `url`, unpaced, rejections under `workdir`."""
    unpaced = {
        "custom_object_key": CUSTOM_OBJECT,
        "requests_per_minute": UNLIMITED,
        "rejected_records_path": str(workdir / "rejected.jsonl"),
    }
    return target_config_for(url, **{**unpaced, **extra})


def tap_config(url: str, **extra: object) -> dict[str, Any]:
    """Return a tap config for the sandbox at `url`, unpaced unless `extra` says otherwise."""
    unpaced = {
        "custom_object_keys": [CUSTOM_OBJECT],
        "export_requests_per_minute": UNLIMITED,
        "export_window_seconds": 1.0,
    }
    return connection(url, **{**unpaced, **extra})


def write_json(data: object, directory: Path, name: str) -> Path:
    """Write `data` as JSON to `directory/name` and return the path."""
    path = directory / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def tap_catalog(config_path: Path, *streams: str) -> dict[str, Any]:
    """Return the tap's discovered catalog with only `streams` selected."""
    done = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"], capture_output=True, check=True, timeout=300
    )
    catalog: dict[str, Any] = json.loads(done.stdout)
    names = [entry["tap_stream_id"] for entry in catalog["streams"]]
    missing = [stream for stream in streams if stream not in names]
    if missing:
        msg = f"the tap does not offer streams {missing} (it offers {names})"
        raise RuntimeError(msg)
    for entry in catalog["streams"]:
        for item in entry.get("metadata", []):
            if item.get("breadcrumb") == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def tap_command(workdir: Path, config: dict[str, Any], stream: str) -> list[str]:
    """Return the command line of a tap run exporting only `stream`."""
    config_path = write_json(config, workdir, "tap-config.json")
    catalog_path = write_json(tap_catalog(config_path, stream), workdir, f"catalog-{stream}.json")
    return [TAP, "--config", str(config_path), "--catalog", str(catalog_path)]


def run_counted(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdin: IO[bytes] | int | None = None,
    deadline: float | None = None,
    on_line: Callable[[bytes], None] | None = None,
) -> ProcessRun:
    """Run `command` to its end (or SIGTERM at `deadline` seconds); count RECORD lines on its stdout.

    CPU and peak RSS come from `os.wait4`, so they are the child's own, not this process's.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        list(command), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    timer = None
    if deadline is not None:
        timer = threading.Timer(deadline, proc.send_signal, (signal.SIGTERM,))
        timer.start()
    stderr_tail: list[bytes] = []
    drain = threading.Thread(target=_keep_tail, args=(proc.stderr, stderr_tail), daemon=True)
    drain.start()
    records, first, last = 0, None, None
    for line in _lines(proc.stdout):
        if line.startswith(RECORD_PREFIXES):
            records += 1
            last = time.monotonic()
            first = first or last
        if on_line is not None:
            on_line(line)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if timer is not None:
        timer.cancel()
    drain.join(timeout=10)
    proc.returncode = os.waitstatus_to_exitcode(status)
    killed = deadline is not None and proc.returncode == -signal.SIGTERM
    if proc.returncode != 0 and not killed:
        tail = b"".join(stderr_tail).decode(errors="replace")[-1500:]
        msg = f"{command[0]} failed with exit code {proc.returncode}: {tail}"
        raise RuntimeError(msg)
    return ProcessRun(
        records=records,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        wall=wall,
        returncode=proc.returncode,
        first_record_at=None if first is None else first - started,
        last_record_at=None if last is None else last - started,
        extra={"killed_at_deadline": killed},
    )


def run_piped(
    producer: Sequence[str],
    consumer: Sequence[str],
    *,
    on_line: Callable[[bytes], None] | None = None,
    quiet_producer: bool = False,
    producer_timeout: float = 60,
) -> tuple[ProcessRun, int]:
    """Run `consumer` as `run_counted` does on `producer`'s output, through a pipe.

    Returns the consumer's run and the producer's exit code; `quiet_producer` drops the producer's stderr.
    """
    source = subprocess.Popen(
        list(producer), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet_producer else None
    )
    try:
        run = run_counted(consumer, stdin=source.stdout, on_line=on_line)
    finally:
        if source.stdout is not None:
            source.stdout.close()
        source.wait(timeout=producer_timeout)
    return run, source.returncode


class LastState:
    """The last state seen: a tap's STATE message's value, or a line a target printed (bare state JSON)."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.value: object = None

    def see(self, line: bytes) -> None:
        """Note one line of output."""
        if line.startswith(RECORD_PREFIXES) or not line.strip():
            return
        message = json.loads(line)
        if message.get("type") == "STATE":
            self.value = message["value"]
        elif "type" not in message:
            self.value = message


def _lines(stream: IO[bytes] | None) -> Iterator[bytes]:
    if stream is None:
        return
    yield from stream
    stream.close()


def _keep_tail(stream: IO[bytes] | None, tail: list[bytes]) -> None:
    if stream is None:
        return
    for line in stream:
        tail.append(line)
        del tail[:-40]
    stream.close()


def environment_without_pythonpath(**extra: str) -> dict[str, str]:
    """Return this process's environment minus PYTHONPATH, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    env.update(extra)
    return env


class FirstRequest:
    """Watches the sandbox's counters on a thread and notes when it first counted one of `kinds`."""

    def __init__(self, sandbox: SandboxProcess, kinds: tuple[str, ...]) -> None:
        """Start watching (the counters were just reset)."""
        self.at: float | None = None
        self.kinds = kinds
        self._sandbox = sandbox
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            counted = self._sandbox.stats()["requests_by_kind"]
            if any(counted.get(kind, 0) for kind in self.kinds):
                self.at = time.monotonic()
                return
            time.sleep(0.005)

    def stop(self) -> float:
        """Stop watching and return when the first such request came."""
        self._stop.set()
        self._thread.join(timeout=10)
        if self.at is None:
            msg = f"the sandbox saw no request of {', '.join(self.kinds)}"
            raise RuntimeError(msg)
        return self.at
