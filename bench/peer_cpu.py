"""CPU per ticket of singer-io's tap-zendesk 2.8.2, as shipped and with its pacing sleep disabled.

The peer is installed and driven by devtools/peer.py (its own venv under .peer-venvs/, the sandbox
served over TLS with a throwaway CA from trustme). It exports tickets only: it has no custom object stream.

Where it sleeps: `tap_zendesk/streams.py`, `Tickets.sync`, calls `time.sleep(remaining_time)` (about 62 s)
after every 460 non-deleted tickets, a pacing meant for the audits/comments child streams that it applies
even when they are not selected. To measure its own code, `NO_SLEEP_LAUNCHER` (run by the peer venv's Python,
its installed files untouched) swaps `time.sleep` for a wrapper that returns at once when the caller is
`tap_zendesk.streams` and sleeps normally for everyone else (e.g. its 429 Retry-After wait in
`tap_zendesk.http`), then calls the peer's own `main()` exactly as its `tap-zendesk` script does.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    ROOT,
    TOKEN,
    ProcessRun,
    Row,
    SandboxProcess,
    environment_without_pythonpath,
    run_counted,
    unlimited_options,
    write_json,
)
from devtools.loopback_tls import loopback_tls
from devtools.peer import PEER_PACING_TICKETS, PEER_VERSION, peer_venv, tickets_catalog

GOAL_X_LESS = 10.0
NO_SLEEP_LAUNCHER = """
import sys, time
_real_sleep = time.sleep
def _sleep_unless_pacing(seconds):
    if sys._getframe(1).f_globals.get("__name__") == "tap_zendesk.streams":
        return
    _real_sleep(seconds)
time.sleep = _sleep_unless_pacing
from tap_zendesk import main
sys.argv[0] = "tap-zendesk"
sys.exit(main())
"""


@dataclass
class PeerResult:
    """The peer's two runs."""

    shipped: ProcessRun
    no_sleep: ProcessRun


def measure(tickets: int, shipped_seconds: float) -> PeerResult:
    """Run the peer on `tickets` tickets without its sleep, then as shipped for at most `shipped_seconds`."""
    venv = peer_venv(ROOT)
    python = str(venv / "bin" / "python")
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        ca_file, cert_file, key_file = loopback_tls(workdir)
        catalog = write_json(tickets_catalog(venv), workdir, "peer-catalog.json")
        env = environment_without_pythonpath(
            REQUESTS_CA_BUNDLE=str(ca_file),
            SSL_CERT_FILE=str(ca_file),
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        tls = ["--tls-cert", str(cert_file), "--tls-key", str(key_file)]
        with SandboxProcess(tickets, options=[*unlimited_options(), *tls]) as sandbox:
            port = sandbox.url.rsplit(":", 1)[1]
            config = {
                "start_date": "2000-01-01T00:00:00Z",
                # tap-zendesk builds https://{subdomain}.zendesk.com/...; the sandbox takes any path prefix.
                "subdomain": f"127.0.0.1:{port}/peer",
                "access_token": TOKEN,
            }
            config_path = write_json(config, workdir, "peer-config.json")
            args = ["--config", str(config_path), "--catalog", str(catalog)]
            no_sleep = run_counted([python, "-c", NO_SLEEP_LAUNCHER, *args], env=env)
            shipped = run_counted(
                [str(venv / "bin" / "tap-zendesk"), *args], env=env, deadline=shipped_seconds
            )
    return PeerResult(shipped=shipped, no_sleep=no_sleep)


def rows(peer: PeerResult, ours: ProcessRun) -> list[Row]:
    """Compare the peer's CPU per ticket with our tap's (`ours`, measured in the same run)."""
    shipped, no_sleep = peer.shipped, peer.no_sleep
    x_less = no_sleep.cpu_us_per_record / ours.cpu_us_per_record
    shipped_note = "stopped at the time limit, " if shipped.extra["killed_at_deadline"] else ""
    return [
        Row(
            "1. tap CPU",
            f"tickets: peer tap-zendesk {PEER_VERSION}, sleep disabled ÷ ours ({no_sleep.records:,} tickets)",
            f"{no_sleep.cpu_us_per_record:.0f} µs vs {ours.cpu_us_per_record:.1f} µs per ticket; "
            f"{no_sleep.records / no_sleep.wall:,.0f} tickets/s",
            x_less,
            f"≥ {GOAL_X_LESS:g}x less",
            x_less >= GOAL_X_LESS,
        ),
        Row(
            "1. tap CPU",
            f"tickets: peer tap-zendesk {PEER_VERSION} as shipped ÷ ours ({shipped.records:,} tickets)",
            f"{shipped.cpu_us_per_record:.0f} µs per ticket; {shipped.records / shipped.wall:,.1f} tickets/s "
            f"wall ({shipped_note}{shipped.wall:.0f} s; it sleeps ~62 s per {PEER_PACING_TICKETS} tickets)",
            shipped.cpu_us_per_record / ours.cpu_us_per_record,
            "(peer exports tickets only)",
            None,
        ),
    ]
