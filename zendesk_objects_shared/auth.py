"""Zendesk authentication: API token (Basic) or OAuth (Bearer), exactly one of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests.auth

from zendesk_objects_shared.errors import ConfigurationError
from zendesk_objects_shared.redaction import basic_credential

if TYPE_CHECKING:
    from collections.abc import Mapping

    from requests import PreparedRequest


class ZendeskAuth(requests.auth.AuthBase):
    """Sets the Authorization header; its repr never shows the secret."""

    def __init__(self, *, scheme: str, header_value: str) -> None:
        """Build from an already-encoded header value; use `from_config` instead."""
        self.scheme = scheme
        self._header_value = header_value

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ZendeskAuth:
        """Pick the one configured auth method, or raise ConfigurationError naming the settings to fix."""
        email, api_token, oauth_token = (config.get(k) for k in ("email", "api_token", "oauth_token"))
        if oauth_token and (email or api_token):
            msg = "configure one auth method: either `oauth_token`, or `email` + `api_token`, not both"
            raise ConfigurationError(msg)
        if oauth_token:
            return cls(scheme="oauth", header_value=f"Bearer {oauth_token}")
        if email and api_token:
            # Zendesk API tokens authenticate as "{email}/token" with the token as password.
            credential = basic_credential(str(email), str(api_token))
            return cls(scheme="api_token", header_value=f"Basic {credential}")
        if email or api_token:
            missing = "api_token" if email else "email"
            msg = f"API token auth needs both `email` and `api_token`; `{missing}` is missing"
            raise ConfigurationError(msg)
        msg = "no auth configured: set `email` + `api_token`, or `oauth_token`"
        raise ConfigurationError(msg)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add the Authorization header to an outgoing request."""
        request.headers["Authorization"] = self._header_value
        return request

    def __repr__(self) -> str:
        """Show the scheme only."""
        return f"ZendeskAuth(scheme={self.scheme!r})"


class BearerAuth(requests.auth.AuthBase):
    """Bearer token auth for Sequin; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        """Remember the token."""
        self._token = token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add the Authorization header to an outgoing request."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        """Hide the token."""
        return "BearerAuth(***)"
