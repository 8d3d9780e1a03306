"""users, organizations, groups and the field lists over HTTP: every record once, valid, resumable, paced."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import (
    FAST,
    assert_valid,
    parse_messages,
    resumed_runs,
    run_tap,
    selected_catalog,
    tap_args,
    tap_config,
    wait_until_changes_are_exportable,
)
from zendesk_sandbox import FaultSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

# Tap tests' sandbox; a start_time may be one second old (the tap waits for its export window + 1 s).
PEOPLE = {**FAST, "start_time_min_age_seconds": 1.0}
LISTS = ("groups", "ticket_fields", "user_fields", "organization_fields")
PAGE = 5
BURST = 8  # organizations changed in one second: more than a page


def _config(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"custom_object_keys": [], "sequin_api_token": None, "page_size": PAGE}
    return tap_config(sb, **{**settings, **overrides})


def _burst(sb: Sandbox, count: int = BURST) -> list[int]:
    """Change `count` organizations in one second (a bulk update), exportable once this returns."""
    ids = sb.admin.organization_ids()[-count:]
    sb.admin.update_organizations(ids, notes="bulk update")
    wait_until_changes_are_exportable()
    return ids


def _records(output: str, stream: str) -> list[dict[str, Any]]:
    messages = parse_messages(output)
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def test_every_record_once_valid_and_deleted_users_kept(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**PEOPLE)
    _burst(sb)
    run = run_tap(tmp_path, _config(sb), select=["users", "organizations", *LISTS])
    assert run.returncode == 0, run.stderr
    users = run.records("users")
    assert Counter(u["id"] for u in users) == Counter(sb.admin.user_ids(include_deleted=True))
    assert any(u["active"] is False for u in users), "deleted users come with active: false"
    organizations = run.records("organizations")
    # Pages of 5 split the bulk-updated second and end inside seconds: each organization still comes once.
    assert Counter(o["id"] for o in organizations) == Counter(sb.admin.organization_ids())
    assert [g["id"] for g in run.records("groups")] == [g["id"] for g in sb.admin.groups()]
    for kind in ("ticket", "user", "organization"):
        expected = sorted(f["id"] for f in sb.admin.fields(kind))
        assert sorted(f["id"] for f in run.records(f"{kind}_fields")) == expected
    for stream in ("users", "organizations", *LISTS):
        assert_valid(run.records(stream), run.schema(stream))
    bookmarks = run.final_state["bookmarks"]
    assert bookmarks["users"]["cursor"]
    assert set(bookmarks["organizations"]["boundary_ids"]) <= {o["id"] for o in organizations}


def _assert_typed(record: dict[str, Any], fields: list[dict[str, Any]], values: dict[Any, Any]) -> set[str]:
    """Each typed property holds its field's value as its type; return the types seen filled."""
    filled = set()
    for field in fields:
        raw, typed, kind = values.get(field["source"]), record.get(field["name"]), field["type"]
        if raw is None or raw is False:
            continue
        filled.add(kind)
        if kind == "integer":
            assert typed == int(raw), field["name"]
        elif kind == "decimal":
            assert typed == pytest.approx(float(raw)), field["name"]
        elif kind == "checkbox":
            assert typed is True, field["name"]
        elif kind == "date":
            assert typed == str(raw)[:10], field["name"]
        elif kind == "multiselect":
            assert typed == list(raw), field["name"]
        else:
            assert typed == str(raw), field["name"]
    return filled


def _typed_fields(
    schema: dict[str, Any], definitions: list[dict[str, Any]], kind: str
) -> list[dict[str, Any]]:
    """The definitions that have a typed property, with its `name` and the `source` of their values."""
    out = []
    for definition in definitions:
        source = definition["id"] if kind == "ticket" else definition["key"]
        marker = f"({kind} field {source}, "
        names = [n for n, p in schema["properties"].items() if marker in (p.get("description") or "")]
        if names:
            out.append({**definition, "name": names[0], "source": source})
    return out


