"""A server that echoes the request's credentials back never gets them printed, in any encoding.

Some proxies and error pages repeat the request headers in their body. Whatever the tap or the target
prints (stdout, stderr) or writes (the rejections file, the token store aside), no form of a secret may
appear: the raw token, the base64 Basic credential, an OAuth client secret, a refresh token, an access
token the token endpoint issued, any of them URL-encoded.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import pytest

from tests.stub_server import Received, Reply, StubServer
from tests.tap.runner import run_tap
from tests.target.conftest import run_target, singer_lines, vendor_lines, vendor_schema
from zendesk_objects_shared.redaction import basic_credential

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

EMAIL = "ann@example.com"
# Characters that URL-encoding changes, so the encoded forms differ from the raw one.
TOKEN = "tok+en/with=odd&chars"  # noqa: S105 (a made-up value we look for in the output)
CLIENT_SECRET = "cli+ent/secret=odd&chars"  # noqa: S105
REFRESH_TOKEN = "ref+resh/token=odd&chars"  # noqa: S105
# What the stub's token endpoint issues.
ISSUED_ACCESS = "iss+ued/access=odd&chars"
ISSUED_REFRESH = "iss+ued/refresh=odd&chars"
CLIENT = {"oauth_client_id": "pipeline", "oauth_client_secret": CLIENT_SECRET}
AUTHS: dict[str, dict[str, Any]] = {
    "api_token": {"email": EMAIL, "api_token": TOKEN},
    "oauth": {"oauth_token": TOKEN},
    "client_credentials": CLIENT,
    "refresh_token": {**CLIENT, "oauth_refresh_token": REFRESH_TOKEN},
}


def login(auth: str, tmp_path: Path) -> dict[str, Any]:
    """The auth settings of `auth`, a refresh-token store under `tmp_path`."""
    store = {"oauth_token_store": str(tmp_path / "store.json")} if auth == "refresh_token" else {}
    return {**AUTHS[auth], **store}


def every_form() -> list[str]:
    credential = basic_credential(EMAIL, TOKEN)
    secrets = (TOKEN, credential, CLIENT_SECRET, REFRESH_TOKEN, ISSUED_ACCESS, ISSUED_REFRESH)
    return sorted(
        {form for secret in secrets for form in (secret, quote(secret, safe=""), quote_plus(secret))}
    )


def issuing_tokens(answer: Callable[[Received], Reply]) -> Callable[[Received], Reply]:
    """`answer`, behind a token endpoint that issues the same access and refresh tokens every time."""

    def serve(request: Received) -> Reply:
        if request.path.endswith("/oauth/tokens"):
            issued = {"access_token": ISSUED_ACCESS, "refresh_token": ISSUED_REFRESH, "token_type": "bearer"}
            return Reply.json({**issued, "expires_in": 1800, "scope": "read write"}, status=201)
        return answer(request)

    return serve


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
    with StubServer(issuing_tokens(lambda request: echo(request, 401))) as stub:
        run = run_tap(tmp_path, {"api_url": stub.url, **login(auth, tmp_path)})
    assert run.returncode == 1
    assert "HTTP 401" in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(run.stdout, run.stderr)


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_target_never_prints_an_echoed_credential(tmp_path: Path, auth: str) -> None:
    lines = vendor_lines([1])
    with StubServer(issuing_tokens(lambda request: echo(request, 401))) as stub:
        run = run_target({"api_url": stub.url, **login(auth, tmp_path)}, lines, tmp_path=tmp_path)
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
    with StubServer(issuing_tokens(answer)) as stub:
        run = run_target(
            {"api_url": stub.url, "write_mode": "upsert", **login(auth, tmp_path)}, lines, tmp_path=tmp_path
        )
    assert run.returncode == 1  # one rejection is more than max_rejected_records (0)
    assert [rejected["external_id"] for rejected in run.rejected] == ["v-1"]
    assert "rejected for" in run.rejected[0]["error"]
    assert_no_secret(run.stdout, run.stderr, (tmp_path / "rejected.jsonl").read_text())


@pytest.mark.parametrize("auth", ["client_credentials", "refresh_token"])
def test_a_token_endpoint_that_echoes_the_request_never_gets_it_printed(tmp_path: Path, auth: str) -> None:
    def refuse(request: Received) -> Reply:
        body = request.body.decode()
        echoed = f"{body} {quote(body, safe='')} {quote_plus(body)}"
        error = "invalid_grant" if auth == "refresh_token" else "invalid_client"
        return Reply.json({"error": error, "error_description": f"refused {echoed}"}, status=400)

    with StubServer(refuse) as stub:
        run = run_tap(tmp_path, {"api_url": stub.url, **login(auth, tmp_path)})
    assert run.returncode == 1
    assert "POST /oauth/tokens" in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(run.stdout, run.stderr)


@pytest.mark.parametrize("where", ["a 200 without its records", "a 401 whose body is a JSON list"])
def test_a_secret_echoed_across_the_cut_of_an_error_line_is_masked_whole(tmp_path: Path, where: str) -> None:
    # The token starts 15 characters before the point where the quoted body is cut short: cut first and
    # masked after, its head would be printed.
    def answer(request: Received) -> Reply:
        header = request.headers.get("Authorization", "")  # "Bearer " and the token
        if where.startswith("a 200"):
            # The page check quotes 119 characters of the body, as compact JSON: {"note":"…
            return Reply.json({"note": "x" * 88 + header})
        return Reply.json(["y" * 275 + header], status=401)  # the message keeps 299 of ["…

    with StubServer(answer) as stub:
        run = run_tap(tmp_path, {"api_url": stub.url, "max_request_attempts": 1, **AUTHS["oauth"]})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert_no_secret(run.stdout, run.stderr)
