"""Secrets are masked in whatever the loggers write, including exception text."""

from __future__ import annotations

import io
import logging

from zendesk_objects_shared import SecretRedactingFilter, SecretRegistry, redact
from zendesk_objects_shared.redaction import basic_credential


def test_redact_masks_every_occurrence() -> None:
    assert redact("token=abc and abc", ["abc", ""]) == "token=*** and ***"


def test_filter_masks_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    registry = SecretRegistry()
    registry.add("hunter2")
    handler.addFilter(SecretRedactingFilter(registry))
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


def test_every_form_of_a_secret_is_masked() -> None:
    registry = SecretRegistry()
    registry.add_settings({"email": "ann@example.com", "api_token": "a+b/c=d", "oauth_token": "o/a+uth"})
    credential = basic_credential("ann@example.com", "a+b/c=d")
    echoed = f"raw a+b/c=d; url %s; plus %s; header Basic {credential}; header url %s; bearer o/a+uth %s" % (
        "a%2Bb%2Fc%3Dd",
        "a%2Bb%2Fc%3Dd",
        credential.replace("=", "%3D"),
        "o%2Fa%2Buth",
    )
    masked = registry.mask(echoed)
    for secret in ("a+b/c=d", "a%2Bb%2Fc%3Dd", credential, credential.rstrip("="), "o/a+uth", "o%2Fa%2Buth"):
        assert secret not in masked, secret
