"""Users and organizations copied from one account into another by our tap and the target read back equal.

As a user would run it: `tap-zendesk-objects | target-zendesk-objects` twice, organizations first (users
name theirs), each with a catalog selecting one stream and `object_map` routing it to `zen:organization`
or `zen:user`. Zendesk ids differ between accounts, so what holds one is carried by a natural key: a
stream map gives each user its organization's name (from `stream_map_config`, the source's id → name
table a user keeps in the warehouse) and drops the lookup fields that hold source user ids; deleted users
(`active: false`) are left out. Then the tap reads the second account, and every attribute the target
writes (custom fields included) equals the first account's, ids, timestamps and those lookups aside.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

from tests.tap.runner import FAST, TAP, run_tap, selected_catalog, tap_config, write_json
from tests.target.conftest import FAST_JOBS, target_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

TARGET = [sys.executable, "-m", "target_zendesk_objects"]
TIMEOUT_SECONDS = 120
# What the target writes (docs/target.md, Users, organizations and memberships), beside the typed `cf_`
# fields.
USER_ATTRIBUTES = (
    "name",
    "email",
    "phone",
    "external_id",
    "tags",
    "notes",
    "details",
    "time_zone",
    "locale",
    "role",
)
ORGANIZATION_ATTRIBUTES = (
    "name",
    "external_id",
    "details",
    "notes",
    "tags",
    "domain_names",
    "group_id",
    "shared_tickets",
    "shared_comments",
)
# Lookup fields hold the source account's user ids: dropped by the stream maps, not compared.
SOURCE_IDS = frozenset({"cf_account_manager", "cf_success_manager"})


def _pipe(source: dict[str, Any], catalog: dict[str, Any], target: dict[str, Any], tmp_path: Path) -> None:
    """One `tap | target` run; both must succeed and the target must reject nothing."""
    tap_cmd = [
        TAP,
        "--config",
        str(write_json(tmp_path, "tap", source)),
        "--catalog",
        str(write_json(tmp_path, "catalog", catalog)),
    ]
    target_cmd = [*TARGET, "--config", str(write_json(tmp_path, "target", target))]
    with subprocess.Popen(tap_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tap:
        done = subprocess.run(
            target_cmd, stdin=tap.stdout, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
        assert tap.wait(timeout=TIMEOUT_SECONDS) == 0
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "the target printed no STATE"


def _read(sb: Sandbox, tmp_path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    run = run_tap(
        tmp_path,
        tap_config(sb, custom_object_keys=[], sequin_api_token=None),
        select=["users", "organizations"],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.records("users"), run.records("organizations")


def _kept(record: dict[str, Any], attributes: tuple[str, ...]) -> dict[str, Any]:
    typed = {k: v for k, v in record.items() if k.startswith("cf_") and k not in SOURCE_IDS}
    return {k: record.get(k) for k in attributes} | typed


def test_users_and_organizations_copied_into_another_account_read_back_equal(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    source = sandbox_factory(**FAST)
    # The second account: its three staff users only (the same emails as the first's), no organizations.
    copy = sandbox_factory(
        **FAST,
        users=3,
        organizations=0,
        tickets=0,
        records_per_object=0,
        sequin_records=0,
        bulk_user_import=True,
        **FAST_JOBS,
    )
    users, organizations = _read(source, tmp_path)
    assert organizations
    assert any(not user["active"] for user in users), "the data should hold a deleted user"
    tap = tap_config(source, custom_object_keys=[], sequin_api_token=None)
    base = target_config(copy, write_mode="jobs", rejected_records_path=str(tmp_path / "rejected.jsonl"))
    orgs_catalog = selected_catalog(tmp_path, tap, ["organizations"])
    orgs_config = base | {
        "object_map": {"organizations": "zen:organization"},
        "stream_maps": {"organizations": {"cf_success_manager": "__NULL__"}},
    }
    _pipe(tap, orgs_catalog, orgs_config, tmp_path)
    users_config = base | {
        "object_map": {"users": "zen:user"},
        "user_roles": ["end-user", "agent", "admin"],  # the copy holds the staff too
        "stream_map_config": {"organization_names": {str(o["id"]): o["name"] for o in organizations}},
        "stream_maps": {
            "users": {
                "__filter__": "active",
                "organization__name": "config['organization_names'].get(str(organization_id))",
                "organization_id": "__NULL__",
                "cf_account_manager": "__NULL__",
            }
        },
    }
    _pipe(tap, selected_catalog(tmp_path, tap, ["users"]), users_config, tmp_path)

    copied_users, copied_organizations = _read(copy, tmp_path)
    want_orgs = {o["name"]: _kept(o, ORGANIZATION_ATTRIBUTES) for o in organizations}
    got_orgs = {o["name"]: _kept(o, ORGANIZATION_ATTRIBUTES) for o in copied_organizations}
    assert got_orgs == want_orgs
    name_of = {o["id"]: o["name"] for o in organizations}
    copied_name_of = {o["id"]: o["name"] for o in copied_organizations}
    want_users = {
        u["email"]: _kept(u, USER_ATTRIBUTES) | {"organization": name_of.get(u["organization_id"])}
        for u in users
        if u["active"]
    }
    got_users = {
        u["email"]: _kept(u, USER_ATTRIBUTES) | {"organization": copied_name_of.get(u["organization_id"])}
        for u in copied_users
    }
    assert got_users == want_users
    assert not (tmp_path / "rejected.jsonl").exists()
    # What was compared is not empty: users in organizations, roles of every kind, typed fields set.
    assert sum(1 for user in got_users.values() if user["organization"]) > len(got_users) // 2
    assert {user["role"] for user in got_users.values()} == {"end-user", "agent", "admin"}
    assert sum(1 for user in got_users.values() if user["cf_loyalty_points"] is not None) > 0
    assert sum(1 for org in got_orgs.values() if org["cf_products"]) > 0
