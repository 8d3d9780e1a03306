"""The type of a decoded JSON value (request bodies, field values, job items)."""

from __future__ import annotations

from typing import Any

# Whatever json.loads returns; handlers check the shape at run time, as Zendesk does.
Json = Any
