"""Issued OAuth tokens on Zendesk endpoints: expiry, rotation, scopes, roles, revocation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.clients import TICKETS, TIMEOUT, Client, agent, basic_header, sequin
from tests.sandbox.oauth import AGENT, AGENT_SECRET, DEMO, bearer, client_credentials, refresh

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

    from zendesk_sandbox import Sandbox

OBJECTS = "/api/v2/custom_objects"
VENDOR_RECORDS = "/api/v2/custom_objects/vendor/records"
CURRENT = "/api/v2/oauth/tokens/current"
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other "
    "reasons.",
}


def _missing(scope: str) -> dict[str, str]:
    return {"error": "Forbidden", "description": f"You are missing the following required scopes: {scope}"}


def _upsert(client: Client, external_id: str = "v-1") -> requests.Response:
    return client.request(
        "PATCH",
        VENDOR_RECORDS,
        params={"external_id": external_id},
        json={"custom_object_record": {"name": f"Vendor {external_id}"}},
    )


def _refused_token(response: requests.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == INVALID_TOKEN
    assert "WWW-Authenticate" not in response.headers


# --- expiry and rotation --------------------------------------------------------------------------------


def test_an_access_token_stops_at_its_expiry(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=0.6)
    issued = client_credentials(sandbox)
    paired = sandbox.admin.oauth_grant(DEMO)
    assert bearer(sandbox, issued).get(OBJECTS).status_code == 200
    time.sleep(0.7)
    _refused_token(bearer(sandbox, issued).get(OBJECTS))
    _refused_token(bearer(sandbox, paired).get(OBJECTS))
    assert bearer(sandbox, client_credentials(sandbox)).get(OBJECTS).status_code == 200, "ask again"
    renewed = refresh(sandbox, paired["refresh_token"])
    assert renewed.status_code == 201, "the refresh token outlives its access token"
    assert bearer(sandbox, renewed.json()).get(OBJECTS).status_code == 200
    assert Client(sandbox).get(OBJECTS).status_code == 200, "the fixed oauth_token never expires"


def test_expiry_is_checked_at_the_requests_arrival(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=0.5)
    issued = client_credentials(sandbox)
    sandbox.configure(faults={"slow_seconds": 0.7, "path_contains": "/custom_objects"})
    assert bearer(sandbox, issued).get(OBJECTS).status_code == 200, "arrived in time, answered late"
    _refused_token(bearer(sandbox, issued).get(OBJECTS))


def test_rotation_retires_the_old_pair_everywhere(sandbox: Sandbox) -> None:
    first = sandbox.admin.oauth_grant(DEMO)
    second = refresh(sandbox, first["refresh_token"]).json()
    for path in (OBJECTS, TICKETS + "?start_time=0", CURRENT):
        _refused_token(bearer(sandbox, first).get(path))
        assert bearer(sandbox, second).get(path).status_code == 200
    states = {(entry["kind"], entry["id"]): entry["state"] for entry in sandbox.admin.oauth_tokens()}
    assert sorted(states.values()) == ["active", "active", "rotated", "used"]


# --- scopes ---------------------------------------------------------------------------------------------


def test_a_read_token_reads_but_does_not_write(sandbox: Sandbox) -> None:
    reader = bearer(sandbox, client_credentials(sandbox, "read"))
    for path in (OBJECTS, VENDOR_RECORDS, TICKETS + "?start_time=0", "/api/v2/ticket_fields"):
        assert reader.get(path).status_code == 200, path
    refused = _upsert(reader)
    assert refused.status_code == 403
    assert refused.json() == _missing("write")
    job = reader.request("POST", "/api/v2/custom_objects/vendor/jobs", json={"job": {}})
    assert job.json() == _missing("write")
    assert sandbox.admin.custom_object_records("vendor")[-1]["external_id"] != "v-1"


def test_a_write_token_writes_but_does_not_read(sandbox: Sandbox) -> None:
    writer = bearer(sandbox, client_credentials(sandbox, "write"))
    assert _upsert(writer).status_code == 200
    refused = writer.get(OBJECTS)
    assert refused.status_code == 403
    assert refused.json() == _missing("read")


def test_resource_scopes_cover_their_resource_only(sandbox: Sandbox) -> None:
    tickets = bearer(sandbox, client_credentials(sandbox, "tickets:read"))
    assert tickets.get(TICKETS, start_time=0).status_code == 200
    assert tickets.get("/api/v2/tickets", external_id="x").status_code == 200
    for path in (OBJECTS, "/api/v2/incremental/users/cursor?start_time=0", "/api/v2/ticket_fields"):
        refused = tickets.get(path)
        assert refused.status_code == 403, path
        assert refused.json() == _missing("read")
    people = bearer(sandbox, client_credentials(sandbox, "users:read organizations:read"))
    assert people.get("/api/v2/incremental/users/cursor", start_time=0).status_code == 200
    assert people.get("/api/v2/users/show_many", ids="1").status_code == 200
    assert people.get("/api/v2/incremental/organizations", start_time=0).status_code == 200
    assert people.get(TICKETS, start_time=0).status_code == 403
    mixed = bearer(sandbox, client_credentials(sandbox, "tickets:write read"))
    assert mixed.get(OBJECTS).status_code == 200
    assert _upsert(mixed).status_code == 403, "custom objects need the broad write"


def test_an_unscoped_token_may_still_see_and_revoke_itself(sandbox: Sandbox) -> None:
    narrow = bearer(sandbox, client_credentials(sandbox, "hc:read"))
    assert narrow.get(CURRENT).status_code == 200
    assert narrow.request("DELETE", CURRENT).status_code == 204


def test_an_agent_clients_token_is_an_agent(sandbox: Sandbox) -> None:
    token = client_credentials(sandbox, client=AGENT, secret=AGENT_SECRET)
    client = bearer(sandbox, token)
    assert client.get(OBJECTS).status_code == 200
    refused = client.get(TICKETS, start_time=0)
    assert refused.status_code == 403
    assert refused.json()["error"]["title"] == "Forbidden"
    assert client.request("POST", OBJECTS, json={"custom_object": {}}).status_code == 403


def test_a_client_taken_out_of_the_settings_loses_its_tokens(sandbox: Sandbox) -> None:
    token = client_credentials(sandbox)
    settings = sandbox.settings
    sandbox.configure(
        oauth_clients=[client for client in settings.oauth_clients if client.identifier != DEMO]
    )
    _refused_token(bearer(sandbox, token).get(OBJECTS))
    sandbox.configure(oauth_clients=list(settings.oauth_clients))
    assert bearer(sandbox, token).get(OBJECTS).status_code == 200, "the token itself was never revoked"


def test_a_clients_role_change_applies_to_its_live_tokens(sandbox: Sandbox) -> None:
    token = client_credentials(sandbox)
    assert bearer(sandbox, token).get(TICKETS, start_time=0).status_code == 200
    changed = [
        {"identifier": c.identifier, "secret": c.secret, "kind": c.kind, "role": "agent"}
        for c in sandbox.settings.oauth_clients
    ]
    sandbox.configure(oauth_clients=changed)
    assert bearer(sandbox, token).get(TICKETS, start_time=0).status_code == 403


# --- revocation -----------------------------------------------------------------------------------------


def test_the_current_token_shows_its_record(sandbox: Sandbox) -> None:
    grant = sandbox.admin.oauth_grant(DEMO, "read write")
    response = bearer(sandbox, grant).get(CURRENT + ".json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token["token"] == grant["access_token"][:10]
    assert token["refresh_token"] == grant["refresh_token"][:10] + "..."
    assert token["scopes"] == ["read", "write"]
    assert token["url"] == f"https://demo.zendesk.com/api/v2/oauth/tokens/{token['id']}.json"
    assert isinstance(token["client_id"], int)
    assert token["expires_at"] > token["created_at"]
    assert token["used_at"] is not None
    shown = Client(sandbox).get(f"/api/v2/oauth/tokens/{token['id']}")
    assert shown.json()["token"] | {"used_at": None} == token | {"used_at": None}
    no_refresh = bearer(sandbox, client_credentials(sandbox)).get(CURRENT).json()["token"]
    assert no_refresh["refresh_token"] is None


@pytest.mark.parametrize(
    "header",
    ["Bearer sandbox-token", basic_header("demo@example.com", "sandbox-token")],
    ids=["bearer", "basic"],
)
def test_the_fixed_credentials_have_no_current_token(sandbox: Sandbox, header: str) -> None:
    client = Client(sandbox, header)
    for method in ("GET", "DELETE"):
        missing = client.request(method, CURRENT)
        assert missing.status_code == 404
        assert missing.json() == {"error": "RecordNotFound", "description": "Not found"}
    assert client.get(OBJECTS).status_code == 200


def test_revoking_the_current_token_revokes_its_refresh_token_too(sandbox: Sandbox) -> None:
    grant = sandbox.admin.oauth_grant(DEMO)
    client = bearer(sandbox, grant)
    revoked = client.request("DELETE", CURRENT)
    assert revoked.status_code == 204
    assert revoked.content == b""
    _refused_token(client.get(OBJECTS))
    _refused_token(client.request("DELETE", CURRENT))
    assert refresh(sandbox, grant["refresh_token"]).json()["error"] == "invalid_grant"
    assert {entry["state"] for entry in sandbox.admin.oauth_tokens()} == {"revoked"}


def test_revoking_a_token_by_id(sandbox: Sandbox) -> None:
    grant = sandbox.admin.oauth_grant(DEMO)
    token_id = bearer(sandbox, grant).get(CURRENT).json()["token"]["id"]
    agents = bearer(sandbox, client_credentials(sandbox, client=AGENT, secret=AGENT_SECRET))
    assert agents.request("DELETE", f"/api/v2/oauth/tokens/{token_id}").status_code == 404, "not the agent's"
    assert agents.get(f"/api/v2/oauth/tokens/{token_id}").status_code == 404
    admin = Client(sandbox)
    assert admin.request("DELETE", f"/api/v2/oauth/tokens/{token_id}.json").status_code == 204
    _refused_token(bearer(sandbox, grant).get(OBJECTS))
    again = admin.request("DELETE", f"/api/v2/oauth/tokens/{token_id}")
    assert again.status_code == 404
    assert again.json() == {"error": "RecordNotFound", "description": "Not found"}
    assert admin.request("DELETE", "/api/v2/oauth/tokens/1").status_code == 404
    reader = bearer(sandbox, client_credentials(sandbox, "read"))
    assert reader.request("DELETE", "/api/v2/oauth/tokens/1").json() == _missing("write")


def test_the_admin_api_revokes_by_client_or_token(sandbox: Sandbox) -> None:
    tokens = [client_credentials(sandbox) for _ in range(2)]
    agents = client_credentials(sandbox, client=AGENT, secret=AGENT_SECRET)
    assert sandbox.admin.oauth_revoke(client_id=DEMO) == 2
    for token in tokens:
        _refused_token(bearer(sandbox, token).get(OBJECTS))
    assert bearer(sandbox, agents).get(OBJECTS).status_code == 200
    assert sandbox.admin.oauth_revoke(access_token=agents["access_token"]) == 1
    assert sandbox.admin.oauth_revoke(access_token=agents["access_token"]) == 0, "already revoked"
    _refused_token(bearer(sandbox, agents).get(OBJECTS))


# --- what stays as it was -------------------------------------------------------------------------------


def test_the_fixed_credentials_keep_working_with_short_lived_tokens(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(oauth_access_token_ttl_seconds=0.2)
    client_credentials(sandbox)
    time.sleep(0.3)
    settings = sandbox.settings
    clients: list[Any] = [
        Client(sandbox),
        Client(sandbox, f"Bearer {settings.agent_oauth_token}"),
        Client(sandbox, basic_header(settings.email, settings.api_token)),
        agent(sandbox),
    ]
    for client in clients:
        assert client.get(OBJECTS).status_code == 200
        assert _upsert(client, "fixed").status_code == 200, "no scope restricts the fixed credentials"
    assert clients[0].get(TICKETS, start_time=0).status_code == 200
    assert clients[1].get(TICKETS, start_time=0).status_code == 403
    assert sequin(sandbox).get(sandbox.url + "/v1/records", timeout=TIMEOUT).status_code == 200
    issued = sequin(sandbox, client_credentials(sandbox)["access_token"])
    assert issued.get(sandbox.url + "/v1/records", timeout=TIMEOUT).status_code == 401
