"""Authentication (API token and OAuth, each with its own 401 body) and the 403 permission refusal."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.clients import TICKETS, Client, basic_header

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

PATHS = [TICKETS + "?start_time=0", "/api/v2/custom_objects", "/api/v2/ticket_fields.json"]


@pytest.mark.parametrize("path", PATHS)
def test_both_schemes_are_accepted(sandbox: Sandbox, path: str) -> None:
    settings = sandbox.settings
    for header in (basic_header(settings.email, settings.api_token), f"Bearer {settings.oauth_token}"):
        response = Client(sandbox, header).session.get(sandbox.url + path, timeout=30)
        assert response.status_code == 200, response.text


def test_wrong_api_token_gets_the_basic_401_with_www_authenticate(sandbox: Sandbox) -> None:
    for header in (
        basic_header(sandbox.settings.email, "wrong"),
        basic_header("someone@else.com", sandbox.settings.api_token),
        "Basic not-base64!",
    ):
        response = Client(sandbox, header).get("/api/v2/custom_objects")
        assert response.status_code == 401
        assert response.json() == {"error": "Couldn't authenticate you"}
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_a_password_instead_of_a_token_is_refused(sandbox: Sandbox) -> None:
    raw = f"{sandbox.settings.email}:{sandbox.settings.api_token}".encode()
    response = Client(sandbox, "Basic " + base64.b64encode(raw).decode()).get("/api/v2/custom_objects")
    assert response.status_code == 401


def test_wrong_oauth_token_gets_invalid_token(sandbox: Sandbox) -> None:
    response = Client(sandbox, "Bearer wrong").get("/api/v2/custom_objects")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_token"
    assert "expired, revoked, malformed" in body["error_description"]


def test_no_credentials_get_the_basic_401(sandbox: Sandbox) -> None:
    response = requests.get(sandbox.url + "/api/v2/custom_objects", timeout=30)
    assert response.status_code == 401
    assert response.json() == {"error": "Couldn't authenticate you"}


def test_credentials_can_be_changed_live(sandbox: Sandbox) -> None:
    sandbox.configure(oauth_token="rotated")  # noqa: S106 - a test credential
    assert Client(sandbox, "Bearer sandbox-token").get("/api/v2/custom_objects").status_code == 401
    assert Client(sandbox, "Bearer rotated").get("/api/v2/custom_objects").status_code == 200


def test_forbidden_paths_get_the_nested_403(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(forbidden_paths_contain=("/incremental/tickets",))
    client = Client(sandbox)
    response = client.get(TICKETS, start_time=0)
    assert response.status_code == 403
    assert response.json()["error"]["title"] == "Forbidden"
    assert response.json()["error"]["message"]
    assert client.get("/api/v2/custom_objects").status_code == 200


def test_unknown_paths_and_methods_get_invalid_endpoint(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    for method, path in (("GET", "/api/v2/nothing_here"), ("POST", TICKETS), ("GET", "/nowhere")):
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"error": "InvalidEndpoint", "description": "Not found"}
    missing = client.get("/api/v2/custom_objects/no_such_object")
    assert missing.status_code == 404
    assert missing.json()["error"] == "RecordNotFound"


def test_the_agent_credentials_authenticate_but_are_no_admins(sandbox: Sandbox) -> None:
    settings = sandbox.settings
    for header in (
        basic_header(settings.agent_email, settings.agent_api_token),
        f"Bearer {settings.agent_oauth_token}",
    ):
        client = Client(sandbox, header)
        assert client.get("/api/v2/custom_objects").status_code == 200
        assert client.get("/api/v2/users/show_many", ids="1").status_code == 200
        refused = client.get(TICKETS, start_time=0)
        assert refused.status_code == 403
        assert refused.json()["error"]["title"] == "Forbidden"
    wrong = Client(sandbox, basic_header(settings.agent_email, settings.api_token)).get(
        "/api/v2/custom_objects"
    )
    assert wrong.status_code == 401, "the admin's token does not work with the agent's email"
