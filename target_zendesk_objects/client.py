"""Zendesk HTTP for the target: one paced, retrying request loop and the custom object calls it serves."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from zendesk_objects_shared import (
    Outcome,
    RequestFailedError,
    RequestPacer,
    RetryPolicy,
    ZendeskAPIError,
    classify,
    error_message,
    retry_after_seconds,
)

if TYPE_CHECKING:
    from zendesk_objects_shared import ZendeskConnection

LOGGER = logging.getLogger("target-zendesk-objects")

# Failures that never reached an HTTP status: retried with backoff.
TRANSIENT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionResetError,
)
NOT_FOUND = 404
# A 429 is waited out at most this many times in a row before the run gives up.
MAX_RATE_LIMIT_WAITS = 100


class UnknownObjectError(Exception):
    """The custom object a stream writes to does not exist."""


@dataclass(frozen=True)
class WriteOutcome:
    """What Zendesk said to one record write: accepted, or refused with its message."""

    ok: bool
    error: str = ""
    found_nothing: bool = False  # a delete of a record Zendesk does not hold (done, but worth counting)


class ZendeskWriteClient:
    """Custom object reads and writes through one loop: pacing, 429 waits, backoff, classification.

    Every request takes a slot from one pacer sized to `requests_per_minute` (the account budget is shared
    by every call, job polls included). Each thread gets its own `requests.Session`.
    """

    def __init__(
        self, connection: ZendeskConnection, pacer: RequestPacer, policy: RetryPolicy | None = None
    ) -> None:
        """Send to `connection`'s account, paced by `pacer`, retrying per `policy`."""
        self.connection = connection
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self._local = threading.local()
        self.requests_sent = 0
        self.rate_limited = 0

    # --- the custom object calls -------------------------------------------------------------------

    def object_fields(self, key: str) -> list[dict[str, Any]]:
        """The object's field definitions, `standard::name` included; UnknownObjectError when absent."""
        path = f"/api/v2/custom_objects/{quote(key, safe='')}/fields"
        response = self.send("GET", path, params={"include_standard_fields": "true"}, allow_not_found=True)
        if response.status_code == NOT_FOUND:
            msg = f"custom object {key!r} does not exist ({error_message(response)})"
            raise UnknownObjectError(msg)
        fields: list[dict[str, Any]] = response.json().get("custom_object_fields") or []
        return fields

    def upsert(self, key: str, match_on: str, value: str, record: dict[str, Any]) -> WriteOutcome:
        """PATCH one record by external id or name (create or update)."""
        response = self.send(
            "PATCH",
            f"/api/v2/custom_objects/{quote(key, safe='')}/records",
            params={match_on: value},
            json={"custom_object_record": record},
        )
        return _outcome(response)

    def delete(self, key: str, match_on: str, value: str) -> WriteOutcome:
        """DELETE one record by external id or name; a record that is already gone counts as deleted."""
        response = self.send(
            "DELETE",
            f"/api/v2/custom_objects/{quote(key, safe='')}/records",
            params={match_on: value},
            allow_not_found=True,
        )
        if response.status_code == NOT_FOUND:
            # A replay after a crash deletes again, or the input deletes what never reached Zendesk:
            # already gone is done, and counted in the run summary.
            return WriteOutcome(ok=True, found_nothing=True)
        return _outcome(response)

    def submit_job(self, key: str, action: str, items: list[Any]) -> dict[str, Any]:
        """POST a job; waits out the account's job cap (429) as Zendesk asks. Returns the job_status."""
        response = self.send(
            "POST",
            f"/api/v2/custom_objects/{quote(key, safe='')}/jobs",
            json={"job": {"action": action, "items": items}},
        )
        if classify(response) is Outcome.REJECTED:
            raise ZendeskAPIError(response.status_code, error_message(response), url_path="jobs")
        status: dict[str, Any] = response.json()["job_status"]
        return status

    def job_status(self, job_id: str) -> dict[str, Any] | None:
        """GET a job's status; None when Zendesk no longer knows the job (statuses expire)."""
        response = self.send("GET", f"/api/v2/job_statuses/{quote(job_id, safe='')}", allow_not_found=True)
        if response.status_code == NOT_FOUND:
            return None
        status: dict[str, Any] = response.json()["job_status"]
        return status

    # --- the loop ----------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,  # noqa: ANN401 (any JSON body)
        allow_not_found: bool = False,
    ) -> requests.Response:
        """Send until Zendesk answers for good: OK, a 422 (returned) or a 404 when allowed; else raise."""
        failures = 0
        waits = 0
        job_post = method == "POST" and path.endswith("/jobs")
        while True:
            self.pacer.acquire()
            try:
                response = self._session().request(
                    method,
                    self.connection.base_url + path,
                    params=params,
                    json=json,
                    auth=self.connection.auth,
                    timeout=self.connection.timeout_seconds,
                )
            except TRANSIENT_ERRORS as exc:
                failures += 1
                self._back_off(failures, None, f"{type(exc).__name__}", method, path)
                continue
            self.requests_sent += 1
            outcome = classify(response)
            if outcome in {Outcome.OK, Outcome.REJECTED} or (
                allow_not_found and response.status_code == NOT_FOUND
            ):
                return response
            if outcome is Outcome.RATE_LIMITED:
                waits += 1
                self.rate_limited += 1
                self._wait_rate_limit(response, waits, job_cap=job_post, method=method, path=path)
                continue
            if outcome is Outcome.RETRYABLE:
                failures += 1
                reason = f"HTTP {response.status_code}: {error_message(response)}"
                self._back_off(failures, response, reason, method, path)
                continue
            raise ZendeskAPIError(response.status_code, error_message(response), url_path=path)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def _wait_rate_limit(
        self, response: requests.Response, waits: int, *, job_cap: bool, method: str, path: str
    ) -> None:
        if waits > MAX_RATE_LIMIT_WAITS:
            msg = f"still rate limited after {waits - 1} waits: {error_message(response)}"
            raise ZendeskAPIError(response.status_code, msg, url_path=path)
        asked = retry_after_seconds(response)
        wait = asked if asked is not None else self.policy.rate_limit_fallback_seconds
        LOGGER.info(
            "%s %s: HTTP 429 (%s); waiting %.2f s as Zendesk asks",
            method,
            path,
            error_message(response),
            wait,
        )
        if job_cap:
            # The job cap (30 queued or running jobs per account) frees up as jobs finish: only this
            # submission waits; status polls go on, and they are what confirms the finished jobs.
            time.sleep(wait)
        else:
            self.pacer.hold_off(wait)  # the account budget is spent: every thread's next request waits

    def _back_off(
        self, failures: int, response: requests.Response | None, reason: str, method: str, path: str
    ) -> None:
        if failures >= self.policy.max_tries:
            msg = f"giving up on {method} {path} after {failures} attempts; last error: {reason}"
            raise RequestFailedError(msg)
        wait = self.policy.wait_seconds(failures, response)
        LOGGER.warning("%s %s: %s; retrying in %.1f s (attempt %d)", method, path, reason, wait, failures + 1)
        time.sleep(wait)


def _outcome(response: requests.Response) -> WriteOutcome:
    if classify(response) is Outcome.REJECTED:
        return WriteOutcome(ok=False, error=f"HTTP {response.status_code}: {error_message(response)}")
    return WriteOutcome(ok=True)
