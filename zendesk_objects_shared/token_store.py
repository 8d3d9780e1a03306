"""Where the refresh-token flow keeps the newest refresh token, so that the next run can still log in.

Zendesk rotates refresh tokens: refreshing answers a new refresh token and invalidates the one it was
given (wire notes §24). The new one exists nowhere but in that answer, so it is written here at once,
before the new access token is used:
- atomically: a temporary file in the same folder (mode 0600), renamed over the store, then fsync of the
  file and of the folder; a run killed at any moment leaves the old store or the new one, never half of
  one. The rename comes before the fsync on purpose: once Zendesk has answered, the old store is worthless
  (its refresh token is spent), so what counts is how soon the new one is safe. After the rename it
  survives the death of the process (about 0.1 ms after the answer, instead of the 4-20 ms an fsync takes
  here); after the fsync, a power cut. A power cut in between leaves the old store or a corrupt one,
  either way a new authorization, exactly as it would with the fsync first. The new access token is
  used only once both are done;
- under a lock (`flock` on `<store>.lock`), held from reading the store to writing the new tokens, so two
  runs sharing the store (the tap and the target of one pipeline, runs scaled out) never both spend the
  same refresh token: the second one finds the first one's new access token and uses it;
- checked before any request: a store readable by other users, owned by another user, unreadable, or made
  for another account or client ends the run in one line.
The store also keeps the access token and when it expires, so the next run (or the other plugin) starts
without a token request while it is valid, and digests (never the tokens) of the configuration's refresh
token and of every refresh token spent since, which say whether the configured token is older than the
store (the store wins) or a new authorization (the configured token wins).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from zendesk_objects_shared.errors import RunFailure
from zendesk_objects_shared.redaction import SECRETS

if TYPE_CHECKING:
    from collections.abc import Iterator

STORE_FORMAT = "zendesk-objects oauth token store, version 1"
# Digests of spent refresh tokens kept: enough to recognise a configured token from long ago.
SPENT_KEPT = 50
LOCK_POLL_SECONDS = 0.05


class TokenStoreError(RunFailure):
    """The token store cannot be used; the text is one line saying what to do."""


def digest(token: str) -> str:
    """A token's SHA-256, to recognise it later without keeping it."""
    return hashlib.sha256(token.encode()).hexdigest()


def default_store_path(base_url: str, client_id: str) -> Path:
    """The store of one account and client, under the user's state folder (XDG_STATE_HOME).

    `~/.local/state/zendesk-objects/oauth/<host>--<client id>.json`: the tap and the target of one
    account and client share it without any setting.
    """
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    host = urlsplit(base_url).netloc or base_url
    return Path(state_home) / "zendesk-objects" / "oauth" / f"{_safe(host)}--{_safe(client_id)}.json"


@dataclass(frozen=True)
class StoredTokens:
    """What the store holds: the tokens of the newest refresh, and where the chain of refreshes began."""

    refresh_token: str
    access_token: str | None
    access_token_expires_at: float | None  # epoch seconds; None: Zendesk gave no expiry
    refresh_token_expires_at: float | None
    scope: str
    origin: str  # digest of the configured refresh token the chain started from
    spent: tuple[str, ...] = field(default=())  # digests of the refresh tokens spent since, oldest first
    written_at: float = 0.0

    def descends_from(self, configured: str) -> bool:
        """Whether this chain began at, or has since spent, the configured refresh token."""
        configured_digest = digest(configured)
        return configured_digest == self.origin or configured_digest in self.spent

    def spent_with(self, token: str) -> tuple[str, ...]:
        """The chain's spent digests once `token` is spent too (the newest kept)."""
        return (*self.spent, digest(token))[-SPENT_KEPT:]


