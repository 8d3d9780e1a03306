"""Which of Zendesk's four ways to log in a config names, and the credentials that never change.

The four methods, the first two recommended (docs/wire-notes.md §24):
- OAuth client credentials: `oauth_client_id` + `oauth_client_secret` (+ `oauth_scopes`); access tokens are
  asked for at start and again before they expire (oauth.py);
- the refresh-token flow: the same two plus `oauth_refresh_token`; Zendesk rotates the refresh token at
  every use, so each new one is saved in a token store (token_store.py) before it is used;
- a static OAuth access token, `oauth_token`: works until Zendesk expires or revokes it;
- `email` + `api_token`: Zendesk is retiring API tokens (none can be created since 2026-10-27, every one
  stops working on 2027-04-30).
Exactly one of them; anything else is a one-line configuration error before any request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import requests.auth

from zendesk_objects_shared.errors import ConfigurationError, ZendeskAPIError, error_message
from zendesk_objects_shared.redaction import basic_credential

if TYPE_CHECKING:
    from collections.abc import Mapping

    from requests import PreparedRequest, Response

API_TOKEN_RETIREMENT = "2027-04-30"  # noqa: S105 (a date, not a password)
SWITCH_TO_CLIENT_CREDENTIALS = (
    "switch to OAuth client credentials: set `oauth_client_id` + `oauth_client_secret` (docs/login.md)"
)
API_TOKEN_WARNING = (
    f"API tokens stop working on {API_TOKEN_RETIREMENT} (Zendesk is retiring them; none can be created "
    f"since 2026-10-27, and one unused for 30 days is switched off): {SWITCH_TO_CLIENT_CREDENTIALS}"
)
CLIENT_SETTINGS = ("oauth_client_id", "oauth_client_secret")


class Credential(Protocol):
    """What the request loop asks of a credential, per attempt of every request that carries it."""

    def authorize(self, request: PreparedRequest) -> object:
        """Set the request's Authorization header; return what was used, for `refused` and `accepted`."""

    def accepted(self, used: object) -> None:
        """The server answered a request that carried `used` with something other than a 401."""

    def refused(self, used: object, response: Response, *, url_path: str) -> None:
        """After a 401 to `used`: return once the request may be repeated; raise to end the run."""


@dataclass(frozen=True)
class ApiTokenAuth:
    """`email` + `api_token`: Basic {email}/token:{api_token}."""

    email: str
    api_token: str = field(repr=False)


@dataclass(frozen=True)
class AccessTokenAuth:
    """A static OAuth access token, `oauth_token`."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class ClientCredentialsAuth:
    """A confidential OAuth client's id and secret: tokens by the client credentials grant."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: str


