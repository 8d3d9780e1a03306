"""`zendesk-sandbox serve|seed`: serve the demo data set (or any size) on loopback, or only seed a file."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from zendesk_sandbox.limits import COUNTINGS
from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import SandboxSettings, data_signature, settings_from_json
from zendesk_sandbox.store import DataMismatchError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

    from zendesk_sandbox.jsonvalue import Json

DEFAULT_DB_DIR = Path(".sandbox")
# option dest -> settings field, for the options that map one to one
_OPTION_FIELDS = {
    "seed": "seed",
    "tickets": "tickets",
    "records_per_object": "records_per_object",
    "sequin_records": "sequin_records",
    "users": "users",
    "organizations": "organizations",
    "window_seconds": "window_seconds",
    "export_limit": "export_requests_per_window",
    "account_limit": "account_requests_per_window",
    "limit_counting": "limit_counting",
    "foreign_requests": "foreign_requests_per_window",
    "job_cap": "max_active_jobs",
    "job_items_per_second": "job_items_per_second",
    "host": "host",
    "port": "port",
    "tls_cert": "tls_certfile",
    "tls_key": "tls_keyfile",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zendesk-sandbox", description="A local Zendesk + Sequin API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the data set over HTTP (the demo data set by default)")
    seed = commands.add_parser("seed", help="only seed the SQLite file")
    for command in (serve, seed):
        command.add_argument("--db", type=Path, help="SQLite file (default: .sandbox/sandbox-<hash>.sqlite)")
        command.add_argument("--seed", type=int)
        command.add_argument("--tickets", type=int)
        command.add_argument("--records-per-object", type=int)
        command.add_argument("--sequin-records", type=int)
        command.add_argument("--users", type=int)
        command.add_argument("--organizations", type=int)
        command.add_argument("--settings-json", type=Path, help="JSON file of other SandboxSettings fields")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--window-seconds", type=float, help="length of a rate-limit minute")
    serve.add_argument("--export-limit", type=int, help="incremental export requests per window")
    serve.add_argument("--account-limit", type=int, help="Zendesk requests per window")
    serve.add_argument(
        "--limit-counting", choices=COUNTINGS, help="how both limits count their window (default: sliding)"
    )
    serve.add_argument(
        "--foreign-requests", type=int, help="requests per window another integration spends of the account's"
    )
    serve.add_argument("--job-cap", type=int, help="queued + working jobs allowed")
    serve.add_argument("--job-items-per-second", type=float)
    serve.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    return parser


def _settings(args: argparse.Namespace) -> SandboxSettings:
    values: dict[str, Json] = {}
    if args.settings_json is not None:
        values.update(json.loads(args.settings_json.read_text(encoding="utf-8")))
    for option, field in _OPTION_FIELDS.items():
        value = getattr(args, option, None)
        if value is not None:
            values[field] = value
    return settings_from_json(values, SandboxSettings())


def _db_path(args: argparse.Namespace, settings: SandboxSettings) -> Path:
    if args.db is not None:
        path: Path = args.db
    else:
        path = DEFAULT_DB_DIR / f"sandbox-{data_signature(settings)}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _serve(sandbox: Sandbox) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    sandbox.start()
    counts = sandbox.core.store.counts()
    print(  # noqa: T201 - the one line users and scripts wait for
        f"zendesk-sandbox listening on {sandbox.url} ({counts['tickets']} tickets, {counts['users']} users, "
        f"{counts['organizations']} organizations, {counts['custom_objects']} custom objects, "
        f"{counts['sequin']} sequin records)",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    sandbox.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except (ValueError, TypeError, OSError) as bad:
        print(f"zendesk-sandbox: {bad}", file=sys.stderr)  # noqa: T201 - command-line error
        return 2
    path = _db_path(args, settings)
    started = time.perf_counter()
    try:
        sandbox = Sandbox(settings, db_path=path)
    except DataMismatchError as mismatch:
        print(f"zendesk-sandbox: {mismatch}", file=sys.stderr)  # noqa: T201 - command-line error
        return 2
    if args.command == "seed":
        took = time.perf_counter() - started
        counts = sandbox.core.store.counts()
        verb = f"seeded in {took:.1f} s" if sandbox.seeded_now else "already seeded"
        print(  # noqa: T201 - the command's one line
            f"{path}: {counts['tickets']} tickets, {counts['users']} users, "
            f"{counts['organizations']} organizations, {counts['records']} records, {verb}"
        )
        sandbox.close()
        return 0
    return _serve(sandbox)


if __name__ == "__main__":
    sys.exit(main())
