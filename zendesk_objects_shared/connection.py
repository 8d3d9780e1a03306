"""Connection settings shared by the tap and the target: base URL, auth method, timeout."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from singer_sdk import typing as th

from zendesk_objects_shared.auth import API_TOKEN_RETIREMENT, auth_settings
from zendesk_objects_shared.errors import ConfigurationError
from zendesk_objects_shared.oauth import open_credential
from zendesk_objects_shared.retry import RetryPolicy

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping

    from zendesk_objects_shared.auth import AuthSettings, Credential
    from zendesk_objects_shared.http import HttpCore

DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_MAX_RETRY_AFTER_SECONDS = 600.0
DEFAULT_MAX_REQUEST_ATTEMPTS = 10

# The settings every plugin of this project takes to reach a Zendesk account (docs/tap.md, Settings).
CONNECTION_PROPERTIES = th.PropertiesList(
    th.Property(
        "subdomain",
        th.StringType,
        description="Zendesk account subdomain: https://{subdomain}.zendesk.com.",
        examples=["acme"],
    ),
    th.Property(
        "api_url",
        th.StringType,
        description=(
            "Base URL override (sandbox, proxy), e.g. http://127.0.0.1:8765. "
            "Plain http:// is accepted only for loopback hosts. Default: https://{subdomain}.zendesk.com."
        ),
    ),
    th.Property(
        "oauth_client_id",
        th.StringType,
        description=(
            "OAuth client's Identifier (Admin Center > Apps and integrations > APIs > OAuth clients; a "
            "confidential client). With `oauth_client_secret` alone: client credentials, the recommended "
            "login for scheduled pipelines; with `oauth_refresh_token` too: the refresh-token flow. Access "
            "tokens are renewed mid-run, before they expire."
        ),
    ),
    th.Property(
        "oauth_client_secret",
        th.StringType,
        secret=True,
        description="OAuth client's secret (shown once, when the client is created).",
    ),
    th.Property(
        "oauth_scopes",
        th.StringType,
        description=(
            "Space-separated scopes asked for, e.g. `read` or `read write` (default: `read` for the tap, "
            "`read write` for the target; for the refresh-token flow: the authorization's own)."
        ),
    ),
    th.Property(
        "oauth_refresh_token",
        th.StringType,
        secret=True,
        description=(
            "Refresh token of an authorization of the OAuth client (the refresh-token flow). Zendesk "
            "replaces it at every use: the newest one is kept in `oauth_token_store`, which wins over this "
            "setting once it holds a newer one."
        ),
    ),
    th.Property(
        "oauth_token_store",
        th.StringType,
        description=(
            "File that keeps the newest refresh token (mode 0600, shared by the tap and the target). "
            "Default: ~/.local/state/zendesk-objects/oauth/<host>--<client id>.json ($XDG_STATE_HOME)."
        ),
    ),
    th.Property(
        "oauth_token",
        th.StringType,
        secret=True,
        description=(
            "A static OAuth access token (Bearer). It cannot be renewed: Zendesk's access tokens expire, "
            "so prefer `oauth_client_id` + `oauth_client_secret`."
        ),
    ),
    th.Property(
        "email",
        th.StringType,
        description=f"Agent or admin email, for API token auth (retiring on {API_TOKEN_RETIREMENT}).",
    ),
    th.Property(
        "api_token",
        th.StringType,
        secret=True,
        description=(
            "Zendesk API token, used with `email` (Basic {email}/token:{api_token}). Zendesk is retiring "
            f"API tokens: none can be created since 2026-10-27, all stop working on {API_TOKEN_RETIREMENT}."
        ),
    ),
    th.Property(
        "request_timeout_seconds",
        th.NumberType,
        default=DEFAULT_TIMEOUT_SECONDS,
        description=(
            "Longest time one HTTP request may take, in seconds, whatever the server does: connecting, "
            "waiting and reading the whole body (a server that trickles bytes is cut off). Retried like "
            "a timeout."
        ),
    ),
    th.Property(
        "max_request_attempts",
        th.IntegerType(minimum=1, maximum=100),
        default=DEFAULT_MAX_REQUEST_ATTEMPTS,
        description=(
            "Tries of one request before the run gives up with one line: 5xx, timeouts, resets and 200 "
            "answers that are not what the endpoint returns are retried with capped exponential backoff "
            "(1 s doubling up to 60 s); 429s are waited out and do not count."
        ),
    ),
    th.Property(
        "max_retry_after_seconds",
        th.NumberType,
        default=DEFAULT_MAX_RETRY_AFTER_SECONDS,
        description=(
            "Longest wait a 429's Retry-After may ask for: a longer one ends the run with one line naming "
            "the wait Zendesk asked for (rerun later), instead of sleeping for hours."
        ),
    ),
)


@dataclass(frozen=True)
class ZendeskConnection:
    """Where and how to reach one Zendesk account."""

    base_url: str
    auth: AuthSettings
    timeout_seconds: float
    max_retry_after_seconds: float = DEFAULT_MAX_RETRY_AFTER_SECONDS
    max_request_attempts: int = DEFAULT_MAX_REQUEST_ATTEMPTS

    def retry_policy(self, *, rate_limit_window_seconds: float = 60.0) -> RetryPolicy:
        """The retry policy these settings ask for; a 429 without Retry-After waits one rate-limit window."""
        return RetryPolicy(
            max_tries=self.max_request_attempts,
            rate_limit_fallback_seconds=rate_limit_window_seconds,
            max_retry_after_seconds=self.max_retry_after_seconds,
        )

    def open_credential(self, http: HttpCore, logger: logging.Logger) -> Credential:
        """The run's credential, its token requests sent through `http` (checked before any request)."""
        return open_credential(self.auth, base_url=self.base_url, http=http, logger=logger)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, default_scopes: str) -> ZendeskConnection:
        """Validate the connection settings and build the connection, or raise ConfigurationError.

        `default_scopes`: the OAuth scopes client credentials ask for unless `oauth_scopes` says otherwise.
        """
        return cls(
            base_url=resolve_base_url(config),
            auth=auth_settings(config, default_scopes=default_scopes),
            timeout_seconds=_positive(config, "request_timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
            max_retry_after_seconds=_positive(
                config, "max_retry_after_seconds", DEFAULT_MAX_RETRY_AFTER_SECONDS
            ),
            max_request_attempts=int(config.get("max_request_attempts") or DEFAULT_MAX_REQUEST_ATTEMPTS),
        )


def resolve_base_url(config: Mapping[str, Any]) -> str:
    """Return the account's base URL (no trailing slash) from `api_url` or `subdomain`."""
    api_url = config.get("api_url")
    if api_url:
        return validate_base_url(str(api_url), setting="api_url")
    subdomain = config.get("subdomain")
    if not subdomain:
        msg = "set `subdomain` (e.g. acme for https://acme.zendesk.com) or `api_url`"
        raise ConfigurationError(msg)
    subdomain = str(subdomain).strip()
    if not subdomain.replace("-", "").isalnum():
        msg = f"`subdomain` must be the account name only (letters, digits, '-'), got {subdomain!r}"
        raise ConfigurationError(msg)
    return f"https://{subdomain}.zendesk.com"


def validate_base_url(url: str, *, setting: str) -> str:
    """Check a base URL setting: https anywhere, http only on loopback; return it without trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"`{setting}` must be an http(s) URL such as https://acme.zendesk.com, got {url!r}"
        raise ConfigurationError(msg)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        msg = f"`{setting}` uses plain http:// for {parts.hostname}; only loopback hosts may, use https://"
        raise ConfigurationError(msg)
    return url.strip().rstrip("/")


def is_loopback_host(host: str) -> bool:
    """Whether `host` names this machine (localhost or a loopback address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _positive(config: Mapping[str, Any], setting: str, default: float) -> float:
    value = config.get(setting, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0 or number == float("inf"):
        msg = f"`{setting}` must be a positive number of seconds, got {value!r}"
        raise ConfigurationError(msg)
    return number
