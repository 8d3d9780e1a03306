"""target-zendesk-objects: any Singer stream into Zendesk custom objects, users, organizations, memberships.

A STATE is printed only once Zendesk has confirmed every record before it.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.exceptions import RecordsWithoutSchemaException
from typing_extensions import override

from target_zendesk_objects.input.batches import batch_records
from target_zendesk_objects.input.reader import INPUT_ERRORS, NumberedSingerReader, describe_input_error
from target_zendesk_objects.runtime import WriteRuntime
from target_zendesk_objects.schema.shapes import readable_schema
from target_zendesk_objects.sinks import ZendeskObjectsSink
from zendesk_objects_shared import CONNECTION_PROPERTIES, SECRETS
from zendesk_objects_shared.cli import OneLineCli
from zendesk_objects_shared.settings import window_seconds_setting

LOGGER = logging.getLogger("target-zendesk-objects")

TARGET_PROPERTIES = th.PropertiesList(
    th.Property(
        "write_mode",
        th.StringType,
        default="auto",
        allowed_values=["auto", "upsert", "jobs"],
        description=(
            "`upsert`: PATCH per record; `jobs`: bulk jobs of up to 100 records, several in flight; "
            "`auto`: jobs, except PATCH when at most 5 records arrive before a STATE."
        ),
    ),
    th.Property(
        "match_on",
        th.StringType,
        default="external_id",
        allowed_values=["external_id", "name"],
        description="Key records are matched by; `name` needs the object's names to be unique.",
    ),
    th.Property(
        "custom_object_key",
        th.StringType,
        description="Custom object for streams that name none (by record property or `object_map`).",
    ),
    th.Property(
        "object_map",
        th.ObjectType(additional_properties=th.StringType),
        description="Stream name → custom object key.",
    ),
    th.Property(
        "external_id_property",
        th.StringType,
        description=(
            "Record property holding the external id (default: `external_id`, else the key properties)."
        ),
    ),
    th.Property(
        "max_concurrent_jobs",
        th.IntegerType(minimum=1, maximum=30),
        default=10,
        description="Bulk jobs in flight at once (Zendesk allows 30 queued or running jobs per account).",
    ),
    th.Property(
        "rejected_records_path",
        th.StringType,
        default="rejected_records.jsonl",
        description="JSON Lines file that refused records are appended to, with Zendesk's error.",
    ),
    th.Property(
        "max_rejected_records",
        th.IntegerType(minimum=0),
        default=0,
        description="The run fails (non-zero exit) when more records than this were rejected.",
    ),
    th.Property(
        "requests_per_minute",
        th.IntegerType(minimum=1),
        default=400,
        description=(
            "Account API budget to stay under (requests per minute, every call included). Zendesk's "
            "rate-limit headers are read too: requests are spaced to the smaller of this and the account's "
            "reported limit, and held back when what the account has left falls to a small reserve "
            "(another integration spending it)."
        ),
    ),
    th.Property(
        "lookups",
        th.ObjectType(
            additional_properties=th.ObjectType(
                additional_properties=th.ObjectType(
                    th.Property("by", th.StringType, allowed_values=["id", "external_id", "email", "name"]),
                    th.Property("property", th.StringType),
                    th.Property("relationship_target_type", th.StringType),
                )
            )
        ),
        description=(
            "Custom object key → lookup field key → how records fill it: `by` (id, external_id, email or "
            "name) and `property` (the record property holding the key; default: the field key). Without "
            "a setting, a property `<field>__<by>` (e.g. `customer__email`) does the same. Lookup fields "
            "of users and organizations: under `zen:user` / `zen:organization`, by their `cf_` property."
        ),
    ),
    th.Property(
        "lookup_unresolved",
        th.StringType,
        default="reject",
        allowed_values=["reject", "empty"],
        description=(
            "A lookup key that finds no target, or more than one: `reject` the record (to the rejections "
            "file, with the key and why) or write it with that lookup `empty`."
        ),
    ),
    th.Property(
        "create_objects",
        th.BooleanType,
        default=False,
        description=(
            "Create a missing custom object and add missing fields from each stream's SCHEMA (JSON Schema "
            "types mapped to Zendesk field types; lookup fields from `lookups`). Existing fields are never "
            "changed; a type conflict or a Zendesk limit ends the run before any record is written. Needs "
            "an admin's credentials."
        ),
    ),
    th.Property(
        "schema_dry_run",
        th.BooleanType,
        default=False,
        description=(
            "Print the plan `create_objects` would carry out (objects, fields, types, options, conflicts, "
            "limits) and write nothing: no object, field, record or STATE."
        ),
    ),
    window_seconds_setting("budget_window_seconds", "account budget's"),
    th.Property(
        "user_roles",
        th.ArrayType(th.StringType(allowed_values=["end-user", "agent", "admin"])),
        default=["end-user"],
        description=(
            "Roles a `zen:user` record may give its user (`role`); a record with another role is rejected. "
            "Add `agent` or `admin` only when the input is meant to create staff (who take seats)."
        ),
    ),
    th.Property(
        "allow_deletes",
        th.ArrayType(th.StringType(allowed_values=["zen:user", "zen:organization"])),
        default=[],
        description=(
            "Destinations whose records marked deleted (`_sdc_deleted_at`, `deleted: true`) are deleted in "
            "Zendesk (`users/destroy_many`, `organizations/destroy_many`). Off by default: such records are "
            "ignored, counted and logged."
        ),
    ),
    th.Property(
        "job_limit_scope",
        th.StringType,
        default="account",
        allowed_values=["account", "endpoint"],
        description=(
            "How `max_concurrent_jobs` counts: `account` (every job endpoint together: custom objects,"
            " users, organizations, memberships) or `endpoint` (each its own; Zendesk's help says the"
            " 30-job limit is per endpoint, which is unconfirmed)."
        ),
    ),
)


class TargetZendeskObjects(OneLineCli, Target):
    """Writes Singer records to Zendesk custom objects, users and organizations by upserts or bulk jobs."""

    name = "target-zendesk-objects"
    package_name = "zendesk-objects"  # the distribution that ships the target (for --version and --about)
    config_jsonschema: ClassVar[dict[str, Any]] = th.PropertiesList(
        *CONNECTION_PROPERTIES.wrapped.values(), *TARGET_PROPERTIES.wrapped.values()
    ).to_dict()
    default_sink_class = ZendeskObjectsSink
    message_reader_class = NumberedSingerReader

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401 (the SDK's keyword arguments)
        """Validate the settings and build the run's client, ledger and writer."""
        super().__init__(**kwargs)
        # All sinks share one paced client and one ordered ledger: no parallel drains.
        self.max_parallelism = 1
        SECRETS.add_settings(self.config)  # also when built in-process, without the CLI
        SECRETS.install_log_filter()
        self.runtime = WriteRuntime(self.config)
        reader = self.message_reader
        if isinstance(reader, NumberedSingerReader):
            reader.before_failing = self.runtime.writer.settle_in_flight

    @override
    def _process_schema_message(self, message_dict: dict[str, Any]) -> None:
        # Private SDK hook, extended: with `create_objects` (or its dry run), each stream's object and
        # fields are made to match the SCHEMA (after the target's own stream maps) before the next message,
        # so the records after a SCHEMA that gained properties are written with the new fields. First, the
        # schema is spelled as the SDK reads it (`true` sub-schemas as `{}`), or refused in one sentence.
        if isinstance(message_dict.get("schema"), (dict, bool)):
            message_dict = {**message_dict, "schema": readable_schema(message_dict["schema"])}
        super()._process_schema_message(message_dict)
        schema = self.runtime.schema
        if schema is None:
            return
        for stream_map in self.mapper.stream_maps[message_dict["stream"]]:
            if self.sink_exists(stream_map.stream_alias):
                schema.ensure(stream_map.stream_alias, stream_map.transformed_schema)

    @override
    def _process_state_message(self, message_dict: dict[str, Any]) -> None:
        # Private SDK hook, overridden: the SDK keeps only the latest STATE and prints it after a full
        # drain, which for this target would be either too late or (with jobs in flight) too early.
        # Here the STATE goes to the ledger, which prints it once every earlier record is settled;
        # `_latest_state` stays empty, so the SDK's own drain_all never prints a STATE.
        if self.runtime.dry_run:
            return  # a dry run writes nothing, so it confirms nothing: Meltano must not save this state
        self.runtime.lookups.flush()
        self.runtime.writer.checkpoint()
        self.runtime.ledger.state(message_dict["value"])

    @override
    def _process_batch_message(self, message_dict: dict[str, Any]) -> None:
        # Private SDK hook, overridden: the SDK hands batch files to the sink's `process_batch`, which a
        # record sink ignores, so the records would be lost while the STATEs after them are printed. Here
        # every record of the files takes exactly the path of a RECORD line (stream maps, validation,
        # the checkpoint ledger, the rejections file), so the STATE after a BATCH covers its records.
        self._require_schema(message_dict["stream"], "BATCH")
        where = ""  # the batch file and line of the record being written, for an error's location
        try:
            for url, number, record in batch_records(message_dict):
                where = f"BATCH file {url} line {number}"
                self._process_record_message(
                    {"type": "RECORD", "stream": message_dict["stream"], "record": record}
                )
                where = ""
        except INPUT_ERRORS as exc:
            if where:
                exc.batch_location = where  # type: ignore[union-attr]
            raise

    @override
    def _process_activate_version_message(self, message_dict: dict[str, Any]) -> None:
        # Private SDK hook, overridden only to check first that the stream was announced: the SDK looks
        # it up unchecked (a KeyError). The message itself changes nothing here: records leave a custom
        # object only when a record says so (see docs/target.md, Deletes).
        self._require_schema(message_dict["stream"], "ACTIVATE_VERSION")
        super()._process_activate_version_message(message_dict)

    def _require_schema(self, stream: str, kind: str) -> None:
        if stream not in self.mapper.stream_maps:
            msg = f"A {kind} message for stream {stream!r} was encountered before a corresponding schema."
            raise RecordsWithoutSchemaException(msg)

    @override
    def _write_state_message(self, state: dict[str, Any]) -> None:
        # Private SDK hook: STATE is printed only by the checkpoint ledger (see _process_state_message).
        return

    @override
    def process_endofpipe(self) -> None:
        super().process_endofpipe()  # the SDK's drain_all: record sinks hold nothing, so nothing to do
        try:
            LOGGER.info(self.runtime.finish())
        finally:
            self.runtime.close()

    @classmethod
    @override
    def describe_failure(cls, exc: BaseException) -> str:
        if isinstance(exc, INPUT_ERRORS):
            return describe_input_error(exc)
        return super().describe_failure(exc)
