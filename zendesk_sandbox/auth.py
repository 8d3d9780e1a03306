"""Who a Zendesk request comes from: the admin's credentials, the agent's, or nobody (a 401).

Two identities: `email` + `api_token` / `oauth_token` are an admin's (the API token's user is the seeded
"Demo Admin"); `agent_email` + `agent_api_token` / `agent_oauth_token` are an agent's, refused with Zendesk's
403 by the endpoints the OAS allows to admins only (the ticket, user and organization exports, organizations
search, custom object creation and the object limit).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Literal

from zendesk_sandbox import wire

if TYPE_CHECKING:
    from zendesk_sandbox.settings import SandboxSettings

Role = Literal["admin", "agent"]


def identify(settings: SandboxSettings, header: str) -> Role | wire.Response:  # noqa: PLR0911 - per scheme, role
    """Return the role of an Authorization header's credentials, or the 401 Zendesk answers."""
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        token = credentials.strip().encode()
        if hmac.compare_digest(token, settings.oauth_token.encode()):
            return "admin"
        if hmac.compare_digest(token, settings.agent_oauth_token.encode()):
            return "agent"
        return wire.unauthorized_bearer()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").encode()
        except (binascii.Error, UnicodeDecodeError):
            return wire.unauthorized_basic()
        if hmac.compare_digest(decoded, f"{settings.email}/token:{settings.api_token}".encode()):
            return "admin"
        if hmac.compare_digest(decoded, f"{settings.agent_email}/token:{settings.agent_api_token}".encode()):
            return "agent"
    return wire.unauthorized_basic()


def admins_only(settings: SandboxSettings, request: wire.Request) -> wire.Response | None:
    """Return the 403 for an agent on an admin-only endpoint (wire notes §8 body), else None."""
    role = identify(settings, request.headers.get("Authorization", ""))
    return None if role == "admin" else wire.forbidden()
