"""Requests and responses as the sandbox's handlers see them, and Zendesk's and Sequin's error bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.validation import Details

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass
class Request:
    """One HTTP request, parsed."""

    method: str
    path: str  # without the query, without any prefix before /api/v2/
    query: dict[str, str]
    headers: Message
    body: bytes
    request_base: str  # scheme://host[:port][prefix]: where after_url/links point
    json_suffix: bool = False

    def json_body(self) -> Json:
        """Return the body decoded as JSON, or raise ValueError."""
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    """One HTTP response to write (or a connection to reset)."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False


def json_response(status: int, value: Json, headers: list[tuple[str, str]] | None = None) -> Response:
    """Return a compact JSON response."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return Response(status, text.encode(), JSON_TYPE, list(headers or []))


def text_json_response(status: int, text: str) -> Response:
    """Return already-encoded JSON text."""
    return Response(status, text.encode(), JSON_TYPE)


def classic_error(status: int, error: str, description: str) -> Response:
    """Return Zendesk's classic `{"error","description"}` body (NOTES §8)."""
    return json_response(status, {"error": error, "description": description})


def errors_list(status: int, code: str, title: str) -> Response:
    """Return the newer `{"errors":[{code,status,title}]}` body; status is a string (NOTES §3)."""
    return json_response(status, {"errors": [{"code": code, "status": str(status), "title": title}]})


def invalid_endpoint() -> Response:
    """Return 404 for a path Zendesk does not serve (NOTES §8)."""
    return classic_error(404, "InvalidEndpoint", "Not found")


def record_not_found() -> Response:
    """Return 404 RecordNotFound (NOTES §8)."""
    return classic_error(404, "RecordNotFound", "Not found")


def unauthorized_basic() -> Response:
    """Return the API-token 401, with WWW-Authenticate (NOTES §8)."""
    response = json_response(401, {"error": "Couldn't authenticate you"})
    response.headers.append(("WWW-Authenticate", 'Basic realm="Web Password"'))
    return response


def unauthorized_bearer() -> Response:
    """Return the OAuth 401 (NOTES §8)."""
    return json_response(
        401,
        {
            "error": "invalid_token",
            "error_description": "The access token provided is expired, revoked, malformed or invalid for "
            "other reasons.",
        },
    )


def forbidden() -> Response:
    """Return the permission 403 with its nested error object (NOTES §8)."""
    return json_response(
        403,
        {
            "error": {
                "title": "Forbidden",
                "message": "You do not have access to this page. Please contact the account owner of this "
                "help desk for further help.",
            }
        },
    )


def record_invalid(details: Details) -> Response:
    """Return 422 RecordInvalid with per-field details (NOTES §8)."""
    return json_response(
        422, {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    )


def too_many_values(max_count: int = 100) -> Response:
    """Return the 400 for more values than a list parameter takes: NOTES §8 body, its double space kept."""
    return json_response(
        400,
        {
            "error": "TooManyValues",
            "description": f"Parameter  cannot specify more than {max_count} values",
            "max_count": max_count,
        },
    )


def export_limited(retry_after: str) -> Response:
    """Return the incremental-export 429 (NOTES §8)."""
    response = json_response(
        429,
        {
            "error": "APIRateLimitExceeded",
            "description": "Number of allowed incremental export API requests per minute exceeded",
        },
    )
    response.headers.append(("Retry-After", retry_after))
    return response


def account_limited(retry_after: str) -> Response:
    """Return the account-wide 429, whose body is plain text (NOTES §8, airbyte#11035)."""
    return Response(
        429,
        b"Number of allowed API requests per minute exceeded",
        TEXT_TYPE,
        [("Retry-After", retry_after)],
    )


def job_limited(retry_after: str) -> Response:
    """Return the 429 for a job beyond the active-job cap; status and body unconfirmed (NOTES §7, §13)."""
    response = classic_error(
        429, "TooManyJobs", "Number of allowed active background jobs (queued or working) exceeded"
    )
    response.headers.append(("Retry-After", retry_after))
    return response


def sequin_error(status: int, summary: str) -> Response:
    """Return Sequin's `{"summary": ...}` error body (NOTES Sequin §3)."""
    return json_response(status, {"summary": summary})
