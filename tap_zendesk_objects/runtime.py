"""TapRuntime: what the streams of a run share, and the few requests of discovery and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from zendesk_objects_shared import RunFailure
from zendesk_objects_shared.bodies import holding, json_object

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from zendesk_objects_shared import Credential, RequestPacer, ZendeskConnection
    from zendesk_objects_shared.http import HttpCore

NOT_FOUND = 404
# List endpoints' largest cursor page (wire notes §10), and a bound on pages for lists that never end.
LIST_PAGE_SIZE = 100
MAX_LIST_PAGES = 10_000


@dataclass
class TapRuntime:
    """What the streams share: connection, credential, request loop, export pacer, STATE output."""

    connection: ZendeskConnection
    credential: Credential
    http: HttpCore
    export_pacer: RequestPacer
    write_state: Callable[[], None]
    sequin_base_url: str = ""
    sequin_credential: Credential | None = None
    rode: set[str] = field(default_factory=set)  # streams written with another stream's walk this run

    def get_json(self, path: str, records_key: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET a Zendesk API path (discovery, metadata) whose body holds the list `records_key`."""
        body = self._get(path, records_key, params, accept=())
        if body is None:  # pragma: no cover (404 is not accepted above)
            raise AssertionError(path)
        return body

    def get_all(self, path: str, records_key: str) -> list[dict[str, Any]]:
        """Every item of a Zendesk list endpoint, through its cursor pages (`page[size]`, `page[after]`)."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page[size]": LIST_PAGE_SIZE}
        for _ in range(MAX_LIST_PAGES):
            body = self.get_json(path, records_key, params)
            items += [item for item in body[records_key] if isinstance(item, dict)]
            meta = body.get("meta")
            after = meta.get("after_cursor") if isinstance(meta, dict) and meta.get("has_more") else None
            if not after:
                return items
            params = {"page[size]": LIST_PAGE_SIZE, "page[after]": after}
        msg = f"{path}: more than {MAX_LIST_PAGES} pages of {LIST_PAGE_SIZE}; the list does not end"
        raise RunFailure(msg)

    def get_json_or_none(self, records_key: str) -> Callable[[str, dict[str, str]], dict[str, Any] | None]:
        """`get(path, params)`: like `get_json`, but None when the path does not exist (404)."""
        return lambda path, params: self._get(path, records_key, params, accept=(NOT_FOUND,))

    def _get(
        self, path: str, records_key: str, params: Mapping[str, Any] | None, *, accept: tuple[int, ...]
    ) -> dict[str, Any] | None:
        request = requests.Request("GET", self.connection.base_url + path, params=dict(params or {}))
        response = self.http.send(
            request.prepare(), accept=accept, check=holding(records_key, list), credential=self.credential
        )
        return None if response.status_code == NOT_FOUND else json_object(response)
