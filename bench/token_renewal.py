"""Logging in with OAuth: what renewing short-lived access tokens mid-run costs.

Zendesk's access tokens live 30 minutes for new clients, while a first export of a big account runs for
hours. On the benchmark's clock a "minute" lasts `window` seconds (bench/paced.py); the tokens here live
`TOKEN_WINDOWS` windows, two minutes on Zendesk's clock (shorter than the five minutes Zendesk lets a
client ask for), so every run renews its token many times. Three paced ticket exports, one after the other
on sandboxes alike: with the sandbox's static token (which never expires), with OAuth client credentials,
and with the refresh-token flow (each renewal also writes the token store).

Rows, per flow: tickets per window ÷ the same with the static token (goal ≥ 0.98: renewing costs at most
2% of the export's pace), and token requests ÷ `run time ÷ token lifetime + 1`, the most a client renewing
only when its token is about to expire needs (goal ≤ 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from bench.common import Row
from bench.paced import PacedExport, paced_export
from devtools.sandbox_configs import client_credentials

if TYPE_CHECKING:
    from pathlib import Path

SECTION = "7. login"
TOKEN_WINDOWS = 2
GOAL_OF_STATIC = 0.98
GOAL_OF_BOUND = 1.0


def _refresh_flow(url: str, workdir: Path) -> dict[str, Any]:
    """The refresh-token flow's settings for a fresh authorization of the sandbox's demo client."""
    client = client_credentials()
    grant = requests.post(
        f"{url}/_sandbox/oauth/grants",
        json={"client_id": client["oauth_client_id"], "scope": "read"},
        timeout=30,
    )
    grant.raise_for_status()
    return client | {
        "oauth_refresh_token": grant.json()["refresh_token"],
        "oauth_token_store": str(workdir / "oauth-store.json"),
    }


def measure(tickets: int, page_size: int, window: float) -> list[Row]:
    """Run the three exports and return the rows."""
    lifetime = TOKEN_WINDOWS * window
    settings = {"oauth_access_token_ttl_seconds": lifetime}
    static = paced_export(tickets, page_size, window, settings=settings)
    flows = {
        "client_credentials": paced_export(
            tickets, page_size, window, settings=settings, login=lambda _url, _dir: client_credentials()
        ),
        "refresh_token": paced_export(tickets, page_size, window, settings=settings, login=_refresh_flow),
    }
    rows = []
    for grant, export in flows.items():
        rows += _rows(grant.replace("_", " "), export, static, lifetime, grant)
    return rows


def _rows(flow: str, export: PacedExport, static: PacedExport, lifetime: float, grant: str) -> list[Row]:
    of_static = export.achieved / static.achieved
    tokens = int(export.stats.get("oauth_token_requests", {}).get(grant, 0))
    bound = export.run.wall / lifetime + 1
    return [
        Row(
            SECTION,
            f"paced ticket export, {flow} with {lifetime:g}-s access tokens ÷ a token that never expires:"
            " tickets per window",
            f"{export.achieved:,.0f} vs {static.achieved:,.0f} of {export.ceiling:,} per window"
            f" ({export.pages} pages)",
            of_static,
            f"≥ {GOAL_OF_STATIC:.2f}",
            of_static >= GOAL_OF_STATIC,
        ),
        Row(
            SECTION,
            f"{flow}: token requests ÷ (run ÷ token lifetime + 1)",
            f"{tokens} token requests in a {export.run.wall:.1f}-s run of {lifetime:g}-s tokens"
            f" (bound {bound:.1f})",
            tokens / bound,
            f"≤ {GOAL_OF_BOUND:g}",
            tokens / bound <= GOAL_OF_BOUND and tokens >= 1,
        ),
    ]
