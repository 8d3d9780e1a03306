"""HTTP sessions against a sandbox, authenticated the ways real clients are."""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zendesk_sandbox import Sandbox

TIMEOUT = 30
TICKETS = "/api/v2/incremental/tickets/cursor"


def basic_header(email: str, token: str) -> str:
    """Return the API-token Authorization header value."""
    return "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()


class Client:
    """A keep-alive session on one sandbox with one Authorization header."""

    def __init__(self, sandbox: Sandbox, authorization: str | None = None) -> None:
        self.base = sandbox.url
        self.session = requests.Session()
        if authorization is None:
            authorization = f"Bearer {sandbox.settings.oauth_token}"
        self.session.headers["Authorization"] = authorization

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=TIMEOUT)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=TIMEOUT, **kwargs)

    def pages(self, path: str, key: str = "tickets", **params: Any) -> Iterator[dict[str, Any]]:
        """Follow a cursor export from start_time 0 to its last page."""
        response = self.get(path, start_time=0, **params)
        for _ in range(10_000):
            assert response.status_code == 200, response.text
            page = response.json()
            yield page
            if page.get("end_of_stream") or (not page[key] and page.get("end_of_stream") is None):
                return
            response = self.get(path, cursor=page["after_cursor"], **params)
        pytest.fail("the export never reached its last page")

    def time_pages(self, path: str, start: int, **params: Any) -> list[dict[str, Any]]:
        """Follow a time-based export's next_page from `start` to end_of_stream; every page."""
        response = self.get(path, start_time=start, **params)
        pages: list[dict[str, Any]] = []
        for _ in range(500):
            assert response.status_code == 200, response.text
            pages.append(response.json())
            if pages[-1]["end_of_stream"]:
                return pages
            response = self.session.get(pages[-1]["next_page"], timeout=TIMEOUT)
        pytest.fail("the export never reached end_of_stream")


def admin_api(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    """Call the sandbox's admin API (no auth) at /_sandbox{path}."""
    return requests.request(method, f"{sandbox.url}/_sandbox{path}", timeout=TIMEOUT, **kwargs)


def agent(sandbox: Sandbox) -> Client:
    """Return a client with the agent's API token: an agent, not an admin."""
    settings = sandbox.settings
    return Client(sandbox, basic_header(settings.agent_email, settings.agent_api_token))


def sequin(sandbox: Sandbox, token: str | None = None) -> requests.Session:
    """Return a session authenticated for Sequin's /v1/records."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token or sandbox.settings.sequin_token}"
    return session


def past_change_stamps() -> None:
    """Wait until changes just made are exportable with a zero lag.

    A change is stamped at most one second after the newest second an export has served (see
    zendesk_sandbox/store/clock.py), so after one second every change made before is at or behind the cutoff.
    """
    time.sleep(1.05)
