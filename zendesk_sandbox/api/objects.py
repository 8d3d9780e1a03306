"""Custom object endpoints other than the export: metadata, record list, upsert, delete, jobs, job status."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from zendesk_sandbox.gateway import wire
from zendesk_sandbox.limits.budgets import retry_after_text
from zendesk_sandbox.store.jobs import ACTIONS, CUSTOM_OBJECT_JOBS
from zendesk_sandbox.store.records import RecordNotFoundError
from zendesk_sandbox.store.validation import RecordInvalidError

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.store.database import StoredRecord
    from zendesk_sandbox.store.jobs import Job

MAX_LIST_PAGE = 100  # wire notes §4: page[size] <= 100 on the record list
MAX_JOB_ITEMS = 100  # wire notes §7
V3_PREFIX = "V3-"  # custom object job ids (wire notes §7)
# wire notes §15: page[size] <= 100, so a longer list could not come back on one page
MAX_FILTER_VALUES = 100
_SORTS = {"id", "-id", "updated_at", "-updated_at"}


def object_not_found() -> wire.Response:
    """Return the 404 for an unknown custom object key (wire notes §8 RecordNotFound)."""
    return wire.record_not_found()


def list_objects(core: Core) -> wire.Response:
    """Serve GET /api/v2/custom_objects."""
    account = core.account_url()
    return wire.json_response(
        200,
        {"custom_objects": [_object_body(meta.body, account) for meta in core.records.objects().values()]},
    )


def show_object(core: Core, key: str) -> wire.Response:
    """Serve GET /api/v2/custom_objects/{key}."""
    meta = core.records.objects().get(key)
    if meta is None:
        return object_not_found()
    return wire.json_response(200, {"custom_object": _object_body(meta.body, core.account_url())})


def _object_body(body: dict[str, Any], account: str) -> dict[str, Any]:
    return body | {"url": f"{account}/api/v2/custom_objects/{body['key']}.json"}


def list_fields(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve GET /api/v2/custom_objects/{key}/fields (standard fields only with include_standard_fields)."""
    meta = core.records.objects().get(key)
    if meta is None:
        return object_not_found()
    standard = request.query.get("include_standard_fields", "").lower() == "true"
    account = core.account_url()
    fields = [
        field | {"url": f"{account}/api/v2/custom_objects/{key}/fields/{field['id']}.json"}
        for field in meta.fields
        if standard or not field["system"]
    ]
    return wire.json_response(200, {"custom_object_fields": fields})


