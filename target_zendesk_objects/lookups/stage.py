"""The lookup stage between mapping and writing: records wait, in order, for their natural keys' ids.

A record whose lookup keys are all known (or that has none) goes straight on while nothing waits ahead of
it. Otherwise it queues, and its new keys join the distinct keys waiting per target and key kind. A kind
that gathers 100 keys is resolved at once (one request for external ids); everything else is resolved when
1,000 records wait, when a STATE arrives and at the end of input. Records then leave in arrival order, so a
later write of a key never overtakes an earlier one, and a STATE (printed by the ledger only once every
record before it is confirmed or rejected) still covers only what reached Zendesk or the rejections file.

A key that a write of this run may create (one waiting ahead in this queue, or pending in the writer: an
organization a user names, the user a membership names) is not looked up before that write is settled:
when the record reaches the head of the queue, those writes are sent and waited for, and the key is then
found in what they taught the resolver's cache (or, failing that, asked for).
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from typing import TYPE_CHECKING

from target_zendesk_objects.lookups.resolver import MAX_KEYS_PER_REQUEST
from target_zendesk_objects.records.keys import normal_key

if TYPE_CHECKING:
    from target_zendesk_objects.lookups.resolver import KeyResolver
    from target_zendesk_objects.records.item import WriteItem
    from target_zendesk_objects.records.keys import Alias, LookupNeed
    from target_zendesk_objects.writing.writer import RecordWriter

LOGGER = logging.getLogger("target-zendesk-objects")

# Records that may wait for lookups at once: ten full jobs. At 10% distinct keys that is about 100 keys,
# one show_many request; waiting longer would hold back writes the budget could already send.
MAX_WAITING_RECORDS = 1000
WARN_EMPTY_TIMES = 5  # `lookup_unresolved: empty`: warn for the first few, then only count


class LookupStage:
    """Holds records until their lookup keys are resolved, then hands them to the writer in order."""

    def __init__(self, resolver: KeyResolver, writer: RecordWriter, *, leave_empty: bool) -> None:
        """Resolve with `resolver`, write with `writer`; `leave_empty`: unresolved keys empty the field."""
        self.resolver = resolver
        self.writer = writer
        self.leave_empty = leave_empty
        self._queue: deque[WriteItem] = deque()
        # (target, by) -> normal key -> the needs waiting for it
        self._pending: dict[tuple[str, str], dict[str, list[LookupNeed]]] = {}
        self._ahead: Counter[Alias] = Counter()  # the aliases of the writes waiting in the queue
        self.cache_hits = 0
        self.left_empty = 0
        self.waits_for_writes = 0

    def write(self, item: WriteItem) -> None:
        """Take one record's write in input order."""
        if not item.lookups and not self._queue:
            self.writer.write(item)
            return
        full = []
        for need in item.lookups:
            alias = need.alias()
            if self._ahead[alias] > 0 or self.writer.pending(alias):
                need.deferred = True  # resolved once the write ahead of it is settled (see the docstring)
                continue
            ids = self.resolver.cached(need.target, need.by, need.key)
            if ids is not None:
                need.ids = ids
                self.cache_hits += 1
                continue
            group = (need.target, need.by)
            keys = self._pending.setdefault(group, {})
            keys.setdefault(normal_key(need.target, need.key), []).append(need)
            if len(keys) >= MAX_KEYS_PER_REQUEST:
                full.append(group)
        self._queue.append(item)
        self._ahead.update(item.aliases)
        for group in full:
            self._resolve(group)
        if len(self._queue) >= MAX_WAITING_RECORDS:
            self.flush()
        else:
            self._release()

    def flush(self) -> None:
        """Resolve every waiting key and hand every waiting record on (a STATE, or the end of input)."""
        for group in list(self._pending):
            self._resolve(group)
        self._release()

    def _resolve(self, group: tuple[str, str]) -> None:
        waiting = self._pending.pop(group, None)
        if not waiting:
            return
        target, by = group
        found = self.resolver.resolve(target, by, [needs[0].key for needs in waiting.values()])
        for normal, needs in waiting.items():
            for need in needs:
                need.ids = found[normal]

    def _release(self) -> None:
        queue = self._queue
        while queue and all(need.ids is not None or need.deferred for need in queue[0].lookups):
            item = queue.popleft()
            for alias in item.aliases:
                self._ahead[alias] -= 1
                if self._ahead[alias] <= 0:
                    del self._ahead[alias]
            self._after_writes([need for need in item.lookups if need.ids is None])
            self._hand_on(item)

    def _after_writes(self, needs: list[LookupNeed]) -> None:
        """Settle the writes that may create these keys, then resolve the keys (cache first)."""
        if not needs:
            return
        self.waits_for_writes += 1
        self.writer.settle_aliases({need.alias() for need in needs})
        for need in needs:
            found = self.resolver.lookup(need.target, need.by, [need.key])
            need.ids = found[normal_key(need.target, need.key)]

    def _hand_on(self, item: WriteItem) -> None:
        """Fill the item's lookup fields with the ids found; apply `lookup_unresolved` to the rest."""
        problems = []
        required = False
        clashes = _clashes(item.lookups)
        for need in item.lookups:
            problem = need.problem() or clashes.get((need.into, need.field))
            value = need.ids[0] if need.ids and problem is None else None
            if need.into:
                item.body.setdefault(need.into, {})[need.field] = value
            else:  # a top-level id of a user or an organization: an integer (OAS)
                item.body[need.field] = None if value is None else int(value)
            if problem:
                if problem not in problems:  # one clash of two keys is one problem
                    problems.append(problem)
                required = required or need.required
        item.lookups = []
        if problems and (required or not self.leave_empty):
            item.prefixed = []  # rejected before any request: nothing for the writer to retry
            self.writer.settle(item, "; ".join(problems))
            return
        if problems:
            self.left_empty += 1
            if self.left_empty <= WARN_EMPTY_TIMES:
                LOGGER.warning(
                    "Writing a record of %s (external id %s) with its lookup left empty: %s",
                    item.stream,
                    item.external_id,
                    "; ".join(problems),
                )
        self.writer.write(item)


def _clashes(needs: list[LookupNeed]) -> dict[tuple[str, str], str]:
    """Fields whose keys (an email and an external id, say) name different targets: linked to neither."""
    named: dict[tuple[str, str], list[LookupNeed]] = {}
    for need in needs:
        if need.ids is not None and len(need.ids) == 1:
            named.setdefault((need.into, need.field), []).append(need)
    clashes = {}
    for place, found in named.items():
        if len({need.ids[0] for need in found if need.ids}) > 1:
            keys = " and ".join(
                f"{need.by} {need.key} is {need.target} {need.ids[0]}" for need in found if need.ids
            )
            clashes[place] = f"{place[1]}: {keys}: linked to neither"
    return clashes
