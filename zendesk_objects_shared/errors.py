"""Reading Zendesk (and Sequin) error responses: what kind of failure, and a one-line message for people."""

from __future__ import annotations

import enum
import html
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from zendesk_objects_shared.redaction import SECRETS

if TYPE_CHECKING:
    import requests

MAX_MESSAGE_CHARS = 300
HTML_PAGE = re.compile(r"\s*(<!doctype html|<html\b|<head\b|<body\b)", re.IGNORECASE)
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
HTML_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
HTML_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
HTML_TAG = re.compile(r"<[^>]*>")


class ConfigurationError(ValueError):
    """A setting is missing, conflicting or malformed; raised before any request is sent."""


class RunFailure(Exception):  # noqa: N818 (a failure of the run, not of a call)
    """Something that ends the run; its text is the one line the user reads."""


class RequestFailedError(RunFailure):
    """A request kept failing with retryable errors (or a wait too long to make); the text is one line."""


class Outcome(enum.Enum):
    """What a caller should do with a response."""

    OK = "ok"
    RATE_LIMITED = "rate_limited"  # 429: wait Retry-After, then retry
    RETRYABLE = "retryable"  # 5xx, 409: retry with capped backoff
    INVALID_CURSOR = "invalid_cursor"  # cursor expired or unreadable: restart from the bookmark's timestamp
    REJECTED = "rejected"  # 422: this record is refused; others may pass
    FATAL = "fatal"  # 401/403/404/other 4xx: stop, a setting must change


# The setting a person most likely has to fix, per status (docs/tap.md, Rate limits, retries, logging:
# "the setting to check").
SETTING_HINTS = {
    401: "check the auth settings: Zendesk did not accept the credentials",
    403: (
        "the user behind the credentials lacks permission: cursor exports need an admin, "
        "custom objects need custom-object access"
    ),
    404: "check `subdomain`/`api_url` and the custom object keys (`custom_object_keys`, `object_map`)",
}


# A token without a scope the endpoint needs: 403 "You are missing the following required scopes: write"
# (wire notes §8, §24).
MISSING_SCOPES = "missing the following required scopes"
SCOPE_HINT = (
    "the OAuth token lacks a scope this request needs: add it to `oauth_scopes` (the tap needs `read`, "
    "the target `read write`), and allow it on the OAuth client in Admin Center"
)


class ZendeskAPIError(RunFailure):
    """An HTTP error that ends the run; its text is one line: status, Zendesk's message, the hint."""

    def __init__(self, status: int, message: str, *, url_path: str = "", hint: str | None = None) -> None:
        """Build the one-line text from the parts; `hint` replaces the status's usual one."""
        self.status = status
        self.message = message
        if hint is None:
            hint = SCOPE_HINT if status == 403 and MISSING_SCOPES in message else SETTING_HINTS.get(status)  # noqa: PLR2004
        where = f" on {url_path}" if url_path else ""
        text = f"HTTP {status}{where}: {message}"
        super().__init__(f"{text} ({hint})" if hint else text)


def classify(response: requests.Response) -> Outcome:
    """Classify a response by status code first, then by the error code in its body when it matters."""
    status = response.status_code
    if status < 400:  # noqa: PLR2004 (HTTP's own boundary)
        return Outcome.OK
    if status == 429:  # noqa: PLR2004
        return Outcome.RATE_LIMITED
    if status >= 500 or status == 409:  # noqa: PLR2004 (409: concurrent update, Zendesk says retry)
        return Outcome.RETRYABLE
    if status in {400, 422} and "cursor" in error_message(response).lower():
        # Custom objects say `InvalidCursor`; tickets' wording is unconfirmed (wire notes §13), so match the
        # word.
        return Outcome.INVALID_CURSOR
    if status == 422:  # noqa: PLR2004
        return Outcome.REJECTED
    return Outcome.FATAL


def error_message(response: requests.Response) -> str:
    """Zendesk's own message for a failed response, as one line, whatever shape the body has."""
    text = response.text or ""
    try:
        body = json.loads(text)
    except ValueError:
        # The account-wide 429 and some proxies answer in plain text or HTML (wire notes §8).
        return one_line(_page_text(text)) or response.reason or "no message"
    return one_line(message_from_body(body)) or response.reason or "no message"


