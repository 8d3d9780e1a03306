"""OAuth over HTTP: POST /oauth/tokens, and showing and revoking tokens under /api/v2/oauth/tokens.

Show and revoke follow the OAS (ShowCurrentToken, RevokeCurrentOAuthToken, ShowToken, RevokeOAuthToken):
the token object shows only the first 10 characters of the access token. Only tokens that /oauth/tokens
issued are records here; the fixed credentials of the settings are not, so these endpoints answer them 404
(wire notes §24). An agent sees only agents' tokens; an admin sees every token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zendesk_sandbox.api import oauth_grants
from zendesk_sandbox.data import datagen, people
from zendesk_sandbox.gateway import wire

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core
    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.oauth.tokens import IssuedToken

SHOWN_CHARACTERS = 10  # OAS: "only the first 10 characters of the access token are included"
CLIENT_ID_BASE = 50_001  # a client's resource id: this plus its position in `oauth_clients`
# The seeded staff (people.FIXED_STAFF): a token acts as the Demo Admin or the Demo Agent, by its role.
_USER_INDEX = {"admin": 1, "agent": 2}


def create_token(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /oauth/tokens once the budget admitted it: a token, or an OAuth error body."""
    settings = core.settings()
    try:
        body = request.json_body()
    except wire.UnreadableBodyError:
        body = None
    grant_type = body.get("grant_type") if isinstance(body, dict) else None
    if isinstance(grant_type, str):
        core.stats.oauth_token(grant_type)
    try:
        token = oauth_grants.create_token(settings, core.oauth, body, request.arrived)
    except oauth_grants.OAuthRefusalError as refusal:
        core.stats.oauth_refused(refusal.error)
        response = wire.oauth_error(refusal.status, refusal.error, refusal.description)
    else:
        response = wire.json_response(settings.oauth_token_status, token)
    # RFC 6749 §5.1: token responses must not be cached.
    response.headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    return response


def show_current(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/oauth/tokens/current: the Bearer token's own record."""
    token = request.caller.token if request.caller else None
    if token is None:
        return wire.record_not_found()
    return wire.json_response(200, {"token": render(core, token)})


def revoke_current(core: Core, request: wire.Request) -> wire.Response:
    """Serve DELETE /api/v2/oauth/tokens/current: revoke the Bearer token used (and its refresh token)."""
    token = request.caller.token if request.caller else None
    if token is None or not core.oauth.retire(token, "revoked"):
        return wire.record_not_found()
    return wire.Response(204)


def show_token(core: Core, request: wire.Request, token_id: str) -> wire.Response:
    """Serve GET /api/v2/oauth/tokens/{id}."""
    token = _visible(core, request, token_id)
    if token is None:
        return wire.record_not_found()
    return wire.json_response(200, {"token": render(core, token)})


def revoke_token(core: Core, request: wire.Request, token_id: str) -> wire.Response:
    """Serve DELETE /api/v2/oauth/tokens/{id}: revoke that pair."""
    token = _visible(core, request, token_id)
    if token is None or not core.oauth.retire(token, "revoked"):
        return wire.record_not_found()
    return wire.Response(204)


def _visible(core: Core, request: wire.Request, token_id: str) -> IssuedToken | None:
    token = core.oauth.by_id(int(token_id))
    caller = request.caller
    if token is None or caller is None or token.retired != "active":
        return None
    if caller.role != "admin" and _role(core, token) != caller.role:
        return None
    return token


def _role(core: Core, token: IssuedToken) -> str | None:
    for client in core.settings().oauth_clients:
        if client.identifier == token.client:
            return client.role
    return None


def render(core: Core, token: IssuedToken) -> dict[str, Json]:
    """Return the OAS's OAuth token object for an issued token."""
    identifiers = [client.identifier for client in core.settings().oauth_clients]
    position = identifiers.index(token.client) if token.client in identifiers else None
    role = _role(core, token)
    expires, refresh_expires = token.access_expires_wall(), token.refresh_expires_wall()
    account = core.account_url()
    return {
        "id": token.id,
        "token": token.access[:SHOWN_CHARACTERS],
        "client_id": None if position is None else CLIENT_ID_BASE + position,
        "user_id": None if role is None else people.user_id(_USER_INDEX[role]),
        "scopes": list(token.scopes),
        "created_at": datagen.iso(token.issued_wall),
        "expires_at": None if expires is None else datagen.iso(expires),
        "refresh_token": None if token.refresh is None else token.refresh[:SHOWN_CHARACTERS] + "...",
        "refresh_token_expires_at": None if refresh_expires is None else datagen.iso(refresh_expires),
        "used_at": None if token.used_wall is None else datagen.iso(token.used_wall),
        "url": f"{account}/api/v2/oauth/tokens/{token.id}.json",
    }
