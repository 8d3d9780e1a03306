"""Our tap piped into third-party targets, each installed from PyPI in its own venv as Meltano would."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.postgres import psql_rows
from tests.e2e.tools import TAP, pipe, plugin_venv, query_duckdb, write_json
from tests.sandbox.clients import Client

if TYPE_CHECKING:
    from pathlib import Path

    from tests.e2e.postgres import PostgresServer
    from zendesk_sandbox import Sandbox

pytestmark = pytest.mark.slow

# Same pins as meltano.yml (DuckDB below 1.3: see the comment there).
DUCKDB_TARGET = ["target-duckdb~=0.8.0", "duckdb>=1.1,<1.3"]
CSV_TARGET = ["meltanolabs-target-csv~=0.5.0"]
POSTGRES_TARGET = ["meltanolabs-target-postgres~=0.8.1"]


# The lists the tap reads whole (stream: endpoint, records key), counted as the sandbox serves them.
LISTS = {
    "brands": ("/api/v2/brands", "brands"),
    "ticket_forms": ("/api/v2/ticket_forms", "ticket_forms"),
    "tags": ("/api/v2/tags", "tags"),
    "sla_policies": ("/api/v2/slas/policies", "sla_policies"),
    "schedules": ("/api/v2/business_hours/schedules", "schedules"),
    "group_memberships": ("/api/v2/group_memberships", "group_memberships"),
    "organization_memberships": ("/api/v2/organization_memberships", "organization_memberships"),
    "macros": ("/api/v2/macros", "macros"),
}


def _served(client: Client, path: str, key: str) -> list[dict[str, Any]]:
    """Every item of a list endpoint, following its cursor pages (or the one page of an unpaginated one)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page[size]": 100}
    for _ in range(100):
        body = client.get(path, **params).json()
        items += body[key]
        meta = body.get("meta") or {}
        if not meta.get("has_more"):
            return items
        params = {"page[size]": 100, "page[after]": meta["after_cursor"]}
    pytest.fail(f"{path} never ended")


def _expected_counts(sb: Sandbox) -> dict[str, int]:
    """Records per stream of a run with every stream (no catalog), from the sandbox's data."""
    tickets = sb.admin.ticket_ids()
    counts = {"tickets": len(tickets), "sequin_records": len(sb.admin.sequin_records())}
    for obj in sb.admin.custom_objects():
        counts[f"custom_object_records__{obj['key']}"] = len(sb.admin.custom_object_records(obj["key"]))
    counts["users"] = len(sb.admin.user_ids(include_deleted=True))
    counts["organizations"] = len(sb.admin.organization_ids())
    counts["groups"] = len(sb.admin.groups())
    for kind in ("ticket", "user", "organization"):
        counts[f"{kind}_fields"] = len(sb.admin.fields(kind))
    # The support warehouse's streams.
    counts["ticket_metrics"] = len(tickets)
    counts["ticket_events"] = sum(len(sb.admin.ticket_events(t)) for t in tickets)
    counts["ticket_comments"] = len(sb.admin.ticket_comments())
    counts["ticket_metric_events"] = sum(len(sb.admin.ticket_metric_events(t)) for t in tickets)
    counts["satisfaction_ratings"] = len(sb.admin.satisfaction_ratings())
    client = Client(sb)
    users = client.pages("/api/v2/incremental/users/cursor", key="users", include="identities")
    counts["user_identities"] = sum(len(page["identities"]) for page in users)
    served = {stream: _served(client, path, key) for stream, (path, key) in LISTS.items()}
    counts.update({stream: len(items) for stream, items in served.items()})
    counts["schedule_holidays"] = sum(
        len(_served(client, f"{LISTS['schedules'][0]}/{s['id']}/holidays", "holidays"))
        for s in served["schedules"]
    )
    return counts