def test_custom_field_values_are_typed_by_their_definitions(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**PEOPLE)
    run = run_tap(tmp_path, _config(sb, page_size=1000))
    assert run.returncode == 0, run.stderr
    tickets, users, organizations = run.records("tickets"), run.records("users"), run.records("organizations")
    ticket_fields = _typed_fields(run.schema("tickets"), sb.admin.fields("ticket"), "ticket")
    custom_ticket_fields = [f for f in sb.admin.fields("ticket") if f["id"] >= 360_000_000_100]
    assert len(ticket_fields) == len(custom_ticket_fields), "one property per custom ticket field"
    filled: dict[str, set[str]] = {"ticket": set(), "user": set(), "organization": set()}
    for ticket in tickets:
        assert "custom_fields" in ticket, "the array is kept"
        values = {item["id"]: item["value"] for item in ticket["custom_fields"]}
        filled["ticket"] |= _assert_typed(ticket, ticket_fields, values)
    for kind, records in (("user", users), ("organization", organizations)):
        fields = _typed_fields(run.schema(f"{kind}s"), sb.admin.fields(kind), kind)  # type: ignore[arg-type]
        for record in records:
            filled[kind] |= _assert_typed(record, fields, record[f"{kind}_fields"])
    every = {"text", "textarea", "integer", "decimal", "checkbox", "date", "multiselect", "regexp", "lookup"}
    assert filled["ticket"] >= every | {"tagger", "partialcreditcard"}
    assert filled["user"] >= every | {"dropdown"}
    assert filled["organization"] >= every | {"dropdown"}
    # Two fields titled "Region" are two columns; user and organization fields are named by their key.
    assert {"cf_region_360000000111", "cf_region_360000000112"} <= set(run.schema("tickets")["properties"])
    assert {"cf_region", "cf_region_code"} <= set(run.schema("users")["properties"])
    assert run.schema("tickets")["properties"]["cf_seats_360000000106"]["type"] == ["integer", "null"]
    assert run.schema("users")["properties"]["cf_interests"]["type"] == ["array", "null"]


