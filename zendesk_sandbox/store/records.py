"""Custom objects and their records: metadata, validated writes and wire rendering."""

from __future__ import annotations

import contextlib
import random
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data import datagen, seeding
from zendesk_sandbox.data.datagen import compact, iso
from zendesk_sandbox.store import validation
from zendesk_sandbox.store.database import StoredRecord
from zendesk_sandbox.store.lookups import LookupResolver, Resolved
from zendesk_sandbox.store.validation import Details, RecordInvalidError, add

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import CustomObjectSpec, SandboxSettings
    from zendesk_sandbox.store.clock import ChangeClock
    from zendesk_sandbox.store.database import Store
    from zendesk_sandbox.store.people import PeopleStore

DELETED_MASK = "[DELETED]"  # wire notes §3: what the export shows for every value of a deleted record
API_USER = "1500000000017"  # the agent whose token the sandbox accepts, as a string id (wire notes §5)


class RecordNotFoundError(LookupError):
    """No live record matches (Zendesk answers 404 RecordNotFound)."""


class UnknownObjectError(LookupError):
    """No custom object has this key."""


@dataclass(frozen=True)
class ObjectMeta:
    """A custom object with its field definitions (standard fields first)."""

    key: str
    name_mode: str
    body: dict[str, Any]
    fields: list[dict[str, Any]]

    @property
    def custom_fields(self) -> list[dict[str, Any]]:
        """Return the object's own (non-standard) fields."""
        return [field for field in self.fields if not field["system"]]


@dataclass(frozen=True)
class WriteResult:
    """What a write did to which record."""

    record: StoredRecord
    status: str  # Created | Updated | Deleted


