"""Connection settings shared by the tap and the target: base URL, auth method, timeout."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from singer_sdk import typing as th

from zendesk_objects_shared.auth import ZendeskAuth
from zendesk_objects_shared.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_TIMEOUT_SECONDS = 300.0

# The settings every plugin of this project takes to reach a Zendesk account (SPEC §1).
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
    th.Property("email", th.StringType, description="Agent or admin email, for API token auth."),
    th.Property(
        "api_token",
        th.StringType,
        secret=True,
        description="Zendesk API token (used with `email`: Basic {email}/token:{api_token}).",
    ),
    th.Property(
        "oauth_token",
        th.StringType,
        secret=True,
        description="OAuth access token (Bearer); an alternative to email + api_token.",
    ),
    th.Property(
        "request_timeout_seconds",
        th.NumberType,
        default=DEFAULT_TIMEOUT_SECONDS,
        description="Timeout of each HTTP request, in seconds.",
    ),
)


@dataclass(frozen=True)
class ZendeskConnection:
    """Where and how to reach one Zendesk account."""

    base_url: str
    auth: ZendeskAuth
    timeout_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ZendeskConnection:
        """Validate the connection settings and build the connection, or raise ConfigurationError."""
        return cls(
            base_url=resolve_base_url(config),
            auth=ZendeskAuth.from_config(config),
            timeout_seconds=_timeout(config),
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


def _timeout(config: Mapping[str, Any]) -> float:
    value = config.get("request_timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if seconds <= 0:
        msg = f"`request_timeout_seconds` must be a positive number, got {value!r}"
        raise ConfigurationError(msg)
    return seconds
