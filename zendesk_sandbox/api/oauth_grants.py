"""The three grants of POST /oauth/tokens: authorization code, refresh token (rotating), client credentials.

Parameters and lifetimes follow the OAS (operation CreateTokenForGrantType) and the refresh-token
announcement (wire notes §24): a refresh token works once and its use retires the pair it came with;
`expires_in` / `refresh_token_expires_in` ask for lifetimes within the OAS's bounds, and the sandbox's own
lifetime settings win when shorter. Zendesk's error codes are unconfirmed: RFC 6749 §5.2's are used.
"""

from __future__ import annotations

import hmac
import math
from typing import TYPE_CHECKING, Any, NamedTuple

from zendesk_sandbox.gateway import auth
from zendesk_sandbox.oauth import scopes

if TYPE_CHECKING:
    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.oauth.tokens import IssuedToken, OAuthLedger
    from zendesk_sandbox.settings import OAuthClientSpec, SandboxSettings

# RFC 6749 §5.2's error codes; Zendesk's own are unconfirmed (wire notes §24).
INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
INVALID_GRANT = "invalid_grant"
INVALID_SCOPE = "invalid_scope"
UNAUTHORIZED_CLIENT = "unauthorized_client"
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
# What each grant cannot do without; client_secret too, for a confidential client (checked with it, so a
# public client asking for client credentials hears unauthorized_client, not of a missing secret).
_REQUIRED = {
    "authorization_code": ("code", "client_id", "redirect_uri"),
    "refresh_token": ("refresh_token", "client_id"),
    "client_credentials": ("client_id", "scope"),
}
# The OAS's bounds, both exclusive: an access token lives 5 minutes to 2 days, a refresh token 7 to 90
# days. Its third rule, an access token shorter-lived than its refresh token, follows from these two.
ACCESS_BOUNDS = (300, 172_800)
REFRESH_BOUNDS = (604_800, 7_776_000)


class OAuthRefusalError(Exception):
    """A token request refused with an OAuth error code (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        """Refuse with `error` (e.g. invalid_grant), a sentence saying why, and the HTTP status."""
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def create_token(settings: SandboxSettings, ledger: OAuthLedger, body: Json, now: float) -> dict[str, Json]:
    """Answer one token request's JSON body with the token response, or raise OAuthRefusalError."""
    if not isinstance(body, dict):
        raise OAuthRefusalError(INVALID_REQUEST, "The request body must be a JSON object.")
    grant_type = _text(body, "grant_type")
    if grant_type is None:
        raise OAuthRefusalError(INVALID_REQUEST, "The grant_type parameter is missing.")
    if grant_type not in GRANT_TYPES:
        # The password grant is deprecated (OAS), the implicit one too: neither is served.
        raise OAuthRefusalError(UNSUPPORTED_GRANT_TYPE, f"The grant type {grant_type!r} is not supported.")
    for name in _REQUIRED[grant_type]:
        if _text(body, name) is None:
            raise OAuthRefusalError(INVALID_REQUEST, f"The {name} parameter is missing.")
    client = _authenticated_client(settings, body)
    if grant_type == "client_credentials" and client.kind != "confidential":
        raise OAuthRefusalError(
            UNAUTHORIZED_CLIENT, "Only a confidential client may use the client_credentials grant."
        )
    text = _text(body, "scope")
    try:
        requested = None if text is None else client_scopes(client, text)
    except scopes.ScopeError as bad:
        raise OAuthRefusalError(INVALID_SCOPE, f"The scope is invalid: {bad}.") from bad
    with_refresh = grant_type != "client_credentials"
    access_ttl, refresh_ttl = _lifetimes(settings, body, with_refresh=with_refresh)
    if grant_type == "client_credentials":
        granted = requested or ()  # never empty: the scope is required above
        token = ledger.issue(client.identifier, grant_type, granted, access_ttl, None, with_refresh=False)
    elif grant_type == "authorization_code":
        token = _exchange_code(ledger, _Redeeming(client, body, requested, (access_ttl, refresh_ttl), now))
    else:
        token = _rotate(ledger, _Redeeming(client, body, requested, (access_ttl, refresh_ttl), now))
    return token_body(token)


def client_scopes(client: OAuthClientSpec, text: str) -> tuple[str, ...]:
    """Return the scopes of `text` that `client` may have, or raise ScopeError."""
    requested = scopes.parse(text)
    allowed = client.allowed_scopes
    refused = [
        scope
        for scope in requested
        if (allowed is not None and not scopes.covered(scope, allowed))
        # Impersonation is for admins making requests on behalf of end users (OAS).
        or (scope == scopes.IMPERSONATE and client.role != "admin")
    ]
    if refused:
        msg = f"client {client.identifier} may not have {' '.join(refused)}"
        raise scopes.ScopeError(msg)
    return requested


