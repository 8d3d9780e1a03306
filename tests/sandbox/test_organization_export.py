"""The time-based organization export: pages that finish their second, end_time, boundary repeats, the cap."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.clients import Client, past_change_stamps

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox import Sandbox

ORGANIZATIONS = "/api/v2/incremental/organizations"
# Test-sized data, no recent-data lag, start_time allowed up to now, exports unlimited.
EXPORT_SETTINGS: dict[str, Any] = {
    "organizations": 30,
    "recent_data_lag_seconds": 0,
    "start_time_min_age_seconds": 0,
    "export_requests_per_window": 10_000,
}


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with `EXPORT_SETTINGS`."""
    return sandbox_factory(**EXPORT_SETTINGS)


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _start(page: dict[str, Any]) -> int:
    return int(parse_qs(urlsplit(page["next_page"]).query)["start_time"][0])


def _walk(client: Client, start: int, **params: Any) -> list[dict[str, Any]]:
    return client.time_pages(ORGANIZATIONS, start, **params)


def _burst(sandbox: Sandbox, count: int) -> tuple[list[int], int]:
    """Change `count` organizations at once (one second); return their ids and that second."""
    ids = sandbox.admin.organization_ids()[:count]
    sandbox.admin.update_organizations(ids, notes="bulk")
    organization = sandbox.admin.organization(ids[0])
    assert organization is not None
    past_change_stamps()
    return ids, _epoch(organization["updated_at"])


def test_one_page_has_the_real_keys_and_ends_with_a_next_page(sandbox: Sandbox) -> None:
    page = Client(sandbox).get(ORGANIZATIONS + ".json", start_time=0).json()
    assert list(page) == ["organizations", "next_page", "count", "end_of_stream", "end_time"]
    assert page["count"] == len(page["organizations"]) == 30
    assert page["end_of_stream"] is True
    seconds = [_epoch(org["updated_at"]) for org in page["organizations"]]
    assert seconds == sorted(seconds)
    assert page["end_time"] == seconds[-1], "a page of several seconds ends at its last record's second"
    assert urlsplit(page["next_page"]).path == ORGANIZATIONS + ".json"
    assert _start(page) == page["end_time"]


def test_a_page_grows_past_per_page_to_finish_its_second(sandbox: Sandbox) -> None:
    ids, second = _burst(sandbox, 5)
    page = Client(sandbox).get(ORGANIZATIONS, start_time=second, per_page=2).json()
    assert page["count"] == 5
    assert sorted(org["id"] for org in page["organizations"]) == sorted(ids)
    assert page["end_time"] == second + 1, "a page within one second ends one second later"
    assert page["end_of_stream"] is True
    assert parse_qs(urlsplit(page["next_page"]).query) == {"start_time": [str(second + 1)], "per_page": ["2"]}


def test_a_walk_repeats_only_boundary_seconds_and_loses_nothing(sandbox: Sandbox) -> None:
    pages = _walk(Client(sandbox), 0, per_page=4)
    seen = [org for page in pages for org in page["organizations"]]
    assert {org["id"] for org in seen} == set(sandbox.admin.organization_ids())
    boundaries = {page["end_time"] for page in pages[:-1]}
    repeated = {org["id"] for org in seen if [o["id"] for o in seen].count(org["id"]) > 1}
    assert repeated, "pages of several seconds end in a second the next page repeats"
    assert all(_epoch(org["updated_at"]) in boundaries for org in seen if org["id"] in repeated)
    for page, following in itertools.pairwise(pages):
        assert _start(page) == page["end_time"]
        if page["count"]:
            seconds = {_epoch(org["updated_at"]) for org in page["organizations"]}
            assert page["end_time"] == (max(seconds) + 1 if len(seconds) == 1 else max(seconds))
        assert all(_epoch(org["updated_at"]) >= page["end_time"] for org in following["organizations"])


def test_the_last_page_still_has_a_next_page_that_repeats_its_last_second(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    last = _walk(client, 0, per_page=7)[-1]
    assert last["end_of_stream"] is True
    again = client.session.get(last["next_page"], timeout=30).json()
    assert again["end_of_stream"] is True
    assert {org["id"] for org in again["organizations"]} <= {org["id"] for org in last["organizations"]}
    start = int(time.time()) - 1
    empty = client.get(ORGANIZATIONS, start_time=start).json()
    assert empty == {
        "organizations": [],
        "next_page": f"{sandbox.url}{ORGANIZATIONS}?start_time={start}",
        "count": 0,
        "end_of_stream": True,
        "end_time": start,
    }, "an empty page keeps its start_time"


def test_changes_during_the_export_come_on_a_later_page(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    first = client.get(ORGANIZATIONS, start_time=0, per_page=5).json()
    early = first["organizations"][0]
    sandbox.admin.update_organization(early["id"], details="changed while exporting")
    created = sandbox.admin.create_organization(name="Born While Exporting")
    past_change_stamps()
    rest = [org for page in _walk(client, _start(first), per_page=5) for org in page["organizations"]]
    latest = {org["id"]: org for org in rest}
    assert latest[early["id"]]["details"] == "changed while exporting"
    assert latest[created]["name"] == "Born While Exporting"


def test_start_time_refusals_are_the_time_based_422(sandbox_factory: Callable[..., Sandbox]) -> None:
    client = Client(sandbox_factory())
    too_recent = client.get(ORGANIZATIONS, start_time=int(time.time()) - 30)
    assert too_recent.status_code == 422
    assert too_recent.json() == {
        "error": "InvalidValue",
        "description": "Too recent start_time. Use a start_time older than 1 minute",
    }
    assert client.get(ORGANIZATIONS, start_time=int(time.time()) - 90).status_code == 200
    assert client.get(ORGANIZATIONS).status_code == 422
    assert client.get(ORGANIZATIONS, start_time="soon").status_code == 422
    assert client.get(ORGANIZATIONS, start_time=0, per_page=0).status_code == 400


def test_without_a_cap_a_crowded_second_comes_whole(sandbox: Sandbox) -> None:
    ids, second = _burst(sandbox, 20)
    page = Client(sandbox).get(ORGANIZATIONS, start_time=second, per_page=3).json()
    assert sorted(org["id"] for org in page["organizations"]) == sorted(ids)
    assert page["end_time"] == second + 1


def test_beyond_the_cap_a_crowded_second_loops_on_the_same_start_time(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(**EXPORT_SETTINGS, time_export_max_same_second=4)
    client = Client(sandbox)
    ids, second = _burst(sandbox, 6)
    looping = client.get(ORGANIZATIONS, start_time=second, per_page=2).json()
    assert looping["count"] == 4
    assert {org["id"] for org in looping["organizations"]} < set(ids)
    assert looping["end_time"] == second
    assert _start(looping) == second
    assert looping["end_of_stream"] is False
    assert client.session.get(looping["next_page"], timeout=30).json() == looping, "the same page again"
    before = client.get(ORGANIZATIONS, start_time=0, per_page=30).json()
    assert before["end_time"] == second, "a page that reaches the crowded second stops before it"
    assert all(_epoch(org["updated_at"]) < second for org in before["organizations"])
    assert before["end_of_stream"] is False
    small = client.get(ORGANIZATIONS, start_time=second, per_page=10).json()
    assert small["count"] == 6, "a page that holds the whole second needs no growing: the cap does not apply"
