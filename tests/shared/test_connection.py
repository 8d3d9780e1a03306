"""Connection settings: which base URL and which auth a config yields, and the one-line errors otherwise."""

from __future__ import annotations

import base64

import pytest
import requests

from zendesk_objects_shared import ConfigurationError, ZendeskConnection


def _prepared(connection: ZendeskConnection) -> requests.PreparedRequest:
    request = requests.Request("GET", connection.base_url + "/api/v2/tickets", auth=connection.auth)
    return request.prepare()


def test_subdomain_gives_the_zendesk_host() -> None:
    connection = ZendeskConnection.from_config({"subdomain": "acme", "oauth_token": "t"})
    assert connection.base_url == "https://acme.zendesk.com"
    assert connection.timeout_seconds == 300


def test_api_token_auth_is_basic_email_slash_token() -> None:
    connection = ZendeskConnection.from_config(
        {"subdomain": "acme", "email": "a@example.com", "api_token": "s3cret"}
    )
    header = _prepared(connection).headers["Authorization"]
    scheme, encoded = header.split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "a@example.com/token:s3cret"


def test_oauth_is_bearer() -> None:
    connection = ZendeskConnection.from_config({"api_url": "http://127.0.0.1:9/", "oauth_token": "tok"})
    assert connection.base_url == "http://127.0.0.1:9"
    assert _prepared(connection).headers["Authorization"] == "Bearer tok"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"subdomain": "acme"}, "no auth configured"),
        ({"subdomain": "acme", "email": "a@example.com"}, "`api_token` is missing"),
        ({"subdomain": "acme", "api_token": "x"}, "`email` is missing"),
        ({"subdomain": "acme", "oauth_token": "x", "api_token": "y", "email": "e"}, "not both"),
        ({"oauth_token": "x"}, "set `subdomain`"),
        ({"subdomain": "acme.zendesk.com", "oauth_token": "x"}, "account name only"),
        ({"api_url": "http://zendesk.example.com", "oauth_token": "x"}, "only loopback hosts"),
        ({"api_url": "ftp://127.0.0.1", "oauth_token": "x"}, "must be an http(s) URL"),
        ({"subdomain": "acme", "oauth_token": "x", "request_timeout_seconds": 0}, "positive number"),
    ],
)
def test_bad_settings_fail_before_any_request_with_one_line(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ZendeskConnection.from_config(config)
    text = str(raised.value)
    assert message in text
    assert "\n" not in text


def test_http_is_accepted_for_every_loopback_spelling() -> None:
    for url in ("http://localhost:1", "http://127.0.0.5:2", "http://[::1]:3"):
        assert ZendeskConnection.from_config({"api_url": url, "oauth_token": "x"}).base_url == url


def test_secrets_never_appear_in_repr() -> None:
    connection = ZendeskConnection.from_config(
        {"subdomain": "acme", "email": "e@x.io", "api_token": "s3cret"}
    )
    assert "s3cret" not in repr(connection)
    assert "s3cret" not in repr(connection.auth)
