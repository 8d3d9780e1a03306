"""Bulk jobs: submitting them, keeping up to `max_concurrent_jobs` in flight, polling, reading results.

Job POSTs and status polls run on a few worker threads, so neither the input loop nor other jobs wait for
one request's round trip. A scheduler thread polls when the first job in flight is expected to be done
(the expectation adapts to how long jobs took so far and, once a job reports progress, to its own pace),
and one poll asks for every job in flight at once (`GET /api/v2/job_statuses/show_many`), so polling
costs a small share of the account's budget whatever the number of jobs. If Zendesk refuses show_many,
the run falls back to one job per request, with a log line: a wrong guess costs requests, never records.
Results are read as soon as a job completes (Zendesk keeps statuses only briefly, wire notes §7) and each
item is settled; a job that ends `failed` (or whose status expired) is retried once item by item, or, for
destinations that have no single write (organizations, memberships), sent once more as a job.
The jobs of every destination (custom objects, users, organizations, memberships) share the slots:
`max_in_flight` for the account by default (Zendesk's 30-job cap is unconfirmed to be per endpoint, wire
notes §26.5), or for each job endpoint with `per_endpoint`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from target_zendesk_objects.writing.client import BulkRefusedError, ShowManyRefusedError
from zendesk_objects_shared.errors import describe_details

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from target_zendesk_objects.records.item import WriteItem
    from target_zendesk_objects.writing.client import ZendeskWriteClient

LOGGER = logging.getLogger("target-zendesk-objects")

MAX_JOB_ITEMS = 100  # Zendesk's limit per custom object job (wire notes §7)
MIN_POLL_SECONDS = 0.05
MAX_POLL_SECONDS = 10.0
FIRST_JOB_GUESS_SECONDS = 0.5  # before any job finished: how long one is expected to take
LATE_POLL_FACTOR = 1.25  # a first poll this much later than expected is late
RUNNING = frozenset({"queued", "working"})
# Requests (job POSTs and polls) under way at once: enough that a wave of jobs finishing together is
# seen and refilled within a round trip or two, few enough to stay polite.
MAX_PARALLEL_REQUESTS = 8
# Ids per show_many request. Zendesk documents no maximum (wire notes §17); the 30-job cap means a run
# never has more in flight, and 30 stays far below the 100 that Zendesk's other show_many endpoints take.
SHOW_MANY_MAX_IDS = 30
# Polls may spend at most this share of the account budget's rate...
POLL_BUDGET_SHARE = 0.05
# ...and, in bulk, at most one poll per this many jobs finishing (1 POST + 1/6 poll per 100 records).
JOBS_PER_POLL = 6
# ...unless polling more often costs at most this share of the budget (then polls wait for fewer jobs).
AMPLE_POLL_SHARE = 0.15


@dataclass(frozen=True)
class ItemResult:
    """One job result item read for its record: refused (error), or done, with what Zendesk said."""

    error: str | None
    found_nothing: bool = False  # a delete of what Zendesk did not hold
    resource_id: str | None = None  # the id of the user or organization written, when the item says it
    existed: bool = False  # a membership that was there already


class JobHost(Protocol):
    """What the pipeline asks of the writer: how a job is sent and read, and what becomes of each item."""

    def post_job(self, object_key: str, action: str, items: list[WriteItem]) -> dict[str, Any]:
        """Send one job; return its job_status (BulkRefusedError: the endpoint answered 403)."""

    def interpret(self, object_key: str, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """Read one job result item for its write."""

    def endpoint(self, object_key: str, action: str) -> str:
        """The job endpoint a job of `action` goes to (its slots, when they are counted per endpoint)."""

    def single_writes(self, object_key: str) -> bool:
        """Whether an item of `object_key` can be written alone."""

    def bulk_refused(
        self, object_key: str, action: str, items: list[WriteItem], error: BulkRefusedError
    ) -> None:
        """Zendesk refused the bulk endpoint (403): write the items another way, or fail the run."""

    def settle(
        self,
        item: WriteItem,
        error: str | None,
        *,
        found_nothing: bool = False,
        resource_id: str | None = None,
        existed: bool = False,
    ) -> None:
        """Record an item's fate: confirmed (error None) or rejected with Zendesk's error."""

    def send_one(self, item: WriteItem) -> None:
        """Write one item by itself now, and settle it."""


@dataclass
class InFlightJob:
    """A submitted job and when to look at it next."""

    id: str
    object_key: str
    action: str
    items: list[WriteItem]
    submitted: float
    next_poll: float
    endpoint: str = ""
    attempt: int = 1  # 2: sent again after the first one ended failed
    last_polled: float = 0.0
    polling: bool = False
    # The first poll that saw the job under way (when, and its progress then): its pace is measured
    # from there, over the longest span there is, not between two polls a moment apart.
    started_seen: tuple[float, int] | None = None


def job_item(action: str, item: WriteItem) -> Any:  # noqa: ANN401 (a JSON value)
    """The job item for one write: the external id for deletes, else the record with its key."""
    if action == "delete_by_external_id":
        return item.key
    return item.body | {item.match_on: item.key}


class JobPipeline:
    """Submits jobs without waiting for them, unless `max_in_flight` are already running."""

    def __init__(
        self, client: ZendeskWriteClient, host: JobHost, *, max_in_flight: int, per_endpoint: bool = False
    ) -> None:
        """Send and read jobs as `host` says, `max_in_flight` at once (per endpoint with `per_endpoint`)."""
        self.client = client
        self.max_in_flight = max_in_flight
        self.per_endpoint = per_endpoint
        self._host = host
        self._cond = threading.Condition()
        self._jobs: dict[str, InFlightJob] = {}
        self._reserved: Counter[str] = Counter()  # job POSTs under way, by endpoint
        self._busy_keys: Counter[tuple[str, str]] = Counter()
        self._failure: BaseException | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._post_lock = threading.Lock()
        self._workers = ThreadPoolExecutor(
            max_workers=min(MAX_PARALLEL_REQUESTS, max_in_flight + 1), thread_name_prefix="jobs"
        )
        self._expected_seconds = FIRST_JOB_GUESS_SECONDS
        self._show_many = True  # until Zendesk refuses it once
        self._last_poll = 0.0
        self.jobs_submitted = 0
        self.jobs_failed = 0
        self.polls = 0
        self.max_in_flight_seen = 0

    @property
    def in_flight(self) -> int:
        """How many jobs are submitted and not yet settled."""
        with self._cond:
            return len(self._jobs)

    def submit(self, object_key: str, action: str, items: list[WriteItem]) -> None:
        """Send one job, first waiting for a free slot and for earlier writes of the same keys.

        The slot and the keys are taken here, in input order; the POST itself runs on a worker thread.
        """
        keys = [(object_key, item.key) for item in items]
        endpoint = self._host.endpoint(object_key, action)
        with self._cond:
            self._wait_until(
                lambda: (
                    self._occupied(endpoint) < self.max_in_flight
                    and not any(self._busy_keys[k] for k in keys)
                )
            )
            self._reserved[endpoint] += 1
            self._busy_keys.update(keys)
        self._start_poller()
        self._workers.submit(self._guarded, self._post, object_key, action, items)

    def _occupied(self, endpoint: str) -> int:
        """Under the lock: the slots taken that count against a new job of `endpoint`."""
        if not self.per_endpoint:
            return len(self._jobs) + self._reserved.total()
        return sum(job.endpoint == endpoint for job in self._jobs.values()) + self._reserved[endpoint]

    def _post(self, object_key: str, action: str, items: list[WriteItem], attempt: int = 1) -> None:
        endpoint = self._host.endpoint(object_key, action)
        try:
            # One POST at a time: when the account's job cap is full, a single submission waits out the
            # 429's Retry-After while the others queue behind it instead of collecting refusals of their own.
            with self._post_lock:
                status = self._host.post_job(object_key, action, items)
        except BulkRefusedError as refused:
            # The slot stays reserved until the items are written another way: wait_all waits for them.
            try:
                self._host.bulk_refused(object_key, action, items, refused)
            finally:
                self._free_keys(object_key, items)
                self._unreserve(endpoint)
            return
        except BaseException:
            self._unreserve(endpoint)
            raise
        now = time.monotonic()
        job = InFlightJob(
            str(status["id"]),
            object_key,
            action,
            items,
            now,
            now + self._first_poll_delay(),
            endpoint,
            attempt,
        )
        with self._cond:
            self._reserved[endpoint] -= 1
            self._jobs[job.id] = job
            self.jobs_submitted += 1
            self.max_in_flight_seen = max(self.max_in_flight_seen, len(self._jobs))
            self._cond.notify_all()

    def wait_keys_free(self, object_key: str, keys: Iterable[str]) -> None:
        """Wait until no job in flight writes any of these keys (so a later write lands last)."""
        wanted = [(object_key, key) for key in keys]
        with self._cond:
            self._wait_until(lambda: not any(self._busy_keys[k] for k in wanted))

    def wait_all(self) -> None:
        """Wait until every submitted job is settled; re-raise what stopped the poller, if anything."""
        with self._cond:
            self._wait_until(lambda: not self._jobs and not self._reserved.total())

    def _unreserve(self, endpoint: str) -> None:
        with self._cond:
            self._reserved[endpoint] -= 1
            self._cond.notify_all()

    def _free_keys(self, object_key: str, items: list[WriteItem]) -> None:
        with self._cond:
            self._busy_keys.subtract((object_key, item.key) for item in items)
            self._busy_keys += Counter()  # drop zero counts
            self._cond.notify_all()

    def raise_if_failed(self) -> None:
        """Re-raise in the caller's thread what stopped the poller."""
        with self._cond:
            self._raise_failure()

    def close(self) -> None:
        """Stop the scheduler thread and the workers."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._workers.shutdown(wait=False, cancel_futures=True)

    def _wait_until(self, done: Callable[[], bool]) -> None:
        """Under the lock: wait until `done()`, re-raising what stopped a worker."""
        while self._failure is None and not done():
            self._cond.wait(1.0)
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _start_poller(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._poll_loop, name="job-poller", daemon=True)
            self._thread.start()

    def _first_poll_delay(self) -> float:
        return min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, self._expected_seconds))

    # --- the scheduler thread and the workers ------------------------------------------------------

    def _poll_loop(self) -> None:
        """Hand the jobs in flight to a worker for polling when the first is due."""
        while True:
            with self._cond:
                if self._failure is not None or (self._stopping and not self._jobs):
                    return
                waiting = [job for job in self._jobs.values() if not job.polling]
                if not waiting:
                    self._cond.wait(1.0)
                    continue
                due = self._poll_at(sorted(job.next_poll for job in waiting))
                delay = due - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                if self._show_many:
                    batch = sorted(waiting, key=lambda j: j.next_poll)[:SHOW_MANY_MAX_IDS]
                else:
                    batch = [min(waiting, key=lambda j: j.next_poll)]
                for job in batch:
                    job.polling = True
                self._last_poll = now = time.monotonic()
                LOGGER.debug(
                    "Polling %d jobs (%d due; a job takes about %.2f s; %d job POSTs queued)",
                    len(batch),
                    sum(job.next_poll <= now for job in batch),
                    self._expected_seconds,
                    self._reserved.total(),
                )
            self._workers.submit(self._guarded, self._poll, batch)

    def _poll_at(self, dues: list[float]) -> float:
        """When to poll next, given when each job not being polled is expected to be done (sorted).

        With show_many one poll settles every job that is done, so it waits until a few are due
        (`JOBS_PER_POLL`, or all there are), yet never leaves a due job more than half a job's time.
        While job POSTs queue for the account budget, the budget (not the job slots) sets the pace: polls
        then also keep to a small share of it, so that they do not hold the POSTs back.
        """
        if not self._show_many:
            return dues[0]
        jobs_per_poll = self._jobs_per_poll()
        enough = dues[min(jobs_per_poll, len(dues)) - 1]
        at = min(enough, dues[0] + self._expected_seconds / 2)
        if self._reserved.total() and jobs_per_poll == JOBS_PER_POLL:
            at = max(at, self._last_poll + 1.0 / (POLL_BUDGET_SHARE * self.client.budget_per_second()))
        return max(at, self._last_poll + MIN_POLL_SECONDS)

    def _jobs_per_poll(self) -> int:
        """How many due jobs a poll waits for: `JOBS_PER_POLL` when the budget is tight, fewer with room.

        Jobs finish at about `max_in_flight / expected seconds` a second; polling for every
        `JOBS_PER_POLL` of them costs at most 1/6 request per 100 records. When that many polls would
        still cost less than `AMPLE_POLL_SHARE` of the budget, polls wait for fewer jobs, so a finished
        job's slot is refilled sooner: the budget left over buys throughput, not idle slots.
        """
        finishing = self.max_in_flight / max(self._expected_seconds, MIN_POLL_SECONDS)
        affordable = AMPLE_POLL_SHARE * self.client.budget_per_second()
        return max(1, min(JOBS_PER_POLL, math.ceil(finishing / affordable)))

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:  # noqa: ANN401
        try:
            work(*args)
        except BaseException as exc:  # noqa: BLE001 (handed to the input thread, which raises it)
            with self._cond:
                if self._failure is None:
                    self._failure = exc
                self._cond.notify_all()

    def _poll(self, jobs: list[InFlightJob]) -> None:
        statuses: dict[str, dict[str, Any] | None] = {}
        if self._show_many:
            try:
                found = self.client.job_statuses([job.id for job in jobs])
            except ShowManyRefusedError as exc:
                self._show_many = False
                LOGGER.warning(
                    "Zendesk refused job_statuses/show_many (%s): polling one job per request from now on",
                    exc,
                )
            else:
                self._count_poll()
                statuses = dict(found)
        for job in jobs:
            if job.id not in statuses:
                # Not asked, refused, or left out of the answer (unknown to Zendesk, or expired): ask alone.
                self._count_poll()
                statuses[job.id] = self.client.job_status(job.id)
        now = time.monotonic()
        for job in jobs:
            self._take_status(job, statuses[job.id], now)

    def _count_poll(self) -> None:
        with self._cond:
            self.polls += 1

    def _take_status(self, job: InFlightJob, status: dict[str, Any] | None, now: float) -> None:
        state = None if status is None else str(status.get("status"))
        if status is not None and state in RUNNING:
            with self._cond:
                job.next_poll = now + self._next_delay(job, status, now)
                job.polling = False
                self._cond.notify_all()
            return
        if status is not None and state == "completed":
            self._learn_duration(job, now)
            self._read_results(job, status.get("results"))
        else:
            self.jobs_failed += 1
            why = "its status expired" if status is None else f"it ended {state}: {status.get('message')}"
            if not self._host.single_writes(job.object_key) and job.attempt == 1:
                self._send_again(job, why)
                return
            alone = self._host.single_writes(job.object_key)
            LOGGER.warning(
                "Job %s (%d items for %s) did not complete (%s); %s",
                job.id,
                len(job.items),
                job.object_key,
                why,
                "writing its items one by one" if alone else "rejecting its items",
            )
            for item in job.items:
                if alone:
                    self._host.send_one(item)
                else:
                    self._host.settle(item, f"Zendesk's job did not complete twice ({why})")
        with self._cond:
            del self._jobs[job.id]
        self._free_keys(job.object_key, job.items)

    def _send_again(self, job: InFlightJob, why: str) -> None:
        """Send a failed job's items once more as one job, in its slot (its keys stay busy)."""
        LOGGER.warning(
            "Job %s (%d items for %s) did not complete (%s); sending its items again as one job",
            job.id,
            len(job.items),
            job.object_key,
            why,
        )
        with self._cond:
            del self._jobs[job.id]
            self._reserved[job.endpoint] += 1
            self._cond.notify_all()
        self._workers.submit(self._guarded, self._post, job.object_key, job.action, job.items, 2)

    def _learn_duration(self, job: InFlightJob, now: float) -> None:
        # Later jobs are first polled when this expectation says they are done. Done at a first poll that
        # came when expected: it may have been done well before, so aim a little earlier next time (a first
        # poll that came late, waiting for other jobs, says nothing new). Seen running at the last poll: it
        # ended between that poll and this one, so the middle of the two moves the expectation.
        elapsed = now - job.submitted
        if not job.last_polled:
            if elapsed <= self._expected_seconds * LATE_POLL_FACTOR:
                self._expected_seconds *= 0.95
        else:
            ended = (job.last_polled + now) / 2 - job.submitted
            self._expected_seconds = 0.7 * self._expected_seconds + 0.3 * ended

    def _next_delay(self, job: InFlightJob, status: dict[str, Any], now: float) -> float:
        total, progress = status.get("total") or len(job.items), status.get("progress") or 0
        elapsed = now - job.submitted
        working = status.get("status") == "working"
        if working and progress and job.started_seen is None:
            job.started_seen = (now, progress)
        seen_at, seen_progress = job.started_seen or (now, progress)
        if working and progress > seen_progress:
            # The job's pace since it was first seen under way says when it will be done.
            remaining = (total - progress) / ((progress - seen_progress) / (now - seen_at))
        elif working and progress:
            # Pace since submission (queue wait included, so an overestimate). With show_many every
            # poll asks about every job, so the next one measures the real pace anyway: aim at the
            # time jobs have been taking. Polled alone, look again soon enough to measure it.
            by_pace = elapsed * (total - progress) / progress
            soon = max(self._expected_seconds - elapsed, 0.0) if self._show_many else elapsed * 0.5
            remaining = min(by_pace, soon)
        else:
            # Not started: wait for what earlier jobs took, or back off geometrically past it.
            remaining = max(self._expected_seconds - elapsed, elapsed * 0.5)
        job.last_polled = now
        return min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, remaining))

    def _read_results(self, job: InFlightJob, results: Any) -> None:  # noqa: ANN401 (JSON)
        by_index: dict[int, dict[str, Any]] = {}
        for position, result in enumerate(results if isinstance(results, list) else []):
            if isinstance(result, dict):
                index = result.get("index")
                by_index[index if isinstance(index, int) else position] = result
        for index, item in enumerate(job.items):
            result = by_index.get(index)
            if result is None:
                # No word on this item: write it by itself rather than guess (or, where nothing can be
                # written alone, reject it with the reason).
                if self._host.single_writes(job.object_key):
                    self._host.send_one(item)
                else:
                    self._host.settle(item, f"Zendesk's job {job.id} gave no result for this record")
                continue
            found = self._host.interpret(job.object_key, job.action, item, result)
            self._host.settle(
                item,
                found.error,
                found_nothing=found.found_nothing,
                resource_id=found.resource_id,
                existed=found.existed,
            )


def custom_object_result(item: WriteItem, result: dict[str, Any]) -> ItemResult:
    """Read a custom object job's result item (its shape is unconfirmed: wire notes §7)."""
    # A delete of a record Zendesk does not hold (a replay after a crash deletes again) is done.
    if item.delete and result.get("error") == "RecordNotFound":
        return ItemResult(None, found_nothing=True)
    return ItemResult(result_error(result))


def result_error(result: dict[str, Any]) -> str | None:
    """None when a job result item succeeded, else Zendesk's error for it as one line."""
    failed = result.get("success") is False or str(result.get("status", "")).lower() == "failed"
    error = result.get("error") or result.get("errors")
    if not failed and not error:
        return None
    details = result.get("details")
    if isinstance(details, dict):
        details = describe_details(details)
    return ": ".join(str(part) for part in (error or "Failed", details) if part)