def list_records(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve GET /api/v2/custom_objects/{key}/records with cursor pagination (wire notes §4)."""
    if key not in core.records.objects():
        return object_not_found()
    query = request.query
    sort = query.get("sort", "id")
    if sort not in _SORTS:
        return wire.classic_error(400, "InvalidPaginationParameter", "sort is not valid")
    try:
        size = int(query.get("page[size]", str(MAX_LIST_PAGE)))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_LIST_PAGE:
        return wire.classic_error(400, "InvalidPaginationParameter", "page[size] must be between 1 and 100")
    records = _filtered(core, key, query)
    if isinstance(records, wire.Response):
        return records
    field = sort.lstrip("-")
    records.sort(key=lambda record: _sort_key(record, field), reverse=sort.startswith("-"))
    start = 0
    if "page[after]" in query:
        after = _decode_list_cursor(query["page[after]"])
        if after is None:
            return wire.classic_error(400, "InvalidPaginationParameter", "page[after] is not valid")
        start = next((i + 1 for i, record in enumerate(records) if record.id == after), len(records))
    page = records[start : start + size]
    has_more = start + size < len(records)
    after_cursor = _encode_list_cursor(page[-1].id) if page else None
    before_cursor = _encode_list_cursor(page[0].id) if page and start > 0 else None
    base = f"{core.navigation_url(request.request_base)}/api/v2/custom_objects/{key}/records"
    account = core.account_url()
    return wire.json_response(
        200,
        {
            "custom_object_records": [core.records.render(record, account, masked=False) for record in page],
            "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
            "links": {
                "prev": f"{base}?page[before]={quote(before_cursor)}&page[size]={size}"
                if before_cursor
                else None,
                "next": f"{base}?page[after]={quote(after_cursor)}&page[size]={size}"
                if has_more and after_cursor
                else None,
            },
        },
    )


def _filtered(core: Core, key: str, query: dict[str, str]) -> list[StoredRecord] | wire.Response:
    """Return the live records `filter[ids]` and `filter[external_ids]` name (case-sensitive), or all."""
    filters = {"id": query.get("filter[ids]"), "external_id": query.get("filter[external_ids]")}
    if filters["id"] is None and filters["external_id"] is None:
        return core.store.records(key, include_deleted=False)
    found: list[StoredRecord] | None = None
    for column, raw in filters.items():
        if raw is None:
            continue
        values = [value for value in raw.split(",") if value]
        if len(values) > MAX_FILTER_VALUES:
            return wire.too_many_values()
        if len(set(values)) != len(values):
            # OAS: "The ids must be unique"; a list with repeats is refused (the real answer is unconfirmed)
            return wire.classic_error(400, "InvalidValue", f"filter[{column}s] values must be unique")
        matched = core.store.live_records_by(key, column, values)
        found = matched if found is None else [record for record in found if record in matched]
    return found or []


def _sort_key(record: StoredRecord, field: str) -> tuple[Any, ...]:
    return (record.updated_ts, record.id) if field == "updated_at" else (record.id,)


def _encode_list_cursor(record_id: str) -> str:
    return base64.urlsafe_b64encode(f"id:{record_id}".encode()).decode()


def _decode_list_cursor(cursor: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    return text.removeprefix("id:") if text.startswith("id:") else None


def _record_key(request: wire.Request) -> tuple[str, str] | wire.Response:
    external_id, name = request.query.get("external_id"), request.query.get("name")
    if (external_id is None) == (name is None):
        # OAS: exactly one of external_id and name, never both
        return wire.classic_error(400, "InvalidValue", "Provide exactly one of external_id or name")
    return ("external_id", external_id) if external_id is not None else ("name", name or "")


def upsert_record(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve PATCH /api/v2/custom_objects/{key}/records?external_id=|name= (wire notes §6)."""
    if key not in core.records.objects():
        return object_not_found()
    found = _record_key(request)
    if isinstance(found, wire.Response):
        return found
    payload = request.json_body()  # readable: zendesk.handle refuses other bodies with 422
    if not isinstance(payload, dict) or "custom_object_record" not in payload:
        return wire.classic_error(400, "InvalidValue", "custom_object_record is required")
    by, value = found
    try:
        result = core.records.upsert(key, by, value, payload["custom_object_record"])
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    # The OAS documents only 200 for this operation; whether a create answers 201 is unconfirmed
    # (wire notes §6).
    return wire.json_response(
        200, {"custom_object_record": core.records.render(result.record, core.account_url(), masked=False)}
    )


def create_record(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve POST /api/v2/custom_objects/{key}/records: a new record, 201 (wire notes §6, OAS)."""
    if key not in core.records.objects():
        return object_not_found()
    try:
        payload = request.json_body()
    except (ValueError, UnicodeDecodeError):
        return wire.classic_error(400, "InvalidValue", "The request body is not valid JSON")
    if not isinstance(payload, dict) or "custom_object_record" not in payload:
        return wire.classic_error(400, "InvalidValue", "custom_object_record is required")
    try:
        result = core.records.create(key, payload["custom_object_record"])
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    return wire.json_response(
        201, {"custom_object_record": core.records.render(result.record, core.account_url(), masked=False)}
    )


def delete_record(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve DELETE /api/v2/custom_objects/{key}/records?external_id=|name= (204, or 404 RecordNotFound)."""
    meta = core.records.objects().get(key)
    if meta is None:
        return object_not_found()
    found = _record_key(request)
    if isinstance(found, wire.Response):
        return found
    by, value = found
    if by == "name" and meta.name_mode != "unique":
        return wire.record_invalid(
            {
                "name": [
                    {"error": "InvalidValue", "description": "Name must be unique to delete records by name"}
                ]
            }
        )
    try:
        core.records.delete(key, by, value)
    except RecordNotFoundError:
        return wire.record_not_found()
    return wire.Response(204, b"", "")


def create_job(core: Core, request: wire.Request, key: str) -> wire.Response:
    """Serve POST /api/v2/custom_objects/{key}/jobs: validate, apply the job cap, queue.

    Answers 200 (wire notes §7).
    """
    if key not in core.records.objects():
        return object_not_found()
    # readable: zendesk.handle refused any other body with 422 (one unreadable item refuses the job)
    payload = request.json_body()
    job = payload.get("job") if isinstance(payload, dict) else None
    if not isinstance(job, dict):
        return wire.classic_error(400, "InvalidValue", "job is required")
    action, items = job.get("action"), job.get("items")
    if action not in ACTIONS:
        return wire.classic_error(400, "InvalidValue", f"action must be one of {', '.join(sorted(ACTIONS))}")
    if not isinstance(items, list) or not items:
        return wire.classic_error(400, "InvalidValue", "items must be a non-empty list")
    if len(items) > MAX_JOB_ITEMS:
        return wire.too_many_values()
    return queued(core, CUSTOM_OBJECT_JOBS, lambda: core.jobs.submit(key, str(action), items))


def queued(core: Core, endpoint: str, submit: Callable[[], Job]) -> wire.Response:
    """The job cap, then the job: a 429 while `endpoint` has no free slot, else `submit()`'s job status.

    Real bulk endpoints answer 200 where the OAS says 201 (wire notes §7); we follow the real ones.
    """
    wait = core.jobs.cap_wait(endpoint)
    if wait is not None:
        core.stats.limited("job_limit")
        return wire.job_limited(retry_after_text(wait, core.settings().window_seconds))
    return wire.json_response(200, {"job_status": core.jobs.render(submit(), core.account_url())})


def job_status(core: Core, job_id: str) -> wire.Response:
    """Serve GET /api/v2/job_statuses/{id}."""
    job = core.jobs.get(job_id)
    if job is None:
        return wire.record_not_found()
    return wire.json_response(200, {"job_status": core.jobs.render(job, core.account_url())})


def job_statuses(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/job_statuses/show_many?ids=a,b,c (wire notes §17; the decisions are the sandbox's).

    Zendesk documents no maximum and no word on custom object (`V3-`) ids; the sandbox takes
    `job_status_show_many_max_ids` ids (100) and, unless `job_status_show_many_accepts_v3` is off, V3- ids.
    Unknown and forgotten ids are left out (as users/show_many leaves out what it cannot find); the list is
    sorted by id, not in request order (wire notes §15: show_many endpoints answer in their own order).
    """
    settings = core.settings()
    ids = [part.strip() for part in request.query.get("ids", "").split(",") if part.strip()]
    if not ids:
        return wire.classic_error(400, "InvalidValue", "ids is required: a comma-separated list of job ids")
    if len(ids) > settings.job_status_show_many_max_ids:
        return wire.too_many_values(settings.job_status_show_many_max_ids)
    if not settings.job_status_show_many_accepts_v3:
        refused = [job_id for job_id in ids if job_id.upper().startswith(V3_PREFIX)]
        if refused:
            return wire.classic_error(400, "InvalidValue", f"ids: not a valid job status id: {refused[0]}")
    account = core.account_url()
    jobs = [job for job in (core.jobs.get(job_id) for job_id in sorted(set(ids))) if job is not None]
    return wire.json_response(200, {"job_statuses": [core.jobs.render(job, account) for job in jobs]})
