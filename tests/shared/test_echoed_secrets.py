"""A server that echoes the request's credentials back never gets them printed, in any encoding.

Some proxies and error pages repeat the request headers in their body. Whatever the tap or the target
prints (stdout, stderr) or writes (the rejections file), no form of a secret may appear: the raw token,
the base64 Basic credential, either of them URL-encoded.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import pytest

from tests.stub_server import Received, Reply, StubServer
from tests.tap.runner import run_tap
from tests.target.conftest import run_target, singer_lines, vendor_record, vendor_schema
from zendesk_objects_shared.redaction import basic_credential

if TYPE_CHECKING:
    from pathlib import Path

EMAIL = "ann@example.com"
# Characters that URL-encoding changes, so the encoded forms differ from the raw one.
TOKEN = "tok+en/with=odd&chars"  # noqa: S105 (a made-up value we look for in the output)
AUTHS: dict[str, dict[str, Any]] = {
    "api_token": {"email": EMAIL, "api_token": TOKEN},
    "oauth": {"oauth_token": TOKEN},
}


def every_form() -> list[str]:
    credential = basic_credential(EMAIL, TOKEN)
    return sorted(
        {
            form
            for secret in (TOKEN, credential)
            for form in (secret, quote(secret, safe=""), quote_plus(secret))
        }
    )


def echo(request: Received, status: int) -> Reply:
    """Zendesk's 401/422 body shape, plus the request's Authorization header in three encodings."""
    header = request.headers.get("Authorization", "")
    echoed = {"header": header, "quoted": quote(header, safe=""), "plus": quote_plus(header)}
    if status == 401:
        return Reply.json({"error": f"Couldn't authenticate you: {json.dumps(echoed)}"}, status=401)
    details = {"name": [{"description": f"rejected for {json.dumps(echoed)}"}]}
    return Reply.json(
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details}, status=422
    )


def assert_no_secret(*outputs: str) -> None:
    """No form of the secret, and not even its first 12 characters (a message cut short)."""
    for output in outputs:
        for form in every_form():
            assert form[:12] not in output, form


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_tap_never_prints_an_echoed_credential(tmp_path: Path, auth: str) -> None:
    with StubServer(lambda request: echo(request, 401)) as stub:
        run = run_tap(tmp_path, {"api_url": stub.url, **AUTHS[auth]})
    assert run.returncode == 1
    assert "HTTP 401" in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(run.stdout, run.stderr)


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_target_never_prints_an_echoed_credential(tmp_path: Path, auth: str) -> None:
    lines = singer_lines("vendor", vendor_schema(), [vendor_record(1)], key_properties=["external_id"])
    with StubServer(lambda request: echo(request, 401)) as stub:
        run = run_target({"api_url": stub.url, **AUTHS[auth]}, lines, tmp_path=tmp_path)
    assert run.returncode == 1
    assert "HTTP 401" in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(run.stdout, run.stderr)


VENDOR_FIELDS = [
    {"id": 1, "key": "standard::name", "type": "text", "title": "Name", "system": True, "properties": {}},
    {"id": 2, "key": "summary", "type": "textarea", "title": "Summary", "active": True, "system": False},
]


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_target_never_writes_an_echoed_credential_into_rejections(tmp_path: Path, auth: str) -> None:
    def answer(request: Received) -> Reply:
        if request.method == "GET" and request.path.endswith("/fields"):
            return Reply.json({"custom_object_fields": VENDOR_FIELDS})
        return echo(request, 422)

    record = {"external_id": "v-1", "name": "Vendor 1", "summary": "one"}
    lines = singer_lines("vendor", vendor_schema(), [record], key_properties=["external_id"])
    with StubServer(answer) as stub:
        run = run_target(
            {"api_url": stub.url, "write_mode": "upsert", **AUTHS[auth]}, lines, tmp_path=tmp_path
        )
    assert run.returncode == 1  # one rejection is more than max_rejected_records (0)
    assert [rejected["external_id"] for rejected in run.rejected] == ["v-1"]
    assert "rejected for" in run.rejected[0]["error"]
    assert_no_secret(run.stdout, run.stderr, (tmp_path / "rejected.jsonl").read_text())
