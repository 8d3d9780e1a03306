"""The OAuth ledger: authorization codes and issued tokens, in memory (a restart forgets them).

One `IssuedToken` is what the OAS calls an OAuth token object: an access token, with the refresh token
issued beside it when the grant has one, under one id. So the pair shares its fate: a refresh (rotation)
retires both, and revoking either revokes both (wire notes §24). Values come from `secrets`; a value is
found by its SHA-256 digest and then compared in constant time. Times are `time.monotonic()` instants,
expiry is checked at a request's arrival; wall-clock times are kept only to show them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

Retired = Literal["active", "rotated", "revoked"]
TokenState = Literal["active", "expired", "rotated", "revoked", "used"]
FIRST_TOKEN_ID = 100_001
TOKEN_BYTES = 32  # 43 URL-safe characters


@dataclass
class AuthorizationCode:
    """A code handed to the redirect URI after the user clicked "Allow"; exchanged once, soon."""

    value: str
    client: str
    scopes: tuple[str, ...]
    redirect_uri: str
    issued: float
    ttl: float
    used: bool = False

    def usable(self, now: float) -> bool:
        """Return True when the code is unused and unexpired at `now`."""
        return not self.used and now < self.issued + self.ttl


@dataclass
class IssuedToken:
    """An access token and its refresh token (None for client credentials), issued to one client."""

    id: int
    client: str
    grant_type: str
    scopes: tuple[str, ...]
    access: str
    refresh: str | None
    issued: float  # monotonic
    issued_wall: float  # epoch seconds
    access_ttl: float | None  # None: never expires
    refresh_ttl: float | None
    retired: Retired = "active"
    used_wall: float | None = None  # epoch seconds of the last request it authenticated

    def access_state(self, now: float) -> TokenState:
        """Return the access token's state at `now`."""
        if self.retired != "active":
            return self.retired
        return "expired" if _past(self.issued, self.access_ttl, now) else "active"

    def refresh_state(self, now: float) -> TokenState:
        """Return the refresh token's state at `now` (a rotated pair's refresh token was used)."""
        if self.retired == "rotated":
            return "used"
        if self.retired == "revoked":
            return "revoked"
        return "expired" if _past(self.issued, self.refresh_ttl, now) else "active"

    def access_expires_wall(self) -> float | None:
        """Return when the access token expires, in epoch seconds (None: never)."""
        return None if self.access_ttl is None else self.issued_wall + self.access_ttl

    def refresh_expires_wall(self) -> float | None:
        """Return when the refresh token expires, in epoch seconds (None: no refresh token)."""
        return None if self.refresh_ttl is None else self.issued_wall + self.refresh_ttl


def _past(issued: float, ttl: float | None, now: float) -> bool:
    return ttl is not None and now >= issued + ttl


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _same(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode(), given.encode())


class OAuthLedger:
    """Every code and token the sandbox issued; thread-safe, `transaction()` for check-then-change."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.RLock()
        self._codes: dict[str, AuthorizationCode] = {}
        self._by_access: dict[str, IssuedToken] = {}
        self._by_refresh: dict[str, IssuedToken] = {}
        self._by_id: dict[int, IssuedToken] = {}
        self._next_id = FIRST_TOKEN_ID

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the ledger while a grant checks and then consumes a code or refresh token."""
        with self._lock:
            yield

    def new_code(self, client: str, scopes: tuple[str, ...], redirect_uri: str, ttl: float) -> str:
        """Mint an authorization code for `client` and return it."""
        value = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            self._codes[_digest(value)] = AuthorizationCode(
                value, client, scopes, redirect_uri, time.monotonic(), ttl
            )
        return value

    def code(self, value: str) -> AuthorizationCode | None:
        """Return the code with this value, used or not, or None."""
        with self._lock:
            found = self._codes.get(_digest(value))
        return found if found is not None and _same(found.value, value) else None

    def spend(self, code: AuthorizationCode) -> None:
        """Mark a code used: it works once."""
        with self._lock:
            code.used = True

    def issue(  # noqa: PLR0913 - one token's every attribute
        self,
        client: str,
        grant_type: str,
        scopes: tuple[str, ...],
        access_ttl: float | None,
        refresh_ttl: float | None,
        *,
        with_refresh: bool,
    ) -> IssuedToken:
        """Issue an access token (and a refresh token when `with_refresh`) and return it."""
        with self._lock:
            token = IssuedToken(
                id=self._next_id,
                client=client,
                grant_type=grant_type,
                scopes=scopes,
                access=secrets.token_urlsafe(TOKEN_BYTES),
                refresh=secrets.token_urlsafe(TOKEN_BYTES) if with_refresh else None,
                issued=time.monotonic(),
                issued_wall=time.time(),
                access_ttl=access_ttl,
                refresh_ttl=refresh_ttl if with_refresh else None,
            )
            self._next_id += 1
            self._by_id[token.id] = token
            self._by_access[_digest(token.access)] = token
            if token.refresh is not None:
                self._by_refresh[_digest(token.refresh)] = token
        return token

    def by_access(self, value: str) -> IssuedToken | None:
        """Return the token whose access token is `value`, in any state, or None."""
        with self._lock:
            found = self._by_access.get(_digest(value))
        return found if found is not None and _same(found.access, value) else None

    def by_refresh(self, value: str) -> IssuedToken | None:
        """Return the token whose refresh token is `value`, in any state, or None."""
        with self._lock:
            found = self._by_refresh.get(_digest(value))
        return found if found is not None and found.refresh and _same(found.refresh, value) else None

    def by_id(self, token_id: int) -> IssuedToken | None:
        """Return the token with this id, in any state, or None."""
        with self._lock:
            return self._by_id.get(token_id)

    def touch(self, token: IssuedToken) -> None:
        """Note that `token` just authenticated a request."""
        with self._lock:
            token.used_wall = time.time()

    def retire(self, token: IssuedToken, how: Literal["rotated", "revoked"]) -> bool:
        """Rotate or revoke an active pair; return False when it was already retired."""
        with self._lock:
            if token.retired != "active":
                return False
            token.retired = how
            return True

    def revoke_client(self, client: str) -> int:
        """Revoke every active token of a client and return how many."""
        with self._lock:
            return sum(
                self.retire(token, "revoked") for token in self._by_id.values() if token.client == client
            )

    def tokens(self) -> list[IssuedToken]:
        """Return every token issued, oldest first."""
        with self._lock:
            return list(self._by_id.values())
