"""The write modes: per-record PATCH (`upsert`), pipelined bulk jobs (`jobs`), or both (`auto`)."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from target_zendesk_objects.jobs import MAX_JOB_ITEMS, JobPipeline

if TYPE_CHECKING:
    from target_zendesk_objects.checkpoints import CheckpointLedger
    from target_zendesk_objects.client import WriteOutcome, ZendeskWriteClient
    from target_zendesk_objects.mapping import WriteItem
    from target_zendesk_objects.rejections import RejectionLog

LOGGER = logging.getLogger("target-zendesk-objects")

# `auto`: when a checkpoint closes over at most this many records, they go by PATCH. A job costs one POST
# plus one to three status polls and a queue wait before Zendesk even starts; a PATCH costs one request
# and confirms at once. Up to five records, PATCHes cost about as many requests as a job and confirm sooner;
# beyond that, a job is cheaper in requests (1 POST + polls for up to 100 records).
AUTO_PATCH_MAX_RECORDS = 5
PROGRESS_EVERY_SECONDS = 5.0
UPSERT_ACTION = {"external_id": "create_or_update_by_external_id", "name": "create_or_update_by_name"}


class RecordWriter:
    """Takes writes from the sink in input order and settles each one in the checkpoint ledger.

    In `jobs` and `auto` mode writes wait in one buffer per object (a later write of a key merges into the
    earlier one, last wins) until the buffer holds 100 keys or a STATE arrives; then they leave as jobs
    (or, in `auto`, as PATCHes when only a handful came since the last STATE). A write never overtakes an
    earlier write of the same key still in flight.
    """

    def __init__(  # noqa: PLR0913 (the writer's collaborators and its three settings)
        self,
        client: ZendeskWriteClient,
        ledger: CheckpointLedger,
        rejections: RejectionLog,
        *,
        mode: str,
        max_concurrent_jobs: int,
        leave_unresolved_empty: bool = False,
    ) -> None:
        """Write through `client` in `mode`, settling records in `ledger`, refusals in `rejections`.

        `leave_unresolved_empty`: a record whose `name:` lookup Zendesk refuses is written
        again with that lookup empty (`lookup_unresolved: empty`).
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
            client, max_in_flight=max_concurrent_jobs, settle=self.settle, send_one=self.send_one
        )
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
        if self.mode == "upsert":
            self.send_one(item)
            return
        if item.prefixed and not self.prefixes_in_jobs:
            self._flush_key(item)
            self.write_one(item)
            return
        buffer = self._buffers.setdefault(item.object_key, {})
        earlier = buffer.get(item.key)
        if earlier is not None:
            earlier.absorb(item)
        else:
            buffer[item.key] = item
        self._since_checkpoint += 1
        if len(buffer) >= MAX_JOB_ITEMS:
            self._submit(item.object_key)

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
            for buffer in buffers.values():
                for item in buffer.values():
                    self.write_one(item)
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
        self.settle(item, None if outcome.ok else outcome.error, found_nothing=outcome.found_nothing)

    def _send(self, item: WriteItem) -> WriteOutcome:
        item.sent_alone = True
        if item.delete:
            outcome = self.client.delete(item.object_key, item.match_on, item.key)
        else:
            outcome = self.client.upsert(item.object_key, item.match_on, item.key, item.body)
        with self._lock:
            self.patched += 1
        return outcome

    def settle(self, item: WriteItem, error: str | None, *, found_nothing: bool = False) -> None:
        """Record an item's fate (confirmed, or rejected into the file) and settle its records."""
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
        self.ledger.settle(item.numbers)
        self._log_progress()

    def _flush_key(self, item: WriteItem) -> None:
        """Send the buffer holding an earlier write of this key, so this PATCH lands after it."""
        if item.key in self._buffers.get(item.object_key, {}):
            self._submit(item.object_key)

    def _submit(self, object_key: str) -> None:
        items = list(self._buffers.pop(object_key).values())
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
