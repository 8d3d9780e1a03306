"""How fast the sandbox answers, so later benchmarks measure the tap and target, not the sandbox.

Run: `.venv/bin/python bench/sandbox_speed.py [--tickets 100000]`. Seeds (once)
bench/results/sandbox-speed-<N>.sqlite,
starts `zendesk-sandbox serve` in a subprocess with limits lifted, and measures over keep-alive:
- a 1000-ticket export page (plain, and with `include=users,metric_sets`), median and p95;
- accepting a 100-item job (the worker held back, so only the POST is timed), median and p95;
- how many job items per second the worker applies once released (the ceiling job benchmarks rely on).
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

RESULTS = Path(__file__).parent / "results"
AUTH = {"Authorization": "Bearer sandbox-token"}
EXPORT = "/api/v2/incremental/tickets/cursor"
JOB_SAMPLES = 200


def _seed(db: Path, tickets: int) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "zendesk_sandbox.cli", "seed", "--db", str(db), "--tickets", str(tickets)],
        capture_output=True,
        text=True,
        check=True,
    )
    return f"{done.stdout.strip()} (wall {time.perf_counter() - started:.1f} s)"


def _serve(db: Path, tickets: int, settings_file: Path) -> tuple[subprocess.Popen[str], str]:
    settings_file.write_text(json.dumps({"job_queue_seconds": 3600.0}), encoding="utf-8")
    command = [
        sys.executable, "-m", "zendesk_sandbox.cli", "serve", "--port", "0", "--db", str(db),
        "--tickets", str(tickets), "--export-limit", "1000000", "--account-limit", "1000000",
        "--job-cap", "1000000", "--job-items-per-second", "1000000", "--settings-json", str(settings_file),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    return process, line.split(" listening on ", 1)[1].split(" ", 1)[0]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _export_pages(
    session: requests.Session, url: str, params: dict[str, Any], cursors: list[str] | None = None
) -> tuple[list[float], int]:
    timings: list[float] = []
    response = session.get(url + EXPORT, params={"start_time": 0, **params}, timeout=60)
    tickets = 0
    while True:
        page = response.json()
        tickets += len(page["tickets"])
        if page["end_of_stream"]:
            return timings, tickets
        if cursors is not None:
            cursors.append(page["after_cursor"])
        started = time.perf_counter()
        response = session.get(url + EXPORT, params={"cursor": page["after_cursor"], **params}, timeout=60)
        response.content  # noqa: B018 - the body is part of what is timed
        timings.append((time.perf_counter() - started) * 1000)


def _raw_pages(url: str, cursors: list[str]) -> list[float]:
    """Time the same pages with http.client: what the server costs, without requests' own ~7 ms per 2 MB."""
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port)
    timings: list[float] = []
    for cursor in cursors:
        started = time.perf_counter()
        connection.request("GET", f"{EXPORT}?{urlencode({'cursor': cursor, 'per_page': 1000})}", headers=AUTH)
        connection.getresponse().read()
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings


def _jobs(session: requests.Session, url: str) -> tuple[list[float], float]:
    timings: list[float] = []
    for job in range(JOB_SAMPLES):
        items = [
            {
                "external_id": f"bench-{job}-{i}",
                "name": f"Bench {job}-{i}",
                "custom_object_fields": {"rating": i},
            }
            for i in range(100)
        ]
        body = {"job": {"action": "create_or_update_by_external_id", "items": items}}
        started = time.perf_counter()
        response = session.post(url + "/api/v2/custom_objects/vendor/jobs", json=body, timeout=60)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    started = time.perf_counter()
    session.patch(url + "/_sandbox/settings", json={"job_queue_seconds": 0.0}, timeout=60)
    while any(
        job["status"] != "completed" for job in session.get(url + "/_sandbox/jobs", timeout=60).json()["jobs"]
    ):
        time.sleep(0.05)
    items_per_second = JOB_SAMPLES * 100 / (time.perf_counter() - started)
    return timings, items_per_second


def main() -> None:
    """Seed, serve, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    tickets = parser.parse_args().tickets
    RESULTS.mkdir(exist_ok=True)
    db = RESULTS / f"sandbox-speed-{tickets}.sqlite"
    seeded = _seed(db, tickets)
    process, url = _serve(db, tickets, RESULTS / "sandbox-speed-settings.json")
    try:
        session = requests.Session()
        session.headers.update(AUTH)
        cursors: list[str] = []
        plain, count = _export_pages(session, url, {"per_page": 1000}, cursors)
        raw = _raw_pages(url, cursors)
        sideloads, _ = _export_pages(session, url, {"per_page": 1000, "include": "users,metric_sets"})
        accepts, items_per_second = _jobs(session, url)
    finally:
        process.terminate()
        process.wait(timeout=30)
    rows = [
        (f"1000-ticket export page ({len(plain)} pages, {count} tickets)", *_percentiles(plain)),
        ("same pages read with http.client (server cost)", *_percentiles(raw)),
        ("1000-ticket page with include=users,metric_sets", *_percentiles(sideloads)),
        (f"accept a 100-item job ({JOB_SAMPLES} jobs)", *_percentiles(accepts)),
    ]
    print(f"seed: {seeded}\n")
    print("| measure | median ms | p95 ms |\n|---|---:|---:|")
    for name, median, p95 in rows:
        print(f"| {name} | {median:.2f} | {p95:.2f} |")
    print(
        f"\njob worker: {items_per_second:,.0f} items/s applied "
        f"({JOB_SAMPLES} jobs x 100 items, all released at once)"
    )


if __name__ == "__main__":
    main()
