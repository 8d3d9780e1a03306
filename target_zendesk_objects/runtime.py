"""What one run of the target shares between its sinks: client, ledger, rejections, mapper, writer."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from target_zendesk_objects.destinations.base import FIELD_KINDS, MEMBERSHIP, ORGANIZATION, USER
from target_zendesk_objects.destinations.mapping import RecordMapper
from target_zendesk_objects.destinations.memberships import MembershipDestination
from target_zendesk_objects.destinations.organizations import OrganizationDestination
from target_zendesk_objects.destinations.people import people_fields
from target_zendesk_objects.destinations.users import UserDestination
from target_zendesk_objects.lookups.resolver import KeyResolver
from target_zendesk_objects.lookups.rules import check_settings
from target_zendesk_objects.lookups.stage import LookupStage
from target_zendesk_objects.records.validation import ObjectFields
from target_zendesk_objects.schema.sync import SchemaSync
from target_zendesk_objects.writing.checkpoints import CheckpointLedger
from target_zendesk_objects.writing.client import UnknownObjectError, ZendeskWriteClient
from target_zendesk_objects.writing.rejections import RejectionLog
from target_zendesk_objects.writing.writer import RecordWriter
from zendesk_objects_shared import ConfigurationError, RunFailure, ZendeskConnection
from zendesk_objects_shared.http import HttpCore
from zendesk_objects_shared.pacing import AccountBudget, log_wait
from zendesk_objects_shared.settings import ZENDESK_WINDOW_SECONDS

if TYPE_CHECKING:
    from collections.abc import Mapping

LOGGER = logging.getLogger("target-zendesk-objects")


@runtime_checkable
class RunsWrites(Protocol):
    """The target as its sinks see it: the holder of the run's writer (no import of the target module)."""

    runtime: WriteRuntime


class TooManyRejectionsError(RunFailure):
    """More records were rejected than `max_rejected_records` allows; the text is the run's summary."""


