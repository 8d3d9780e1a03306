"""Creating the custom object and fields a stream's SCHEMA needs (`create_objects`), or showing the plan.

Each SCHEMA is planned once (plan.py), its limits are read from Zendesk when something is to be
created, the plan is shown, and then, unless it is a dry run or something stops it, the object and fields
are created before any record after that SCHEMA is mapped. See docs/target.md, Objects and fields from
the stream's schema.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from typing import IO, TYPE_CHECKING, Any

from target_zendesk_objects.destinations.base import FIELD_KINDS, MEMBERSHIP
from target_zendesk_objects.schema.plan import ObjectPlan, SchemaPlanError, plan_object, plan_people_fields
from zendesk_objects_shared import ConfigurationError, RunFailure, ZendeskAPIError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from target_zendesk_objects.destinations.mapping import RecordMapper
    from target_zendesk_objects.writing.client import WriteOutcome, ZendeskWriteClient

LOGGER = logging.getLogger("target-zendesk-objects")

# Fields per object: Zendesk's documented limit, used for an object that does not exist yet (its own
# `field_limit` can be read only once it exists; wire notes §14.5).
DOCUMENTED_FIELD_LIMIT = 100
# Lookup fields per object: 10 on Suite Professional and above, 5 on Suite Team and Growth; no endpoint
# reports it (wire notes §14.5), so the larger one stops a plan and the smaller one is a note.
LOOKUP_FIELD_LIMIT = 10
SMALL_PLAN_LOOKUP_FIELD_LIMIT = 5
FORBIDDEN = 403


class SchemaProblemError(RunFailure):
    """A plan that cannot be applied (a type conflict, a limit, a key Zendesk would refuse); one line."""


class SchemaSync:
    """Plans every SCHEMA's object and fields; creates them, or with `dry_run` only shows them."""

    def __init__(
        self,
        client: ZendeskWriteClient,
        config: Mapping[str, Any],
        mapper: RecordMapper,
        *,
        forget_fields: Callable[[str], None],
        out: IO[str] | None = None,
    ) -> None:
        """Plan with `config`'s `lookups` and `external_id_property`; `forget_fields(key)` drops a cache."""
        self.client = client
        self.mapper = mapper
        self.dry_run = bool(config.get("schema_dry_run"))
        self.lookups = config.get("lookups") or {}
        if not isinstance(self.lookups, dict):
            msg = "`lookups` must be an object: custom object key → field key → {by, property, …}"
            raise ConfigurationError(msg)
        own_id = config.get("external_id_property")
        self.skip = frozenset({own_id} if isinstance(own_id, str) and own_id else ())
        self.forget_fields = forget_fields
        self.out = out or sys.stderr
        self.problems: list[str] = []  # found by a dry run, which shows them all and fails at the end
        self.objects_created = 0
        self.fields_created = 0
        self._planned: set[tuple[str, str, str]] = set()
        self._header_shown = False

    def ensure(self, stream: str, schema: Mapping[str, Any]) -> None:
        """Make `stream`'s object hold a field for every property of `schema` (or show what that takes)."""
        key = self.mapper.object_key(stream, {})
        fingerprint = (stream, key, json.dumps(schema, sort_keys=True, default=str))
        if fingerprint in self._planned or key == MEMBERSHIP:  # memberships have no fields
            return
        self._planned.add(fingerprint)
        lookups = self.lookups.get(key) or {}
        if not isinstance(lookups, dict):
            msg = f"`lookups.{key}` must be an object: field key → {{by, property, relationship_target_type}}"
            raise ConfigurationError(msg)
        if key in FIELD_KINDS:
            self._ensure_people(stream, key, schema, lookups)
            return
        existing = self.client.object_definitions(key)
        try:
            plan = plan_object(stream, key, schema, existing, lookups=lookups, skip=self.skip)
        except SchemaPlanError as exc:
            raise ConfigurationError(str(exc)) from None
        if plan.create_object and self.mapper.match_on == "name":
            plan.problems.append(
                f"stream {stream}: `match_on: name` needs unique names, which an object created here does"
                f" not enforce: create custom object {key} with unique names in Admin Center first"
            )
        if plan.creates_anything:
            self._check_limits(plan, existing or [])
        self._carry_out(plan, key)

    def _ensure_people(
        self, stream: str, key: str, schema: Mapping[str, Any], lookups: dict[str, Any]
    ) -> None:
        """The user or organization fields a SCHEMA's `cf_` properties need (no object to create)."""
        kind = FIELD_KINDS[key]
        try:
            plan = plan_people_fields(
                stream, f"{kind}s", schema, self.client.people_fields(kind), lookups=lookups
            )
        except SchemaPlanError as exc:
            raise ConfigurationError(str(exc)) from None
        self._carry_out(plan, key)

    def _carry_out(self, plan: ObjectPlan, key: str) -> None:
        """Show the plan, then stop on its problems, or create what it holds (not in a dry run)."""
        self._show(plan)
        if plan.problems:
            if self.dry_run:
                self.problems += plan.problems
                return
            more = len(plan.problems) - 1
            suffix = f" (and {more} more; `schema_dry_run: true` lists them all)" if more else ""
            raise SchemaProblemError(plan.problems[0] + suffix)
        if not self.dry_run and plan.creates_anything:
            self._apply(plan)
            self.forget_fields(key)

    def summary(self, records: int) -> str:
        """The dry run's closing line; SchemaProblemError when its plan could not be applied."""
        text = f"schema dry run: {records} records read, nothing created or written"
        if self.problems:
            count = len(self.problems)
            problems = f"{count} problem{'' if count == 1 else 's'}"
            msg = f"{text}; {problems} would stop a real run, first: {self.problems[0]}"
            raise SchemaProblemError(msg)
        return text

    # --- limits ------------------------------------------------------------------------------------

    def _check_limits(self, plan: ObjectPlan, existing: list[dict[str, Any]]) -> None:
        """Read the account's limits where the credentials allow, and add a problem for each one exceeded."""
        custom = [d for d in existing if not d.get("system")]
        if plan.create_object:
            objects = self.client.object_limit()
            if objects is None:
                plan.notes.append("the object limit is readable by admins only: not checked")
            elif objects[0] >= objects[1]:
                plan.problems.append(
                    f"stream {plan.stream}: creating custom object {plan.key} would exceed the account's"
                    f" limit of {objects[1]} custom objects ({objects[0]} exist)"
                )
            count, limit = 0, DOCUMENTED_FIELD_LIMIT
        else:
            read = self.client.field_limit(plan.key)
            count, limit = read if read is not None else (len(custom), DOCUMENTED_FIELD_LIMIT)
        if count + len(plan.new_fields) > limit:
            plan.problems.append(
                f"stream {plan.stream}: adding {len(plan.new_fields)} fields to custom object {plan.key}"
                f" would make {count + len(plan.new_fields)}, over its limit of {limit} fields (standard"
                " fields not counted): leave properties out with a stream map"
            )
        new_lookups = sum(new.type == "lookup" for new in plan.new_fields)
        if not new_lookups:
            return
        lookups = sum(d.get("type") == "lookup" for d in custom) + new_lookups
        if lookups > LOOKUP_FIELD_LIMIT:
            plan.problems.append(
                f"stream {plan.stream}: custom object {plan.key} would have {lookups} lookup fields, over"
                f" Zendesk's limit of {LOOKUP_FIELD_LIMIT} per object"
            )
        elif lookups > SMALL_PLAN_LOOKUP_FIELD_LIMIT:
            plan.notes.append(
                f"{lookups} lookup fields: Suite Team and Growth allow {SMALL_PLAN_LOOKUP_FIELD_LIMIT}"
                " per object"
            )

    # --- showing and applying ----------------------------------------------------------------------

    def _show(self, plan: ObjectPlan) -> None:
        if self.dry_run:
            if not self._header_shown:
                self._header_shown = True
                self.out.write("schema plan (dry run: nothing is created, no record is written):\n")
            self.out.write("".join(f"  {line}\n" for line in plan.lines()))
            self.out.flush()
            return
        for line in plan.lines():
            LOGGER.info("schema plan: %s", line)

    def _apply(self, plan: ObjectPlan) -> None:
        if plan.create_object:
            body = plan.object_body()
            self._create(plan, f"custom object {plan.key}", lambda: self.client.create_object(body))
            self.objects_created += 1
        for new in plan.new_fields:
            create = (
                functools.partial(self.client.create_people_field, plan.key.removesuffix("s"), new.body())
                if plan.owner
                else functools.partial(self.client.create_field, plan.key, new.body())
            )
            self._create(plan, f"field {new.key} ({new.type}) of {plan.whose}", create)
            self.fields_created += 1

    def _create(self, plan: ObjectPlan, what: str, send: Callable[[], WriteOutcome]) -> None:
        try:
            outcome = send()
        except ZendeskAPIError as exc:
            if exc.status == FORBIDDEN:
                msg = f"stream {plan.stream}: creating {what} needs an admin's credentials: {exc}"
                raise SchemaProblemError(msg) from None
            raise
        if not outcome.ok:
            msg = f"stream {plan.stream}: Zendesk refused to create {what}: {outcome.error}"
            raise SchemaProblemError(msg)
        LOGGER.info("created %s", what)
