"""OAuth access tokens that renew themselves mid-run: client credentials and the refresh-token flow.

Zendesk's access tokens expire (30 minutes for clients made since 2026-04-30) and a refresh token works
once (wire notes §24). `RenewedCredential` holds the run's current access token for every thread:
- it asks `POST /oauth/tokens` for one before the first request, again shortly before it expires (1% of
  its lifetime, at most 30 s, ahead), and again after Zendesk answers 401 to it; the request that got the
  401 is then repeated with the new token, not counted as a failure;
- one renewal at a time: requests of other threads wait for it, then go out with the new token;
- the token request goes through the same request loop (pacing under the account budget, deadline,
  429 waits, retries) and carries no Authorization header;
- every token is registered with the secret registry the moment it is read, before anything is logged.
`ClientCredentialsGrant` needs nothing written anywhere. `RefreshTokenGrant` keeps the rotated refresh
token in a token store (token_store.py), written before the new access token is used.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import requests
import requests.auth

from zendesk_objects_shared.auth import (
    API_TOKEN_WARNING,
    AccessTokenAuth,
    ApiTokenAuth,
    ClientCredentialsAuth,
    RefreshTokenAuth,
    StaticCredential,
)
from zendesk_objects_shared.errors import RunFailure, ZendeskAPIError, error_message, one_line
from zendesk_objects_shared.redaction import SECRETS
from zendesk_objects_shared.token_store import StoredTokens, TokenStore, default_store_path, digest

if TYPE_CHECKING:
    import logging

    from requests import PreparedRequest, Response

    from zendesk_objects_shared.auth import AuthSettings, Credential
    from zendesk_objects_shared.http import HttpCore

TOKEN_PATH = "/oauth/tokens"  # noqa: S105 (a path, not a password)
# Renew this share of a token's lifetime before it ends, at most this many seconds before: the request
# must reach Zendesk before the token expires there, and renewing earlier only costs more token requests.
RENEW_AHEAD_SHARE = 0.01
RENEW_AHEAD_MAX_SECONDS = 30.0
# New tokens Zendesk may refuse in a row (a 401 before any request with them succeeded) before the run ends:
# a token that never works will not start working.
MAX_REFUSED_NEW_TOKENS = 3
# The OAuth error statuses of the token endpoint (RFC 6749 §5.2: 400, and 401 for a client it refuses).
TOKEN_ERROR_STATUSES = (400, 401, 403)


@dataclass
class AccessToken:
    """One access token and what the run knows about it."""

    value: str
    expires_at: float | None  # epoch seconds; None: Zendesk gave no expiry (renewed after a 401 only)
    lifetime: float | None
    proven: bool = False  # a request with it got an answer other than 401
    refused: bool = False  # Zendesk answered a request with it 401

    def due(self, now: float) -> bool:
        """Whether to renew it before the next request."""
        if self.refused:
            return True
        if self.expires_at is None:
            return False
        ahead = min(RENEW_AHEAD_MAX_SECONDS, RENEW_AHEAD_SHARE * (self.lifetime or 0.0))
        return now >= self.expires_at - ahead


@dataclass(frozen=True)
class TokenAnswer:
    """A token endpoint's 2xx answer, read."""

    access_token: str
    refresh_token: str | None
    expires_in: float | None
    refresh_token_expires_in: float | None
    scope: str
    asked_at: float  # epoch seconds when the request left: expiries count from here, never later
    read_at: float  # time.monotonic() when the answer was read (for the token store's window)

    def access(self) -> AccessToken:
        """The access token it carries."""
        expires_at = None if self.expires_in is None else self.asked_at + self.expires_in
        return AccessToken(self.access_token, expires_at, self.expires_in)


class TokenRefusedError(RunFailure):
    """The token endpoint refused the request with an OAuth error (RFC 6749 §5.2 body)."""

    def __init__(self, status: int, error: str, description: str, *, attempts: int) -> None:
        """Keep the parts; grants build the one line for people from them."""
        self.status = status
        self.error = error
        self.description = description
        self.attempts = attempts
        super().__init__(self.said)

    @property
    def said(self) -> str:
        """The status and what Zendesk said, as one line."""
        what = ": ".join(part for part in (self.error, self.description) if part) or "no message"
        return f"HTTP {self.status} on POST {TOKEN_PATH}: {what}"


