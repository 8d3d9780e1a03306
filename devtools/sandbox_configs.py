"""Settings that point the tap and the target at a sandbox, with the sandbox's documented demo credentials.

Every test, benchmark and script builds its plugin settings from here, so the credentials and the way to
reach a sandbox are written once. Callers add what their run needs (pacing, modes, paths).
"""

from __future__ import annotations

from typing import Any

from zendesk_sandbox.settings import SandboxSettings

_DEMO = SandboxSettings()
DEMO_EMAIL = _DEMO.email
DEMO_TOKEN = _DEMO.api_token  # the API token, OAuth token and Sequin token are the same demo value


def connection(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401 (settings are any JSON)
    """The connection settings both plugins take: the sandbox's URL and its demo API token."""
    return {"api_url": url, "email": DEMO_EMAIL, "api_token": DEMO_TOKEN, **overrides}


def tap_config(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    """A tap config for the sandbox at `url`: Zendesk and Sequin both served there."""
    return connection(url, **{"sequin_api_url": url, "sequin_api_token": DEMO_TOKEN, **overrides})


def target_config(url: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    """A target config for the sandbox at `url`."""
    return connection(url, **overrides)
