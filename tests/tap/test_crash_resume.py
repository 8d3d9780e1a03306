"""Killed by SIGKILL the tap resumes from its last STATE: nothing lost, at most a page repeated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import (
    FAST,
    parse_messages,
    run_tap,
    run_until_killed,
    selected_catalog,
    tap_args,
    tap_config,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

PAGE = 20


def _printed(output: str) -> tuple[list[int], dict[str, Any] | None]:
    """Ids of the tickets a run printed (all of them, as a reader saw them), and its last STATE."""
    messages = parse_messages(output)
    ids = [m["record"]["id"] for m in messages if m["type"] == "RECORD"]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    return ids, (states[-1] if states else None)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [[5], [PAGE + 3, 4 * PAGE], [45, 110, 170, 230]])
def test_resume_after_sigkill(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, kill_after: list[int]
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, custom_object_keys=[], sequin_api_token=None, page_size=PAGE)
    config["export_requests_per_minute"] = 20  # 20 pages a second: slow enough to be killed mid-export
    catalog = selected_catalog(tmp_path, config, ["tickets"])
    state: dict[str, Any] | None = None
    printed: set[int] = set()
    for after in kill_after:
        args = tap_args(tmp_path, config, state, catalog=catalog)
        ids, last_state = _printed(run_until_killed(args, after))
        # A rerun repeats at most the one page that was in flight when the previous run died.
        assert len(set(ids) & printed) <= PAGE
        printed.update(ids)
        state = last_state or state
    final = run_tap(tmp_path, config, state=state, select=["tickets"])
    assert final.returncode == 0, final.stderr
    again = {t["id"] for t in final.records("tickets")}
    assert len(again & printed) <= PAGE
    # Nothing lost: every ticket was printed by one of the runs.
    assert printed | again == set(sb.admin.ticket_ids(include_deleted=True))
