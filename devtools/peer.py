"""Run singer-io's tap-zendesk (a Zendesk client nobody here wrote) against the sandbox.

tap-zendesk 2.8.2 facts this module relies on (read from its sdist):
- every Zendesk URL is `https://{subdomain}.zendesk.com/...` with `subdomain` taken verbatim from config, so a
  subdomain of `127.0.0.1:{port}/peer` sends its requests to `https://127.0.0.1:{port}/peer.zendesk.com/api/v2/...`;
- the `tickets` stream reads `GET /api/v2/incremental/tickets/cursor.json` with `Authorization: Bearer
  {access_token}`, a first request `start_time={start_date as float epoch}&include=metric_sets`, then
  `cursor={after_cursor}&include=metric_sets` until `end_of_stream` is true; it pops every ticket's `fields`;
- audits/comments/metrics are child streams of `tickets`, fetched only when selected (not here);
- it sleeps about a minute after every 460 non-deleted tickets (its audits pacing counts them whether or not
  audits are selected) and on a 429 for `int(Retry-After)` seconds; no setting shortens either;
- it pins requests 2.33, singer-python 6.0.1, zenpy 2.0.24, aiohttp 3.13 and installs on Python 3.11.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

PEER_DISTRIBUTION = "tap-zendesk"
PEER_VERSION = "2.8.2"
# Non-deleted tickets after which the peer sleeps ~62 s (AUDITS_REQUEST_PER_MINUTE 450, batches of 20).
PEER_PACING_TICKETS = 460
INSTALL_TIMEOUT_SECONDS = 900.0
RUN_TIMEOUT_SECONDS = 300.0

_READY_MARKER = ".installed"

# Run inside the peer's venv: the `tickets` catalog entry built by the peer's own discovery code,
# without its network access check, with the stream selected.
_CATALOG_SCRIPT = """
import json, singer
from singer import metadata
from tap_zendesk.discover import load_shared_schema_refs
from tap_zendesk.streams import STREAMS
stream = STREAMS["tickets"](None, {"subdomain": "unused"})
schema = singer.resolve_schema_references(stream.load_schema(), load_shared_schema_refs())
mdata = metadata.to_map(stream.load_metadata())
mdata = metadata.write(mdata, (), "selected", True)
entry = {"stream": "tickets", "tap_stream_id": "tickets", "schema": schema,
         "metadata": metadata.to_list(mdata)}
print(json.dumps({"streams": [entry]}))
"""


class PeerInstallError(RuntimeError):
    """The peer's virtual environment could not be created."""


@dataclass
class PeerRun:
    """What one run of the peer printed and returned."""

    returncode: int
    messages: list[dict[str, Any]]
    stderr: str
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def states(self) -> list[dict[str, Any]]:
        """Return the `value` of every STATE message, in order."""
        return [message["value"] for message in self.messages if message.get("type") == "STATE"]


def peer_venv(repo_root: Path) -> Path:
    """Return the peer's venv in `<repo>/.peer-venvs/`, creating it on first use (safe across processes)."""
    venvs = repo_root / ".peer-venvs"
    venvs.mkdir(exist_ok=True)
    target = venvs / f"{PEER_DISTRIBUTION}-{PEER_VERSION}"
    with (venvs / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / _READY_MARKER).is_file():
            # A half-built venv (an interrupted earlier run) is rebuilt from scratch.
            shutil.rmtree(target, ignore_errors=True)
            _create_venv(target)
            (target / _READY_MARKER).write_text(f"{PEER_DISTRIBUTION}=={PEER_VERSION}\n", encoding="utf-8")
    return target


def _create_venv(target: Path) -> None:
    base_python = getattr(sys, "_base_executable", sys.executable)
    _checked([base_python, "-m", "venv", str(target)], "create the venv")
    pip = [str(_python(target)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _checked(
        [*pip, f"{PEER_DISTRIBUTION}=={PEER_VERSION}"], f"pip install {PEER_DISTRIBUTION}=={PEER_VERSION}"
    )


def _checked(command: list[str], what: str) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        message = f"could not {what} (exit {done.returncode}): {tail}"
        raise PeerInstallError(message)


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def tickets_catalog(venv: Path) -> dict[str, Any]:
    """Return a catalog selecting only the peer's `tickets` stream, with the peer's own schema."""
    done = subprocess.run(
        [str(_python(venv)), "-c", _CATALOG_SCRIPT],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=True,
    )
    catalog: dict[str, Any] = json.loads(done.stdout)
    return catalog


def run_peer(
    venv: Path,
    workdir: Path,
    config: dict[str, Any],
    catalog: dict[str, Any],
    *,
    ca_bundle: Path,
) -> PeerRun:
    """Run `tap-zendesk --config --catalog` once, trusting `ca_bundle`, and collect its Singer messages."""
    config_path = workdir / "peer-config.json"
    catalog_path = workdir / "peer-catalog.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    catalog_path.write_text(json.dumps(catalog), encoding="utf-8")
    # The peer runs only on its own venv's packages, never on whatever PYTHONPATH pytest was given.
    env = {
        **{name: value for name, value in os.environ.items() if name != "PYTHONPATH"},
        "REQUESTS_CA_BUNDLE": str(ca_bundle),
        "SSL_CERT_FILE": str(ca_bundle),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    done = subprocess.run(
        [str(venv / "bin" / "tap-zendesk"), "--config", str(config_path), "--catalog", str(catalog_path)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        env=env,
        cwd=workdir,
        check=False,
    )
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    records: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        if message.get("type") == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
    return PeerRun(returncode=done.returncode, messages=messages, stderr=done.stderr, records=records)
