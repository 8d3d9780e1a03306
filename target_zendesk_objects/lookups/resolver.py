"""Natural keys to Zendesk ids: batched requests through the run's paced client, and a bounded cache.

Users and organizations by external id go 100 to a `show_many` request, custom object records by external id
100 to a `filter[external_ids]` request (wire notes §15); answers come in no particular order, so they are
matched back by key. Emails, names and ticket external ids have no batched endpoint: one request per key
(users/search, organizations/search, List Tickets `?external_id=`). Every key is
looked up once per run (misses included) while it stays among the cache's most recently used keys.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from target_zendesk_objects.lookups.rules import CUSTOM_OBJECT
from target_zendesk_objects.records.keys import normal_key
from zendesk_objects_shared import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from target_zendesk_objects.records.keys import Alias
    from target_zendesk_objects.writing.client import ZendeskWriteClient

MAX_KEYS_PER_REQUEST = 100  # show_many and filter[external_ids] take up to 100 values (wire notes §15)
# Keys remembered per run: about 240 bytes each with their id (an email of 30 characters), so some 60 MB at
# most; on a run with more distinct keys, the least recently used are looked up again when they come back.
CACHE_KEYS = 250_000
# Search pages read for one name or email: exact matches are picked out of a search's partial ones, and two
# are enough to know a key is ambiguous.
MAX_SEARCH_PAGES = 10

Ids = tuple[str, ...]


class KeyResolver:
    """Looks natural keys up in Zendesk and remembers the answers (matching ids, possibly none or several)."""

    def __init__(self, client: ZendeskWriteClient, *, cache_keys: int = CACHE_KEYS) -> None:
        """Ask through `client` (its budget pacing and retries); remember up to `cache_keys` keys."""
        self.client = client
        self.cache_keys = cache_keys
        # One string per key and a bare id for the usual single match keep an entry near 240 bytes.
        self._cache: OrderedDict[str, str | Ids] = OrderedDict()
        self._lock = threading.Lock()  # writes settled on the job threads tell the cache what they did
        self.requests = 0
        self.keys_looked_up = 0

    def cached(self, target: str, by: str, key: str) -> Ids | None:
        """The ids a key resolved to earlier in the run, or None when it was not looked up (or forgotten)."""
        entry = _entry(target, by, normal_key(target, key))
        with self._lock:
            ids = self._cache.get(entry)
            if ids is None:
                return None
            self._cache.move_to_end(entry)
        return (ids,) if isinstance(ids, str) else ids

    def resolve(self, target: str, by: str, keys: Iterable[str]) -> dict[str, Ids]:
        """Look `keys` up (distinct by normal key) and return their matches by normal key."""
        wanted = {normal_key(target, key): key for key in keys}
        found: dict[str, list[str]] = {normal: [] for normal in wanted}
        for normal, target_id in self._matches(target, by, list(wanted.values())):
            if normal in found and target_id not in found[normal]:
                found[normal].append(target_id)
        answers = {normal: tuple(ids) for normal, ids in found.items()}
        for normal, ids in answers.items():
            self._remember(_entry(target, by, normal), ids)
        self.keys_looked_up += len(answers)
        return answers

    def lookup(self, target: str, by: str, keys: Iterable[str]) -> dict[str, Ids]:
        """The matches of `keys` by normal key: the cache's answers, the rest asked (in batches)."""
        answers: dict[str, Ids] = {}
        missing = []
        for key in keys:
            ids = self.cached(target, by, key)
            if ids is None:
                missing.append(key)
            else:
                answers[normal_key(target, key)] = ids
        if missing:
            answers |= self.resolve(target, by, missing)
        return answers

    def learned(self, alias: Alias, ids: Ids | None) -> None:
        """What a write of this run made true of a key: its ids now, or None when unknown (asked again)."""
        entry = _entry(*alias)
        if ids is None:
            with self._lock:
                self._cache.pop(entry, None)
        else:
            self._remember(entry, ids)

    def _remember(self, entry: str, ids: Ids) -> None:
        with self._lock:
            self._cache[entry] = ids[0] if len(ids) == 1 else ids
            self._cache.move_to_end(entry)
            while len(self._cache) > self.cache_keys:
                self._cache.popitem(last=False)

    def _matches(self, target: str, by: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        """(normal key, id) for every match of every key."""
        if by == "external_id" and target in {"zen:user", "zen:organization"}:
            yield from self._show_many(target, keys)
        elif by == "external_id" and target.startswith(CUSTOM_OBJECT):
            yield from self._records(target, keys)
        else:
            for key in keys:
                yield from self._search(target, by, key)

    def _show_many(self, target: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        kind = "users" if target == "zen:user" else "organizations"
        batchable = [key for key in keys if "," not in key]
        for chunk in _chunks(batchable):
            body = self._get(f"/api/v2/{kind}/show_many", {"external_ids": ",".join(chunk)}, kind)
            yield from _keyed(target, body, kind, "external_id")
        for key in keys:
            if "," in key:  # a comma would split the list: the search endpoints take one exact id
                yield from self._search(target, "external_id", key)

    def _records(self, target: str, keys: list[str]) -> Iterator[tuple[str, str]]:
        object_key = target.removeprefix(CUSTOM_OBJECT)
        path = f"/api/v2/custom_objects/{quote(object_key, safe='')}/records"
        # An external id holding a comma cannot be named in the comma list, and no other read takes one
        # record external id: such a key finds nothing.
        for chunk in _chunks([key for key in keys if "," not in key]):
            params = {"filter[external_ids]": ",".join(chunk), "page[size]": str(MAX_KEYS_PER_REQUEST)}
            body = self._get(path, params, "custom_object_records")
            yield from _keyed(target, body, "custom_object_records", "external_id")

    def _search(self, target: str, by: str, key: str) -> Iterator[tuple[str, str]]:
        if target == "zen:ticket":
            # Ticket external ids are not unique (OAS, List Tickets): two tickets make the key ambiguous.
            params = {"external_id": key, "per_page": "2"}
            yield from _keyed(target, self._get("/api/v2/tickets", params, "tickets"), "tickets", by)
            return
        if target == "zen:organization":
            body = self._get("/api/v2/organizations/search", {by: key}, "organizations")
            yield from _keyed(target, body, "organizations", by)
            return
        params = {"per_page": str(MAX_KEYS_PER_REQUEST)}
        if by == "external_id":
            params["external_id"] = key  # exact, no search syntax (wire notes §15)
        else:
            params["query"] = f'{by}:"{key}"'
        matches = 0
        for page in range(1, MAX_SEARCH_PAGES + 1):
            body = self._get("/api/v2/users/search", {**params, "page": str(page)}, "users")
            for found in _keyed(target, body, "users", by):
                if found[0] == normal_key(target, key):  # search also finds partial matches
                    matches += 1
                    yield found
            if matches > 1 or not body.get("next_page"):
                return

    def _get(self, path: str, params: dict[str, str], key: str) -> dict[str, Any]:
        self.requests += 1
        body = self.client.get_listing(path, params, key)
        if body is None:
            msg = f"looking up lookup keys: {path} does not exist in this account (404)"
            raise ConfigurationError(msg)
        return body


def _entry(target: str, by: str, normal: str) -> str:
    return f"{target}\x1f{by}\x1f{normal}"


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), MAX_KEYS_PER_REQUEST):
        yield keys[start : start + MAX_KEYS_PER_REQUEST]


def _keyed(target: str, body: dict[str, Any], kind: str, by: str) -> Iterator[tuple[str, str]]:
    """(normal key, id) of each item of `body[kind]` by its `by` attribute, in whatever order it came.

    Keyed by what the item itself says, so an answer that is not about the key asked for (another user's
    email, another case where case counts) matches nothing. A deleted user (`active: false`, which
    show_many and search can return) is never a lookup's target.
    """
    for item in body.get(kind) or ():
        if not isinstance(item, dict) or item.get(by) is None or item.get("id") is None:
            continue
        if target == "zen:user" and item.get("active") is False:
            continue
        yield normal_key(target, str(item[by])), str(item["id"])
