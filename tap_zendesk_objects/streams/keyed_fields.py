"""Users and organizations: each value of their `{key: value}` custom fields also a typed `cf_` property."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th
from typing_extensions import override

from tap_zendesk_objects.client import ZendeskExportStream
from tap_zendesk_objects.schemas.custom_fields import FieldTyper, schema_properties, typer_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from singer_sdk.helpers.types import Context

    from tap_zendesk_objects.runtime import TapRuntime
    from tap_zendesk_objects.schemas.custom_fields import TypedField


class KeyedFieldsStream(ZendeskExportStream):
    """A stream whose records hold custom field values by field key (`user_fields`, `organization_fields`).

    Its schema is its standard properties, then one `cf_...` property per field (schemas/custom_fields.py).
    """

    standard_properties: ClassVar[th.PropertiesList]
    field_kind: ClassVar[str]  # "user" or "organization", as in the field descriptions
    fields_key: ClassVar[str]  # the record's object of field values

    def __init__(self, *, runtime: TapRuntime, fields: Sequence[TypedField], **kwargs: Any) -> None:  # noqa: ANN401
        """A stream whose field values are also typed `cf_...` properties."""
        schema = th.PropertiesList(
            *self.standard_properties.wrapped.values(), *schema_properties(fields, self.field_kind)
        )
        self._fields = list(fields)
        self._typer = FieldTyper(self.name, ())
        super().__init__(runtime=runtime, schema=schema.to_dict(), **kwargs)

    @override
    def start_walk(self, context: Context | None) -> None:
        super().start_walk(context)
        # After the SDK applied the input catalog: its schema decides which fields become properties.
        self._typer = typer_for(self.name, self._fields, self.effective_schema)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        self._typer.from_object(row, row.get(self.fields_key))
        return row
