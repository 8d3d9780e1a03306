"""Counters of what the sandbox served, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Thread-safe request, status and refusal counters."""

    def __init__(self) -> None:
        """Start at zero."""
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.requests = 0
            self.by_kind: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.rate_limited: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.max_active_jobs_seen = 0
            self.foreign_admitted = 0
            self.foreign_refused = 0
            self.oauth_grants: Counter[str] = Counter()
            self.oauth_refusals: Counter[str] = Counter()

    def request(self, kind: str) -> None:
        """Count one request of an endpoint kind."""
        with self._lock:
            self.requests += 1
            self.by_kind[kind] += 1

    def response(self, status: int) -> None:
        """Count one response status."""
        with self._lock:
            self.by_status[str(status)] += 1

    def limited(self, reason: str) -> None:
        """Count one of our 429s by reason (export_limit, account_limit, job_limit, fault)."""
        with self._lock:
            self.rate_limited[reason] += 1

    def fault(self, name: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self.faults[name] += 1

    def foreign(self, admitted: int, refused: int) -> None:
        """Count the simulated foreign integration's requests: admitted and refused by the account limit."""
        with self._lock:
            self.foreign_admitted += admitted
            self.foreign_refused += refused

    def oauth_token(self, grant_type: str) -> None:
        """Count one POST /oauth/tokens that named this grant type, whatever its answer."""
        with self._lock:
            self.oauth_grants[grant_type] += 1

    def oauth_refused(self, error: str) -> None:
        """Count one POST /oauth/tokens refused with this OAuth error code."""
        with self._lock:
            self.oauth_refusals[error] += 1

    def active_jobs(self, count: int) -> None:
        """Track the highest number of queued + working jobs seen."""
        with self._lock:
            self.max_active_jobs_seen = max(self.max_active_jobs_seen, count)

    def snapshot(self) -> dict[str, Any]:
        """Return every counter as JSON-ready values."""
        with self._lock:
            return {
                "requests": self.requests,
                "requests_by_kind": dict(self.by_kind),
                "responses_by_status": dict(self.by_status),
                "rate_limited": dict(self.rate_limited),
                "faults": dict(self.faults),
                "max_active_jobs_seen": self.max_active_jobs_seen,
                # not part of `requests`: the simulated foreign integration (`foreign_requests_per_window`)
                "foreign_requests": self.foreign_admitted,
                "foreign_requests_refused": self.foreign_refused,
                # POST /oauth/tokens that reached the endpoint (past faults and the account budget)
                "oauth_token_requests": dict(self.oauth_grants),
                "oauth_token_refused": dict(self.oauth_refusals),
            }
