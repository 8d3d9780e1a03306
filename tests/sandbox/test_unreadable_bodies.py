"""Bodies the sandbox cannot read (not UTF-8, not JSON, a lone surrogate) get Zendesk's 422, never a 500."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests

from tests.sandbox.clients import Client

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

UPSERT = "/api/v2/custom_objects/vendor/records?external_id=odd"
JOBS = "/api/v2/custom_objects/vendor/jobs"
UNPARSABLE = {"error": "Unprocessable Entity", "message": "Server could not parse JSON"}

# Each is the body of a PATCH upsert; a job POST carries the same record as its second item.
RECORDS = {
    # valid JSON whose string UTF-8 cannot encode: the issue 14 case
    "lone-surrogate-in-a-value": rb'{"name": "Odd \ud800 name", "external_id": "odd"}',
    "lone-low-surrogate": rb'{"name": "Odd", "custom_object_fields": {"summary": "\uDC00"}}',
    "lone-surrogate-in-a-key": rb'{"name": "Odd", "custom_object_fields": {"\ud800": "x"}}',
    "not-utf-8": b'{"name": "Caf\xe9"}',
    "not-json": b'{"name": "Odd",',
}


def _patch_body(record: bytes) -> bytes:
    return b'{"custom_object_record": ' + record + b"}"


def _job_body(record: bytes) -> bytes:
    good = b'{"external_id": "fine", "name": "Fine"}'
    items = b"[" + good + b", " + record + b"]"
    return b'{"job": {"action": "create_or_update_by_external_id", "items": ' + items + b"}}"


def _send(client: Client, method: str, path: str, body: bytes) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return client.request(method, path, data=body, headers=headers)


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_an_unreadable_upsert_gets_422_and_writes_nothing(sandbox: Sandbox, case: str) -> None:
    before = sandbox.admin.custom_object_records("vendor")
    response = _send(Client(sandbox), "PATCH", UPSERT, _patch_body(RECORDS[case]))
    assert response.status_code == 422
    assert response.json() == UNPARSABLE
    assert "x-rate-limit-remaining" in response.headers, "an answer like any other, budget headers too"
    assert sandbox.admin.custom_object_records("vendor") == before
    assert sandbox.admin.stats()["responses_by_status"] == {"422": 1}


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_an_unreadable_item_refuses_the_whole_job(sandbox: Sandbox, case: str) -> None:
    response = _send(Client(sandbox), "POST", JOBS, _job_body(RECORDS[case]))
    assert response.status_code == 422
    assert response.json() == UNPARSABLE
    assert sandbox.admin.jobs() == [], "no job was queued, not even for the readable item"
    assert "fine" not in {r["external_id"] for r in sandbox.admin.custom_object_records("vendor")}


def test_a_surrogate_pair_is_one_character_and_is_stored(sandbox: Sandbox) -> None:
    record = rb'{"name": "Smile \ud83d\ude00", "external_id": "odd"}'
    response = _send(Client(sandbox), "PATCH", UPSERT, _patch_body(record))
    assert response.status_code == 200, response.text
    assert response.json()["custom_object_record"]["name"] == "Smile \N{GRINNING FACE}"


def test_an_escaped_backslash_before_u_is_not_a_surrogate(sandbox: Sandbox) -> None:
    record = rb'{"name": "Path C:\\ud800", "external_id": "odd"}'
    response = _send(Client(sandbox), "PATCH", UPSERT, _patch_body(record))
    assert response.status_code == 200, response.text
    assert response.json()["custom_object_record"]["name"] == "Path C:\\ud800"


def test_unreadable_bodies_still_meet_auth_and_unknown_paths_first(sandbox: Sandbox) -> None:
    body = _patch_body(RECORDS["lone-surrogate-in-a-value"])
    wrong = Client(sandbox, authorization="Bearer wrong-token")
    assert _send(wrong, "PATCH", UPSERT, body).status_code == 401
    assert _send(Client(sandbox), "PATCH", "/api/v2/nowhere", body).status_code == 404


def test_the_admin_api_answers_400_to_an_unreadable_body(sandbox: Sandbox) -> None:
    for body in (rb'{"subject": "\ud800"}', b'{"subject": "\xff"}'):
        response = requests.post(
            f"{sandbox.url}/_sandbox/tickets",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "InvalidValue"