class TokenEndpoint:
    """`POST {base}/oauth/tokens` through the run's request loop."""

    def __init__(self, base_url: str, http: HttpCore) -> None:
        """Ask the account at `base_url`, through `http` (its pacing, deadline and retries)."""
        self.url = base_url + TOKEN_PATH
        self.http = http
        self.requests_made = 0

    def ask(self, body: dict[str, str]) -> TokenAnswer:
        """Send one token request; the answer, or TokenRefusedError with Zendesk's OAuth error."""
        attempts = 0
        read: list[TokenAnswer] = []
        asked_at = time.time()

        def send(prepared: PreparedRequest) -> Response:
            nonlocal attempts
            attempts += 1
            return self.http.session().send(
                prepared, timeout=(self.http.timeout_seconds, self.http.timeout_seconds)
            )

        def check(response: Response) -> str | None:
            answer, problem = _read_answer(response, asked_at)
            if answer is not None:
                read.append(answer)
            return problem

        prepared = requests.Request("POST", self.url, json=body).prepare()
        self.requests_made += 1
        response = self.http.send(
            prepared, context="OAuth", transport=send, accept=TOKEN_ERROR_STATUSES, check=check
        )
        if response.status_code in TOKEN_ERROR_STATUSES:
            error, description = _oauth_error(response)
            raise TokenRefusedError(response.status_code, error, description, attempts=attempts)
        return read[-1]


class Grant(Protocol):
    """A way to get a new access token."""

    name: str

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        """A usable access token; `stale` is the one being replaced (refused or due), if any."""


class ClientCredentialsGrant:
    """`grant_type: client_credentials`: a confidential client's id and secret, nothing written anywhere."""

    name = "client credentials"

    def __init__(
        self, settings: ClientCredentialsAuth, endpoint: TokenEndpoint, logger: logging.Logger
    ) -> None:
        """Ask `endpoint` for tokens of the configured client and scopes."""
        self.settings = settings
        self.endpoint = endpoint
        self.logger = logger

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        """Ask for a new token with the client's id and secret."""
        del stale
        settings = self.settings
        body = {
            "grant_type": "client_credentials",
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "scope": settings.scopes,
        }
        try:
            answer = self.endpoint.ask(body)
        except TokenRefusedError as exc:
            raise RunFailure(_client_refusal(exc, settings.scopes)) from None
        token = answer.access()
        self.logger.info("OAuth: new access token by client credentials (%s)", _validity(token))
        return token


class RefreshTokenGrant:
    """`grant_type: refresh_token`, each rotated refresh token saved in the token store before use."""

    name = "refresh token"

    def __init__(
        self,
        settings: RefreshTokenAuth,
        endpoint: TokenEndpoint,
        store: TokenStore,
        logger: logging.Logger,
        *,
        lock_wait_seconds: float,
    ) -> None:
        """Refresh from the store's newest refresh token (or the configured one), saving each new one."""
        self.settings = settings
        self.endpoint = endpoint
        self.store = store
        self.logger = logger
        self.lock_wait_seconds = lock_wait_seconds
        self.store_windows: list[float] = []  # seconds from Zendesk's answer to the saved store, per refresh
        self.adopted = (
            0  # access tokens taken from the store (another run, or this one's last run, made them)
        )
        self._told_new_authorization = False

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        """Use the store's access token if it is newer and valid; else refresh, save, then use the new one."""
        configured = self.settings.refresh_token
        with self.store.locked(self.lock_wait_seconds):
            stored = self.store.read()
            chain = stored if stored is not None and stored.descends_from(configured) else None
            if stored is not None and chain is None and not self._told_new_authorization:
                self._told_new_authorization = True
                self.logger.info(
                    "OAuth: `oauth_refresh_token` is not one the token store %s has seen (a new "
                    "authorization): starting from it",
                    self.store.path,
                )
            adoptable = _adoptable(chain, stale)
            if adoptable is not None:
                self.adopted += 1
                return adoptable
            spent = chain.refresh_token if chain is not None else configured
            answer = self._refresh(spent, from_store=chain is not None)
            # From here until the store is written, a death of the process loses the new refresh token:
            # nothing else happens in between.
            base = chain or StoredTokens(
                refresh_token=configured, access_token=None, access_token_expires_at=None,
                refresh_token_expires_at=None, scope="", origin=digest(configured),
            )  # fmt: skip
            token = answer.access()
            saved_at = self.store.write(
                StoredTokens(
                    # Zendesk rotates at every refresh (wire notes §24); an answer without a new refresh
                    # token keeps the one that was sent, which is then still the valid one.
                    refresh_token=answer.refresh_token or spent,
                    access_token=token.value,
                    access_token_expires_at=token.expires_at,
                    refresh_token_expires_at=(
                        None
                        if answer.refresh_token_expires_in is None
                        else answer.asked_at + answer.refresh_token_expires_in
                    ),
                    scope=answer.scope,
                    origin=base.origin,
                    spent=base.spent_with(spent),
                    written_at=time.time(),
                )
            )
            window = saved_at - answer.read_at
        self.store_windows.append(window)
        self.logger.info(
            "OAuth: new access token by refresh token (%s); the new refresh token was saved in %s %.1f ms "
            "after Zendesk's answer",
            _validity(token),
            self.store.path,
            window * 1000,
        )
        return token

    def _refresh(self, spent: str, *, from_store: bool) -> TokenAnswer:
        settings = self.settings
        body = {
            "grant_type": "refresh_token",
            "refresh_token": spent,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
        }
        if settings.scopes:
            body["scope"] = settings.scopes
        try:
            return self.endpoint.ask(body)
        except TokenRefusedError as exc:
            if exc.error != "invalid_grant":
                raise RunFailure(_client_refusal(exc, settings.scopes or "")) from None
            where = f"the token store {self.store.path}" if from_store else "`oauth_refresh_token`"
            lost = (
                " (an earlier attempt of this refresh got no answer: Zendesk may have rotated the token then)"
                if exc.attempts > 1
                else ""
            )
            msg = (
                f"Zendesk refused the refresh token from {where} ({exc.said}){lost}: it was already used, "
                "has expired or was revoked. Authorize the OAuth client again and set the new "
                "`oauth_refresh_token`, or switch to client credentials (`oauth_client_id` + "
                "`oauth_client_secret` without `oauth_refresh_token`)"
            )
            raise RunFailure(msg) from None


