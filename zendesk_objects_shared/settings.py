"""Settings both plugins define one way (the connection's own are in connection.py)."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

# Zendesk's rate limits count requests per minute (wire notes §9); the sandbox can shorten its minute.
ZENDESK_WINDOW_SECONDS = 60.0


def window_seconds_setting(name: str, window: str) -> th.Property[Any]:
    """The setting `name`: how long the `window` the plugin paces itself under lasts (a minute at Zendesk)."""
    return th.Property(
        name,
        th.NumberType(exclusive_minimum=0),
        default=ZENDESK_WINDOW_SECONDS,
        description=f"Length of the {window} window, in seconds. Only tests (sandbox) change it.",
    )
