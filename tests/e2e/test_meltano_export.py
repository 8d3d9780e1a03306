"""`meltano run zendesk-export`: tickets (metrics, comments, metric events, ratings), people, groups,
fields and custom object records into DuckDB, the demo's support lead summary right, then only what
changed (and the small full-table lists again)."""

from __future__ import annotations

import time
from collections import Counter
from statistics import median
from typing import TYPE_CHECKING, Any

import pytest

from devtools import support_lead
from tests.e2e.postgres import psql_rows
from tests.e2e.tools import MELTANO_SYS_DIR, meltano, query_duckdb
from tests.sandbox.clients import TICKETS, Client

if TYPE_CHECKING:
    from pathlib import Path

    from tests.e2e.postgres import PostgresServer
    from zendesk_sandbox import Sandbox

pytestmark = pytest.mark.slow

STATE_ID = "sandbox:tap-zendesk-export-to-target-duckdb"
DUCKDB_VENV = MELTANO_SYS_DIR / "loaders" / "target-duckdb" / "venv"
POSTGRES_VENV = MELTANO_SYS_DIR / "loaders" / "target-postgres" / "venv"


def _count(database: Path, table: str) -> int:
    rows = query_duckdb(DUCKDB_VENV, database, f"select count(*) from zendesk.{table}")  # noqa: S608 - our names
    return int(rows[0][0])


def _wait_until_changes_are_exportable() -> None:
    # A change is stamped with the second after the newest exported one: exportable once that second passed.
    now = time.time()
    time.sleep(max(0.0, int(now) + 1.05 - now))


def _support_lead_figures(database: Path) -> dict[str, list[list[Any]]]:
    """The demo's summary figures, computed by its SQL on the warehouse."""
    return {name: query_duckdb(DUCKDB_VENV, database, sql) for name, sql in support_lead.QUERIES.items()}


def _support_lead_truth(sb: Sandbox) -> dict[str, list[list[Any]]]:
    """The same figures from the sandbox: metric sets as its ticket export serves them, events, ratings."""
    metric_sets = [
        ticket["metric_set"]
        for page in Client(sb).pages(TICKETS, include="metric_sets")
        for ticket in page["tickets"]
        if ticket["status"] != "deleted"
    ]
    replies = [m["reply_time_in_minutes"]["calendar"] for m in metric_sets]
    full = [m["full_resolution_time_in_minutes"]["calendar"] for m in metric_sets]
    resolutions = [minutes for minutes in full if minutes is not None]
    events = [
        e for t in sb.admin.ticket_ids() for e in sb.admin.ticket_metric_events(t) if not e.get("deleted")
    ]
    breach_events = [e for e in events if e["type"] == "breach"]
    breaches = Counter(e["metric"] for e in breach_events)
    breached = Counter(metric for metric, _ in {(e["metric"], e["ticket_id"]) for e in breach_events})
    by_ticket: dict[int, list[int]] = {}
    for comment in sb.admin.ticket_comments():
        by_ticket.setdefault(comment["ticket_id"], []).append(len(comment["body"]))
    longest = sorted(by_ticket.items(), key=lambda item: (-len(item[1]), -sum(item[1]), item[0]))[:3]
    scores = Counter(r["score"] for r in sb.admin.satisfaction_ratings())
    return {
        "times": [[len(metric_sets), len(replies), len(resolutions), median(replies), median(resolutions)]],
        "breaches": [[metric, n, breached[metric]] for metric, n in sorted(breaches.items())],
        "with_sla": [[len({e["ticket_id"] for e in events if e["type"] == "apply_sla"})]],
        "ratings": [[score, n] for score, n in sorted(scores.items())],
        "longest": [
            [ticket, (sb.admin.ticket(ticket) or {})["subject"], len(lengths), sum(lengths)]
            for ticket, lengths in longest
        ],
    }


def _assert_support_warehouse(database: Path, sb: Sandbox) -> None:
    """A metric row per ticket row, every comment, metric event and rating, and the demo's summary right."""
    tickets = sb.admin.ticket_ids()
    assert _count(database, "ticket_metrics") == len(tickets)
    assert _count(database, "ticket_comments") == len(sb.admin.ticket_comments())
    metric_events = sum(len(sb.admin.ticket_metric_events(t)) for t in tickets)
    assert _count(database, "ticket_metric_events") == metric_events
    assert _count(database, "satisfaction_ratings") == len(sb.admin.satisfaction_ratings())
    assert _support_lead_figures(database) == _support_lead_truth(sb)


def _change_between_runs(sb: Sandbox, changed: list[int]) -> int:
    """Change the tickets (one gets a comment), a vendor, a user and a rating; return the rating's id."""
    for ticket_id in changed:
        sb.admin.update_ticket(ticket_id, subject=f"changed after the first run: {ticket_id}")
    sb.admin.upsert_custom_object_record("vendor", "vendor-new", "New vendor Ltd", {"rating": 4})
    user = sb.admin.user_ids(include_deleted=False)[1]
    sb.admin.update_user(user, name="Changed After The First Run")
    commented = next(t for t in changed if (sb.admin.ticket(t) or {})["via"]["channel"] != "native_messaging")
    sb.admin.add_ticket_comment(commented, "One more thing")
    # A rating changed later (bad to good): Zendesk filters ratings by creation time, the lookback catches it.
    ratings = sb.admin.satisfaction_ratings()
    bad = max((r for r in ratings if r["score"] == "bad"), key=lambda r: str(r["created_at"]))
    sb.admin.update_satisfaction_rating(bad["id"], score="good")
    _wait_until_changes_are_exportable()
    return int(bad["id"])


