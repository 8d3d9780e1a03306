"""The one request loop of both plugins: pacing, a total deadline, classification, waits, retries, giving up.

Every request either comes back as what the caller can use, or ends the run with one line:
- the pacer given for it (the export limit) and the account budget are waited for first;
- the whole request, body included, must finish within `request_timeout_seconds` (see deadline.py);
- 429 → wait `Retry-After` (or one rate-limit window when absent or unreadable), holding back every
  request of the run, up to `max_retry_after_seconds`: a longer wait ends the run with the wait Zendesk
  asked for;
- 5xx, 409, timeouts, resets, bodies cut short, and a 200 whose body the caller's `check` refuses (a page
  without its records array, an error object) → capped exponential backoff, then one line;
- 401 → the credential's to answer: an OAuth credential renews its token and the request is repeated
  (not counted as a failure); a static one ends the run with the setting to fix;
- other 4xx → `ZendeskAPIError` with Zendesk's message and the setting to fix, unless the caller accepts
  that status (a 404 that means "already gone", a 422 that rejects one record).
The credential sets the Authorization header on every attempt, after the pacers let the attempt go, so a
repeated request carries the newest token and no token expires while a request waits for its slot.
Each thread has its own `requests.Session`, so parallel requests never share a connection.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlsplit

import requests

from zendesk_objects_shared.deadline import WATCHDOG, deadline_session
from zendesk_objects_shared.errors import (
    Outcome,
    RequestFailedError,
    ZendeskAPIError,
    classify,
    error_message,
    read_retry_after,
)

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Collection

    from zendesk_objects_shared.auth import Credential
    from zendesk_objects_shared.pacing import AccountBudget, RequestPacer
    from zendesk_objects_shared.retry import RetryPolicy

UNAUTHORIZED = 401
# Failures that never reached a whole HTTP answer: retried with backoff.
TRANSIENT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionResetError,
)


class BodyCheck(Protocol):
    """Looks at a 200's body: None when it is what the endpoint returns, else what is wrong with it."""

    def __call__(self, response: requests.Response) -> str | None:
        """Say what is wrong, or None."""


class Adjust(Protocol):
    """After a failed response: a changed request to retry instead (e.g. a smaller page), or None."""

    def __call__(
        self, prepared: requests.PreparedRequest, response: requests.Response
    ) -> requests.PreparedRequest | None:
        """Return the request to send next, or None for the default handling."""


