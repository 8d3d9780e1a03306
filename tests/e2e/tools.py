"""Virtual environments of Meltano and third-party plugins (cached between runs), and running pipelines.

Layout, all git-ignored:
- `.venv-meltano/`: Meltano itself (shared with `scripts/demo`), created with pip;
- `.peer-venvs/e2e-<distribution>/`: one third-party plugin per venv, installed from PyPI with the `uv`
  that Meltano brings (Meltano 4.4 installs its own plugins with it too);
- `.peer-venvs/meltano-sys/`: Meltano's `.meltano` directory for the tests (plugin venvs, run files),
  while each test keeps its own state database.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

REPO_ROOT = Path(__file__).resolve().parents[2]
# Our console scripts, from the venv running the tests (the project is installed in it).
PROJECT_BIN = Path(sys.executable).parent
TAP = str(PROJECT_BIN / "tap-zendesk-objects")
TARGET = str(PROJECT_BIN / "target-zendesk-objects")
MELTANO_REQUIREMENT = "meltano>=4.4.1,<4.5"
MELTANO_VENV = REPO_ROOT / ".venv-meltano"
PEER_VENVS = REPO_ROOT / ".peer-venvs"
MELTANO_SYS_DIR = PEER_VENVS / "meltano-sys"
INSTALL_TIMEOUT_SECONDS = 900.0
RUN_TIMEOUT_SECONDS = 600.0
_READY = ".installed"
_METRIC = re.compile(r"\] (\S+)\s+METRIC: (\{.*\})\s*$")


class InstallError(RuntimeError):
    """A virtual environment could not be built."""


def clean_env(**extra: str) -> dict[str, str]:
    """Return this process's environment without the test venv's Python settings, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if name not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(extra)
    return env


def _checked(command: list[str], what: str) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False, env=clean_env()
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        message = f"could not {what} (exit {done.returncode}): {tail}"
        raise InstallError(message)


def _cached_venv(target: Path, requirement: str, build: Callable[[Path], None]) -> Path:
    """Return `target`, built by `build(target)` unless a finished build for `requirement` is there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = target / _READY
        if not ready.is_file() or ready.read_text(encoding="utf-8") != requirement:
            # A half-built or outdated venv (an interrupted run, a changed pin) is rebuilt from scratch.
            shutil.rmtree(target, ignore_errors=True)
            build(target)
            ready.write_text(requirement, encoding="utf-8")
    return target


def meltano_venv() -> Path:
    """Return `.venv-meltano`, with Meltano installed in it."""

    def build(target: Path) -> None:
        base_python = getattr(sys, "_base_executable", sys.executable)
        _checked([base_python, "-m", "venv", str(target)], "create the Meltano venv")
        pip = [
            str(target / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        _checked([*pip, MELTANO_REQUIREMENT], f"pip install {MELTANO_REQUIREMENT}")

    return _cached_venv(MELTANO_VENV, MELTANO_REQUIREMENT, build)


def plugin_venv(requirements: list[str]) -> Path:
    """Return `.peer-venvs/e2e-<first requirement's name>` with `requirements` installed from PyPI."""
    uv = meltano_venv() / "bin" / "uv"
    name = re.split(r"[<>=~!\[ ]", requirements[0], maxsplit=1)[0]

    def build(target: Path) -> None:
        _checked(
            [str(uv), "venv", "--quiet", "--python", sys.executable, str(target)], f"create {target.name}"
        )
        python = str(target / "bin" / "python")
        _checked([str(uv), "pip", "install", "--quiet", "--python", python, *requirements], f"install {name}")

    return _cached_venv(PEER_VENVS / f"e2e-{name}", " ".join(requirements), build)


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class MeltanoRun:
    """What one `meltano` command printed and returned."""

    returncode: int
    output: str

    def records_read(self, plugin: str) -> Counter[str]:
        """Return the records `plugin` (a tap) counted per stream, from its `record_count` metrics."""
        counts: Counter[str] = Counter()
        for line in self.output.splitlines():
            match = _METRIC.search(line)
            if match and match.group(1) == plugin:
                metric = json.loads(match.group(2))
                if metric.get("metric") == "record_count":
                    counts[metric["tags"]["stream"]] += int(metric["value"])
        return counts


def meltano(args: list[str], env: dict[str, str]) -> MeltanoRun:
    """Run `meltano <args>` in the repository's project with `env` added, stdout and stderr together."""
    executable = str(meltano_venv() / "bin" / "meltano")
    MELTANO_SYS_DIR.mkdir(parents=True, exist_ok=True)
    # Test runs in other processes share the plugin venvs there; one Meltano at a time, so that two never
    # install the same plugin at once.
    with (PEER_VENVS / f"{MELTANO_SYS_DIR.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _reinstall_our_plugins_if_dependencies_changed(executable, env)
        done = _run_meltano(executable, args, env)
    return MeltanoRun(done.returncode, done.stdout)


def _run_meltano(executable: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable, *args],
        cwd=REPO_ROOT,
        env=clean_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )


