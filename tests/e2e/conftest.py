"""Fixtures of the end-to-end tests: a sandbox (with or without a hand-made `subscription`), Meltano's env."""

from __future__ import annotations

import importlib.util
import json
import os
from typing import TYPE_CHECKING, Any

import pytest

from devtools import sandbox_configs
from tests.e2e.postgres import PostgresServer, server_binaries, start_postgres
from tests.e2e.tools import MELTANO_SYS_DIR, REPO_ROOT, write_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from zendesk_sandbox import Sandbox

# A roomy export limit and no recent-data lag, so that two runs fit in seconds; the tap is paced to the same
# limit (an integer setting: Meltano 4.4 cannot pass a `decimal` setting such as export_window_seconds from an
# environment variable, it fails serializing the Decimal it parsed).
EXPORTS_PER_MINUTE = 600
FAST_SANDBOX: dict[str, Any] = {
    "export_requests_per_window": EXPORTS_PER_MINUTE,
    "recent_data_lag_seconds": 0.0,
}
# The target (issue 4) is being written beside these tests; its console script is declared in pyproject
# already, so the tests that run it ask whether its code exists.
needs_target = pytest.mark.skipif(
    importlib.util.find_spec("target_zendesk_objects.target") is None,
    reason="target-zendesk-objects is not built yet (issue 4); runs as soon as its target.py exists",
)
# A `subscription` object made by hand, for the pipelines that write to one that exists (the reverse-sync
# job creates its own from the stream's schema).
SUBSCRIPTION_SPEC: dict[str, Any] = json.loads(
    (REPO_ROOT / "tests" / "e2e" / "subscription_object.json").read_text()
)


@pytest.fixture
def bare_e2e_sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A started test-sized sandbox, as seeded (no `subscription` custom object)."""
    return sandbox_factory(**FAST_SANDBOX)


@pytest.fixture
def e2e_sandbox(bare_e2e_sandbox: Sandbox) -> Sandbox:
    """The same sandbox with a hand-made `subscription` custom object added."""
    sb = bare_e2e_sandbox
    spec = SUBSCRIPTION_SPEC
    sb.admin.create_custom_object(spec["key"], spec["title"], spec["fields"], name_mode=spec["name_mode"])
    return sb


@pytest.fixture
def meltano_env(bare_e2e_sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    """Environment for `meltano run` in the repo's project: this sandbox, a fresh state db, a tmp DuckDB."""
    return {
        "MELTANO_SYS_DIR_ROOT": str(MELTANO_SYS_DIR),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
        "MELTANO_ENVIRONMENT": "sandbox",
        "TAP_ZENDESK_OBJECTS_API_URL": bare_e2e_sandbox.url,
        "TAP_ZENDESK_OBJECTS_SEQUIN_API_URL": bare_e2e_sandbox.url,
        "TAP_ZENDESK_OBJECTS_EXPORT_REQUESTS_PER_MINUTE": str(EXPORTS_PER_MINUTE),
        "TARGET_ZENDESK_OBJECTS_API_URL": bare_e2e_sandbox.url,
        "TARGET_DUCKDB_FILEPATH": str(tmp_path / "warehouse.duckdb"),
    }


@pytest.fixture
def tap_config(e2e_sandbox: Sandbox, tmp_path: Path) -> Path:
    """The tap's config file for this sandbox."""
    return write_json(
        tmp_path / "tap.json",
        sandbox_configs.tap_config(e2e_sandbox.url, export_requests_per_minute=EXPORTS_PER_MINUTE),
    )


@pytest.fixture
def target_config(e2e_sandbox: Sandbox, tmp_path: Path) -> Callable[..., Path]:
    """Return `make(**settings) -> Path`: a target config file for this sandbox with `settings` added."""

    def make(**settings: Any) -> Path:
        return write_json(
            tmp_path / "target.json", sandbox_configs.target_config(e2e_sandbox.url, **settings)
        )

    return make


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this machine's packages, started for the test and removed after it."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries missing: .ci/run installs the postgresql package")
        pytest.skip("no PostgreSQL server binaries here (apt-get install postgresql); CI installs them")
    server = start_postgres(binaries)
    yield server
    server.stop()