def token_body(token: IssuedToken) -> dict[str, Json]:
    """Return the token response: expires_in only for an expiring token, refresh fields only with one."""
    body: dict[str, Json] = {"access_token": token.access, "token_type": "bearer"}
    if token.refresh is not None:
        body["refresh_token"] = token.refresh
    body["scope"] = " ".join(token.scopes)
    if token.access_ttl is not None:
        body["expires_in"] = math.ceil(token.access_ttl)
    if token.refresh_ttl is not None:
        body["refresh_token_expires_in"] = math.ceil(token.refresh_ttl)
    return body


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OAuthRefusalError(INVALID_REQUEST, f"The {name} parameter must be a string.")
    return value if value.strip() or name == "client_secret" else None


def _authenticated_client(settings: SandboxSettings, body: dict[str, Any]) -> OAuthClientSpec:
    identifier = _text(body, "client_id") or ""
    client = auth.client_named(settings, identifier)
    secret = _text(body, "client_secret")
    if client is None:
        raise OAuthRefusalError(INVALID_CLIENT, "The client is unknown.", 401)
    if client.kind == "confidential":
        if secret is None:
            raise OAuthRefusalError(INVALID_REQUEST, "The client_secret parameter is missing.")
        if not hmac.compare_digest(secret.encode(), client.secret.encode()):
            raise OAuthRefusalError(INVALID_CLIENT, "The client secret is wrong.", 401)
    elif secret:
        raise OAuthRefusalError(INVALID_CLIENT, "A public client has no secret.", 401)
    return client


def _seconds(body: dict[str, Any], name: str, bounds: tuple[int, int]) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low < value < high:
        raise OAuthRefusalError(
            INVALID_REQUEST, f"{name} must be a whole number of seconds above {low} and below {high}."
        )
    return value


def _shorter(configured: float | None, requested: int | None) -> float | None:
    if configured is None:
        return None if requested is None else float(requested)
    return configured if requested is None else min(configured, float(requested))


def _lifetimes(
    settings: SandboxSettings, body: dict[str, Any], *, with_refresh: bool
) -> tuple[float | None, float | None]:
    access = _seconds(body, "expires_in", ACCESS_BOUNDS)
    refresh = _seconds(body, "refresh_token_expires_in", REFRESH_BOUNDS) if with_refresh else None
    # The configured lifetimes win when shorter, so tests get 2-second tokens whatever a client asks.
    refresh_ttl = _shorter(settings.oauth_refresh_token_ttl_seconds, refresh) if with_refresh else None
    return _shorter(settings.oauth_access_token_ttl_seconds, access), refresh_ttl


class _Redeeming(NamedTuple):
    """A request redeeming a code or a refresh token, its client known: what it hands in and asks for."""

    client: OAuthClientSpec
    body: dict[str, Any]
    requested: tuple[str, ...] | None  # None: the scopes granted before
    ttls: tuple[float | None, float | None]  # the access and the refresh token's lifetimes
    now: float


def _exchange_code(ledger: OAuthLedger, asked: _Redeeming) -> IssuedToken:
    client, body, requested, ttls, now = asked
    with ledger.transaction():
        code = ledger.code(body["code"])
        if code is None or code.client != client.identifier or not code.usable(now):
            raise OAuthRefusalError(
                INVALID_GRANT, "The authorization code is unknown, used, expired or another client's."
            )
        if code.redirect_uri != body["redirect_uri"]:
            raise OAuthRefusalError(
                INVALID_GRANT, "The redirect_uri differs from the one the code was issued for."
            )
        granted = _narrowed(requested, code.scopes)
        ledger.spend(code)
        return ledger.issue(client.identifier, "authorization_code", granted, *ttls, with_refresh=True)


def _rotate(ledger: OAuthLedger, asked: _Redeeming) -> IssuedToken:
    client, body, requested, ttls, now = asked
    with ledger.transaction():
        old = ledger.by_refresh(body["refresh_token"])
        if old is None or old.client != client.identifier or old.refresh_state(now) != "active":
            raise OAuthRefusalError(
                INVALID_GRANT, "The refresh token is unknown, used, expired, revoked or another client's."
            )
        granted = _narrowed(requested, old.scopes)
        # Rotation: the used refresh token and the access token issued with it stop working now.
        ledger.retire(old, "rotated")
        return ledger.issue(client.identifier, "refresh_token", granted, *ttls, with_refresh=True)


def _narrowed(requested: tuple[str, ...] | None, granted: tuple[str, ...]) -> tuple[str, ...]:
    if requested is None:
        return granted
    if not scopes.narrowed(requested, granted):
        raise OAuthRefusalError(INVALID_SCOPE, "The scope may only narrow the one granted before.")
    return requested
