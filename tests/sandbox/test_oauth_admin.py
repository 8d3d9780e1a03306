"""The OAuth admin API (consent, ready grants, the token list, revocation) and the OAuth settings."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import Client, admin_api
from tests.sandbox.oauth import (
    AGENT,
    DEMO,
    DEMO_SECRET,
    PUBLIC,
    REDIRECT,
    bearer,
    client_credentials,
    token_request,
)
from zendesk_sandbox import DEFAULT_OAUTH_CLIENTS, OAuthClientSpec, Sandbox

if TYPE_CHECKING:
    from collections.abc import Callable

OBJECTS = "/api/v2/custom_objects"


def test_an_authorization_over_http_gives_a_code_to_exchange(sandbox: Sandbox) -> None:
    body = {"client_id": DEMO, "scope": "read write", "redirect_uri": REDIRECT}
    response = admin_api(sandbox, "POST", "/oauth/authorizations", json=body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["redirect_uri"] == REDIRECT
    exchanged = token_request(
        sandbox, grant_type="authorization_code", code=answer["code"], client_id=DEMO,
        client_secret=DEMO_SECRET, redirect_uri=REDIRECT,
    )  # fmt: skip
    assert exchanged.status_code == 201, exchanged.text
    assert exchanged.json()["scope"] == "read write"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"client_id": "nobody", "scope": "read", "redirect_uri": REDIRECT}, 404),
        ({"client_id": DEMO, "scope": "read bogus", "redirect_uri": REDIRECT}, 400),
        ({"client_id": AGENT, "scope": "impersonate", "redirect_uri": REDIRECT}, 400),
        ({"client_id": DEMO, "scope": "read"}, 400),
        ({"client_id": DEMO, "scope": "read", "redirect_uri": REDIRECT, "state": "x"}, 400),
    ],
    ids=["unknown-client", "unknown-scope", "agent-impersonates", "no-redirect-uri", "unknown-key"],
)
def test_a_bad_authorization_is_refused(sandbox: Sandbox, body: dict[str, Any], status: int) -> None:
    response = admin_api(sandbox, "POST", "/oauth/authorizations", json=body)
    assert response.status_code == status, response.text


def test_a_ready_grant_spends_nothing(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(account_requests_per_window=1)
    response = admin_api(sandbox, "POST", "/oauth/grants", json={"client_id": DEMO, "scope": "read"})
    assert response.status_code == 201
    grant = response.json()
    assert set(grant) == {
        "access_token", "refresh_token", "expires_in", "refresh_token_expires_in", "scope", "token_type"
    }  # fmt: skip
    assert (grant["scope"], grant["token_type"], grant["expires_in"]) == ("read", "bearer", 1800)
    assert sandbox.admin.oauth_grant(PUBLIC)["scope"] == "read write", "the default scope"
    stats = sandbox.admin.stats()
    assert (stats["requests"], stats["oauth_token_requests"]) == (0, {})
    assert bearer(sandbox, grant).get(OBJECTS).status_code == 200, "the budget is whole"


def test_the_token_list_tells_every_state(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=0.3)
    before = time.time()
    rotated = sandbox.admin.oauth_grant(DEMO)
    token_request(
        sandbox, grant_type="refresh_token", refresh_token=rotated["refresh_token"], client_id=DEMO,
        client_secret=DEMO_SECRET,
    )  # fmt: skip
    revoked = client_credentials(sandbox, "read")
    sandbox.admin.oauth_revoke(access_token=revoked["access_token"])
    expired = client_credentials(sandbox, "tickets:read")
    time.sleep(0.4)
    response = admin_api(sandbox, "GET", "/oauth/tokens")
    assert response.status_code == 200
    listed = response.json()["tokens"]
    assert [(entry["kind"], entry["state"]) for entry in listed] == [
        ("access", "rotated"), ("refresh", "used"), ("access", "expired"), ("refresh", "active"),
        ("access", "revoked"), ("access", "expired"),
    ]  # fmt: skip
    assert listed[0]["prefix"] == rotated["access_token"][:6]
    assert listed[1]["prefix"] == rotated["refresh_token"][:6]
    assert listed[5]["prefix"] == expired["access_token"][:6]
    assert [entry["scope"] for entry in listed[4:]] == ["read", "tickets:read"]
    assert {entry["client_id"] for entry in listed} == {DEMO}
    for entry in listed:
        assert before <= entry["issued_at"] <= time.time()
        assert entry["expires_at"] > entry["issued_at"]
    sandbox.configure(oauth_access_token_ttl_seconds=None)
    client_credentials(sandbox)
    assert sandbox.admin.oauth_tokens()[-1]["expires_at"] is None


def test_revocation_over_http(sandbox: Sandbox) -> None:
    grants = [sandbox.admin.oauth_grant(DEMO) for _ in range(3)]
    by_refresh = admin_api(
        sandbox, "POST", "/oauth/revoke", json={"refresh_token": grants[0]["refresh_token"]}
    )
    assert by_refresh.json() == {"revoked": 1}
    assert bearer(sandbox, grants[0]).get(OBJECTS).status_code == 401, "the pair goes together"
    by_access = admin_api(sandbox, "POST", "/oauth/revoke", json={"access_token": grants[1]["access_token"]})
    assert by_access.json() == {"revoked": 1}
    by_client = admin_api(sandbox, "POST", "/oauth/revoke", json={"client_id": DEMO})
    assert by_client.json() == {"revoked": 1}
    assert {entry["state"] for entry in sandbox.admin.oauth_tokens()} == {"revoked"}
    assert admin_api(sandbox, "POST", "/oauth/revoke", json={"access_token": "never"}).status_code == 404
    both = {"client_id": DEMO, "access_token": grants[2]["access_token"]}
    assert admin_api(sandbox, "POST", "/oauth/revoke", json=both).status_code == 400
    assert admin_api(sandbox, "POST", "/oauth/revoke", json={}).status_code == 400


def test_a_restart_forgets_every_token(sandbox: Sandbox) -> None:
    grant = sandbox.admin.oauth_grant(DEMO)
    sandbox.close()
    with Sandbox(sandbox.settings, db_path=sandbox.db_path) as restarted:
        assert not restarted.seeded_now
        assert bearer(restarted, grant).get(OBJECTS).status_code == 401
        assert Client(restarted).get(OBJECTS).status_code == 200
        assert restarted.admin.oauth_tokens() == []
    restarted.close()


# --- settings -----------------------------------------------------------------------------------------


def test_the_oauth_settings_read_and_change_as_json(sandbox: Sandbox) -> None:
    settings = admin_api(sandbox, "GET", "/settings").json()
    demo = {"identifier": DEMO, "secret": DEMO_SECRET, "kind": "confidential", "role": "admin"}
    assert settings["oauth_clients"][0] == demo | {"allowed_scopes": None}
    assert [client["kind"] for client in settings["oauth_clients"]] == [
        "confidential",
        "confidential",
        "public",
    ]
    assert settings["oauth_access_token_ttl_seconds"] == 1800.0
    assert settings["oauth_refresh_token_ttl_seconds"] == 2_592_000.0
    assert settings["oauth_authorization_code_ttl_seconds"] == 120.0
    assert settings["oauth_token_status"] == 201
    clients = [{"identifier": "etl", "secret": "etl-secret", "allowed_scopes": ["read"]}]
    changed = admin_api(sandbox, "PATCH", "/settings", json={"oauth_clients": clients})
    assert changed.status_code == 200, changed.text
    assert sandbox.settings.oauth_clients == (
        OAuthClientSpec("etl", "etl-secret", "confidential", "admin", ("read",)),
    )
    assert client_credentials(sandbox, "read", client="etl", secret="etl-secret")["scope"] == "read"  # noqa: S106
    sandbox.configure(oauth_clients=DEFAULT_OAUTH_CLIENTS)
    assert client_credentials(sandbox)["scope"] == "read write"


@pytest.mark.parametrize(
    "changes",
    [
        {"oauth_clients": [{"identifier": "a", "secret": "s"}, {"identifier": "a", "secret": "t"}]},
        {"oauth_clients": [{"identifier": "a", "secret": ""}]},
        {"oauth_clients": [{"identifier": "a", "secret": "s", "kind": "public"}]},
        {"oauth_clients": [{"identifier": "a", "secret": "s", "kind": "secret"}]},
        {"oauth_clients": [{"identifier": "a", "secret": "s", "role": "owner"}]},
        {"oauth_clients": [{"identifier": "a", "secret": "s", "allowed_scopes": ["everything"]}]},
        {"oauth_clients": [{"identifier": "a", "secret": "s", "colour": "red"}]},
        {"oauth_clients": [{"identifier": "", "secret": "s"}]},
        {"oauth_clients": "zendesk-objects-demo"},
        {"oauth_access_token_ttl_seconds": 0},
        {"oauth_refresh_token_ttl_seconds": -1},
        {"oauth_authorization_code_ttl_seconds": "soon"},
        {"oauth_token_status": 404},
    ],
    ids=["duplicate", "confidential-without-secret", "public-with-secret", "unknown-kind", "unknown-role",
         "unknown-scope", "unknown-key", "no-identifier", "not-a-list", "zero-ttl", "negative-ttl",
         "text-ttl", "not-2xx"],
)  # fmt: skip
def test_unusable_oauth_settings_are_refused(sandbox: Sandbox, changes: dict[str, Any]) -> None:
    response = admin_api(sandbox, "PATCH", "/settings", json=changes)
    assert response.status_code == 400, response.text
    assert sandbox.settings.oauth_clients == DEFAULT_OAUTH_CLIENTS
