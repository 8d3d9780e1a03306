"""Keeping secrets out of logs and error text."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

MASK = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each (non-empty) secret in `text` with a mask."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class SecretRedactingFilter(logging.Filter):
    """A logging filter that masks the configured secrets in every record it sees."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the secrets (empty ones are dropped)."""
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, masked, so formatters never see the raw secret."""
        message = record.getMessage()
        masked = redact(message, self.secrets)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_info = None
        return True


def install_secret_filter(secrets: Iterable[str]) -> SecretRedactingFilter:
    """Mask `secrets` in everything the root logger's handlers write."""
    redacting = SecretRedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redacting)
    return redacting
