"""Token requests against a sandbox's POST /oauth/tokens, as an OAuth client sends them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from tests.sandbox.clients import TIMEOUT, Client

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

DEMO = "zendesk-objects-demo"
DEMO_SECRET = "sandbox-client-secret"  # noqa: S105 - the documented demo credential
AGENT = "zendesk-objects-agent"
AGENT_SECRET = "sandbox-agent-client-secret"  # noqa: S105 - the documented demo credential
PUBLIC = "zendesk-objects-public"
REDIRECT = "https://example.com/callback"


def token_request(sandbox: Sandbox, path: str = "/oauth/tokens", **body: Any) -> requests.Response:
    """POST a JSON body to the token endpoint."""
    return requests.post(sandbox.url + path, json=body, timeout=TIMEOUT)


def client_credentials(
    sandbox: Sandbox, scope: str = "read write", client: str = DEMO, secret: str = DEMO_SECRET, **extra: Any
) -> dict[str, Any]:
    """Return a client-credentials token response (its status checked)."""
    response = token_request(
        sandbox, grant_type="client_credentials", client_id=client, client_secret=secret, scope=scope, **extra
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def refresh(sandbox: Sandbox, refresh_token: str, **extra: Any) -> requests.Response:
    """Send the demo client's refresh-token grant."""
    return token_request(
        sandbox,
        grant_type="refresh_token",
        refresh_token=refresh_token,
        client_id=DEMO,
        client_secret=DEMO_SECRET,
        **extra,
    )


def bearer(sandbox: Sandbox, token: dict[str, Any] | str) -> Client:
    """Return a client authenticated with an access token (or a token response holding one)."""
    value = token if isinstance(token, str) else token["access_token"]
    return Client(sandbox, f"Bearer {value}")
