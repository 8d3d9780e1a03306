"""Fixtures of the fidelity tests: the Zendesk OAS, parsed once per session."""

from __future__ import annotations

import pytest

from tests.fidelity.oas import OAS_PATH, ZendeskOas, load_oas


@pytest.fixture(scope="session")
def oas(request: pytest.FixtureRequest) -> ZendeskOas:
    """The Zendesk OAS; its parsed form is cached under .pytest_cache, keyed by the file's sha256."""
    cache = getattr(request.config, "cache", None)  # absent under `-p no:cacheprovider`
    cache_dir = None if cache is None else cache.mkdir("zendesk-oas")
    return ZendeskOas(load_oas(OAS_PATH, cache_dir))