def _reinstall_our_plugins_if_dependencies_changed(executable: str, env: dict[str, str]) -> None:
    """`meltano install` our two plugins when pyproject.toml changed since their venvs were made.

    `meltano run` installs a missing plugin but never refreshes one that exists; with `pip_url: -e .`
    code changes show at once, a new dependency does not. A user runs `meltano install` after upgrading:
    so does this, once per change of pyproject.toml (the stamp sits beside the plugin venvs).
    """
    stamp = MELTANO_SYS_DIR / "our-plugins-pyproject.toml"
    pyproject = (REPO_ROOT / "pyproject.toml").read_bytes()
    if stamp.exists() and stamp.read_bytes() == pyproject:
        return
    for plugin_type, name in (("extractor", "tap-zendesk-objects"), ("loader", "target-zendesk-objects")):
        done = _run_meltano(executable, ["install", plugin_type, name], env)
        if done.returncode != 0:
            msg = f"meltano install {plugin_type} {name} failed:\n{done.stdout[-3000:]}"
            raise RuntimeError(msg)
    stamp.write_bytes(pyproject)


def query_duckdb(venv: Path, database: Path, sql: str) -> list[list[Any]]:
    """Return the rows of `sql` run on `database` with the DuckDB of the target's own venv."""
    script = (
        "import duckdb, json, sys\n"
        "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps(connection.sql(sys.argv[2]).fetchall(), default=str))\n"
    )
    return rows_printed_in(venv, script, str(database), sql, what=f"DuckDB query {sql!r}")


def rows_printed_in(venv: Path, script: str, *args: str, what: str) -> list[list[Any]]:
    """Run `script` with `args` on the Python of a plugin's `venv`; return the JSON rows it printed.

    A failed run fails the test with `what` and the end of the script's stderr.
    """
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
        env=clean_env(),
    )
    if done.returncode != 0:
        message = f"{what} failed: {done.stderr.strip()[-2000:]}"
        raise AssertionError(message)
    rows: list[list[Any]] = json.loads(done.stdout)
    return rows


@dataclass
class PipeRun:
    """What `tap | target` returned and printed."""

    tap_returncode: int
    target_returncode: int
    target_stdout: str
    tap_stderr: str
    target_stderr: str

    @property
    def ok(self) -> bool:
        """Return whether both ends exited 0."""
        return self.tap_returncode == 0 and self.target_returncode == 0

    def final_state(self) -> dict[str, Any]:
        """Return the last state line the target printed (what a scheduler would save)."""
        lines = [line for line in self.target_stdout.splitlines() if line.strip()]
        state: dict[str, Any] = json.loads(lines[-1])
        return state

    def report(self) -> str:
        """Return both ends' exit codes and stderr tails, for assertion messages."""
        return (
            f"tap exit {self.tap_returncode}: {self.tap_stderr[-2500:]}\n"
            f"target exit {self.target_returncode}: {self.target_stderr[-2500:]}"
        )


def pipe(tap: list[str], target: list[str], workdir: Path) -> PipeRun:
    """Run `tap | target` as a shell would: the tap's stdout into the target's stdin, in `workdir`."""
    tap_err, target_err = workdir / "tap.stderr", workdir / "target.stderr"
    env = clean_env()
    with tap_err.open("w") as tap_log, target_err.open("w") as target_log:
        producer = subprocess.Popen(tap, stdout=subprocess.PIPE, stderr=tap_log, cwd=workdir, env=env)
        assert producer.stdout is not None
        consumer = subprocess.Popen(
            target, stdin=producer.stdout, stdout=subprocess.PIPE, stderr=target_log, cwd=workdir, env=env
        )
        producer.stdout.close()  # the target holds the only read end, as in a shell pipe
        out, _ = consumer.communicate(timeout=RUN_TIMEOUT_SECONDS)
        producer.wait(timeout=RUN_TIMEOUT_SECONDS)
    return PipeRun(
        producer.returncode,
        consumer.returncode,
        out.decode(),
        tap_err.read_text(),
        target_err.read_text(),
    )


def write_json(path: Path, value: Any) -> Path:
    """Write `value` as JSON to `path` and return the path."""
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def catalog_selecting(tap: list[str], stream_id: str, path: Path) -> Path:
    """Write to `path` the catalog of `tap --discover` with only `stream_id` selected, like Meltano."""
    done = subprocess.run(
        [*tap, "--discover"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
        timeout=RUN_TIMEOUT_SECONDS,
    )
    catalog = json.loads(done.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if not entry["breadcrumb"]:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == stream_id
    return write_json(path, catalog)
