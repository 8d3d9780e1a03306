"""`zendesk-sandbox serve|seed|authorize`: serve the demo data on loopback, seed a file, or get a grant."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import COUNTINGS, SandboxSettings, data_signature, settings_from_json
from zendesk_sandbox.store.database import DataMismatchError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import OAuthClientSpec

DEFAULT_DB_DIR = Path(".sandbox")
DEFAULT_CLIENT = "zendesk-objects-demo"  # the seeded confidential admin client
DEFAULT_SCOPE = "read write"
ADMIN_TIMEOUT_SECONDS = 30
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
    authorize = commands.add_parser(
        "authorize", help="ask a running sandbox for an authorization and print its refresh token"
    )
    authorize.add_argument("--url", required=True, help="the sandbox, e.g. http://127.0.0.1:8765")
    authorize.add_argument(
        "--client-id", default=DEFAULT_CLIENT, help=f"OAuth client (default {DEFAULT_CLIENT})"
    )
    authorize.add_argument(
        "--scope", default=DEFAULT_SCOPE, help=f'space-separated (default "{DEFAULT_SCOPE}")'
    )
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
    client = _demo_client(sandbox.settings)
    if client is not None:
        print(  # noqa: T201 - what the demo pipeline reads its OAuth client from
            f"zendesk-sandbox OAuth client (confidential, admin): client id {client.identifier}, "
            f"client secret {client.secret}",
            flush=True,
        )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    sandbox.close()
    return 0


def _demo_client(settings: SandboxSettings) -> OAuthClientSpec | None:
    """Return the first confidential admin client of the settings, or None."""
    for client in settings.oauth_clients:
        if client.kind == "confidential" and client.role == "admin":
            return client
    return None


def _authorize(args: argparse.Namespace) -> int:
    """Print the refresh token of a grant the running sandbox's admin API makes (stdout: only that)."""
    url = args.url.rstrip("/") + "/_sandbox/oauth/grants"
    if not url.startswith(("http://", "https://")):
        return _failed(f"--url must start with http:// or https://, not {args.url}", 2)
    body = json.dumps({"client_id": args.client_id, "scope": args.scope}).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_SECONDS) as response:  # noqa: S310
            grant = json.loads(response.read())
    except urllib.error.HTTPError as refused:
        detail = refused.read().decode("utf-8", "replace")
        return _failed(f"{url} answered {refused.code}: {detail}", 1)
    except (urllib.error.URLError, OSError, ValueError) as failed:
        return _failed(f"could not get a grant from {url}: {failed}", 1)
    print(grant["refresh_token"])  # noqa: T201 - the command's one line
    return 0


def _failed(message: str, status: int) -> int:
    print(f"zendesk-sandbox: {message}", file=sys.stderr)  # noqa: T201 - command-line error
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "authorize":
        return _authorize(args)
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
