"""Reading JSON bodies: each response decoded once, and checks that a 200 holds what its endpoint returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from zendesk_objects_shared import fastjson
from zendesk_objects_shared.redaction import SECRETS

if TYPE_CHECKING:
    import requests

    from zendesk_objects_shared.http import BodyCheck

# One decoded body per response: the loop's check decodes it, then the caller reads the same dict.
_BODIES: WeakKeyDictionary[requests.Response, dict[str, Any]] = WeakKeyDictionary()


def json_object(response: requests.Response) -> dict[str, Any]:
    """The response's JSON object, decoded once; ValueError when the body is not a whole JSON object."""
    body = _BODIES.get(response)
    if body is None:
        # orjson where it reads as `json` does (requests would pick simplejson, which is slower here).
        decoded = fastjson.loads(response.content)
        if not isinstance(decoded, dict):
            msg = f"expected a JSON object, got {type(decoded).__name__}"
            raise ValueError(msg)
        _BODIES[response] = body = decoded
    return body


def holding(key: str, kind: type[list[Any] | dict[str, Any]]) -> BodyCheck:
    """A check that a 200's body is a JSON object whose `key` is a list (or an object).

    A 200 without it (a proxy's error page, `{"error": ...}`, a body cut short) is a failure to retry,
    never an empty page: counted as empty, it would move a bookmark past records never exported.
    """
    what = "array" if kind is list else "object"

    def check(response: requests.Response) -> str | None:
        try:
            body = json_object(response)
        except ValueError as exc:
            return f"a body that is not a JSON object ({_short(exc)})"
        if not isinstance(body.get(key), kind):
            return f"a body without its `{key}` {what} ({_short(fastjson.dumps(body, str).decode())})"
        return None

    return check


def _short(value: object) -> str:
    return SECRETS.excerpt(str(value), 120)  # a log line's worth
