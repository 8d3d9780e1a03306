"""Shared pytest setup: the sandbox fixtures (`sandbox`, `sandbox_factory`) for every test package.

The suite runs on two pytest-xdist workers (`-n 2` in pyproject.toml): most of its time is spent waiting
on rate-limit windows, job queues and subprocesses, not computing. Every test starts its own sandbox on a
free port and a tmp file, so tests are independent, except those that install tools on first use
(Meltano in `.venv-meltano`, third-party plugins and the peer tap in `.peer-venvs/`): they share one xdist
group, so one worker runs them one after another and no two installs race.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Sequence

pytest_plugins = ["zendesk_sandbox.pytest_plugin"]

# Test paths (relative to tests/) whose tests install tools on first use.
INSTALLING = ("e2e/", "bench/", "fidelity/test_peer_tap_zendesk.py")


def pytest_collection_modifyitems(items: Sequence[pytest.Item]) -> None:
    """Put every test that installs tools into one xdist group (see the module's docstring)."""
    for item in items:
        path = item.path.as_posix()
        if any(f"/tests/{part}" in path for part in INSTALLING):
            item.add_marker(pytest.mark.xdist_group("installs"))