@dataclass(frozen=True)
class RefreshTokenAuth:
    """A confidential OAuth client and the refresh token of an authorization: tokens by refreshing."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: str | None  # None: keep the authorization's own scopes
    store_path: Path | None  # None: the default path for this account and client


AuthSettings = ApiTokenAuth | AccessTokenAuth | ClientCredentialsAuth | RefreshTokenAuth


def auth_settings(config: Mapping[str, Any], *, default_scopes: str) -> AuthSettings:
    """The one auth method `config` names, or ConfigurationError naming what is missing or extra."""
    given = {key for key in _AUTH_KEYS if config.get(key) not in (None, "")}
    methods = [name for name, keys in _METHODS if given & keys]
    if len(methods) > 1:
        msg = f"configure one auth method, not {' and '.join(methods)}: {_CHOICES}"
        raise ConfigurationError(msg)
    if not methods:
        msg = f"no auth configured: {_CHOICES}"
        raise ConfigurationError(msg)
    value = {key: str(config[key]).strip() for key in given}
    if methods[0] == "an OAuth client":
        return _oauth_client(value, default_scopes)
    if "oauth_token" in value:
        return AccessTokenAuth(value["oauth_token"])
    if "email" not in value or "api_token" not in value:
        missing = "api_token" if "email" in value else "email"
        msg = f"API token auth needs both `email` and `api_token`; `{missing}` is missing"
        raise ConfigurationError(msg)
    return ApiTokenAuth(value["email"], value["api_token"])


_OAUTH_CLIENT_KEYS = frozenset({*CLIENT_SETTINGS, "oauth_refresh_token", "oauth_scopes", "oauth_token_store"})
_METHODS: tuple[tuple[str, frozenset[str]], ...] = (
    ("an OAuth client", _OAUTH_CLIENT_KEYS),
    ("`oauth_token`", frozenset({"oauth_token"})),
    ("`email` + `api_token`", frozenset({"email", "api_token"})),
)
_AUTH_KEYS = frozenset().union(*(keys for _, keys in _METHODS))
_CHOICES = (
    "set `oauth_client_id` + `oauth_client_secret` (client credentials, recommended), plus "
    "`oauth_refresh_token` for the refresh-token flow; or `oauth_token`; or `email` + `api_token` "
    f"(retiring on {API_TOKEN_RETIREMENT})"
)


def _oauth_client(value: dict[str, str], default_scopes: str) -> AuthSettings:
    missing = [key for key in CLIENT_SETTINGS if key not in value]
    if missing:
        flow = "the refresh-token flow" if "oauth_refresh_token" in value else "OAuth client credentials"
        msg = f"{flow} needs `oauth_client_id` and `oauth_client_secret`; missing: `{'`, `'.join(missing)}`"
        raise ConfigurationError(msg)
    scopes = " ".join(value["oauth_scopes"].split()) if "oauth_scopes" in value else None
    if scopes == "":
        msg = "`oauth_scopes` is empty: give space-separated scopes such as `read` or `read write`"
        raise ConfigurationError(msg)
    if "oauth_refresh_token" not in value:
        if "oauth_token_store" in value:
            msg = "`oauth_token_store` is for `oauth_refresh_token`: client credentials keep nothing"
            raise ConfigurationError(msg)
        return ClientCredentialsAuth(
            value["oauth_client_id"], value["oauth_client_secret"], scopes or default_scopes
        )
    store = value.get("oauth_token_store")
    return RefreshTokenAuth(
        value["oauth_client_id"],
        value["oauth_client_secret"],
        value["oauth_refresh_token"],
        scopes,
        Path(store).expanduser() if store else None,
    )


class StaticCredential(requests.auth.AuthBase):
    """A credential that never changes: an API token, a static access token, Sequin's token.

    Its repr never shows the secret. A 401 ends the run with Zendesk's message and `hint`, the setting to fix.
    """

    def __init__(self, header_value: str, *, hint: str) -> None:
        """Send `header_value` as the Authorization header; `hint` says what to do after a 401."""
        self._header_value = header_value
        self.hint = hint

    @classmethod
    def api_token(cls, email: str, api_token: str) -> StaticCredential:
        """Zendesk API tokens authenticate as "{email}/token" with the token as password."""
        hint = (
            "check `email` + `api_token`: Zendesk did not accept them. API tokens stop working on "
            f"{API_TOKEN_RETIREMENT}; {SWITCH_TO_CLIENT_CREDENTIALS}"
        )
        return cls(f"Basic {basic_credential(email, api_token)}", hint=hint)

    @classmethod
    def access_token(cls, token: str) -> StaticCredential:
        """A Bearer token that the plugin cannot renew."""
        hint = (
            "the OAuth access token in `oauth_token` expired or was revoked: Zendesk's access tokens now "
            "expire (after 30 minutes for new clients), so let the plugin renew them: "
            "set `oauth_client_id` + `oauth_client_secret` instead of `oauth_token`"
        )
        return cls(f"Bearer {token}", hint=hint)

    def authorize(self, request: PreparedRequest) -> object:
        """Set the header; what was used is always the same."""
        request.headers["Authorization"] = self._header_value
        return self

    def accepted(self, used: object) -> None:
        """Nothing to learn: the credential never changes."""

    def refused(self, used: object, response: Response, *, url_path: str) -> None:
        """A refused static credential ends the run: it cannot be renewed."""
        del used
        raise ZendeskAPIError(401, error_message(response), url_path=url_path, hint=self.hint)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add the Authorization header (requests' AuthBase interface)."""
        self.authorize(request)
        return request

    def __repr__(self) -> str:
        """Show the scheme only."""
        return f"StaticCredential({self._header_value.partition(' ')[0]} ***)"


class LeftToRequestLoop(requests.auth.AuthBase):
    """The SDK's authenticator for our streams: no header here, the request loop sets it per attempt.

    The loop (http.py) authorizes every attempt itself, so that a request repeated after a token renewal
    carries the new token; a header set earlier by the SDK would only be overwritten.
    """

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Leave the request as it is."""
        return request
