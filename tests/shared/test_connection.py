"""Connection settings: which base URL and which of the four auth methods a config yields, or one line."""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any

import pytest
import requests

from zendesk_objects_shared import ConfigurationError, ZendeskConnection
from zendesk_objects_shared.auth import (
    AccessTokenAuth,
    ApiTokenAuth,
    ClientCredentialsAuth,
    RefreshTokenAuth,
)
from zendesk_objects_shared.http import HttpCore
from zendesk_objects_shared.pacing import AccountBudget
from zendesk_objects_shared.retry import RetryPolicy

if TYPE_CHECKING:
    from pathlib import Path

LOGGER = logging.getLogger("test-connection")
CLIENT: dict[str, Any] = {"oauth_client_id": "pipeline", "oauth_client_secret": "cl13nt-s3cret"}


def _connection(config: dict[str, Any], scopes: str = "read") -> ZendeskConnection:
    return ZendeskConnection.from_config(config, default_scopes=scopes)


def _header(connection: ZendeskConnection) -> str:
    http = HttpCore(timeout_seconds=5, policy=RetryPolicy(), budget=AccountBudget(None), logger=LOGGER)
    prepared = requests.Request("GET", connection.base_url + "/api/v2/tickets").prepare()
    connection.open_credential(http, LOGGER).authorize(prepared)
    return prepared.headers["Authorization"]


def test_subdomain_gives_the_zendesk_host() -> None:
    connection = _connection({"subdomain": "acme", "oauth_token": "t"})
    assert connection.base_url == "https://acme.zendesk.com"
    assert connection.timeout_seconds == 300


def test_api_token_auth_is_basic_email_slash_token(caplog: pytest.LogCaptureFixture) -> None:
    connection = _connection({"subdomain": "acme", "email": "a@example.com", "api_token": "s3cret"})
    assert connection.auth == ApiTokenAuth("a@example.com", "s3cret")
    with caplog.at_level(logging.WARNING):
        scheme, encoded = _header(connection).split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "a@example.com/token:s3cret"
    # One warning per run names the retirement date and the settings to switch to.
    (warning,) = caplog.messages
    assert "2027-04-30" in warning
    assert "oauth_client_id" in warning
    assert "oauth_client_secret" in warning


def test_a_static_oauth_token_is_bearer() -> None:
    connection = _connection({"api_url": "http://127.0.0.1:9/", "oauth_token": "tok"})
    assert connection.base_url == "http://127.0.0.1:9"
    assert connection.auth == AccessTokenAuth("tok")
    assert _header(connection) == "Bearer tok"


def test_client_id_and_secret_are_client_credentials_with_each_plugins_default_scopes() -> None:
    assert _connection({"subdomain": "acme", **CLIENT}).auth == ClientCredentialsAuth(
        "pipeline", "cl13nt-s3cret", "read"
    )
    assert _connection({"subdomain": "acme", **CLIENT}, scopes="read write").auth == ClientCredentialsAuth(
        "pipeline", "cl13nt-s3cret", "read write"
    )
    custom = _connection({"subdomain": "acme", **CLIENT, "oauth_scopes": "  tickets:read   users:read "})
    assert isinstance(custom.auth, ClientCredentialsAuth)
    assert custom.auth.scopes == "tickets:read users:read"


def test_a_refresh_token_makes_it_the_refresh_flow(tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    config = {
        "subdomain": "acme",
        **CLIENT,
        "oauth_refresh_token": "r3fresh",
        "oauth_token_store": str(store),
    }
    assert _connection(config).auth == RefreshTokenAuth("pipeline", "cl13nt-s3cret", "r3fresh", None, store)
    default = _connection({"subdomain": "acme", **CLIENT, "oauth_refresh_token": "r3fresh"})
    assert isinstance(default.auth, RefreshTokenAuth)
    assert default.auth.store_path is None  # the default path, chosen per account and client


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"subdomain": "acme"}, "no auth configured"),
        ({"subdomain": "acme", "email": "a@example.com"}, "`api_token` is missing"),
        ({"subdomain": "acme", "api_token": "x"}, "`email` is missing"),
        (
            {"subdomain": "acme", "oauth_token": "x", "api_token": "y", "email": "e"},
            "not `oauth_token` and `email` + `api_token`",
        ),
        ({"subdomain": "acme", **CLIENT, "oauth_token": "x"}, "not an OAuth client and `oauth_token`"),
        ({"subdomain": "acme", **CLIENT, "api_token": "x"}, "not an OAuth client and `email` + `api_token`"),
        ({"subdomain": "acme", "oauth_client_id": "c"}, "missing: `oauth_client_secret`"),
        ({"subdomain": "acme", "oauth_client_secret": "c"}, "missing: `oauth_client_id`"),
        (
            {"subdomain": "acme", "oauth_refresh_token": "r"},
            "the refresh-token flow needs `oauth_client_id` and `oauth_client_secret`",
        ),
        ({"subdomain": "acme", **CLIENT, "oauth_scopes": "  "}, "`oauth_scopes` is empty"),
        ({"subdomain": "acme", **CLIENT, "oauth_token_store": "/tmp/x"}, "is for `oauth_refresh_token`"),  # noqa: S108
        ({"oauth_token": "x"}, "set `subdomain`"),
        ({"subdomain": "acme.zendesk.com", "oauth_token": "x"}, "account name only"),
        ({"api_url": "http://zendesk.example.com", "oauth_token": "x"}, "only loopback hosts"),
        ({"api_url": "ftp://127.0.0.1", "oauth_token": "x"}, "must be an http(s) URL"),
        ({"subdomain": "acme", "oauth_token": "x", "request_timeout_seconds": 0}, "positive number"),
    ],
)
def test_bad_settings_fail_before_any_request_with_one_line(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _connection(config)
    text = str(raised.value)
    assert message in text
    assert "\n" not in text
    assert "cl13nt-s3cret" not in text


def test_http_is_accepted_for_every_loopback_spelling() -> None:
    for url in ("http://localhost:1", "http://127.0.0.5:2", "http://[::1]:3"):
        assert _connection({"api_url": url, "oauth_token": "x"}).base_url == url


@pytest.mark.parametrize(
    "config",
    [
        {"subdomain": "acme", "email": "e@x.io", "api_token": "s3cret"},
        {"subdomain": "acme", "oauth_token": "s3cret"},
        {"subdomain": "acme", "oauth_client_id": "c", "oauth_client_secret": "s3cret"},
        {
            "subdomain": "acme",
            "oauth_client_id": "c",
            "oauth_client_secret": "x",
            "oauth_refresh_token": "s3cret",
        },
    ],
    ids=["api_token", "oauth_token", "client_credentials", "refresh_token"],
)
def test_secrets_never_appear_in_repr(config: dict[str, Any]) -> None:
    connection = _connection(config)
    assert "s3cret" not in repr(connection)
    assert "s3cret" not in repr(connection.auth)