class HttpCore:
    """Sends requests until they succeed or fail for good; the one place that waits, retries and gives up."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        policy: RetryPolicy,
        budget: AccountBudget,
        logger: logging.Logger,
    ) -> None:
        """Requests get `timeout_seconds` each, in all; waits follow `policy`; all go through `budget`."""
        self.timeout_seconds = timeout_seconds
        self.policy = policy
        self.budget = budget
        self.logger = logger
        self._local = threading.local()
        self._counts_lock = threading.Lock()
        self.requests_sent = 0
        self.rate_limited = 0

    def session(self) -> requests.Session:
        """This thread's session (its connections honour the total deadline)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = deadline_session()
        return session

    def send(  # noqa: PLR0913 (each knob is one of the loop's documented choices)
        self,
        prepared: requests.PreparedRequest,
        *,
        context: str = "",
        pacer: RequestPacer | None = None,
        transport: Callable[[requests.PreparedRequest], requests.Response] | None = None,
        accept: Collection[int] = (),
        check: BodyCheck | None = None,
        adjust: Adjust | None = None,
        on_rate_limit: Literal["hold_everyone", "wait_alone"] = "hold_everyone",
        credential: Credential | None = None,
    ) -> requests.Response:
        """Send `prepared` until Zendesk answers for good, and return the answer.

        `context` prefixes log lines (e.g. the stream); `transport` sends (default: this thread's session);
        `credential` authorizes each attempt (None: the request is sent as prepared);
        `accept` lists error statuses returned to the caller; `on_rate_limit="wait_alone"` waits out a
        429 in this thread only (the job cap frees up as jobs finish; other requests go on).
        """
        failures = 0
        waits = 0
        while True:
            self._take_slot(pacer)
            used = self._authorize(credential, prepared)
            response, failure = self._attempt(prepared, transport)
            self.budget.settle(None if response is None else response.headers)
            if _refused_credential(credential, used, response, prepared):
                continue  # with a new token: not a failure of the request
            if response is not None:
                outcome = classify(response)
                if outcome is Outcome.OK:
                    problem = check(response) if check is not None else None
                    if problem is None:
                        return response
                    failure = f"HTTP {response.status_code} but {problem}"
                elif response.status_code in accept:
                    return response
                elif outcome is Outcome.RATE_LIMITED:
                    waits += 1
                    self._wait_for_rate_limit(
                        response, waits, prepared, context=context, pacer=pacer, on_rate_limit=on_rate_limit
                    )
                    continue
                else:
                    replacement = adjust(prepared, response) if adjust is not None else None
                    if replacement is not None:
                        prepared = replacement
                        continue
                    if outcome is not Outcome.RETRYABLE:
                        raise ZendeskAPIError(
                            response.status_code, error_message(response), url_path=_path(prepared)
                        )
                    failure = f"HTTP {response.status_code}: {error_message(response)}"
            failures += 1
            self._back_off(failures, response, failure, prepared, context)

    def _take_slot(self, pacer: RequestPacer | None) -> None:
        """Wait for the request's own pacer (the export limit), then for the account budget."""
        if pacer is not None:
            pacer.acquire()
        self.budget.acquire()

    def _authorize(self, credential: Credential | None, prepared: requests.PreparedRequest) -> object:
        """Set the attempt's Authorization header; may wait for a renewal, or renew (a request of its own)."""
        if credential is None:
            return None
        try:
            return credential.authorize(prepared)
        except BaseException:
            self.budget.settle(None)  # the slot taken for this attempt goes unused
            raise

    def _attempt(
        self,
        prepared: requests.PreparedRequest,
        transport: Callable[[requests.PreparedRequest], requests.Response] | None,
    ) -> tuple[requests.Response | None, str]:
        """One try: the response (body read), or None and why there is none."""
        timeout = self.timeout_seconds
        send = transport or (lambda p: self.session().send(p, timeout=(timeout, timeout)))
        try:
            with WATCHDOG.within(timeout) as armed:
                response = send(prepared)
                _ = response.content  # the body is read inside the deadline too
        except TRANSIENT_ERRORS as exc:
            if armed.expired:
                return None, f"no complete answer within {timeout:g} s (`request_timeout_seconds`)"
            return None, f"{type(exc).__name__}: {_first_line(exc)}"
        finally:
            with self._counts_lock:
                self.requests_sent += 1
        return response, ""

    def _wait_for_rate_limit(  # noqa: PLR0913
        self,
        response: requests.Response,
        waits: int,
        prepared: requests.PreparedRequest,
        *,
        context: str,
        pacer: RequestPacer | None,
        on_rate_limit: str,
    ) -> None:
        with self._counts_lock:
            self.rate_limited += 1
        where = _where(prepared)
        if waits > self.policy.max_rate_limit_waits:
            msg = f"still rate limited after {waits - 1} waits: {error_message(response)}"
            raise ZendeskAPIError(response.status_code, msg, url_path=_path(prepared))
        asked = read_retry_after(response)
        wait = self.policy.rate_limit_wait(asked)
        if self.policy.too_long(wait):
            msg = (
                f"HTTP 429 on {where}: Zendesk asked to wait {wait:,.0f} s ({asked.describe()}),"
                f" more than the {self.policy.max_retry_after_seconds:g} s this run waits for one answer"
                " (`max_retry_after_seconds`); rerun later, or raise the setting"
            )
            raise RequestFailedError(msg)
        why = asked.describe() if asked.seconds is not None else f"{asked.describe()}: one rate-limit window"
        self.logger.warning(
            "%s%s: HTTP 429 (%s); waiting %.1f s (%s) before retrying",
            _prefix(context),
            where,
            error_message(response),
            wait,
            why,
        )
        if on_rate_limit == "wait_alone":
            time.sleep(wait)
            return
        # Every thread's next request waits: the export limit, or the account's budget, is spent.
        for held in (pacer, self.budget.pacer):
            if held is not None:
                held.hold_off(wait)

    def _back_off(
        self,
        failures: int,
        response: requests.Response | None,
        reason: str,
        prepared: requests.PreparedRequest,
        context: str,
    ) -> None:
        if failures >= self.policy.max_tries:
            msg = f"giving up on {_where(prepared)} after {failures} attempts; last error: {reason}"
            raise RequestFailedError(msg)
        wait = self.policy.backoff_seconds(failures, read_retry_after(response))
        self.logger.warning(
            "%s%s: %s; retrying in %.1f s (attempt %d of %d)",
            _prefix(context),
            _where(prepared),
            reason,
            wait,
            failures + 1,
            self.policy.max_tries,
        )
        time.sleep(wait)


def _refused_credential(
    credential: Credential | None,
    used: object,
    response: requests.Response | None,
    prepared: requests.PreparedRequest,
) -> bool:
    """Tell the credential how its attempt went; True after a 401 it renewed (repeat the request)."""
    if credential is None or response is None:
        return False
    if response.status_code == UNAUTHORIZED:
        credential.refused(used, response, url_path=_path(prepared))  # raises when it cannot renew
        return True
    credential.accepted(used)
    return False


def _path(prepared: requests.PreparedRequest) -> str:
    return urlsplit(prepared.url or "").path


def _where(prepared: requests.PreparedRequest) -> str:
    return f"{prepared.method} {_path(prepared)}"


def _prefix(context: str) -> str:
    return f"{context}: " if context else ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"