class TokenStore:
    """One store file for one account and OAuth client."""

    def __init__(self, path: Path, *, account: str, client_id: str) -> None:
        """Keep the tokens of `client_id` on `account` (a base URL) in `path`."""
        self.path = path
        self.account = account
        self.client_id = client_id
        self.lock_path = path.with_name(path.name + ".lock")

    def check(self) -> None:
        """Refuse, in one line, a store that must not be used: before any request is sent."""
        self.read()

    @contextlib.contextmanager
    def locked(self, wait_seconds: float) -> Iterator[None]:
        """Hold the store's lock (waiting at most `wait_seconds` for another run to release it)."""
        self._make_folder()
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            msg = f"cannot open the OAuth token store's lock {self.lock_path}: {exc.strerror}"
            raise TokenStoreError(msg) from None
        try:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        msg = (
                            f"another run has held the OAuth token store {self.path} for more than "
                            f"{wait_seconds:g} s while renewing its token; try again later"
                        )
                        raise TokenStoreError(msg) from None
                    time.sleep(LOCK_POLL_SECONDS)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def read(self) -> StoredTokens | None:
        """The stored tokens, None when there is no store yet; TokenStoreError when it must not be used."""
        try:
            info = self.path.lstat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._refuse(f"cannot be read ({exc.strerror})")
        if not stat.S_ISREG(info.st_mode):
            self._refuse("is not a regular file")
        if info.st_uid != os.getuid():
            self._refuse(f"belongs to another user (uid {info.st_uid}); it holds a refresh token")
        if info.st_mode & 0o077:
            self._refuse(
                f"can be read or written by other users (mode {stat.S_IMODE(info.st_mode):04o}) and holds a "
                f"refresh token: run `chmod 600 {self.path}`, or delete it and authorize again"
            )
        try:
            document = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            self._refuse(f"is corrupt ({type(exc).__name__}): {_restore_advice()}")
        tokens = self._parse(document)
        SECRETS.add(tokens.refresh_token, tokens.access_token or "")
        return tokens

    def write(self, tokens: StoredTokens) -> float:
        """Replace the store with `tokens`, atomically and durably (the module's docstring).

        Returns the moment (time.monotonic()) the new store took the old one's place: from then on the new
        tokens survive the death of the process.
        """
        document = {
            "format": STORE_FORMAT,
            "account": self.account,
            "client_id": self.client_id,
            **asdict(tokens),
            "spent": list(tokens.spent),
        }
        data = json.dumps(document, indent=1).encode()
        self._make_folder()
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".new")
        try:  # mkstemp creates it with mode 0600
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                Path(temporary).replace(self.path)  # from here the new tokens survive a kill
                renamed_at = time.monotonic()
            except OSError as exc:
                with contextlib.suppress(OSError):
                    Path(temporary).unlink()
                msg = (
                    f"cannot write the OAuth token store {self.path} ({exc.strerror}): the refresh token "
                    "Zendesk just gave is lost; authorize again"
                )
                raise TokenStoreError(msg) from None
            os.fsync(fd)  # and from here a power cut
        finally:
            os.close(fd)
        _fsync_folder(self.path.parent)
        return renamed_at

    def _parse(self, document: Any) -> StoredTokens:  # noqa: ANN401 (any JSON document)
        if not isinstance(document, dict) or document.get("format") != STORE_FORMAT:
            self._refuse(f"is not a token store of this version: {_restore_advice()}")
        if document.get("account") != self.account or document.get("client_id") != self.client_id:
            self._refuse(
                f"belongs to client {document.get('client_id')!r} of {document.get('account')!r}, not to "
                f"client {self.client_id!r} of {self.account!r}: set `oauth_token_store` to this client's own"
            )
        try:
            return StoredTokens(
                refresh_token=_text(document["refresh_token"]),
                access_token=_optional(document.get("access_token"), str),
                access_token_expires_at=_optional(document.get("access_token_expires_at"), float),
                refresh_token_expires_at=_optional(document.get("refresh_token_expires_at"), float),
                scope=str(document.get("scope") or ""),
                origin=_text(document["origin"]),
                spent=tuple(_text(item) for item in document.get("spent") or ()),
                written_at=float(document.get("written_at") or 0.0),
            )
        except (KeyError, TypeError, ValueError) as exc:
            self._refuse(f"is corrupt (bad {exc}): {_restore_advice()}")

    def _refuse(self, problem: str) -> NoReturn:
        msg = f"the OAuth token store {self.path} {problem}"
        raise TokenStoreError(msg)

    def _make_folder(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot create the OAuth token store's folder {self.path.parent}: {exc.strerror}"
            raise TokenStoreError(msg) from None


def _restore_advice() -> str:
    return "restore it from a backup, or delete it and authorize again (a new `oauth_refresh_token`)"


def _text(value: Any) -> str:  # noqa: ANN401
    if not isinstance(value, str) or not value:
        raise TypeError(type(value).__name__)
    return value


def _optional(value: Any, kind: type[str | float]) -> Any:  # noqa: ANN401
    if value is None:
        return None
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is str and isinstance(value, str):
        return value
    raise TypeError(type(value).__name__)


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk too.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)
