"""The write modes: per-record PATCH (`upsert`), pipelined bulk jobs (`jobs`), or both (`auto`)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from target_zendesk_objects.writing.jobs import MAX_JOB_ITEMS, JobPipeline, custom_object_result, job_item

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from target_zendesk_objects.records.item import WriteItem
    from target_zendesk_objects.records.keys import Alias
    from target_zendesk_objects.writing.checkpoints import CheckpointLedger
    from target_zendesk_objects.writing.client import BulkRefusedError, WriteOutcome, ZendeskWriteClient
    from target_zendesk_objects.writing.jobs import ItemResult
    from target_zendesk_objects.writing.rejections import RejectionLog

LOGGER = logging.getLogger("target-zendesk-objects")

# `auto`: when a checkpoint closes over at most this many records, they go by PATCH. A job costs one POST
# plus one to three status polls and a queue wait before Zendesk even starts; a PATCH costs one request
# and confirms at once. Up to five records, PATCHes cost about as many requests as a job and confirm sooner;
# beyond that, a job is cheaper in requests (1 POST + polls for up to 100 records).
AUTO_PATCH_MAX_RECORDS = 5
PROGRESS_EVERY_SECONDS = 5.0
WARN_IGNORED_DELETES = 5  # ignored deletes: a warning for the first few, then only the summary's count
UPSERT_ACTION = {"external_id": "create_or_update_by_external_id", "name": "create_or_update_by_name"}
CUSTOM_OBJECT_JOBS = "custom_object_jobs"  # every custom object's jobs: one endpoint for the job cap


class WriteDestination(Protocol):
    """What the writer asks of a destination besides custom objects (users, organizations, memberships)."""

    # Whether one write can go alone (the fallback after a failed job, `upsert` mode, `auto`'s trickle).
    single_writes: ClassVar[bool]

    def alone(self, item: WriteItem, *, upsert_mode: bool) -> bool:
        """Whether `item` goes by itself rather than into a job."""

    def submit(self, items: list[WriteItem]) -> None:
        """Send a flushed buffer of writes (at most 100, distinct keys) as this destination's jobs."""

    def refused(self, action: str, items: list[WriteItem], error: BulkRefusedError) -> None:
        """A 403 to a bulk endpoint: write the items another way, or fail the run."""

    def post(self, action: str, items: Sequence[WriteItem]) -> dict[str, Any]:
        """Send one job of `action` holding `items`; return its job_status."""

    def send_one(self, item: WriteItem) -> WriteOutcome:
        """Write one item alone (only where `single_writes`)."""

    def endpoint(self, action: str) -> str:
        """The job endpoint of `action`, for the job cap counted per endpoint."""

    def interpret(self, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """Read one job result item for `item`."""


class RecordWriter:
    """Takes writes from the sink in input order and settles each one in the checkpoint ledger.

    In `jobs` and `auto` mode writes wait in one buffer per object (a later write of a key merges into the
    earlier one, last wins) until the buffer holds 100 keys or a STATE arrives; then they leave as jobs
    (or, in `auto`, as PATCHes when only a handful came since the last STATE). A write never overtakes an
    earlier write of the same key still in flight.
    """

    def __init__(  # noqa: PLR0913 (the writer's collaborators and its settings)
        self,
        client: ZendeskWriteClient,
        ledger: CheckpointLedger,
        rejections: RejectionLog,
        *,
        mode: str,
        max_concurrent_jobs: int,
        leave_unresolved_empty: bool = False,
        jobs_per_endpoint: bool = False,
    ) -> None:
        """Write through `client` in `mode`, settling records in `ledger`, refusals in `rejections`.

        `leave_unresolved_empty`: a record whose `name:` lookup Zendesk refuses is written
        again with that lookup empty (`lookup_unresolved: empty`). `jobs_per_endpoint`: the
        `max_concurrent_jobs` slots are each job endpoint's, not shared by all (`job_limit_scope`).
        """
        self.client = client
        self.ledger = ledger
        self.rejections = rejections
        self.mode = mode
        self.leave_unresolved_empty = leave_unresolved_empty
        # Whether job items may carry `name:` lookup values (wire notes §14.2: unconfirmed).
        # Until Zendesk shows otherwise they do; a job item refused while the same record by PATCH is
        # accepted turns them off for the rest of the run: such records then go by PATCH.
        self.prefixes_in_jobs = True
        self.pipeline = JobPipeline(
            client, self, max_in_flight=max_concurrent_jobs, per_endpoint=jobs_per_endpoint
        )
        # zen:user, zen:organization, zen:organization_membership: set by the runtime once built
        self.destinations: Mapping[str, WriteDestination] = {}
        # What a settled write taught about its keys (the resolver's cache): (alias, ids or None)
        self.learned: Callable[[Alias, tuple[str, ...] | None], None] = lambda _alias, _ids: None
        self._pending: Counter[Alias] = Counter()  # aliases of writes taken and not yet settled
        self._pending_cond = threading.Condition()
        self.deletes_ignored: Counter[str] = Counter()  # deletes `allow_deletes` does not allow, by object
        self.memberships_existed = 0
        self._buffers: dict[str, dict[str, WriteItem]] = {}
        self._since_checkpoint = 0
        self._lock = threading.Lock()
        self.confirmed = 0
        self.patched = 0
        # Deletes of records Zendesk did not hold: done (a replay after a crash deletes again), but a
        # user whose input deletes keys that never reached Zendesk should see how many.
        self.deletes_found_nothing = 0
        self._started = time.monotonic()
        self._logged = self._started

    def write(self, item: WriteItem) -> None:
        """Take one record's write, in input order."""
        self.pipeline.raise_if_failed()
        self._register(item)
        destination = self.destinations.get(item.object_key)
        alone = destination.alone(item, upsert_mode=self.mode == "upsert") if destination else None
        if alone or (
            destination is None and (self.mode == "upsert" or (item.prefixed and not self.prefixes_in_jobs))
        ):
            self._flush_key(item)
            self.write_one(item)
            return
        buffer = self._buffers.setdefault(item.object_key, {})
        earlier = buffer.get(item.key)
        if earlier is not None:
            new_aliases = [alias for alias in item.aliases if alias not in earlier.aliases]
            earlier.absorb(item)
            self._count_pending(new_aliases, 1)
            item.registered = False  # its aliases now belong to the earlier write, settled with it
        else:
            buffer[item.key] = item
        self._since_checkpoint += 1
        if len(buffer) >= MAX_JOB_ITEMS:
            self._submit(item.object_key)

    def ignore_delete(self, stream: str, object_key: str, number: int) -> None:
        """A delete of a user or organization that `allow_deletes` does not name: counted, logged, settled."""
        self.deletes_ignored[object_key] += 1
        seen = self.deletes_ignored[object_key]
        if seen <= WARN_IGNORED_DELETES:
            LOGGER.warning(
                "Ignored a delete of %s (stream %s): deletes of %s are off unless `allow_deletes` names it%s",
                object_key,
                stream,
                object_key,
                " (further ones are only counted)" if seen == WARN_IGNORED_DELETES else "",
            )
        self.ledger.settle([number])

    # --- writes of this run that a lookup may wait for -----------------------------------------------

    def pending(self, alias: Alias) -> bool:
        """Whether a write taken and not yet settled may create or change what `alias` finds."""
        with self._pending_cond:
            return self._pending[alias] > 0

    def settle_aliases(self, aliases: Iterable[Alias]) -> None:
        """Send the buffered writes holding any of `aliases` and wait until every such write is settled."""
        wanted = set(aliases)
        for object_key, buffer in list(self._buffers.items()):
            if any(wanted.intersection(item.aliases) for item in buffer.values()):
                self._submit(object_key)
        with self._pending_cond:
            while any(self._pending[alias] > 0 for alias in wanted):
                self.pipeline.raise_if_failed()
                self._pending_cond.wait(0.5)

    def _register(self, item: WriteItem) -> None:
        if not item.registered:
            item.registered = True
            self._count_pending(item.aliases, 1)

    def _count_pending(self, aliases: Iterable[Alias], step: int) -> None:
        with self._pending_cond:
            for alias in aliases:
                self._pending[alias] += step
                if self._pending[alias] <= 0:
                    del self._pending[alias]
            self._pending_cond.notify_all()

    def _learn(self, item: WriteItem, error: str | None, resource_id: str | None) -> None:
        """Tell the resolver's cache what the write did to its keys, and stop counting it as pending."""
        if error is not None or not (item.delete or resource_id):
            known = None  # refused, or Zendesk did not say the id: looked up again when asked
        else:
            known = () if item.delete else (str(resource_id),)
        for alias in item.aliases:
            self.learned(alias, known)
        if item.registered:
            item.registered = False
            self._count_pending(item.aliases, -1)

    def reject(
        self, stream: str, external_id: str | None, record: dict[str, Any], error: str, number: int
    ) -> None:
        """Record a record refused before any request, and settle it."""
        self.rejections.record(stream, external_id, record, error)
        self.ledger.settle([number])

    def checkpoint(self) -> None:
        """A STATE arrived: send everything buffered, so the STATE can follow once Zendesk confirms it."""
        if self.mode == "auto" and self._since_checkpoint <= AUTO_PATCH_MAX_RECORDS:
            buffers, self._buffers = self._buffers, {}
            for object_key, buffer in buffers.items():
                destination = self.destinations.get(object_key)
                if destination is None:
                    for item in buffer.values():
                        self.write_one(item)
                    continue
                alone = [item for item in buffer.values() if destination.alone(item, upsert_mode=True)]
                for item in alone:
                    self.write_one(item)
                rest = [item for item in buffer.values() if item not in alone]
                if rest:  # deletes, organizations, memberships: jobs in any mode
                    destination.submit(rest)
        else:
            for object_key in list(self._buffers):
                self._submit(object_key)
        self._since_checkpoint = 0

    def finish(self) -> None:
        """End of input: send what is buffered and wait until every write is settled."""
        self.checkpoint()
        self.pipeline.wait_all()
        self._log_progress(final=True)

    def settle_in_flight(self) -> None:
        """Before failing: let the jobs already sent settle, so their STATEs are printed."""
        try:
            self.pipeline.wait_all()
        except Exception:
            LOGGER.debug("jobs in flight did not all settle", exc_info=True)

    def close(self) -> None:
        """Stop the job poller and close the rejections file."""
        self.pipeline.close()
        self.rejections.close()

    def write_one(self, item: WriteItem) -> None:
        """Write one item by PATCH or DELETE once no job in flight holds its key."""
        self.pipeline.wait_keys_free(item.object_key, [item.key])
        self.send_one(item)

    def send_one(self, item: WriteItem) -> None:
        """PATCH (or DELETE) one item now and settle it."""
        outcome = self._send(item)
        if not outcome.ok and item.prefixed and self.leave_unresolved_empty:
            # Zendesk refused a lookup it resolves itself (or something else): write it again without
            # those lookups, as `lookup_unresolved: empty` asks; a second refusal rejects the record.
            LOGGER.warning(
                "Zendesk refused a record of %s (external id %s): %s; writing it with %s left empty",
                item.stream,
                item.external_id,
                outcome.error,
                ", ".join(item.prefixed),
            )
            fields = item.body.get("custom_object_fields", {})
            item.body = {
                **item.body,
                "custom_object_fields": dict.fromkeys(item.prefixed)
                | {k: v for k, v in fields.items() if k not in item.prefixed},
            }
            item.prefixed = []
            outcome = self._send(item)
        self.settle(
            item,
            None if outcome.ok else outcome.error,
            found_nothing=outcome.found_nothing,
            resource_id=outcome.resource_id,
        )

    def _send(self, item: WriteItem) -> WriteOutcome:
        item.sent_alone = True
        destination = self.destinations.get(item.object_key)
        if destination is not None:
            outcome = destination.send_one(item)
        elif item.delete:
            outcome = self.client.delete(item.object_key, item.match_on, item.key)
        else:
            outcome = self.client.upsert(item.object_key, item.match_on, item.key, item.body)
        with self._lock:
            self.patched += 1
        return outcome

    def settle(
        self,
        item: WriteItem,
        error: str | None,
        *,
        found_nothing: bool = False,
        resource_id: str | None = None,
        existed: bool = False,
    ) -> None:
        """Record an item's fate (confirmed, or rejected into the file) and settle its records.

        `resource_id`: the user's or organization's id Zendesk reported; `existed`: a membership that
        was there already (done, and counted).
        """
        if error is not None and item.prefixed and not item.sent_alone:
            # A job item with `name:` lookups failed: whether jobs resolve them is
            # unconfirmed (wire notes §14.2), while single writes do. Write it alone to find out.
            prefixed = list(item.prefixed)
            self.send_one(item)
            # Taken by PATCH with the same prefixed values (not emptied): the job was what refused them.
            if self.prefixes_in_jobs and item.confirmed and item.prefixed == prefixed:
                self.prefixes_in_jobs = False
                LOGGER.warning(
                    "Zendesk refused `name:` lookup values inside a job but took them by "
                    "PATCH: records with such lookups go by PATCH from now on (%s)",
                    error,
                )
            return
        item.confirmed = error is None
        if error is not None:
            self.rejections.record(item.stream, item.external_id, item.source, error)
        else:
            with self._lock:
                self.confirmed += len(item.numbers)
                self.deletes_found_nothing += found_nothing
                self.memberships_existed += existed
        self._learn(item, error, resource_id)
        self.ledger.settle(item.numbers)
        self._log_progress()

    # --- what the job pipeline asks (jobs.JobHost) ---------------------------------------------------

    def post_job(self, object_key: str, action: str, items: list[WriteItem]) -> dict[str, Any]:
        """Send one job of `object_key`'s destination, or a custom object's job."""
        destination = self.destinations.get(object_key)
        if destination is not None:
            return destination.post(action, items)
        return self.client.submit_job(object_key, action, [job_item(action, item) for item in items])

    def interpret(self, object_key: str, action: str, item: WriteItem, result: dict[str, Any]) -> ItemResult:
        """Read one job result item for its write."""
        destination = self.destinations.get(object_key)
        if destination is not None:
            return destination.interpret(action, item, result)
        return custom_object_result(item, result)

    def endpoint(self, object_key: str, action: str) -> str:
        """The job endpoint of a job (custom objects: one for all)."""
        destination = self.destinations.get(object_key)
        return destination.endpoint(action) if destination is not None else CUSTOM_OBJECT_JOBS

    def single_writes(self, object_key: str) -> bool:
        """Whether a write of `object_key` can be sent alone."""
        destination = self.destinations.get(object_key)
        return destination is None or destination.single_writes

    def bulk_refused(
        self, object_key: str, action: str, items: list[WriteItem], error: BulkRefusedError
    ) -> None:
        """A bulk endpoint answered 403: the destination writes the items otherwise, or ends the run."""
        destination = self.destinations[object_key]
        destination.refused(action, items, error)

    def _flush_key(self, item: WriteItem) -> None:
        """Send the buffer holding an earlier write of this key, so this PATCH lands after it."""
        if item.key in self._buffers.get(item.object_key, {}):
            self._submit(item.object_key)

    def _submit(self, object_key: str) -> None:
        items = list(self._buffers.pop(object_key).values())
        destination = self.destinations.get(object_key)
        if destination is not None:
            destination.submit(items)
            return
        match_on = items[0].match_on
        upserts = [item for item in items if not item.delete]
        deletes = [item for item in items if item.delete]
        if upserts:
            self.pipeline.submit(object_key, UPSERT_ACTION[match_on], upserts)
        if deletes and match_on == "external_id":
            self.pipeline.submit(object_key, "delete_by_external_id", deletes)
        else:
            for item in deletes:  # Zendesk has no delete-by-name job action: DELETE ?name= one by one
                self.write_one(item)

    def _log_progress(self, *, final: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not final and now - self._logged < PROGRESS_EVERY_SECONDS:
                return
            self._logged = now
            confirmed = self.confirmed
        elapsed = max(now - self._started, 1e-9)
        LOGGER.info(
            "%d records written (%.0f records/s), %d rejected, %d jobs in flight, %d requests, %d 429s%s",
            confirmed,
            confirmed / elapsed,
            self.rejections.count,
            self.pipeline.in_flight,
            self.client.requests_sent,
            self.client.rate_limited,
            ", done" if final else "",
        )