class Records:
    """Validated writes and wire rendering of custom object records."""

    def __init__(
        self, store: Store, people: PeopleStore, settings: Callable[[], SandboxSettings], clock: ChangeClock
    ) -> None:
        """Serve `store`'s records under the live `settings`, stamping changes with `clock`."""
        self.store = store
        self.settings = settings
        self.clock = clock
        self.lookups = LookupResolver(store, people, settings, self._name_is_unique)
        self._objects: dict[str, ObjectMeta] | None = None
        self._live_records: int | None = None  # counted once, then kept up to date by every write
        self._rng = random.Random()  # noqa: S311 - ULID randomness for new records, not a secret
        self._write_lock = threading.RLock()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock and one store transaction: around one write, or several (one commit for all).

        Every write goes through here, so the locks are always taken in one order: the write lock, then the
        store's. A job tick that took the store's lock first would deadlock against a PATCH.
        """
        with self._write_lock, self.store.transaction():
            yield

    # --- metadata ------------------------------------------------------------------------------------

    def objects(self) -> dict[str, ObjectMeta]:
        """Return every custom object by key, in creation order."""
        if self._objects is None:
            self._objects = {
                key: ObjectMeta(key, mode, body, fields) for key, mode, body, fields in self.store.objects()
            }
        return self._objects

    def meta(self, key: str) -> ObjectMeta:
        """Return one object's metadata or raise UnknownObjectError."""
        found = self.objects().get(key)
        if found is None:
            raise UnknownObjectError(key)
        return found

    def create_object(self, spec: CustomObjectSpec, **attributes: Any) -> ObjectMeta:  # noqa: ANN401 - JSON values
        """Create a custom object; `attributes` are other writable ones (title_pluralized, description...)."""
        with self.writing():
            key = spec.key
            if key in self.objects():
                msg = f"custom object {key} exists"
                raise ValueError(msg)
            now = int(time.time())
            definitions = datagen.object_field_definitions(spec, len(self.objects()), now)
            body = seeding.object_body(key, spec.title, now, created_by=API_USER, **attributes)
            self.store.add_object(body, spec.name_mode, definitions)
            self._objects = None
            return self.meta(key)

    def add_field(self, key: str, definition: dict[str, Any]) -> dict[str, Any]:
        """Add a custom field (a validated definition) to an object; writes and exports use it at once."""
        with self.writing():
            fields = self.meta(key).fields
            field = datagen.object_field(
                max(field["id"] for field in fields) + 1,
                definition,
                max(field["position"] for field in fields) + 1,
                int(time.time()),
            )
            self.store.set_object_fields(key, [*fields, field])
            self._objects = None
            return field

    # --- writes --------------------------------------------------------------------------------------

    def upsert(self, key: str, by: str, value: str, payload: Json, *, in_job: bool = False) -> WriteResult:
        """Create or partially update the live record whose `by` (external_id | name) equals `value`."""
        meta = self.meta(key)
        with self.writing():
            payload = _payload(payload)
            details: Details = {}
            if by == "name" and meta.name_mode != "unique":
                add(
                    details, "name", "InvalidValue", "Name must be unique to create or update records by name"
                )
                raise RecordInvalidError(details)
            existing = self.store.live_record_by(key, by, value)
            payload = {**payload, by: value}
            return self._write(meta, payload, existing, in_job=in_job)

    def create(self, key: str, payload: Json, *, in_job: bool = False) -> WriteResult:
        """Create a new record (job action `create`)."""
        meta = self.meta(key)
        with self.writing():
            return self._write(meta, _payload(payload), None, in_job=in_job)

    def update_by_id(self, key: str, payload: Json, *, in_job: bool = False) -> WriteResult:
        """Update the record whose id the payload names (job action `update`)."""
        meta = self.meta(key)
        with self.writing():
            payload = _payload(payload)
            existing = self.store.live_record_by(key, "id", str(payload.get("id")))
            if existing is None:
                raise RecordNotFoundError(str(payload.get("id")))
            return self._write(meta, payload, existing, in_job=in_job)

    def delete(self, key: str, by: str, value: str) -> WriteResult:
        """Soft-delete the live record whose `by` (external_id | name | id) equals `value`."""
        self.meta(key)
        with self.writing():
            existing = self.store.live_record_by(key, by, value)
            if existing is None:
                raise RecordNotFoundError(value)
            existing.deleted = True
            existing.updated_ts = max(self.clock.stamp(), existing.updated_ts)  # deletion bumps updated_at
            existing.updated_by = API_USER
            self.store.save_record(existing)
            if self._live_records is not None:
                self._live_records -= 1
            return WriteResult(existing, "Deleted")

    def live_record_count(self) -> int:
        """Return how many undeleted records the account holds (the record limit's count)."""
        with self.writing():
            if self._live_records is None:
                self._live_records = self.store.live_record_count()
            return self._live_records

    def _write(
        self, meta: ObjectMeta, payload: dict[str, Any], existing: StoredRecord | None, *, in_job: bool
    ) -> WriteResult:
        details: Details = {}
        try:
            size = len(compact(payload).encode())
        except UnicodeEncodeError:
            # HTTP bodies holding a lone surrogate never get here (wire.UnreadableBodyError); admin calls can.
            add(details, "base", "InvalidValue", "The record holds text that UTF-8 cannot encode")
            raise RecordInvalidError(details) from None
        if size > validation.MAX_RECORD_BYTES:
            add(details, "base", "RecordTooLarge", "Record size exceeds the 32 KB limit")
            raise RecordInvalidError(details)
        unknown = sorted(set(payload) - {"name", "external_id", "custom_object_fields", "id"})
        for extra in unknown:
            add(details, extra, "InvalidField", f"{extra} is not an attribute of a custom object record")
        values = validation.canonical_fields(
            meta.fields,
            payload.get("custom_object_fields"),
            details,
            lambda field, value: self._resolve(field, value, in_job=in_job),
        )
        merged = {**(existing.fields if existing else {}), **values}
        if existing is None:
            merged = {field["key"]: merged.get(field["key"]) for field in meta.custom_fields}
        validation.missing_required(meta.fields, merged, details)
        name = self._checked_name(meta, payload, existing, details)
        external_id = self._checked_external_id(meta, payload, existing, details)
        if details:
            raise RecordInvalidError(details)
        if existing is None and self.live_record_count() >= self.settings().custom_object_record_limit:
            # wire notes §16.3: a record limit per account; the refusal's wire form is unconfirmed (decided
            # here)
            add(details, "base", "LimitExceeded", "The account has reached its custom object record limit")
            raise RecordInvalidError(details)
        now = self.clock.stamp()
        if existing is None:
            if meta.name_mode == "autonumber":
                name = self._autonumber(meta)
            record = StoredRecord(
                datagen.ulid(time.time(), self._rng), meta.key, external_id, name, merged,
                now, now, API_USER, API_USER, deleted=False,
            )  # fmt: skip
            self.store.save_record(record)
            self._live_records = self.live_record_count() + 1
            return WriteResult(record, "Created")
        existing.fields = merged
        existing.name = name
        existing.external_id = external_id
        existing.updated_ts = max(now, existing.updated_ts)
        existing.updated_by = API_USER
        self.store.save_record(existing)
        return WriteResult(existing, "Updated")

    def _checked_name(
        self, meta: ObjectMeta, payload: dict[str, Any], existing: StoredRecord | None, details: Details
    ) -> str | None:
        name = payload.get("name", existing.name if existing else None)
        if meta.name_mode == "autonumber":
            if "name" in payload and (existing is None or payload["name"] != existing.name):
                add(details, "name", "InvalidValue", "Name is autonumbered and cannot be set")
            return existing.name if existing else None
        if name is not None and not isinstance(name, str):
            add(details, "name", "InvalidValue", "Name must be text")
            return None
        if not name:
            add(details, "name", "BlankValue", "Name cannot be blank")
            return None
        if meta.name_mode == "unique" and (existing is None or name != existing.name):
            other = self.store.live_record_by(meta.key, "name", name)
            if other is not None and (existing is None or other.id != existing.id):
                add(details, "name", "DuplicateValue", "Name has already been taken")
        return name

    def _checked_external_id(
        self, meta: ObjectMeta, payload: dict[str, Any], existing: StoredRecord | None, details: Details
    ) -> str | None:
        external_id = payload.get("external_id", existing.external_id if existing else None)
        if external_id is not None and not isinstance(external_id, str):
            add(details, "external_id", "InvalidValue", "External id must be text")
            return None
        if external_id and (existing is None or external_id != existing.external_id):
            other = self.store.live_record_by(meta.key, "external_id", external_id)
            if other is not None and (existing is None or other.id != existing.id):
                # wire notes §6: the one verbatim 422 message known for custom object records
                add(details, "external_id", "DuplicateValue", "This external ID is already in use.")
        return external_id

    def _autonumber(self, meta: ObjectMeta) -> str:
        properties = meta.fields[0].get("properties") or {}
        sequence = self.store.take_sequence(meta.key)
        prefix, padding = (
            properties.get("autoincrement_prefix", ""),
            properties.get("autoincrement_padding", 0),
        )
        return f"{prefix}{sequence:0{padding}d}"

    def _resolve(self, field: dict[str, Any], value: Json, *, in_job: bool) -> Resolved:
        return self.lookups.resolve(field.get("relationship_target_type") or "", value, in_job=in_job)

    def _name_is_unique(self, key: str) -> bool | None:
        meta = self.objects().get(key)
        return None if meta is None else meta.name_mode == "unique"

    # --- rendering -----------------------------------------------------------------------------------

    def render(self, record: StoredRecord, account_url: str, *, masked: bool) -> dict[str, Any]:
        """Return a record as Zendesk sends it; `masked` applies the export's "[DELETED]" masking."""
        meta = self.objects().get(record.object_key)
        keys = [field["key"] for field in meta.custom_fields] if meta else list(record.fields)
        if masked and record.deleted:
            fields: dict[str, Any] = dict.fromkeys(keys, DELETED_MASK)
            name: str | None = DELETED_MASK
            external_id: str | None = DELETED_MASK
        else:
            types = {field["key"]: field["type"] for field in meta.custom_fields} if meta else {}
            as_strings = self.settings().numeric_values_as_strings
            fields = {
                key: _wire_value(types.get(key, ""), record.fields.get(key), as_strings) for key in keys
            }
            name, external_id = record.name, record.external_id
        return {
            "url": f"{account_url}/api/v2/custom_objects/{record.object_key}/records/{record.id}.json",
            "id": record.id,
            "name": name,
            "external_id": external_id,
            "custom_object_key": record.object_key,
            "custom_object_fields": fields,
            "created_by_user_id": record.created_by,
            "updated_by_user_id": record.updated_by,
            "created_at": iso(record.created_ts),
            "updated_at": iso(record.updated_ts),
        }


def _wire_value(kind: str, value: Json, as_strings: bool) -> Json:  # noqa: FBT001
    """Return a stored value in the chosen wire form (see validation's module docstring)."""
    if value is None:
        return None
    if kind == "date":
        # Two independent client test suites saw dates as midnight UTC datetimes (wire notes §5).
        return f"{value}T00:00:00+00:00"
    if kind == "integer":
        return str(value) if as_strings else int(value)
    if kind == "decimal":
        return _decimal_text(value) if as_strings else float(value)
    return value


def _decimal_text(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _payload(payload: Json) -> dict[str, Any]:
    if not isinstance(payload, dict):
        details: Details = {}
        add(details, "base", "InvalidValue", "custom_object_record must be an object")
        raise RecordInvalidError(details)
    return payload
