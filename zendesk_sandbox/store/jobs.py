"""Bulk jobs: queued, then applied by a background worker at a fixed item rate (wire notes §7).

Custom object jobs' per-item result shape (the real one is unconfirmed, wire notes §7): `index`, `id` (record
ULID or null), `external_id`, `success`, `status` (Created | Updated | Deleted | Failed), plus on failure
`error` (a code) and `details` (the 422-style per-field details, or a sentence). Jobs of the other endpoints
(users, organizations, memberships: api/people_items.py) bring their own `apply`, which makes each item's
result. A job drawn by `job_failure_rate` ends `failed` with `results: null` and none of its items applied.
Every job counts toward `max_active_jobs`: all together (`job_cap_scope: account`), or per endpoint.
"""

from __future__ import annotations

import math
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.store.records import RecordNotFoundError, Records
from zendesk_sandbox.store.validation import RecordInvalidError

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.limits.stats import Stats
    from zendesk_sandbox.settings import SandboxSettings

ACTIONS = frozenset(
    {
        "create",
        "update",
        "delete",
        "delete_by_external_id",
        "create_or_update_by_external_id",
        "create_or_update_by_name",
    }
)
TICK_SECONDS = 0.005
ACTIVE = ("queued", "working")
CUSTOM_OBJECT_JOBS = "custom_object_jobs"  # the endpoint of every custom object's jobs, for the cap


@dataclass
class Job:
    """One submitted job and its progress."""

    id: str
    object_key: str
    action: str
    items: list[Any]  # emptied once the job ends; `total` keeps the count
    submitted: float
    doomed: bool
    total: int = 0
    status: str = "queued"
    started: float = 0.0
    progress: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    finished_at: float = 0.0
    finished_monotonic: float = 0.0
    endpoint: str = CUSTOM_OBJECT_JOBS
    # (index, item) -> that item's result; None: a custom object job, applied through `Records`
    apply: Callable[[int, Any], dict[str, Any]] | None = None
    noun: str = "custom object record"  # in the working job's message