def test_tap_into_target_duckdb(e2e_sandbox: Sandbox, tap_config: Path, tmp_path: Path) -> None:
    venv = plugin_venv(DUCKDB_TARGET)
    database = tmp_path / "warehouse.duckdb"
    target_config = write_json(
        tmp_path / "duckdb.json", {"filepath": str(database), "default_target_schema": "z"}
    )
    run = pipe(
        [TAP, "--config", str(tap_config)],
        [str(venv / "bin" / "target-duckdb"), "--config", str(target_config)],
        tmp_path,
    )
    assert run.ok, run.report()

    expected = _expected_counts(e2e_sandbox)
    rows = query_duckdb(venv, database, "select table_name, estimated_size from duckdb_tables() order by 1")
    tables = {name for name, _ in rows}
    assert tables == set(expected)
    for table, count in expected.items():
        assert query_duckdb(venv, database, f"select count(*) from z.{table}") == [[count]], table  # noqa: S608
    # Nested objects arrive as JSON columns that DuckDB can query.
    subject, via = query_duckdb(
        venv, database, "select subject, via->>'channel' from z.tickets where id = 1"
    )[0]
    assert subject == e2e_sandbox.admin.ticket(1)["subject"]  # type: ignore[index]
    assert via == e2e_sandbox.admin.ticket(1)["via"]["channel"]  # type: ignore[index]
    assert set(run.final_state()["bookmarks"]) == set(expected)


def test_tap_into_target_csv(e2e_sandbox: Sandbox, tap_config: Path, tmp_path: Path) -> None:
    venv = plugin_venv(CSV_TARGET)
    out = tmp_path / "csv"
    target_config = write_json(tmp_path / "csv.json", {"output_path": str(out)})
    run = pipe(
        [TAP, "--config", str(tap_config)],
        [str(venv / "bin" / "target-csv"), "--config", str(target_config)],
        tmp_path,
    )
    assert run.ok, run.report()

    expected = _expected_counts(e2e_sandbox)
    assert {path.name for path in out.iterdir()} == {f"{stream}.csv" for stream in expected}
    for stream, count in expected.items():
        with (out / f"{stream}.csv").open(newline="") as lines:
            rows = list(csv.DictReader(lines))
        assert len(rows) == count, stream
    with (out / "sequin_records.csv").open(newline="") as lines:
        first = next(csv.DictReader(lines))
    # target-csv writes a nested object as its Python repr: Sequin's payload is kept whole in one cell.
    assert first["upstream_id"] in first["data"]


def test_tap_into_target_postgres(
    e2e_sandbox: Sandbox, tap_config: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    venv = plugin_venv(POSTGRES_TARGET)
    target_config = write_json(
        tmp_path / "postgres.json",
        {
            "sqlalchemy_url": postgres.url,
            "default_target_schema": "zendesk",
            "add_record_metadata": False,
            "activate_version": False,
        },
    )
    target = [str(venv / "bin" / "target-postgres"), "--config", str(target_config)]
    first = pipe([TAP, "--config", str(tap_config)], target, tmp_path)
    assert first.ok, first.report()

    expected = _expected_counts(e2e_sandbox)
    for table, count in expected.items():
        assert psql_rows(venv, postgres, f"select count(*) from zendesk.{table}") == [[count]], table  # noqa: S608
    ticket = e2e_sandbox.admin.ticket(2)
    assert ticket is not None
    got = psql_rows(venv, postgres, "select subject, tags from zendesk.tickets where id = 2")
    assert got == [[ticket["subject"], ticket["tags"]]]

    # A second run from the state the target printed moves only the change, which target-postgres upserts.
    e2e_sandbox.admin.update_ticket(2, subject="changed for the second run")
    state = write_json(tmp_path / "state.json", first.final_state())
    second = pipe([TAP, "--config", str(tap_config), "--state", str(state)], target, tmp_path)
    assert second.ok, second.report()
    assert psql_rows(venv, postgres, "select count(*) from zendesk.tickets") == [[expected["tickets"]]]
    assert psql_rows(venv, postgres, "select subject from zendesk.tickets where id = 2") == [
        ["changed for the second run"]
    ]