class WriteRuntime:
    """Built once per run from the validated settings."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        """Check the settings and build the pieces; ConfigurationError names the setting at fault."""
        self.config = config
        if config.get("load_method") == "overwrite":
            # The SDK offers `overwrite` to every target; here it would mean deleting every record of the
            # object that the input does not name, which a custom object sync must never do by surprise.
            msg = (
                "`load_method: overwrite` is not supported: records are upserted by key and deleted only "
                "when a record says so (`deleted: true` or `_sdc_deleted_at`)"
            )
            raise ConfigurationError(msg)
        check_settings(config)
        leave_empty = config.get("lookup_unresolved") == "empty"
        connection = ZendeskConnection.from_config(config, default_scopes="read write")
        budget = AccountBudget(
            int(config.get("requests_per_minute", 400)),
            window_seconds=float(config.get("budget_window_seconds", ZENDESK_WINDOW_SECONDS)),
            on_wait=log_wait(LOGGER),
        )
        http = HttpCore(
            timeout_seconds=connection.timeout_seconds,
            policy=connection.retry_policy(),
            budget=budget,
            logger=LOGGER,
        )
        # Checks a refresh-token store now, before any request; tokens are asked for on first use.
        self.client = ZendeskWriteClient(connection, http, connection.open_credential(http, LOGGER))
        self.ledger = CheckpointLedger()
        self.rejections = RejectionLog(str(config.get("rejected_records_path") or "rejected_records.jsonl"))
        self.max_rejected = int(config.get("max_rejected_records", 0))
        self.mapper = RecordMapper(config, self.object_fields)
        self.writer = RecordWriter(
            self.client,
            self.ledger,
            self.rejections,
            mode=str(config.get("write_mode") or "auto"),
            max_concurrent_jobs=int(config.get("max_concurrent_jobs", 10)),
            leave_unresolved_empty=leave_empty,
            jobs_per_endpoint=config.get("job_limit_scope") == "endpoint",
        )
        resolver = KeyResolver(self.client)
        self.lookups = LookupStage(resolver, self.writer, leave_empty=leave_empty)
        # Users, organizations and memberships: more destinations of the same writer, lookups and ledger.
        self.writer.learned = resolver.learned
        destinations = {
            USER: UserDestination(
                self.writer, self.client, resolver, config, lambda: self.object_fields(USER, USER)
            ),
            ORGANIZATION: OrganizationDestination(
                self.writer,
                self.client,
                resolver,
                config,
                lambda: self.object_fields(ORGANIZATION, ORGANIZATION),
            ),
            MEMBERSHIP: MembershipDestination(self.writer, self.client, resolver, config),
        }
        self.writer.destinations = destinations
        self.mapper.destinations = destinations
        self._fields: dict[str, ObjectFields] = {}
        self._fields_lock = threading.Lock()
        # `create_objects` and its dry run: each SCHEMA's object and fields, before the records after it.
        self.dry_run = bool(config.get("schema_dry_run"))
        self.dry_run_records = 0
        self.schema = (
            SchemaSync(self.client, config, self.mapper, forget_fields=self.forget_fields)
            if config.get("create_objects") or self.dry_run
            else None
        )

    def forget_fields(self, key: str) -> None:
        """Drop the object's cached field definitions (fields were added): the next record reads them anew."""
        with self._fields_lock:
            self._fields.pop(key, None)

    def object_fields(self, key: str, stream: str) -> ObjectFields:
        """The object's field definitions, read on first use; errors name the stream that asked."""
        with self._fields_lock:
            known = self._fields.get(key)
            if known is not None:
                return known
            if key in FIELD_KINDS:  # user or organization fields, by the `cf_` names our tap gives them
                fields = people_fields(key, self.client.people_fields(FIELD_KINDS[key]))
                self._fields[key] = fields
                return fields
            try:
                fields = ObjectFields.from_definitions(key, self.client.object_fields(key))
            except UnknownObjectError as exc:
                msg = f"stream {stream}: {exc}"
                raise UnknownObjectError(msg) from None
            if self.mapper.match_on == "name" and not fields.name_unique:
                msg = (
                    f"`match_on: name` needs unique names, but custom object {key!r} (stream {stream}) "
                    "does not enforce unique names; use `match_on: external_id`"
                )
                raise ConfigurationError(msg)
            self._fields[key] = fields
            return fields

    def finish(self) -> str:
        """Settle everything, then return the one-line summary; TooManyRejectionsError past the limit."""
        if self.schema is not None and self.dry_run:
            return self.schema.summary(self.dry_run_records)
        self.lookups.flush()
        self.writer.finish()
        rejected = self.rejections.count
        writer, pipeline = self.writer, self.writer.pipeline
        parts = [
            f"{writer.confirmed} records written, {rejected} rejected"
            + (f" (see {self.rejections.path})" if rejected else ""),
            (
                f"{pipeline.jobs_submitted} jobs ({pipeline.jobs_failed} failed,"
                f" {pipeline.polls} status polls), {writer.patched} single writes,"
                f" {self.client.requests_sent} requests in all"
            ),
        ]
        resolver = self.lookups.resolver
        if resolver.keys_looked_up or self.lookups.cache_hits:
            parts.append(
                f"{resolver.keys_looked_up} lookup keys resolved in {resolver.requests} requests"
                f" ({self.lookups.cache_hits} more from the run's cache"
                + (
                    f", {self.lookups.left_empty} records with a lookup left empty)"
                    if self.lookups.left_empty
                    else ")"
                )
            )
        if self.schema is not None and (self.schema.objects_created or self.schema.fields_created):
            objects, fields = self.schema.objects_created, self.schema.fields_created
            parts.append(
                f"{objects} custom object{'' if objects == 1 else 's'} and {fields} field"
                f"{'' if fields == 1 else 's'} created"
            )
        if writer.deletes_found_nothing:
            parts.append(f"{writer.deletes_found_nothing} deletes found no record")
        for object_key, count in sorted(writer.deletes_ignored.items()):
            parts.append(f"{count} deletes of {object_key} ignored (see `allow_deletes`)")
        if writer.memberships_existed:
            parts.append(f"{writer.memberships_existed} memberships existed already")
        budget = self.client.http.budget
        if budget.slowest_pace is not None:
            parts.append(
                f"slowed to as few as {budget.slowest_pace} requests a window of {budget.window_seconds:g} s"
                f" while other integrations spent the account budget ({budget.waits_for_reset} waits for"
                " its reset)"
            )
        parts.append(f"{self.ledger.states_printed} STATE messages printed")
        summary = "; ".join(parts)
        if rejected > self.max_rejected:
            msg = f"{summary}; more than max_rejected_records ({self.max_rejected}) were rejected"
            raise TooManyRejectionsError(msg)
        return summary

    def close(self) -> None:
        """Release threads and files."""
        self.writer.close()