def message_from_body(body: Any) -> str:  # noqa: ANN401 (any JSON document)
    """Pull a readable message out of any of the error body shapes listed in wire notes §8."""
    if not isinstance(body, dict):
        return json.dumps(body)  # cut to length by the caller, once masked
    if isinstance(body.get("errors"), list):  # JSON:API style: {"errors":[{"code","title","detail"}]}
        return "; ".join(_describe_jsonapi_error(item) for item in body["errors"] if isinstance(item, dict))
    if "summary" in body:  # Sequin: {"summary": ..., "validation_errors": {...}}
        extra = body.get("validation_errors")
        return f"{body['summary']} {json.dumps(extra)}" if extra else str(body["summary"])
    error = body.get("error")
    if isinstance(error, dict):  # 403: {"error":{"title","message"}}
        return ": ".join(str(error[k]) for k in ("title", "message") if error.get(k))
    # `message` too: Zendesk's 422 for a body it cannot parse says {"error", "message"} (wire notes §8).
    description = body.get("description") or body.get("error_description") or body.get("message")
    head = ": ".join(str(part) for part in (error, description) if part)
    details = body.get("details")
    if isinstance(details, dict) and details:
        return f"{head} ({describe_details(details)})"
    return head


def describe_details(details: dict[str, Any]) -> str:
    """Flatten RecordInvalid `details` ({field: [{"description": ...}]}) into `field: reason; ...`."""
    reasons = []
    for field, entries in details.items():
        items = entries if isinstance(entries, list) else [entries]
        for entry in items:
            reason = entry.get("description") or entry.get("error") if isinstance(entry, dict) else entry
            reasons.append(f"{field}: {reason}")
    return "; ".join(reasons)


@dataclass(frozen=True)
class RetryAfter:
    """A `Retry-After` header as sent, and the wait it asks for (None: absent, or not a wait we can read)."""

    text: str | None
    seconds: float | None

    def describe(self) -> str:
        """How the header reads in a log line."""
        if self.text is None:
            return "no Retry-After"
        if self.seconds is None:
            return f"unreadable Retry-After {self.text!r}"
        return f"Retry-After: {self.text}"


def read_retry_after(response: requests.Response | None) -> RetryAfter:
    """The wait a 429/503 asks for: `Retry-After` as seconds (decimals allowed) or as an HTTP date.

    Anything else (a negative number, `inf`, `nan`, words) is not a wait: the caller falls back to its own.
    """
    value = None if response is None else response.headers.get("Retry-After")
    text = (value or "").strip()
    if not text:
        return RetryAfter(None, None)
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return RetryAfter(text, seconds if math.isfinite(seconds) and seconds >= 0 else None)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return RetryAfter(text, None)
    if when.tzinfo is None:  # an HTTP date is GMT; a date without a zone is read the same way
        when = when.replace(tzinfo=timezone.utc)
    return RetryAfter(text, max(0.0, (when - datetime.now(timezone.utc)).total_seconds()))


def _describe_jsonapi_error(item: dict[str, Any]) -> str:
    return ": ".join(str(item[k]) for k in ("code", "title", "detail") if item.get(k))


def one_line(text: str) -> str:
    """`text` as one line for people: secrets masked, whitespace folded, cut to `MAX_MESSAGE_CHARS`."""
    return SECRETS.excerpt(text, MAX_MESSAGE_CHARS)


def _page_text(text: str) -> str:
    """What an HTML error page says (its title, else its text), or `text` itself when it is no page.

    A proxy or load balancer in front of Zendesk answers with a page such as
    `<html><head><title>403 Forbidden</title>…`: the title says it all, the markup nothing.
    """
    if not HTML_PAGE.match(text):
        return text
    title = HTML_TITLE.search(text) or HTML_HEADING.search(text)
    words = title.group(1) if title else HTML_TAG.sub(" ", HTML_HIDDEN.sub(" ", text))
    return html.unescape(" ".join(words.split()))
