"""Who a Zendesk request comes from: the admin, the agent, a token /oauth/tokens issued, or nobody (a 401).

Two fixed identities: `email` + `api_token` / `oauth_token` are an admin's (the API token's user is the seeded
"Demo Admin"); `agent_email` + `agent_api_token` / `agent_oauth_token` are an agent's, refused with Zendesk's
403 by the endpoints the OAS allows to admins only (the ticket, user and organization exports, organizations
search, custom object creation and the object limit). These fixed tokens never expire and carry no scopes.
A Bearer token that /oauth/tokens issued carries its client's role and its scopes while it is active
(unexpired at the request's arrival, not rotated, not revoked, its client still configured); any other
Bearer token gets the one OAuth 401 (wire notes §8, §24).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING

from zendesk_sandbox.gateway import wire
from zendesk_sandbox.gateway.wire import Caller
from zendesk_sandbox.oauth import scopes

if TYPE_CHECKING:
    from zendesk_sandbox.oauth.tokens import OAuthLedger
    from zendesk_sandbox.settings import OAuthClientSpec, SandboxSettings


def identify(  # noqa: PLR0911 - per scheme, role
    settings: SandboxSettings, ledger: OAuthLedger, header: str, now: float
) -> Caller | wire.Response:
    """Return who an Authorization header's credentials are at `now`, or the 401 Zendesk answers."""
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        token = credentials.strip()
        if hmac.compare_digest(token.encode(), settings.oauth_token.encode()):
            return Caller("admin")
        if hmac.compare_digest(token.encode(), settings.agent_oauth_token.encode()):
            return Caller("agent")
        issued = ledger.by_access(token)
        client = None if issued is None else client_named(settings, issued.client)
        if issued is None or client is None or issued.access_state(now) != "active":
            return wire.unauthorized_bearer()
        ledger.touch(issued)
        return Caller(client.role, issued)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").encode()
        except (binascii.Error, UnicodeDecodeError):
            return wire.unauthorized_basic()
        if hmac.compare_digest(decoded, f"{settings.email}/token:{settings.api_token}".encode()):
            return Caller("admin")
        if hmac.compare_digest(decoded, f"{settings.agent_email}/token:{settings.agent_api_token}".encode()):
            return Caller("agent")
    return wire.unauthorized_basic()


def client_named(settings: SandboxSettings, identifier: str) -> OAuthClientSpec | None:
    """Return the configured OAuth client with this identifier, or None."""
    for client in settings.oauth_clients:
        if hmac.compare_digest(client.identifier.encode(), identifier.encode()):
            return client
    return None


def scope_refusal(caller: Caller, method: str, kind: str) -> wire.Response | None:
    """Return the 403 for an issued token whose scopes do not cover this endpoint, else None."""
    need = scopes.needed(method, kind)
    if caller.token is None or need is None:
        return None
    access, resource = need
    if scopes.allows(caller.token.scopes, access, resource):
        return None
    # The real body names the scope missing (wire notes §8); the broad one is named, as it always suffices.
    return wire.missing_scopes(access)


def admins_only(request: wire.Request) -> wire.Response | None:
    """Return the 403 for an agent on an admin-only endpoint (wire notes §8 body), else None."""
    caller = request.caller
    return None if caller is not None and caller.role == "admin" else wire.forbidden()
