"""The calls the target makes (custom objects, users, organizations, jobs), one request each (http.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from zendesk_objects_shared import ZendeskAPIError, error_message
from zendesk_objects_shared.bodies import holding, json_object
from zendesk_objects_shared.custom_objects import cursor_list, object_fields

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from zendesk_objects_shared import Credential, ZendeskConnection
    from zendesk_objects_shared.http import BodyCheck, HttpCore

LOGGER = logging.getLogger("target-zendesk-objects")

FORBIDDEN = 403
NOT_FOUND = 404
UNPROCESSABLE = 422


class UnknownObjectError(Exception):
    """The custom object a stream writes to does not exist."""


class ShowManyRefusedError(Exception):
    """Zendesk refused a `job_statuses/show_many` request (too many ids, or ids it does not take there)."""


class BulkRefusedError(Exception):
    """A bulk endpoint answered 403 (bulk user import off, wire notes §26.1); the text is its message."""


@dataclass(frozen=True)
class WriteOutcome:
    """What Zendesk said to one record write: accepted, or refused with its message."""

    ok: bool
    error: str = ""
    found_nothing: bool = False  # a delete of a record Zendesk does not hold (done, but worth counting)
    resource_id: str | None = None  # the id of the user or organization written, when Zendesk said it


class ZendeskWriteClient:
    """Custom object reads, writes and jobs of one account, through the shared request loop."""

    def __init__(self, connection: ZendeskConnection, http: HttpCore, credential: Credential) -> None:
        """Send to `connection`'s account through `http` (its pacing, deadline and retries)."""
        self.connection = connection
        self.http = http
        self.credential = credential

    @property
    def requests_sent(self) -> int:
        """Requests sent so far (retries included)."""
        return self.http.requests_sent

    @property
    def rate_limited(self) -> int:
        """429 answers so far."""
        return self.http.rate_limited

    def budget_per_second(self) -> float:
        """The account budget this run paces its requests to, per second."""
        pacer = self.http.budget.pacer
        return pacer.limit / pacer.window_seconds

    def object_fields(self, key: str) -> list[dict[str, Any]]:
        """The object's field definitions, `standard::name` included; UnknownObjectError when absent."""
        fields = object_fields(lambda path, params: self._get_json(path, params, "custom_object_fields"), key)
        if fields is None:
            msg = f"custom object {key!r} does not exist"
            raise UnknownObjectError(msg)
        return fields

    def object_definitions(self, key: str) -> list[dict[str, Any]] | None:
        """Every field definition of the object (inactive ones too); None when the object does not exist."""
        return object_fields(lambda path, params: self._get_json(path, params, "custom_object_fields"), key)

    def create_object(self, body: dict[str, Any]) -> WriteOutcome:
        """POST a new custom object (admins only; a 403 ends the run with Zendesk's message)."""
        return _outcome(self._create("/api/v2/custom_objects", "custom_object", body))

    def create_field(self, key: str, body: dict[str, Any]) -> WriteOutcome:
        """POST a new field of custom object `key` (admins only)."""
        path = f"/api/v2/custom_objects/{quote(key, safe='')}/fields"
        return _outcome(self._create(path, "custom_object_field", body))

    def object_limit(self) -> tuple[int, int] | None:
        """(objects, limit) of the account; None when the credentials may not read it (admins only)."""
        return self._limit("/api/v2/custom_objects/limits/object_limit")

    def field_limit(self, key: str) -> tuple[int, int] | None:
        """(fields, limit) of custom object `key`, standard fields not counted; None when unreadable."""
        return self._limit(f"/api/v2/custom_objects/{quote(key, safe='')}/limits/field_limit")

    def _limit(self, path: str) -> tuple[int, int] | None:
        """GET a limits endpoint's `{count, limit}` (wire notes §16.2)."""
        response = self._send("GET", path, accept={FORBIDDEN, NOT_FOUND}, check=_holding_limit)
        if response.status_code in {FORBIDDEN, NOT_FOUND}:
            return None
        body = json_object(response)
        count = body.get("count")
        return (count if isinstance(count, int) else 0), int(body["limit"])

    def upsert(self, key: str, match_on: str, value: str, record: dict[str, Any]) -> WriteOutcome:
        """PATCH one record by external id or name (create or update)."""
        response = self._send(
            "PATCH",
            f"{_records(key)}",
            params={match_on: value},
            body={"custom_object_record": record},
            accept={UNPROCESSABLE},
        )
        return _outcome(response)

    def delete(self, key: str, match_on: str, value: str) -> WriteOutcome:
        """DELETE one record by external id or name; a record that is already gone counts as deleted."""
        response = self._send(
            "DELETE", _records(key), params={match_on: value}, accept={NOT_FOUND, UNPROCESSABLE}
        )
        if response.status_code == NOT_FOUND:
            # A replay after a crash deletes again, or the input deletes what never reached Zendesk:
            # already gone is done, and counted in the run summary.
            return WriteOutcome(ok=True, found_nothing=True)
        return _outcome(response)

    def submit_job(self, key: str, action: str, items: list[Any]) -> dict[str, Any]:
        """POST a job; waits out the account's job cap (429) as Zendesk asks. Returns the job_status."""
        response = self._send(
            "POST",
            f"/api/v2/custom_objects/{quote(key, safe='')}/jobs",
            body={"job": {"action": action, "items": items}},
            check=holding("job_status", dict),
            # The job cap (30 queued or running jobs per account) frees up as jobs finish: only this
            # submission waits; status polls go on, and they are what confirms the finished jobs.
            on_rate_limit="wait_alone",
        )
        status: dict[str, Any] = json_object(response)["job_status"]
        return status

    def job_status(self, job_id: str) -> dict[str, Any] | None:
        """GET one job's status; None when Zendesk no longer knows the job (statuses expire)."""
        response = self._send(
            "GET",
            f"/api/v2/job_statuses/{quote(job_id, safe='')}",
            accept={NOT_FOUND},
            check=holding("job_status", dict),
        )
        if response.status_code == NOT_FOUND:
            return None
        status: dict[str, Any] = json_object(response)["job_status"]
        return status

    def job_statuses(self, job_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Many jobs' statuses in one request, by id; ShowManyRefusedError when Zendesk refuses the call.

        `GET /api/v2/job_statuses/show_many?ids=` answers in its own order and may leave out jobs it no
        longer knows (wire notes §17): the result is keyed by id, and a missing id is the caller's to check.
        """
        try:
            response = self._send(
                "GET",
                "/api/v2/job_statuses/show_many",
                params={"ids": ",".join(job_ids)},
                check=holding("job_statuses", list),
            )
        except ZendeskAPIError as exc:
            if exc.status in {400, NOT_FOUND, UNPROCESSABLE}:
                raise ShowManyRefusedError(str(exc)) from None
            raise
        statuses = json_object(response)["job_statuses"]
        return {
            str(status["id"]): status for status in statuses if isinstance(status, dict) and "id" in status
        }

    def post_job(
        self,
        method: str,
        path: str,
        body: Any = None,  # noqa: ANN401 (any JSON body)
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send a bulk request of users, organizations or memberships; return its job_status.

        Waits out the job cap's 429 alone, as `submit_job` does. A 403 is BulkRefusedError: for
        `users/create_or_update_many` it means bulk user import is off (wire notes §26.1).
        """
        response = self._send(
            method,
            path,
            params=params,
            body=body,
            accept={FORBIDDEN},
            check=holding("job_status", dict),
            on_rate_limit="wait_alone",
        )
        if response.status_code == FORBIDDEN:
            raise BulkRefusedError(error_message(response))
        status: dict[str, Any] = json_object(response)["job_status"]
        return status

    def create_or_update_user(self, user: dict[str, Any]) -> WriteOutcome:
        """POST one user to `users/create_or_update` (200 updated, 201 created; 422 refuses it)."""
        response = self._create("/api/v2/users/create_or_update", "user", user)
        if response.status_code == UNPROCESSABLE:
            return _outcome(response)
        found = json_object(response)["user"].get("id")
        return WriteOutcome(ok=True, resource_id=None if found is None else str(found))

    def people_fields(self, kind: str) -> list[dict[str, Any]]:
        """Every user or organization field definition (`kind` user | organization), all pages."""
        key = f"{kind}_fields"
        path = f"/api/v2/{key}"
        fields = cursor_list(lambda path, params: self._get_json(path, params, key), path, {}, key)
        if fields is None:
            msg = f"GET /api/v2/{key} does not exist in this account (404)"
            raise UnknownObjectError(msg)
        return fields

    def create_people_field(self, kind: str, body: dict[str, Any]) -> WriteOutcome:
        """POST a new user or organization field (admins only)."""
        return _outcome(self._create(f"/api/v2/{kind}_fields", f"{kind}_field", body))

    def get_listing(self, path: str, params: dict[str, str], key: str) -> dict[str, Any] | None:
        """GET a JSON object holding the list `key` (show_many, search, record filters); None on 404."""
        return self._get_json(path, params, key)

    # --- one request -------------------------------------------------------------------------------

    def _get_json(self, path: str, params: dict[str, str], key: str) -> dict[str, Any] | None:
        """GET a JSON object holding `key`; None on 404."""
        response = self._send("GET", path, params=params, accept={NOT_FOUND}, check=holding(key, list))
        return None if response.status_code == NOT_FOUND else json_object(response)

    def _create(self, path: str, key: str, resource: dict[str, Any]) -> requests.Response:
        """POST one resource wrapped in its key; Zendesk answers it under that key, or refuses it (422)."""
        return self._send(
            "POST", path, body={key: resource}, accept={UNPROCESSABLE}, check=holding(key, dict)
        )

    def _send(  # noqa: PLR0913
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,  # noqa: ANN401 (any JSON body)
        accept: Collection[int] = (),
        check: BodyCheck | None = None,
        on_rate_limit: str = "hold_everyone",
    ) -> requests.Response:
        request = requests.Request(
            method,
            self.connection.base_url + path,
            params=params,
            json=body,
        )
        return self.http.send(
            request.prepare(),
            accept=accept,
            check=check,
            on_rate_limit="wait_alone" if on_rate_limit == "wait_alone" else "hold_everyone",
            credential=self.credential,
        )


def _holding_limit(response: requests.Response) -> str | None:
    """A limits endpoint's 200 holds an integer `limit`; anything else is retried, never read as 0."""
    try:
        limit = json_object(response).get("limit")
    except ValueError as exc:
        return f"a body that is not a JSON object ({exc})"
    if not isinstance(limit, int) or isinstance(limit, bool):
        return "a body without its integer `limit`"
    return None


def _records(key: str) -> str:
    return f"/api/v2/custom_objects/{quote(key, safe='')}/records"


def _outcome(response: requests.Response) -> WriteOutcome:
    if response.status_code == UNPROCESSABLE:
        return WriteOutcome(ok=False, error=f"HTTP {response.status_code}: {error_message(response)}")
    return WriteOutcome(ok=True)
