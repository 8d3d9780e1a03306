"""Tap CPU per ticket beside the floor, peak memory at two export sizes, and paced wall time.

Run by hand: `.venv/bin/python bench/tap_cpu.py [--tickets 100000] [--big 1000000]`. Starts the sandbox CLI in
a subprocess (seeded SQLite files are kept under bench/results/ and reused), then measures, in one run:

- floor: the CPU time of decoding the same 1,000-ticket export pages with `json` and encoding every ticket
  as a Singer RECORD line with `json` (pages fetched outside the timed part);
- tap: the user+sys CPU time of a `tap-zendesk-objects` process (os.wait4) exporting the same tickets from
  the unthrottled sandbox, its stdout read and counted by this script;
- peak RSS of the tap at two export sizes;
- paced wall time: the sandbox's export limit at 10 per short window, the tap paced to it, compared
  with pages ÷ limit x window.
Prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
TAP = str(BIN / "tap-zendesk-objects")
SANDBOX = str(BIN / "zendesk-sandbox")
EMAIL, TOKEN = "demo@example.com", "sandbox-token"
UNLIMITED = 1_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SandboxProcess:
    """`zendesk-sandbox serve` in a subprocess, on a kept SQLite file."""

    def __init__(self, tickets: int, *extra: str) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        port = free_port()
        db = RESULTS / f"sandbox-{tickets}.sqlite"
        args = [SANDBOX, "serve", "--port", str(port), "--db", str(db), "--tickets", str(tickets), *extra]
        started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout is not None else ""
        if "listening on" not in line:
            self.stop()
            msg = f"sandbox did not start: {line!r}"
            raise RuntimeError(msg)
        self.url = f"http://127.0.0.1:{port}"
        print(f"<!-- sandbox with {tickets} tickets ready in {time.monotonic() - started:.1f} s -->")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def tap_config(url: str, **extra: object) -> dict[str, Any]:
    return {
        "api_url": url,
        "email": EMAIL,
        "api_token": TOKEN,
        "custom_object_keys": [],
        "export_requests_per_minute": UNLIMITED,
        "export_window_seconds": 1.0,
        **extra,
    }


# The same tap with the SDK's defaults put back: recursive type conformance, the per-record selection and
# stream-map pass, and the SDK's writer (simplejson, a flush per message). For calibration only.
SDK_DEFAULTS = """
import sys
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.io_base import SingerWriter
from tap_zendesk_objects import client
from tap_zendesk_objects.tap import TapZendeskObjects
client.ZendeskObjectsStream.TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.RECURSIVE
del client.ZendeskObjectsStream._generate_record_messages
TapZendeskObjects.message_writer_class = SingerWriter
sys.argv[0] = "tap-zendesk-objects"
TapZendeskObjects.cli()
"""


def run_tap(config: dict[str, Any], *, sdk_defaults: bool = False) -> dict[str, float]:
    """Run the tap to the end; return records, CPU seconds, peak RSS (MB) and wall seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    started = time.monotonic()
    command = [sys.executable, "-c", SDK_DEFAULTS] if sdk_defaults else [TAP]
    proc = subprocess.Popen(
        [*command, "--config", handle.name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    records = sum(1 for line in proc.stdout or () if line.startswith(b'{"type":"RECORD"'))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    Path(handle.name).unlink()
    if proc.returncode != 0:
        msg = f"tap failed with exit code {proc.returncode}"
        raise RuntimeError(msg)
    return {
        "records": records,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "wall": wall,
    }


def floor_cpu(url: str) -> tuple[int, float]:
    """CPU seconds to decode every 1,000-ticket page and encode its tickets as RECORD lines with `json`."""
    session = requests.Session()
    session.auth = (f"{EMAIL}/token", TOKEN)
    params: dict[str, Any] = {"start_time": 0, "per_page": 1000}
    tickets, cpu = 0, 0.0
    extracted = "2026-01-01T00:00:00.000000+00:00"
    while True:
        body_bytes = session.get(
            f"{url}/api/v2/incremental/tickets/cursor", params=params, timeout=300
        ).content
        start = time.process_time()
        body = json.loads(body_bytes)
        for ticket in body["tickets"]:
            message = {"type": "RECORD", "stream": "tickets", "record": ticket, "time_extracted": extracted}
            json.dumps(message, separators=(",", ":"))
        cpu += time.process_time() - start
        tickets += len(body["tickets"])
        if body.get("end_of_stream"):
            return tickets, cpu
        params = {"cursor": body["after_cursor"], "per_page": 1000}


def cpu_table(tickets: int) -> dict[str, float]:
    sandbox = SandboxProcess(tickets, "--export-limit", str(UNLIMITED), "--account-limit", str(UNLIMITED))
    try:
        tap = run_tap(tap_config(sandbox.url))  # first, before this process holds any pages
        defaults = run_tap(tap_config(sandbox.url), sdk_defaults=True)
        floor_tickets, floor = floor_cpu(sandbox.url)
    finally:
        sandbox.stop()
    if floor_tickets != tap["records"]:
        msg = f"the tap wrote {tap['records']} records for {floor_tickets} tickets"
        raise RuntimeError(msg)
    per_floor = floor / floor_tickets * 1e6
    per_tap = tap["cpu"] / tap["records"] * 1e6
    print(f"\n### CPU per ticket ({floor_tickets:,} tickets, 1,000-ticket pages, unthrottled sandbox)\n")
    print("| what | CPU s | µs per ticket | x floor |")
    print("|---|---:|---:|---:|")
    print(f"| floor: `json` decode pages + encode RECORD lines | {floor:.2f} | {per_floor:.1f} | 1.00 |")
    ratio = per_tap / per_floor
    print(f"| tap-zendesk-objects (process user+sys) | {tap['cpu']:.2f} | {per_tap:.1f} | {ratio:.2f} |")
    per_defaults = defaults["cpu"] / defaults["records"] * 1e6
    print(
        f"| same tap, SDK defaults put back (calibration) | {defaults['cpu']:.2f} | {per_defaults:.1f} "
        f"| {per_defaults / per_floor:.2f} |"
    )
    return tap


def memory_table(small: int, small_run: dict[str, float], big: int) -> None:
    sandbox = SandboxProcess(big, "--export-limit", str(UNLIMITED), "--account-limit", str(UNLIMITED))
    try:
        big_run = run_tap(tap_config(sandbox.url))
    finally:
        sandbox.stop()
    print("\n### Peak memory of the tap\n")
    print("| tickets | peak RSS MB | wall s |")
    print("|---:|---:|---:|")
    for count, run in ((small, small_run), (big, big_run)):
        print(f"| {count:,} | {run['rss_mb']:.0f} | {run['wall']:.1f} |")


def paced_table(tickets: int, page_size: int, limit: int, window: float) -> None:
    sandbox = SandboxProcess(
        tickets,
        "--export-limit",
        str(limit),
        "--window-seconds",
        str(window),
        "--account-limit",
        str(UNLIMITED),
    )
    try:
        config = tap_config(sandbox.url, page_size=page_size, export_requests_per_minute=limit)
        config["export_window_seconds"] = window
        requests.post(f"{sandbox.url}/_sandbox/stats/reset", timeout=10)
        run = run_tap(config)
        stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=10).json()
    finally:
        sandbox.stop()
    pages = -(-tickets // page_size)
    ideal = pages / limit * window
    print(
        f"\n### Paced export ({tickets:,} tickets, {page_size} per page, {limit} requests per {window:g} s)\n"
    )
    print("| pages | wall s | pages ÷ limit x window s | ratio | sandbox stats |")
    print("|---:|---:|---:|---:|---|")
    ratio = run["wall"] / ideal
    print(f"| {pages} | {run['wall']:.1f} | {ideal:.1f} | {ratio:.2f} | `{json.dumps(stats)[:300]}` |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="export size for CPU (default 100000)")
    parser.add_argument(
        "--big", type=int, default=1_000_000, help="second size for peak memory (default 1000000)"
    )
    parser.add_argument("--paced-tickets", type=int, default=20_000)
    parser.add_argument("--paced-page-size", type=int, default=100)
    parser.add_argument("--paced-window", type=float, default=1.0)
    args = parser.parse_args()
    small_run = cpu_table(args.tickets)
    memory_table(args.tickets, small_run, args.big)
    paced_table(args.paced_tickets, args.paced_page_size, 10, args.paced_window)


if __name__ == "__main__":
    main()
