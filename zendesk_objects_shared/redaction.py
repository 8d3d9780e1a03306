"""Keeping secrets out of logs, error lines and files, in every form a server could echo them in."""

from __future__ import annotations

import base64
import logging
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

MASK = "***"
# The settings whose values are secrets, in every plugin of this project.
SECRET_SETTINGS = (
    "api_token",
    "oauth_token",
    "oauth_client_secret",
    "oauth_refresh_token",
    "sequin_api_token",
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each (non-empty) secret in `text` with a mask."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can come back in a server's answer: as is, and URL-encoded (both styles)."""
    return {form for form in (secret, quote(secret, safe=""), quote_plus(secret)) if form}


def basic_credential(email: str, api_token: str) -> str:
    """The base64 part of Zendesk's API-token header: `Basic base64("{email}/token:{api_token}")`."""
    return base64.b64encode(f"{email}/token:{api_token}".encode()).decode("ascii")


class SecretRegistry:
    """Every secret this process was given, in every form; masks them in text and in log records.

    One registry per process (`SECRETS`): the CLI registers the configured secrets before anything runs,
    and the log filter it installs reads the registry live, so a secret registered later is masked too.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()
        self._filter: SecretRedactingFilter | None = None

    def add(self, *secrets: str) -> None:
        """Register secrets (empty ones are ignored) with their encoded forms."""
        with self._lock:
            forms = set(self._forms)
            for secret in secrets:
                if secret:
                    forms |= secret_forms(secret)
            # Longest first, so a form that contains another is masked whole.
            self._forms = tuple(sorted(forms, key=len, reverse=True))

    def add_settings(self, config: Mapping[str, Any]) -> None:
        """Register the secret settings of a config, and the Basic header built from email + api_token."""
        self.add(*(str(config[key]) for key in SECRET_SETTINGS if config.get(key)))
        if config.get("email") and config.get("api_token"):
            self.add(basic_credential(str(config["email"]), str(config["api_token"])))

    @property
    def forms(self) -> tuple[str, ...]:
        """Every registered form, longest first."""
        return self._forms

    def mask(self, text: str) -> str:
        """`text` with every registered form masked."""
        return redact(text, self._forms)

    def excerpt(self, text: str, limit: int) -> str:
        """`text` as one line of at most `limit` characters: masked first, then cut.

        In that order, so that a secret a server echoed across the cut is masked whole, never half shown.
        """
        line = " ".join(self.mask(text).split())
        return line if len(line) <= limit else line[: limit - 1] + "…"

    def install_log_filter(self) -> None:
        """Mask secrets in everything the root logger's handlers write (once per handler)."""
        with self._lock:
            if self._filter is None:
                self._filter = SecretRedactingFilter(self)
        for handler in logging.getLogger().handlers:
            if self._filter not in handler.filters:
                handler.addFilter(self._filter)


class SecretRedactingFilter(logging.Filter):
    """A logging filter that masks a registry's secrets in every record it sees."""

    def __init__(self, registry: SecretRegistry) -> None:
        """Mask what `registry` holds at the time each record is written."""
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, masked, so formatters never see the raw secret."""
        message = record.getMessage()
        masked = self.registry.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.registry.mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


SECRETS = SecretRegistry()
