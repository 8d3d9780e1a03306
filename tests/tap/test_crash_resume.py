"""Killed by SIGKILL the tap resumes from its last STATE: nothing lost, at most a page repeated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.tap.runner import (
    FAST,
    resumed_runs,
    selected_catalog,
    tap_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

PAGE = 20


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [[5], [PAGE + 3, 4 * PAGE], [45, 110, 170, 230]])
def test_resume_after_sigkill(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, kill_after: list[int]
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=PAGE)
    config["export_requests_per_minute"] = 20  # 20 pages a second: slow enough to be killed mid-export
    catalog = selected_catalog(tmp_path, config, ["tickets"])
    printed: set[int] = set()
    for run in resumed_runs(tmp_path, config, catalog, kill_after):
        ids = {t["id"] for t in run.records("tickets")}
        # A rerun repeats at most the one page that was in flight when the previous run died.
        assert len(ids & printed) <= PAGE
        printed |= ids
    # Nothing lost: every ticket was printed by one of the runs.
    assert printed == set(sb.admin.ticket_ids(include_deleted=True))
