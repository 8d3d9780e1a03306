"""POST /oauth/tokens: the three grants, rotation, lifetimes, OAuth error bodies, budget, faults and stats."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.sandbox.clients import TIMEOUT, Client
from tests.sandbox.oauth import (
    AGENT,
    AGENT_SECRET,
    DEMO,
    DEMO_SECRET,
    PUBLIC,
    REDIRECT,
    bearer,
    client_credentials,
    refresh,
    token_request,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

OBJECTS = "/api/v2/custom_objects"
GUESS = "guess"  # a wrong secret
READER = "reader"
READER_SECRET = "reader-secret"  # noqa: S105 - a test credential
# The demo client's client-credentials request for `read`, sent unchecked where its answer is under test.
DEMO_READ_GRANT = {
    "grant_type": "client_credentials",
    "client_id": DEMO,
    "client_secret": DEMO_SECRET,
    "scope": "read",
}


def _code_grant(sandbox: Sandbox, code: str, **extra: Any) -> requests.Response:
    body = {"code": code, "client_id": DEMO, "client_secret": DEMO_SECRET, "redirect_uri": REDIRECT}
    return token_request(sandbox, grant_type="authorization_code", **(body | extra))


def _refused(response: requests.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert body["error_description"]


# --- the three grants ------------------------------------------------------------------------------------


def test_client_credentials_give_an_expiring_token_without_refresh_token(sandbox: Sandbox) -> None:
    response = token_request(
        sandbox,
        grant_type="client_credentials",
        client_id=DEMO,
        client_secret=DEMO_SECRET,
        scope="read write",
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "expires_in"}
    assert (body["token_type"], body["scope"], body["expires_in"]) == ("bearer", "read write", 1800)
    assert len(body["access_token"]) >= 40
    assert bearer(sandbox, body).get(OBJECTS).status_code == 200


def test_authorization_code_gives_a_pair_and_works_once(sandbox: Sandbox) -> None:
    code = sandbox.admin.oauth_authorize(DEMO, "read write", REDIRECT)
    response = _code_grant(sandbox, code)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "access_token", "token_type", "refresh_token", "scope", "expires_in", "refresh_token_expires_in"
    }  # fmt: skip
    assert (body["scope"], body["expires_in"], body["refresh_token_expires_in"]) == (
        "read write",
        1800,
        2592000,
    )
    assert bearer(sandbox, body).get(OBJECTS).status_code == 200
    _refused(_code_grant(sandbox, code), 400, "invalid_grant")


def test_an_authorization_code_checks_redirect_uri_client_scope_and_age(sandbox: Sandbox) -> None:
    code = sandbox.admin.oauth_authorize(DEMO, "read", REDIRECT)
    _refused(_code_grant(sandbox, code, redirect_uri="https://example.com/other"), 400, "invalid_grant")
    _refused(_code_grant(sandbox, code, scope="read write"), 400, "invalid_scope")
    other = token_request(
        sandbox, grant_type="authorization_code", code=code, client_id=AGENT, client_secret=AGENT_SECRET,
        redirect_uri=REDIRECT,
    )  # fmt: skip
    _refused(other, 400, "invalid_grant")
    narrowed = _code_grant(sandbox, code, scope="tickets:read")
    assert narrowed.status_code == 201, "refusals do not spend the code"
    assert narrowed.json()["scope"] == "tickets:read"
    sandbox.configure(oauth_authorization_code_ttl_seconds=0.3)
    late = sandbox.admin.oauth_authorize(DEMO, "read", REDIRECT)
    time.sleep(0.4)
    _refused(_code_grant(sandbox, late), 400, "invalid_grant")


def test_a_public_client_exchanges_a_code_without_secret_but_gets_no_client_credentials(
    sandbox: Sandbox,
) -> None:
    code = sandbox.admin.oauth_authorize(PUBLIC, "read", REDIRECT)
    exchanged = token_request(
        sandbox, grant_type="authorization_code", code=code, client_id=PUBLIC, redirect_uri=REDIRECT
    )
    assert exchanged.status_code == 201, exchanged.text
    renewed = token_request(
        sandbox, grant_type="refresh_token", refresh_token=exchanged.json()["refresh_token"], client_id=PUBLIC
    )
    assert renewed.status_code == 201, renewed.text
    refused = token_request(sandbox, grant_type="client_credentials", client_id=PUBLIC, scope="read")
    _refused(refused, 400, "unauthorized_client")
    with_secret = token_request(
        sandbox, grant_type="client_credentials", client_id=PUBLIC, client_secret=GUESS, scope="read"
    )
    _refused(with_secret, 401, "invalid_client")


def test_refresh_rotates_the_pair(sandbox: Sandbox) -> None:
    first = sandbox.admin.oauth_grant(DEMO, "read write")
    response = refresh(sandbox, first["refresh_token"])
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "read write"
    _refused(refresh(sandbox, first["refresh_token"]), 400, "invalid_grant")
    refused = bearer(sandbox, first).get(OBJECTS)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"
    assert bearer(sandbox, second).get(OBJECTS).status_code == 200
    third = refresh(sandbox, second["refresh_token"])
    assert third.status_code == 201
    assert bearer(sandbox, second).get(OBJECTS).status_code == 401
    assert bearer(sandbox, third.json()).get(OBJECTS).status_code == 200


def test_a_refresh_token_works_once_even_when_sent_twice_at_once(sandbox: Sandbox) -> None:
    value = sandbox.admin.oauth_grant(DEMO)["refresh_token"]
    statuses: list[int] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        statuses.append(refresh(sandbox, value).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 400]


def test_refresh_may_only_narrow_and_refusals_keep_the_token(sandbox: Sandbox) -> None:
    value = sandbox.admin.oauth_grant(DEMO, "tickets:read users:read")["refresh_token"]
    _refused(refresh(sandbox, value, scope="read"), 400, "invalid_scope")
    _refused(refresh(sandbox, value, scope="bogus"), 400, "invalid_scope")
    narrowed = refresh(sandbox, value, scope="tickets:read")
    assert narrowed.status_code == 201
    assert narrowed.json()["scope"] == "tickets:read"


def test_another_clients_revoked_expired_or_unknown_refresh_token_is_an_invalid_grant(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(oauth_refresh_token_ttl_seconds=0.5)
    agents = sandbox.admin.oauth_grant(AGENT)["refresh_token"]
    _refused(refresh(sandbox, agents), 400, "invalid_grant")
    _refused(refresh(sandbox, "never-issued"), 400, "invalid_grant")
    revoked = sandbox.admin.oauth_grant(DEMO)["refresh_token"]
    assert sandbox.admin.oauth_revoke(refresh_token=revoked) == 1
    _refused(refresh(sandbox, revoked), 400, "invalid_grant")
    expiring = sandbox.admin.oauth_grant(DEMO)
    assert expiring["refresh_token_expires_in"] == 1
    time.sleep(0.6)
    _refused(refresh(sandbox, expiring["refresh_token"]), 400, "invalid_grant")


# --- lifetimes ------------------------------------------------------------------------------------------


def test_requested_lifetimes_apply_within_the_bounds(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=None)
    unlimited = client_credentials(sandbox)
    assert "expires_in" not in unlimited, "no TTL configured and none asked: no expiry"
    asked = client_credentials(sandbox, expires_in=86400)
    assert asked["expires_in"] == 86400
    grant = sandbox.admin.oauth_grant(DEMO)
    assert "expires_in" not in grant
    renewed = refresh(sandbox, grant["refresh_token"], expires_in=3600, refresh_token_expires_in=604801)
    assert renewed.status_code == 201, renewed.text
    assert (renewed.json()["expires_in"], renewed.json()["refresh_token_expires_in"]) == (3600, 604801)


def test_the_configured_lifetimes_win_when_shorter(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=2.0, oauth_refresh_token_ttl_seconds=700_000.5)
    assert client_credentials(sandbox, expires_in=86400)["expires_in"] == 2
    grant = sandbox.admin.oauth_grant(DEMO)
    renewed = refresh(sandbox, grant["refresh_token"], expires_in=600, refresh_token_expires_in=7_000_000)
    assert (renewed.json()["expires_in"], renewed.json()["refresh_token_expires_in"]) == (2, 700_001)
    sandbox.configure(oauth_access_token_ttl_seconds=0.25)
    assert client_credentials(sandbox)["expires_in"] == 1, "rounded up"


@pytest.mark.parametrize(
    "lifetimes",
    [
        {"expires_in": 300},
        {"expires_in": 172800},
        {"expires_in": "soon"},
        {"expires_in": 3600.5},
        {"expires_in": True},
        {"refresh_token_expires_in": 604800},
        {"refresh_token_expires_in": 7776000},
    ],
    ids=["access-5-min", "access-2-days", "access-text", "access-fraction", "access-bool", "refresh-7-days",
         "refresh-90-days"],
)  # fmt: skip
def test_lifetimes_outside_the_bounds_are_invalid_requests(
    sandbox: Sandbox, lifetimes: dict[str, Any]
) -> None:
    grant = sandbox.admin.oauth_grant(DEMO)
    _refused(refresh(sandbox, grant["refresh_token"], **lifetimes), 400, "invalid_request")
    assert refresh(sandbox, grant["refresh_token"]).status_code == 201, "the refusal kept the token"


def test_the_token_status_is_a_setting(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_token_status=200)
    response = token_request(sandbox, **DEMO_READ_GRANT)
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x", "scope": "read"},
         401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "client_secret": "wrong", "scope": "read"},
         401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "scope": "read"}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "client_secret": DEMO_SECRET},
         400, "invalid_request"),
        ({"client_id": DEMO, "client_secret": DEMO_SECRET, "scope": "read"}, 400, "invalid_request"),
        ({"grant_type": "refresh_token", "client_id": DEMO, "client_secret": DEMO_SECRET},
         400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "c", "client_id": DEMO, "client_secret": DEMO_SECRET},
         400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": 7, "client_secret": DEMO_SECRET, "scope": "read"},
         400, "invalid_request"),
        ({"grant_type": "password", "username": "demo@example.com", "password": "x"},
         400, "unsupported_grant_type"),
        ({"grant_type": "implicit"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "client_secret": DEMO_SECRET,
          "scope": "read tickets:delete"}, 400, "invalid_scope"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "client_secret": DEMO_SECRET,
          "scope": "auditlogs:write"}, 400, "invalid_scope"),
        ({"grant_type": "client_credentials", "client_id": DEMO, "client_secret": DEMO_SECRET, "scope": " "},
         400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": AGENT, "client_secret": AGENT_SECRET,
          "scope": "read impersonate"}, 400, "invalid_scope"),
    ],
    ids=["unknown-client", "wrong-secret", "missing-secret", "missing-scope", "missing-grant-type",
         "missing-refresh-token", "missing-redirect-uri", "non-string", "password-grant", "implicit-grant",
         "unknown-scope", "read-only-resource", "blank-scope", "agent-impersonates"],
)  # fmt: skip
def test_refusals_carry_the_oauth_error_body(
    sandbox: Sandbox, body: dict[str, Any], status: int, error: str
) -> None:
    _refused(token_request(sandbox, **body), status, error)


@pytest.mark.parametrize("raw", [b"grant_type=client_credentials", b"[1, 2]", b"", b'"text"', b"\xff"])
def test_a_body_that_is_not_a_json_object_is_an_invalid_request(sandbox: Sandbox, raw: bytes) -> None:
    response = requests.post(
        sandbox.url + "/oauth/tokens", data=raw, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    _refused(response, 400, "invalid_request")


def test_allowed_scopes_bound_what_a_client_may_ask(sandbox_factory: Callable[..., Sandbox]) -> None:
    client = {"identifier": READER, "secret": READER_SECRET, "allowed_scopes": ["read"]}
    sandbox = sandbox_factory(oauth_clients=[client])

    def ask(client_id: str, secret: str, scope: str) -> requests.Response:
        return token_request(
            sandbox, grant_type="client_credentials", client_id=client_id, client_secret=secret, scope=scope
        )

    assert ask(READER, READER_SECRET, "tickets:read").status_code == 201
    _refused(ask(READER, READER_SECRET, "read write"), 400, "invalid_scope")
    _refused(ask(DEMO, DEMO_SECRET, "read"), 401, "invalid_client")


# --- where the endpoint lives, budget, faults, stats ---------------------------------------------------


def test_any_prefix_is_accepted_and_only_post_is_served(sandbox: Sandbox) -> None:
    assert token_request(sandbox, "/demo.zendesk.com/oauth/tokens", **DEMO_READ_GRANT).status_code == 201
    assert requests.get(sandbox.url + "/oauth/tokens", timeout=TIMEOUT).status_code == 404
    assert Client(sandbox).request("POST", "/api/v2/oauth/tokens", json=DEMO_READ_GRANT).status_code == 404


def test_token_requests_spend_the_account_budget(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(account_requests_per_window=2, window_seconds=60.0)
    client_credentials(sandbox)
    assert Client(sandbox).get(OBJECTS).status_code == 200
    spent = token_request(sandbox, **DEMO_READ_GRANT)
    assert spent.status_code == 429
    assert spent.text == "Number of allowed API requests per minute exceeded"
    assert int(spent.headers["Retry-After"]) >= 1
    sandbox.admin.oauth_grant(DEMO)  # the admin API spends nothing
    stats = sandbox.admin.stats()
    assert stats["rate_limited"] == {"account_limit": 1}
    assert stats["requests_by_kind"] == {"oauth_token": 2, "custom_objects": 1}
    assert stats["oauth_token_requests"] == {"client_credentials": 1}


def test_faults_reach_the_token_endpoint(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"path_contains": "/oauth/tokens", "error_rate": 1.0, "error_statuses": [500]})
    assert token_request(sandbox, **DEMO_READ_GRANT).status_code == 500
    assert Client(sandbox).get(OBJECTS).status_code == 200, "scoped to the token endpoint"
    sandbox.configure(faults={"error_rate": 0.0, "rate_limit_storm": 2, "storm_retry_after": 1})
    stormed = [token_request(sandbox, **DEMO_READ_GRANT) for _ in range(3)]
    assert [response.status_code for response in stormed] == [429, 429, 201]
    assert stormed[0].headers["Retry-After"] == "1"
    sandbox.configure(faults={"rate_limit_storm": 0, "truncate_rate": 1.0})
    cut = token_request(sandbox, **DEMO_READ_GRANT)
    assert cut.status_code == 201
    assert int(cut.headers["Content-Length"]) == len(cut.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    assert sandbox.admin.stats()["requests_by_kind"]["oauth_token"] == 2, "faults answer before the endpoint"


def test_stats_count_token_requests_by_grant_and_refusals_by_error(sandbox: Sandbox) -> None:
    for _ in range(3):
        client_credentials(sandbox)
    refresh(sandbox, sandbox.admin.oauth_grant(DEMO)["refresh_token"])
    token_request(sandbox, grant_type="password")
    refresh(sandbox, "never-issued")
    stats = sandbox.admin.stats()
    assert stats["oauth_token_requests"] == {"client_credentials": 3, "refresh_token": 2, "password": 1}
    assert stats["oauth_token_refused"] == {"unsupported_grant_type": 1, "invalid_grant": 1}
    sandbox.admin.reset_stats()
    assert sandbox.admin.stats()["oauth_token_requests"] == {}
