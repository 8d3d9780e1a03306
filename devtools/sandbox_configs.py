"""Settings that point the tap and the target at a sandbox, with the sandbox's documented demo credentials.

Every test, benchmark and script builds its plugin settings from here, so the credentials and the way to
reach a sandbox are written once. Callers add what their run needs (pacing, modes, paths).
By default the plugins log in with the sandbox's static OAuth access token, which never expires there: a
run then spends no request on tokens and logs no warning. A caller that gives any auth setting (an API
token, an OAuth client, a refresh token) gets exactly the auth settings it gave.
"""

from __future__ import annotations

from typing import Any

from zendesk_sandbox.settings import SandboxSettings

_DEMO = SandboxSettings()
DEMO_EMAIL = _DEMO.email
DEMO_TOKEN = _DEMO.api_token  # the API token, OAuth token and Sequin token are the same demo value
# The settings that choose how the plugins log in (zendesk_objects_shared/auth.py).
AUTH_SETTINGS = frozenset(
    {
        "email",
        "api_token",
        "oauth_token",
        "oauth_client_id",
        "oauth_client_secret",
        "oauth_scopes",
        "oauth_refresh_token",
        "oauth_token_store",
    }
)


def connection(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401 (settings are any JSON)
    """The connection settings both plugins take: the sandbox's URL and its static demo OAuth token."""
    login = {} if AUTH_SETTINGS & set(overrides) else {"oauth_token": _DEMO.oauth_token}
    return {"api_url": url, **login, **overrides}


def client_credentials(**overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    """The auth settings of the sandbox's seeded confidential OAuth client (an admin's)."""
    client = _DEMO.oauth_clients[0]
    return {"oauth_client_id": client.identifier, "oauth_client_secret": client.secret, **overrides}


def tap_config(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    """A tap config for the sandbox at `url`: Zendesk and Sequin both served there."""
    return connection(url, **{"sequin_api_url": url, "sequin_api_token": DEMO_TOKEN, **overrides})


def target_config(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    """A target config for the sandbox at `url`."""
    return connection(url, **overrides)
