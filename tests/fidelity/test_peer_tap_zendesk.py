"""A Zendesk client nobody here wrote (singer-io tap-zendesk 2.8.2) exports every sandbox ticket."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from devtools.loopback_tls import loopback_tls
from devtools.peer import PEER_PACING_TICKETS, peer_venv, run_peer, tickets_catalog
from zendesk_sandbox import SandboxSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

REPO_ROOT = Path(__file__).parents[2]
# More than one 1000-ticket page, so the peer must follow `after_cursor`; mostly deleted tickets, so the
# peer's audits pacing (a ~62 s sleep after 460 non-deleted tickets) never starts.
PEER_TICKETS = 1_300
PEER_DELETED_RATIO = 0.7


@pytest.fixture
def tls_sandbox(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> tuple[Sandbox, Path]:
    """A sandbox serving HTTPS on loopback with a throwaway CA's certificate for 127.0.0.1, and that CA."""
    ca_file, cert_file, key_file = loopback_tls(tmp_path)
    sandbox = sandbox_factory(
        tickets=PEER_TICKETS,
        deleted_ticket_ratio=PEER_DELETED_RATIO,
        tls_certfile=str(cert_file),
        tls_keyfile=str(key_file),
    )
    return sandbox, ca_file


def test_ticket_export_reads_the_float_start_time_tap_zendesk_sends(sandbox: Sandbox) -> None:
    # tap-zendesk 2.8.2 sends `start_time=datetime.timestamp()` (e.g. `946684800.0`) on its first export
    # request and on every discovery check; Zendesk answers it in production, though the OAS types it integer.
    response = requests.get(
        f"{sandbox.url}/peer.zendesk.com/api/v2/incremental/tickets/cursor.json",
        params={"start_time": "946684800.0", "include": "metric_sets"},
        headers={"Authorization": f"Bearer {SandboxSettings().oauth_token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["tickets"]


@pytest.mark.slow
def test_peer_exports_every_sandbox_ticket(tls_sandbox: tuple[Sandbox, Path], tmp_path: Path) -> None:
    sandbox, ca_file = tls_sandbox
    expected_ids = set(sandbox.admin.ticket_ids())
    live = set(sandbox.admin.ticket_ids(include_deleted=False))
    assert len(expected_ids) > 1000, "the peer must need more than one page"
    assert len(live) < PEER_PACING_TICKETS, "the peer would sleep a minute in its audits pacing"
    port = sandbox.url.rsplit(":", 1)[1]
    venv = peer_venv(REPO_ROOT)

    run = run_peer(
        venv,
        tmp_path,
        {
            "start_date": "2000-01-01T00:00:00Z",
            # tap-zendesk builds https://{subdomain}.zendesk.com/...; the sandbox accepts any path prefix.
            "subdomain": f"127.0.0.1:{port}/peer",
            "access_token": SandboxSettings().oauth_token,
            "request_timeout": 30,
        },
        tickets_catalog(venv),
        ca_bundle=ca_file,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    tickets = run.records.get("tickets", [])
    emitted = [ticket["id"] for ticket in tickets]
    assert set(emitted) == expected_ids
    assert len(emitted) == len(expected_ids), "a cursor export does not repeat tickets within one run"
    assert {ticket["id"] for ticket in tickets if ticket["status"] == "deleted"} == expected_ids - live
    newest = max(ticket["generated_timestamp"] for ticket in tickets)
    bookmark = run.states()[-1]["bookmarks"]["tickets"]["generated_timestamp"]
    assert bookmark == datetime.fromtimestamp(newest, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert set(run.records) == {"tickets"}, "only the selected stream is emitted"
    for ticket in tickets:
        stored = sandbox.admin.ticket(ticket["id"])
        assert stored is not None
        assert (ticket["generated_timestamp"], ticket["status"]) == (
            stored["generated_timestamp"],
            stored["status"],
        )
    # 1000 tickets per page: the peer followed after_cursor once and stopped on end_of_stream.
    assert sandbox.admin.stats()["requests_by_kind"]["ticket_export"] == math.ceil(len(expected_ids) / 1000)
