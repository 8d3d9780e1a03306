"""A third-party tap into our target: meltanolabs-tap-postgres reads a PostgreSQL table of subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import needs_target
from tests.e2e.postgres import psql_rows
from tests.e2e.tools import TARGET, catalog_selecting, pipe, plugin_venv, write_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.e2e.postgres import PostgresServer
    from zendesk_sandbox import Sandbox

pytestmark = [pytest.mark.slow, needs_target]

POSTGRES_TAP = ["meltanolabs-tap-postgres~=0.10.0"]
ROWS = [
    ("sub_pg_1", "active", "cus_1", 900),
    ("sub_pg_2", "trialing", "cus_2", 2900),
    ("sub_pg_3", "past_due", "cus_3", 9900),
]
SETUP_SQL = (
    "create table subscriptions (id text primary key, status text, customer text, plan_amount integer,"
    " currency text);"
    " insert into subscriptions values ('sub_pg_1', 'active', 'cus_1', 900, 'usd'),"
    " ('sub_pg_2', 'trialing', 'cus_2', 2900, 'usd'), ('sub_pg_3', 'past_due', 'cus_3', 9900, 'usd')"
)


def test_tap_postgres_into_our_target(
    e2e_sandbox: Sandbox, target_config: Callable[..., Path], tmp_path: Path, postgres: PostgresServer
) -> None:
    venv = plugin_venv(POSTGRES_TAP)
    psql_rows(venv, postgres, SETUP_SQL)
    tap_config = write_json(
        tmp_path / "tap-postgres.json",
        {
            "host": postgres.host,
            "port": postgres.port,
            "user": postgres.user,
            "password": "",  # tap-postgres requires the key; the test server trusts loopback
            "database": postgres.database,
            "filter_schemas": ["public"],
        },
    )
    # tap-postgres names the stream `<schema>-<table>`; the object, the external id and the name come
    # from the target's settings and a target-side stream map.
    target = target_config(
        object_map={"public-subscriptions": "subscription"},
        external_id_property="id",
        stream_maps={"public-subscriptions": {"name": "id"}},
    )
    tap = [str(venv / "bin" / "tap-postgres"), "--config", str(tap_config)]
    # SQL taps select nothing by default: pick the table as a Meltano `select` would.
    command = [
        *tap,
        "--catalog",
        str(catalog_selecting(tap, "public-subscriptions", tmp_path / "catalog.json")),
    ]
    ours = [TARGET, "--config", str(target)]

    first = pipe(command, ours, tmp_path)
    assert first.ok, first.report()
    records = {r["external_id"]: r for r in e2e_sandbox.admin.custom_object_records("subscription")}
    assert set(records) == {row[0] for row in ROWS}
    for external_id, status, customer, amount in ROWS:
        fields = records[external_id]["custom_object_fields"]
        assert records[external_id]["name"] == external_id
        assert (fields["status"], fields["customer"], int(fields["plan_amount"])) == (
            status,
            customer,
            amount,
        )

    # A full-table tap sends every row again: upserts by external id keep one record per row.
    psql_rows(venv, postgres, "update subscriptions set status = 'canceled' where id = 'sub_pg_2'")
    second = pipe(command, ours, tmp_path)
    assert second.ok, second.report()
    records = {r["external_id"]: r for r in e2e_sandbox.admin.custom_object_records("subscription")}
    assert len(records) == len(ROWS)
    assert records["sub_pg_2"]["custom_object_fields"]["status"] == "canceled"
