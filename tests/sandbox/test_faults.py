"""Every fault switch: 429 storms, 5xx, resets, truncated JSON, slow responses, 504 on big pages, scoping."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.clients import TICKETS, Client, sequin
from zendesk_sandbox import FaultSettings

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

OBJECTS = "/api/v2/custom_objects"


def test_storm_sends_n_json_429s_then_recovers(sandbox: Sandbox) -> None:
    sandbox.configure(window_seconds=1.0, faults=FaultSettings(rate_limit_storm=3, storm_retry_after=0.5))
    client = Client(sandbox)
    responses = [client.get(OBJECTS) for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].json()["error"] == "APIRateLimitExceeded"
    assert responses[0].headers["Retry-After"] == "0.50"
    assert sandbox.admin.stats()["rate_limited"] == {"fault": 3}


def test_storm_can_send_plain_text_without_retry_after(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"rate_limit_storm": 1, "storm_body": "text", "storm_retry_after": None})
    response = Client(sandbox).get(OBJECTS)
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Retry-After" not in response.headers
    assert Client(sandbox).get(OBJECTS).status_code == 200


def test_error_rate_sends_the_configured_statuses_reproducibly(sandbox: Sandbox) -> None:
    faults = {"error_rate": 0.5, "error_statuses": [502, 503], "fault_seed": 7}
    sandbox.configure(faults=faults)
    client = Client(sandbox)
    first = [client.get(OBJECTS).status_code for _ in range(30)]
    assert set(first) == {200, 502, 503}
    sandbox.configure(faults=faults)
    assert [client.get(OBJECTS).status_code for _ in range(30)] == first


def test_reset_rate_aborts_the_connection(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"reset_rate": 1.0})
    with pytest.raises(requests.ConnectionError):
        Client(sandbox).get(OBJECTS)
    sandbox.configure(faults={"reset_rate": 0.0})
    assert Client(sandbox).get(OBJECTS).status_code == 200
    assert sandbox.admin.stats()["faults"]["reset"] == 1


def test_truncated_bodies_are_half_a_json_document_with_a_matching_length(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"truncate_rate": 1.0})
    response = Client(sandbox).get(TICKETS, start_time=0)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_slow_responses_outlast_a_short_client_timeout(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"slow_seconds": 1.0})
    with pytest.raises(requests.Timeout):
        Client(sandbox).session.get(sandbox.url + OBJECTS, timeout=0.2)


def test_gateway_timeout_above_a_page_size(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"gateway_timeout_above_page_size": 200})
    client = Client(sandbox)
    big = client.get(TICKETS, start_time=0)  # default per_page 1000
    assert big.status_code == 504
    assert "upstream request timeout" in big.text
    assert client.get(TICKETS, start_time=0, per_page=500).status_code == 504
    assert client.get(TICKETS, start_time=0, per_page=200).status_code == 200
    assert client.get(OBJECTS).status_code == 200, "only paged exports time out"


def test_faults_are_scoped_by_path_and_never_touch_admin(sandbox: Sandbox) -> None:
    sandbox.configure(faults={"error_rate": 1.0, "error_statuses": [500], "path_contains": "/incremental/"})
    client = Client(sandbox)
    assert client.get(TICKETS, start_time=0).status_code == 500
    assert client.get(OBJECTS).status_code == 200
    sandbox.configure(faults={"path_contains": ""})
    assert client.get(OBJECTS).status_code == 500
    assert sequin(sandbox).get(sandbox.url + "/v1/records", timeout=30).status_code == 500
    assert requests.get(sandbox.url + "/_sandbox/stats", timeout=30).status_code == 200