@pytest.mark.slow
def test_renamed_fields_keep_their_columns(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**PEOPLE)
    config = _config(sb, page_size=100)
    catalog = selected_catalog(tmp_path, config, ["tickets", "users"])  # the catalog a first run kept
    ticket_field = next(f for f in sb.admin.fields("ticket") if f["title"] == "Seats")
    user_field = next(f for f in sb.admin.fields("user") if f["key"] == "plan")
    sb.admin.rename_field("ticket", ticket_field["id"], "Licensed seats")
    sb.admin.rename_field("user", user_field["id"], "Subscription plan")
    added = sb.admin.add_field("user", "integer", "Seats", key="seats")
    run = run_tap(tmp_path, config, catalog=catalog)
    assert run.returncode == 0, run.stderr
    tickets = run.records("tickets")
    # The SDK sends the input catalog's schema: the renamed field's column is the one it names.
    assert "cf_seats_360000000106" in run.schema("tickets")["properties"], "the catalog's name is kept"
    assert any(isinstance(t.get("cf_seats_360000000106"), int) for t in tickets)
    assert not any(key.startswith("cf_licensed") for t in tickets for key in t)
    users = run.records("users")
    assert any(u["cf_plan"] for u in users), "a user field is named by its key, whatever its title"
    # A field added since the catalog was made: in user_fields now, a column once the catalog is made again.
    assert all("cf_seats" not in u and "seats" in u["user_fields"] for u in users)
    assert added["key"] == "seats"
    # Without a kept catalog a ticket field is named by its current title (docs/tap.md, Typed custom fields).
    fresh = json.loads(
        subprocess.run(
            tap_args(tmp_path, config, None, "--discover"),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    )
    tickets_entry = next(s for s in fresh["streams"] if s["tap_stream_id"] == "tickets")
    assert "cf_licensed_seats_360000000106" in tickets_entry["schema"]["properties"]


def test_a_run_reads_only_the_field_definitions_of_the_streams_it_runs(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**PEOPLE)
    config = _config(sb, page_size=100)
    catalog = selected_catalog(tmp_path, config, ["tickets", "users"])
    sb.admin.reset_stats()
    run = run_tap(tmp_path, config, catalog=catalog)
    assert run.returncode == 0, run.stderr
    kinds = sb.admin.stats()["requests_by_kind"]
    # Organizations do not run: their field definitions are not read; tickets' and users' are, once.
    assert "organization_fields" not in kinds
    assert kinds.get("ticket_fields") == 1
    assert kinds.get("user_fields") == 1
    assert {m["stream"] for m in run.messages if m["type"] == "RECORD"} == {"tickets", "users"}
    assert any(u.get("cf_plan") for u in run.records("users")), "the users that run still get typed fields"
    assert any(isinstance(t.get("cf_seats_360000000106"), int) for t in run.records("tickets"))


def test_changes_during_the_export_arrive_in_their_latest_version(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**PEOPLE)
    config = _config(sb, export_requests_per_minute=10)  # ten pages a second: the export lasts seconds
    catalog = selected_catalog(tmp_path, config, ["users", "organizations"])
    users = sb.admin.user_ids(include_deleted=False)
    organizations = sb.admin.organization_ids()
    with subprocess.Popen(
        tap_args(tmp_path, config, None, catalog=catalog), stdout=subprocess.PIPE, text=True
    ) as tap:
        assert tap.stdout is not None
        first = tap.stdout.readline()
        assert first
        sb.admin.update_user(users[0], name="Changed While Exporting")
        sb.admin.update_user(users[-1], user_fields={"loyalty_points": 4242})
        sb.admin.delete_user(users[len(users) // 2])
        created_user = sb.admin.create_user(name="Born While Exporting", email="born@example.com")
        sb.admin.update_organization(organizations[0], details="changed while exporting")
        created_org = sb.admin.create_organization(name="Born While Exporting Inc")
        rest = tap.stdout.read()
        tap.wait(timeout=120)
    assert tap.returncode == 0
    output = first + rest
    latest_users = {u["id"]: u for u in _records(output, "users")}
    for user_id in (users[0], users[-1], users[len(users) // 2], created_user):
        truth = sb.admin.user(user_id)
        assert truth is not None
        assert latest_users[user_id]["name"] == truth["name"]
        assert latest_users[user_id]["active"] == truth["active"]
    assert latest_users[users[-1]]["cf_loyalty_points"] == 4242
    latest_orgs = {o["id"]: o for o in _records(output, "organizations")}
    assert latest_orgs[organizations[0]]["details"] == "changed while exporting"
    assert latest_orgs[created_org]["name"] == "Born While Exporting Inc"
    assert set(latest_orgs) == set(sb.admin.organization_ids())


@pytest.mark.slow
@pytest.mark.parametrize(("stream", "kills"), [("users", [3, 12, 26]), ("organizations", [2, 7, 11, 19])])
def test_resume_after_sigkill(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, stream: str, kills: list[int]
) -> None:
    sb = sandbox_factory(**PEOPLE)
    _burst(sb)
    config = _config(sb, export_requests_per_minute=20)
    catalog = selected_catalog(tmp_path, config, [stream])
    # At most the page in flight repeats; an organizations page also holds the rest of its last second.
    repeat_bound = PAGE if stream == "users" else PAGE + BURST
    printed: set[int] = set()
    for run in resumed_runs(tmp_path, config, catalog, kills):
        ids = {r["id"] for r in run.records(stream)}
        assert len(ids & printed) <= repeat_bound
        printed |= ids
    truth = sb.admin.user_ids(include_deleted=True) if stream == "users" else sb.admin.organization_ids()
    assert printed == set(truth)  # nothing lost


@pytest.mark.slow
def test_a_second_run_returns_only_changes(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(**PEOPLE)
    bulk = _burst(sb)
    config = _config(sb)
    select = ["users", "organizations", *LISTS]
    first = run_tap(tmp_path, config, select=select)
    assert first.returncode == 0, first.stderr
    user = sb.admin.user_ids(include_deleted=False)[3]
    sb.admin.update_user(user, name="Renamed Between Runs")
    org = sb.admin.organization_ids()[0]
    sb.admin.update_organization(org, notes="changed between runs")
    wait_until_changes_are_exportable()
    wait_until_changes_are_exportable()  # the bookmark's start_time must be the export window + 1 s old
    second = run_tap(tmp_path, config, state=first.final_state, select=select)
    assert second.returncode == 0, second.stderr
    assert [u["id"] for u in second.records("users")] == [user]
    # The last second of the first run (the bulk update) is not repeated: only the change comes.
    assert [o["id"] for o in second.records("organizations")] == [org]
    assert org not in bulk
    for stream in LISTS:  # full table: the whole list every run
        assert len(second.records(stream)) == len(first.records(stream))


def test_a_bookmark_younger_than_a_minute_waits_for_the_next_run(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)  # Zendesk's own minute: start_time at least 60 s old
    config = _config(sb, export_window_seconds=60.0)
    state = {"bookmarks": {"organizations": {"start_time": int(time.time()) - 5, "boundary_ids": []}}}
    run = run_tap(tmp_path, config, state=state, select=["organizations"])
    assert run.returncode == 0, run.stderr
    assert "organizations: nothing to export yet" in run.stderr
    assert sb.admin.stats()["requests_by_kind"].get("organization_export", 0) == 0
    assert (
        run.final_state["bookmarks"]["organizations"]["start_time"]
        == state["bookmarks"]["organizations"]["start_time"]
    )


def test_a_second_zendesk_will_not_finish_ends_the_run_in_one_line(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**PEOPLE, time_export_max_same_second=4)
    bulk = _burst(sb, 6)
    run = run_tap(tmp_path, _config(sb), select=["organizations"])
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("tap-zendesk-objects: organizations: the export is not progressing")
    assert "Traceback" not in run.stderr
    crowded = sb.admin.organization(bulk[0])
    assert crowded is not None
    # Everything before the crowded second was written, and the bookmark stays at that second.
    emitted = {o["id"] for o in run.records("organizations")}
    assert set(sb.admin.organization_ids()) - set(bulk) <= emitted
    bookmark = run.final_state["bookmarks"]["organizations"]
    assert set(bookmark["boundary_ids"]) <= set(bulk)


@pytest.mark.slow
def test_all_export_streams_share_the_export_limit(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # As in test_limits_and_faults: a 5 s "minute", whose 2% spacing margin (100 ms) covers the late
    # arrival of a request on a loaded machine.
    window = 5.0
    sb = sandbox_factory(
        tickets=100,
        window_seconds=window,
        export_requests_per_window=10,
        recent_data_lag_seconds=0.0,
        start_time_min_age_seconds=1.0,
    )
    config = tap_config(
        sb,
        sequin_api_token=None,
        custom_object_keys=["vendor"],
        page_size=10,
        export_requests_per_minute=10,
        export_window_seconds=window,
    )
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr
    stats = sb.admin.stats()
    kinds = stats["requests_by_kind"]
    assert all(kinds.get(kind, 0) >= 2 for kind in ("ticket_export", "user_export", "organization_export"))
    assert int(stats["rate_limited"].get("export_limit", 0)) == 0
    assert {u["id"] for u in run.records("users")} == set(sb.admin.user_ids(include_deleted=True))


@pytest.mark.slow
def test_people_exports_complete_despite_faults(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # One request in four fails (5xx, a reset or a cut body): each is retried, nothing is lost or doubled.
    faults = FaultSettings(error_rate=0.1, truncate_rate=0.1, reset_rate=0.05, fault_seed=3)
    sb = sandbox_factory(**PEOPLE, faults=faults)
    _burst(sb)
    select = ["users", "organizations", "groups"]
    run = run_tap(tmp_path, _config(sb, page_size=10), select=select, timeout=240)
    assert run.returncode == 0, run.stderr
    assert Counter(u["id"] for u in run.records("users")) == Counter(sb.admin.user_ids(include_deleted=True))
    assert Counter(o["id"] for o in run.records("organizations")) == Counter(sb.admin.organization_ids())
    assert len(run.records("groups")) == len(sb.admin.groups())
