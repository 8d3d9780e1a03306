"""Secrets are masked in whatever the loggers write, including exception text."""

from __future__ import annotations

import io
import logging

from zendesk_objects_shared import SecretRedactingFilter, redact


def test_redact_masks_every_occurrence() -> None:
    assert redact("token=abc and abc", ["abc", ""]) == "token=*** and ***"


def test_filter_masks_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactingFilter(["hunter2"]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("auth failed for %s", "hunter2")
        try:
            raise RuntimeError("bad token hunter2")  # noqa: TRY301, TRY003, EM101
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "hunter2" not in written
    assert "auth failed for ***" in written
    assert "bad token ***" in written
