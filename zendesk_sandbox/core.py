"""Everything a handler needs: live settings, store, jobs, limits, faults, cursors, OAuth tokens, counters."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.gateway.faults import Faults
from zendesk_sandbox.limits.budgets import RateLimit, counter
from zendesk_sandbox.limits.stats import Stats
from zendesk_sandbox.oauth.tokens import OAuthLedger
from zendesk_sandbox.settings import updated_settings
from zendesk_sandbox.store.clock import ChangeClock
from zendesk_sandbox.store.cursors import CursorLedger
from zendesk_sandbox.store.database import Store
from zendesk_sandbox.store.directory import Directory
from zendesk_sandbox.store.history import TicketHistory
from zendesk_sandbox.store.jobs import JobRunner
from zendesk_sandbox.store.memberships import Memberships
from zendesk_sandbox.store.people import PeopleStore
from zendesk_sandbox.store.records import Records

if TYPE_CHECKING:
    from pathlib import Path

    from zendesk_sandbox.settings import SandboxSettings


class Core:
    """The sandbox's state, shared by the HTTP handlers and the Python admin API."""

    def __init__(self, settings: SandboxSettings, db_path: Path) -> None:
        """Open (and seed if empty) the store at `db_path`."""
        self._settings = settings
        self._settings_lock = threading.Lock()
        self.started = time.monotonic()  # `fixed` and `tenths` windows are aligned to this instant
        self.store = Store(db_path)
        self.seeded_now = self.store.ensure_seeded(settings)
        self.stats = Stats()
        self.clock = ChangeClock()
        self.people = PeopleStore(self.store)
        self.records = Records(self.store, self.people, self.settings, self.clock)
        self.directory = Directory(
            self.store, self.people, self.settings, self.clock, self.records.lookups.resolve
        )
        self.jobs = JobRunner(self.records, self.settings, self.stats)
        self.faults = Faults(self.settings, self.stats)
        self.cursors = CursorLedger()
        self.oauth = OAuthLedger()  # in memory: a restart forgets every code and token
        self.history = TicketHistory(self.store)  # ticket events, metric events, ratings, conversations
        self._limits()
        self.memberships = Memberships(self.store, self.people)

    def settings(self) -> SandboxSettings:
        """Return the current settings."""
        return self._settings

    def configure(self, changes: dict[str, Any]) -> SandboxSettings:
        """Apply live setting changes; rate-limit windows, fault RNG and storm are reset."""
        with self._settings_lock:
            self._settings = updated_settings(self._settings, changes)
            self._limits()
            self.faults.reset()
            self.jobs.reseed()
            return self._settings

    def _limits(self) -> None:
        settings = self._settings
        counting, window = settings.limit_counting, settings.window_seconds
        self.export_limit = RateLimit(
            counter(counting, settings.export_requests_per_window, window, self.started)
        )
        # The foreign integration spends only the account budget; its export requests are not simulated.
        self.account_limit = RateLimit(
            counter(counting, settings.account_requests_per_window, window, self.started),
            foreign_per_window=settings.foreign_requests_per_window,
            on_foreign=self.stats.foreign,
        )

    def account_url(self) -> str:
        """Return the base of resource `url` fields: public_url, else https://{subdomain}.zendesk.com."""
        settings = self._settings
        return (settings.public_url or f"https://{settings.subdomain}.zendesk.com").rstrip("/")

    def navigation_url(self, request_base: str) -> str:
        """Return the base of after_url/links: public_url, else the URL the request came in on."""
        return (self._settings.public_url or request_base).rstrip("/")
