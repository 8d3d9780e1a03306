"""pytest fixtures: `sandbox_factory` (a started sandbox per call, on a tmp file) and `sandbox`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import SandboxSettings, settings_from_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from zendesk_sandbox.jsonvalue import Json

# Test-sized data: seeds in well under a second; all three demo objects, so every field type and name mode
# (plain, unique, autonumbered) is present; users, organizations and groups enough for every role and link.
TEST_SIZES: dict[str, Any] = {
    "tickets": 250,
    "records_per_object": 40,
    "sequin_records": 120,
    "users": 40,
    "organizations": 15,
    "groups": 3,
}


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Return `make(**settings_overrides) -> Sandbox`, started on a tmp SQLite file, closed at teardown."""
    started: list[Sandbox] = []

    def make(**overrides: Json) -> Sandbox:
        settings = settings_from_json({**TEST_SIZES, **overrides}, SandboxSettings())
        sandbox = Sandbox(settings, db_path=tmp_path / f"sandbox-{len(started)}.sqlite")
        started.append(sandbox)
        return sandbox.start()

    yield make
    for sandbox in started:
        sandbox.close()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A started sandbox with the test-sized data set."""
    return sandbox_factory()