class RenewedCredential(requests.auth.AuthBase):
    """The run's current access token, shared by every thread, renewed by `grant` (module docstring)."""

    def __init__(self, grant: Grant, logger: logging.Logger) -> None:
        """Renew through `grant`; `logger` hears of every token refused."""
        self.grant = grant
        self.logger = logger
        self._cond = threading.Condition()
        self._token: AccessToken | None = None
        self._renewing = False
        self._failure: str | None = None  # the line a failed renewal ended with: every thread ends with it
        self._refused_in_a_row = 0
        self.renewals = 0
        self.renewals_after_refusal = 0

    def authorize(self, request: PreparedRequest) -> object:
        """Set the current token (renewed first if it is due; waiting for a renewal under way)."""
        token = self._current()
        request.headers["Authorization"] = f"Bearer {token.value}"
        return token

    def accepted(self, used: object) -> None:
        """A request with `used` was answered: the token works."""
        if isinstance(used, AccessToken) and not used.proven:
            used.proven = True
            with self._cond:
                self._refused_in_a_row = 0

    def refused(self, used: object, response: Response, *, url_path: str) -> None:
        """Zendesk answered 401 to `used`: mark it for renewal (once), so the next attempt renews."""
        with self._cond:
            if used is not self._token or not isinstance(used, AccessToken) or used.refused:
                return  # another thread's request already had it replaced: repeat with the current one
            if not used.proven:
                self._refused_in_a_row += 1
                if self._refused_in_a_row >= MAX_REFUSED_NEW_TOKENS:
                    hint = (
                        f"Zendesk refused {self._refused_in_a_row} new access tokens in a row from the OAuth "
                        "client: check that `oauth_client_id` belongs to this account (`subdomain` or "
                        "`api_url`) and that the client is active"
                    )
                    raise ZendeskAPIError(401, error_message(response), url_path=url_path, hint=hint)
            used.refused = True
            self.renewals_after_refusal += 1
        self.logger.info(
            "OAuth: Zendesk refused the access token on %s (%s); renewing it",
            url_path,
            error_message(response),
        )

    def _current(self) -> AccessToken:
        with self._cond:
            while True:
                if self._failure is not None:
                    raise RunFailure(self._failure)
                token = self._token
                if token is not None and not token.due(time.time()):
                    return token
                if not self._renewing:
                    self._renewing = True
                    break
                self._cond.wait()
        fresh: AccessToken | None = None
        try:
            fresh = self.grant.obtain(token)
        except RunFailure as exc:
            with self._cond:
                self._failure = str(exc)
            raise
        finally:
            with self._cond:
                if fresh is not None:
                    self._token = fresh
                    self.renewals += 1
                self._renewing = False
                self._cond.notify_all()
        return fresh

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add the Authorization header (requests' AuthBase interface)."""
        self.authorize(request)
        return request

    def __repr__(self) -> str:
        """Name the grant, never a token."""
        return f"RenewedCredential({self.grant.name})"


def open_credential(
    auth: AuthSettings, *, base_url: str, http: HttpCore, logger: logging.Logger
) -> Credential:
    """The live credential for configured `auth`; the token store is checked here, before any request."""
    if isinstance(auth, ApiTokenAuth):
        logger.warning("%s", API_TOKEN_WARNING)
        return StaticCredential.api_token(auth.email, auth.api_token)
    if isinstance(auth, AccessTokenAuth):
        return StaticCredential.access_token(auth.token)
    SECRETS.add(auth.client_secret)
    endpoint = TokenEndpoint(base_url, http)
    grant: Grant
    if isinstance(auth, ClientCredentialsAuth):
        grant = ClientCredentialsGrant(auth, endpoint, logger)
    else:
        SECRETS.add(auth.refresh_token)
        path = auth.store_path or default_store_path(base_url, auth.client_id)
        store = TokenStore(path, account=base_url, client_id=auth.client_id)
        store.check()
        # The lock's holder is inside one token request, which gives up after its attempts.
        lock_wait = http.timeout_seconds * http.policy.max_tries + 60.0
        grant = RefreshTokenGrant(auth, endpoint, store, logger, lock_wait_seconds=lock_wait)
    return RenewedCredential(grant, logger)


def _adoptable(chain: StoredTokens | None, stale: AccessToken | None) -> AccessToken | None:
    """The store's access token when it is not the one being replaced and is still valid."""
    if chain is None or not chain.access_token or (stale is not None and chain.access_token == stale.value):
        return None
    expires_at = chain.access_token_expires_at
    lifetime = None if expires_at is None else max(0.0, expires_at - chain.written_at)
    token = AccessToken(chain.access_token, expires_at, lifetime)
    return None if token.due(time.time()) else token


def _read_answer(response: Response, asked_at: float) -> tuple[TokenAnswer | None, str | None]:
    """A 2xx token answer read, or what is wrong with it (retried by the loop, never used)."""
    read_at = time.monotonic()
    try:
        body = json.loads(response.content)
    except ValueError:
        return None, "a body that is not JSON"
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("access_token"), str)
        or not body["access_token"]
    ):
        return None, "a body without an `access_token`"
    refresh = body.get("refresh_token")
    answer = TokenAnswer(
        access_token=body["access_token"],
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_in=_seconds(body.get("expires_in")),
        refresh_token_expires_in=_seconds(body.get("refresh_token_expires_in")),
        scope=str(body.get("scope") or ""),
        asked_at=asked_at,
        read_at=read_at,
    )
    SECRETS.add(answer.access_token, answer.refresh_token or "")
    return answer, None


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _oauth_error(response: Response) -> tuple[str, str]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return "", error_message(response)
    if not isinstance(body, dict):
        return "", error_message(response)
    error = body.get("error")
    description = body.get("error_description") or body.get("description") or ""
    if isinstance(error, str):
        return one_line(error), one_line(str(description))
    return "", error_message(response)


def _client_refusal(exc: TokenRefusedError, scopes: str) -> str:
    """The one line for a token request Zendesk refused for another reason than a spent refresh token."""
    said = exc.said
    if exc.error == "invalid_client":
        advice = (
            "Zendesk did not accept the OAuth client: check `oauth_client_id` (the client's Identifier in "
            "Admin Center > Apps and integrations > APIs > OAuth clients) and `oauth_client_secret`"
        )
    elif exc.error == "unauthorized_client":
        advice = "this client may not use this grant: client credentials need a confidential OAuth client"
    elif exc.error == "invalid_scope":
        advice = (
            f"Zendesk refused the scopes {scopes!r} (`oauth_scopes`): use `read` for the tap and "
            "`read write` for the target, within the scopes the OAuth client allows"
        )
    else:
        advice = "check the OAuth settings (`oauth_client_id`, `oauth_client_secret`, `oauth_scopes`)"
    return f"{said} ({advice})"


def _validity(token: AccessToken) -> str:
    return "no expiry given" if token.lifetime is None else f"valid for {token.lifetime:,g} s"