class JobRunner:
    """Holds every job and applies working ones on a background thread."""

    def __init__(self, records: Records, settings: Callable[[], SandboxSettings], stats: Stats) -> None:
        """Apply items through `records` at the live `settings`' rates."""
        self.records = records
        self.settings = settings
        self.stats = stats
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reseed()

    def reseed(self) -> None:
        """Re-seed the failure draw from `fault_seed`."""
        self._rng = random.Random(self.settings().faults.fault_seed)  # noqa: S311 - reproducible, not secret

    def start(self) -> None:
        """Start the worker thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="zendesk-sandbox-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker thread (idempotent)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def active_count(self, endpoint: str | None = None) -> int:
        """Return how many jobs are queued or working (of `endpoint` only, when given)."""
        with self._lock:
            return len(self._active(endpoint))

    def _active(self, endpoint: str | None) -> list[Job]:
        return [
            job
            for job in self._jobs.values()
            if job.status in ACTIVE and (endpoint is None or job.endpoint == endpoint)
        ]

    def cap_wait(self, endpoint: str) -> float | None:
        """None when a job of `endpoint` fits under `max_active_jobs`, else the seconds until a slot frees.

        The cap counts the account's active jobs, or with `job_cap_scope: endpoint` only that endpoint's
        (Zendesk's help says the job limit is "specific to each endpoint", unconfirmed: wire notes §26).
        """
        settings = self.settings()
        counted = endpoint if settings.job_cap_scope == "endpoint" else None
        if self.active_count(counted) < settings.max_active_jobs:
            return None
        return self.seconds_until_slot(counted)

    def seconds_until_slot(self, endpoint: str | None = None) -> float:
        """Estimate when the first active job (of `endpoint`) finishes (the job-cap 429's Retry-After)."""
        settings = self.settings()
        now = time.monotonic()
        rate = max(settings.job_items_per_second, 1e-6)
        with self._lock:
            waits = [
                max(job.submitted + settings.job_queue_seconds, job.started or 0.0) + job.total / rate - now
                if job.status == "queued" or not job.started
                else (job.total - job.progress) / rate
                for job in self._active(endpoint)
            ]
        return max(0.0, min(waits)) if waits else 0.0

    def submit(  # noqa: PLR0913 - a custom object job's key and action, or another endpoint's own work
        self,
        object_key: str,
        action: str,
        items: list[Any],
        *,
        endpoint: str = CUSTOM_OBJECT_JOBS,
        apply: Callable[[int, Any], dict[str, Any]] | None = None,
        noun: str = "custom object record",
    ) -> Job:
        """Queue a job; the caller has checked the cap and the item count."""
        with self._lock:
            doomed = self._rng.random() < self.settings().job_failure_rate
            job = Job(
                f"V3-{secrets.token_hex(16)}", object_key, action, items, time.monotonic(), doomed,
                len(items), endpoint=endpoint, apply=apply, noun=noun,
            )  # fmt: skip
            self._forget_old(self.settings().job_retention_seconds)
            self._jobs[job.id] = job
            active = len(self._active(None))
        self.stats.active_jobs(active)
        self._wake.set()
        return job

    def _forget_old(self, retention: float) -> None:
        """Drop jobs that ended over `retention` seconds ago.

        Zendesk keeps statuses briefly (wire notes §7).
        """
        horizon = time.monotonic() - retention
        for job_id in [
            job.id
            for job in self._jobs.values()
            if job.status not in ACTIVE and job.finished_monotonic < horizon
        ]:
            del self._jobs[job_id]

    def get(self, job_id: str) -> Job | None:
        """Return one job."""
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Return every job in submission order."""
        with self._lock:
            return list(self._jobs.values())

    def render(self, job: Job, account_url: str) -> dict[str, Any]:
        """Return the `job_status` object for a job (wire notes §7 real lifecycle)."""
        with self._lock:
            total = job.total
            message: str | None = None
            progress: int | None = None
            results: list[dict[str, Any]] | None = None
            if job.status == "working":
                progress = job.progress
                message = f"Processing {job.noun} {job.progress} of {total}"
            elif job.status == "completed":
                progress = total
                message = "Completed at " + time.strftime(
                    "%Y-%m-%d %H:%M:%S +0000", time.gmtime(job.finished_at)
                )
                results = list(job.results)
            elif job.status == "failed":
                progress = job.progress
                message = "Failed: the job could not be processed; no item was applied"
            return {
                "id": job.id,
                "url": f"{account_url}/api/v2/job_statuses/{job.id}.json",
                "total": total,
                "progress": progress,
                "status": job.status,
                "message": message,
                "results": results,
            }

    # --- worker --------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = self._tick()
            if not busy:
                self._wake.wait(0.05)
                self._wake.clear()
            else:
                time.sleep(TICK_SECONDS)

    def _tick(self) -> bool:
        settings = self.settings()
        now = time.monotonic()
        with self._lock:
            active = self._active(None)
        for job in active:
            if job.status == "queued":
                if now < job.submitted + settings.job_queue_seconds:
                    continue
                job.status, job.started = "working", now
            due = min(job.total, math.floor((now - job.started) * settings.job_items_per_second))
            with self.records.writing():  # one commit per job per tick, not per item
                while job.progress < due:
                    if job.doomed:
                        result = None
                    elif job.apply is not None:
                        result = job.apply(job.progress, job.items[job.progress])
                    else:
                        result = self._apply(job, job.progress)
                    with self._lock:
                        if result is not None:
                            job.results.append(result)
                        job.progress += 1
            if job.progress >= job.total:
                with self._lock:
                    job.status = "failed" if job.doomed else "completed"
                    job.finished_at, job.finished_monotonic = time.time(), time.monotonic()
                    job.items = []
        return bool(active)

    def _apply(self, job: Job, index: int) -> dict[str, Any]:
        item = job.items[index]
        result: dict[str, Any] = {"index": index, "id": None, "external_id": _item_key(job.action, item)}
        if job.action == "create_or_update_by_name" and isinstance(item, dict):
            result["name"] = item.get("name")
        try:
            write = self._write(job, item)
        except RecordInvalidError as invalid:
            # Each item is checked as a single write is, so an item over 32 KB fails alone with the 422's
            # RecordTooLarge details and the job goes on (a sandbox decision: wire notes §16.3 says nothing
            # about jobs).
            return result | {
                "success": False,
                "status": "Failed",
                "error": "RecordInvalid",
                "details": invalid.details,
            }
        except RecordNotFoundError:
            return result | {
                "success": False,
                "status": "Failed",
                "error": "RecordNotFound",
                "details": "Not found",
            }
        except (ValueError, TypeError) as bad:
            return result | {
                "success": False,
                "status": "Failed",
                "error": "InvalidValue",
                "details": str(bad),
            }
        return result | {
            "id": write.record.id,
            "external_id": write.record.external_id,
            "success": True,
            "status": write.status,
        }

    def _write(self, job: Job, item: Json) -> Json:
        key, action = job.object_key, job.action
        if action in {"delete_by_external_id", "delete"}:
            if not isinstance(item, str):
                msg = "a delete item must be a string id"
                raise TypeError(msg)
            return self.records.delete(
                key, "external_id" if action == "delete_by_external_id" else "id", item
            )
        if not isinstance(item, dict):
            msg = "an item must be a record object"
            raise TypeError(msg)
        if action == "create":
            return self.records.create(key, item, in_job=True)
        if action == "update":
            return self.records.update_by_id(key, item, in_job=True)
        by = "name" if action == "create_or_update_by_name" else "external_id"
        value = item.get(by)
        if not isinstance(value, str) or not value:
            msg = f"an item must carry a non-empty {by}"
            raise ValueError(msg)
        return self.records.upsert(key, by, value, {k: v for k, v in item.items() if k != by}, in_job=True)


def _item_key(action: str, item: Json) -> Json:
    """Return the external id an item names, before it is applied."""
    if isinstance(item, dict):
        return item.get("external_id")
    return item if action == "delete_by_external_id" else None
