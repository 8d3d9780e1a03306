"""The sink: each record is numbered, mapped, checked, and handed to the writer without waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk.sinks import RecordSink
from typing_extensions import override

from target_zendesk_objects.records.validation import InvalidFieldsError
from target_zendesk_objects.runtime import RunsWrites

if TYPE_CHECKING:
    import logging

    from singer_sdk import Target
    from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum

    from target_zendesk_objects.runtime import WriteRuntime


class ZendeskObjectsSink(RecordSink):
    """Writes one stream's records to custom objects, users, organizations or memberships.

    A `RecordSink`, not a `BatchSink`: the SDK drains batch sinks synchronously in the input loop and
    would make reading wait for every job. Here `process_record` only queues the write; the writer sends
    jobs as buffers fill and the checkpoint ledger prints STATE when Zendesk has confirmed them.
    """

    def __init__(self, target: Target, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        """Keep the target's shared runtime (the SDK passes the target only to the constructor)."""
        super().__init__(target, *args, **kwargs)
        if not isinstance(target, RunsWrites):
            msg = f"{type(self).__name__} needs the target that built the run's writer"
            raise TypeError(msg)
        self.runtime: WriteRuntime = target.runtime
        self._stripped_deleted_at = False
        self._unreadable = ""  # why the SDK could not read the current record's date values, if it could not
        self.logger.addFilter(_quiet_validation_failure)

    @override
    def _remove_sdc_metadata_from_record(self, record: dict[str, Any]) -> None:
        # Private SDK hook, overridden because the SDK drops `_sdc_deleted_at` (a tap's delete marker)
        # from every record unless `add_record_metadata` is on: remember it for the record's write.
        self._stripped_deleted_at = record.get("_sdc_deleted_at") is not None
        super()._remove_sdc_metadata_from_record(record)

    @override
    def _parse_timestamps_in_record(
        self, record: dict[str, Any], schema: dict[str, Any], treatment: DatetimeErrorTreatmentEnum
    ) -> None:
        # Private SDK hook, wrapped: the SDK raises for a date it cannot read (`2024-02-30` in a
        # `format: date` property), which would end the whole run; that one record is refused instead,
        # with the SDK's reason, in the rejections file (`process_record`).
        try:
            super()._parse_timestamps_in_record(record, schema, treatment)
        except ValueError as exc:
            self._unreadable = str(exc)

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        deleted = (
            record.get("deleted") is True
            or record.get("_sdc_deleted_at") is not None
            or self._stripped_deleted_at
        )
        self._stripped_deleted_at = False
        unreadable, self._unreadable = self._unreadable, ""
        runtime = self.runtime
        if runtime.dry_run:  # `schema_dry_run`: the records are read (and validated), never written
            runtime.dry_run_records += 1
            return
        number = runtime.ledger.next_record()
        try:
            if unreadable:
                raise InvalidFieldsError(unreadable)  # noqa: TRY301 (refused like a field Zendesk would refuse)
            item = runtime.mapper.build(self.stream_name, record, self.key_properties, deleted=deleted)
        except InvalidFieldsError as invalid:
            external_id = runtime.mapper.external_id(record, self.key_properties)
            runtime.writer.reject(
                self.stream_name, external_id, record, f"refused locally: {invalid}", number
            )
            return
        if item is None:  # a delete of users or organizations that `allow_deletes` does not allow
            runtime.writer.ignore_delete(
                self.stream_name, runtime.mapper.object_key(self.stream_name, record), number
            )
            return
        item.numbers.append(number)
        runtime.lookups.write(item)


def _quiet_validation_failure(record: logging.LogRecord) -> bool:
    """Drop the SDK's traceback for a record that breaks its schema: the run's one-line error says it."""
    return record.msg != "Record validation failed"