def test_export_job_loads_duckdb_then_moves_only_changes(
    e2e_sandbox: Sandbox, meltano_env: dict[str, str], tmp_path: Path
) -> None:
    sb = e2e_sandbox
    database = tmp_path / "warehouse.duckdb"
    first = meltano(["run", "zendesk-export"], meltano_env)
    assert first.returncode == 0, first.output[-5000:]

    tickets = sb.admin.ticket_ids()
    objects = [obj["key"] for obj in sb.admin.custom_objects()]
    read = first.records_read("tap-zendesk-export")
    assert read["tickets"] == len(tickets)
    assert "sequin_records" not in read  # not selected by the job's extractor
    assert _count(database, "tickets") == len(tickets)
    for key in objects:
        assert _count(database, f"custom_object_records__{key}") == len(sb.admin.custom_object_records(key))
    assert _count(database, "users") == len(sb.admin.user_ids(include_deleted=True))
    assert _count(database, "organizations") == len(sb.admin.organization_ids())
    assert _count(database, "groups") == len(sb.admin.groups())
    for kind in ("ticket", "user", "organization"):
        assert _count(database, f"{kind}_fields") == len(sb.admin.fields(kind))
    # Typed custom field columns an analyst queries without a JSON path.
    plans = query_duckdb(DUCKDB_VENV, database, "select count(*) from zendesk.users where cf_plan = 'team'")
    assert int(plans[0][0]) > 0
    _assert_support_warehouse(database, sb)

    changed = sorted(tickets)[:3]
    bad_turned_good = _change_between_runs(sb, changed)

    second = meltano(["run", "zendesk-export"], meltano_env)
    assert second.returncode == 0, second.output[-5000:]
    moved = second.records_read("tap-zendesk-export")
    assert moved["tickets"] == moved["ticket_metrics"] == len(changed)
    assert moved["ticket_comments"] == 1
    assert moved["satisfaction_ratings"] == 1
    assert moved["custom_object_records__vendor"] == 1
    assert moved["users"] == 1
    assert moved.get("organizations", 0) == moved.get("ticket_metric_events", 0) == 0
    full_table = ("groups", "ticket_fields", "user_fields", "organization_fields")
    assert all(moved[stream] == read[stream] for stream in full_table), "lists are read whole every run"
    assert sum(moved.values()) == 2 * len(changed) + 4 + sum(read[stream] for stream in full_table)
    rating = f"select score from zendesk.satisfaction_ratings where id = {bad_turned_good}"  # noqa: S608 - an id
    assert query_duckdb(DUCKDB_VENV, database, rating) == [["good"]]
    # target-duckdb upserts by primary key: the same rows, with the new values.
    assert _count(database, "tickets") == len(tickets)
    subjects = query_duckdb(
        DUCKDB_VENV,
        database,
        f"select subject from zendesk.tickets where id in ({', '.join(map(str, changed))})",  # noqa: S608
    )
    assert sorted(row[0] for row in subjects) == sorted(f"changed after the first run: {i}" for i in changed)
    vendors = query_duckdb(DUCKDB_VENV, database, "select name from zendesk.custom_object_records__vendor")
    assert ["New vendor Ltd"] in vendors

    state = meltano(["state", "get", STATE_ID], meltano_env)
    assert state.returncode == 0, state.output[-3000:]
    assert '"tickets"' in state.output
    assert '"cursor"' in state.output


def test_export_job_into_postgres(
    e2e_sandbox: Sandbox, meltano_env: dict[str, str], postgres: PostgresServer
) -> None:
    env = meltano_env | {"TARGET_POSTGRES_SQLALCHEMY_URL": postgres.url}
    run = meltano(["run", "zendesk-export-postgres"], env)
    assert run.returncode == 0, run.output[-5000:]
    tickets = psql_rows(POSTGRES_VENV, postgres, "select count(*) from zendesk.tickets")
    assert tickets == [[len(e2e_sandbox.admin.ticket_ids())]]
    for obj in e2e_sandbox.admin.custom_objects():
        table = f"custom_object_records__{obj['key']}"
        rows = psql_rows(POSTGRES_VENV, postgres, f"select count(*) from zendesk.{table}")  # noqa: S608 - our names
        assert rows == [[len(e2e_sandbox.admin.custom_object_records(obj["key"]))]], table


@pytest.mark.parametrize(
    ("plugin", "secrets", "others"),
    [
        (
            "tap-zendesk-objects",
            ("oauth_client_secret", "sequin_api_token"),
            ("export_requests_per_minute", "start_date"),
        ),
        (
            "target-zendesk-objects",
            ("oauth_client_secret",),
            ("write_mode", "max_concurrent_jobs", "requests_per_minute"),
        ),
    ],
)
def test_meltano_config_shows_every_setting_and_no_secret(
    meltano_env: dict[str, str], plugin: str, secrets: tuple[str, ...], others: tuple[str, ...]
) -> None:
    listed = meltano(["config", "list", plugin, "--all"], meltano_env)
    assert listed.returncode == 0, listed.output[-3000:]
    assert "sandbox-token" not in listed.output
    assert "sandbox-client-secret" not in listed.output
    lines = listed.output.splitlines()
    for setting in secrets:
        line = next(line for line in lines if line.startswith(f"{setting} "))
        assert "current value: (redacted)" in line
    for setting in others:
        assert any(line.startswith(f"{setting} ") for line in lines), setting
