"""Requests and responses as the sandbox's handlers see them, and Zendesk's and Sequin's error bodies."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from email.message import Message

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.oauth.tokens import IssuedToken
    from zendesk_sandbox.store.validation import Details

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
# A lone surrogate can only come from a \uD800-\uDFFF escape: text decoded from UTF-8 never holds one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_UNPARSED: Any = object()
Role = Literal["admin", "agent"]


@dataclass(frozen=True)
class Caller:
    """An authenticated request's identity: its role, and the issued token it came with (if any)."""

    role: Role
    token: IssuedToken | None = None  # None: the fixed credentials, which no scope restricts


class UnreadableBodyError(ValueError):
    """A request body the server cannot read: not UTF-8, not JSON, or a string UTF-8 cannot encode."""


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
    # When the request was read: the instant rate limits count it at, as Zendesk counts arrivals (the
    # work before the limit check, under load tens of milliseconds, must not move it).
    arrived: float = field(default_factory=time.monotonic, compare=False)
    caller: Caller | None = field(default=None, compare=False)  # set once the credentials are checked
    _json: Any = field(default=_UNPARSED, repr=False, compare=False)

    def json_body(self) -> Json:
        """Return the body decoded as JSON (null when empty), or raise UnreadableBodyError."""
        if self._json is _UNPARSED:
            self._json = _read_json(self.body)
        return self._json


def _read_json(body: bytes) -> Json:
    try:
        text = body.decode("utf-8")
        value = json.loads(text or "null")
    except ValueError as bad:  # UnicodeDecodeError and JSONDecodeError alike
        raise UnreadableBodyError(str(bad)) from bad
    if _SURROGATE_ESCAPE.search(text):
        # "\ud800" is valid JSON, but the string it makes cannot be stored as UTF-8: Zendesk cannot read it
        # either (see unparsable_json).
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as bad:
            msg = "the body holds a lone surrogate (\\ud800-\\udfff), which UTF-8 cannot encode"
            raise UnreadableBodyError(msg) from bad
    return value


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
    """Return Zendesk's classic `{"error","description"}` body (wire notes §8)."""
    return json_response(status, {"error": error, "description": description})


def errors_list(status: int, code: str, title: str) -> Response:
    """Return the newer `{"errors":[{code,status,title}]}` body; status is a string (wire notes §3)."""
    return json_response(status, {"errors": [{"code": code, "status": str(status), "title": title}]})


def invalid_endpoint() -> Response:
    """Return 404 for a path Zendesk does not serve (wire notes §8)."""
    return classic_error(404, "InvalidEndpoint", "Not found")


def record_not_found() -> Response:
    """Return 404 RecordNotFound (wire notes §8)."""
    return classic_error(404, "RecordNotFound", "Not found")


def unauthorized_basic() -> Response:
    """Return the API-token 401, with WWW-Authenticate (wire notes §8)."""
    response = json_response(401, {"error": "Couldn't authenticate you"})
    response.headers.append(("WWW-Authenticate", 'Basic realm="Web Password"'))
    return response


def unauthorized_bearer() -> Response:
    """Return the OAuth 401 (wire notes §8)."""
    return json_response(
        401,
        {
            "error": "invalid_token",
            "error_description": "The access token provided is expired, revoked, malformed or invalid for "
            "other reasons.",
        },
    )


def forbidden() -> Response:
    """Return the permission 403 with its nested error object (wire notes §8)."""
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


def missing_scopes(*names: str) -> Response:
    """Return the 403 for an OAuth token without the scope an endpoint needs (wire notes §8)."""
    return classic_error(
        403, "Forbidden", f"You are missing the following required scopes: {' '.join(names)}"
    )


def oauth_error(status: int, error: str, description: str) -> Response:
    """Return an OAuth error body, `{"error","error_description"}` (RFC 6749 §5.2; wire notes §24)."""
    return json_response(status, {"error": error, "error_description": description})


def record_invalid(details: Details) -> Response:
    """Return 422 RecordInvalid with per-field details (wire notes §8)."""
    return json_response(
        422, {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    )


def too_many_values(max_count: int = 100) -> Response:
    """Return the 400 for more values than a list parameter takes (wire notes §8, its double space kept)."""
    return json_response(
        400,
        {
            "error": "TooManyValues",
            "description": f"Parameter  cannot specify more than {max_count} values",
            "max_count": max_count,
        },
    )


def unparsable_json() -> Response:
    """Return the 422 for a body Zendesk cannot read (decision: see zendesk_sandbox/__init__.py).

    The one real record: a PUT whose body was not valid UTF-8 got `422 Unprocessable Entity` with
    `{"error":"Unprocessable Entity","message":"Server could not parse JSON"}` (cloudbees-oss/
    zendesk-java-client#6, 2013). Note `message`, not the classic `description`.
    """
    return json_response(422, {"error": "Unprocessable Entity", "message": "Server could not parse JSON"})


def export_limited(retry_after: str) -> Response:
    """Return the incremental-export 429 (wire notes §8)."""
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
    """Return the account-wide 429, whose body is plain text (wire notes §8, airbyte#11035)."""
    return Response(
        429,
        b"Number of allowed API requests per minute exceeded",
        TEXT_TYPE,
        [("Retry-After", retry_after)],
    )


def job_limited(retry_after: str) -> Response:
    """Return the 429 for a job beyond the active-job cap; status and body unconfirmed.

    See wire notes §7, §13.
    """
    response = classic_error(
        429, "TooManyJobs", "Number of allowed active background jobs (queued or working) exceeded"
    )
    response.headers.append(("Retry-After", retry_after))
    return response


def sequin_error(status: int, summary: str) -> Response:
    """Return Sequin's `{"summary": ...}` error body (wire notes Sequin §3)."""
    return json_response(status, {"summary": summary})
