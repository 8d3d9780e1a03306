"""Seeding: deterministic from (seed, sizes), reusable files, every field type, realistic values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.sandbox.field_types import CUSTOM_FIELD_TYPES
from zendesk_sandbox import Sandbox, SandboxSettings
from zendesk_sandbox.store.database import DataMismatchError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SMALL: dict[str, Any] = {
    "tickets": 80,
    "records_per_object": 10,
    "sequin_records": 20,
    "users": 25,
    "organizations": 8,
    "groups": 2,
}


def _snapshot(sandbox: Sandbox) -> dict[str, Any]:
    admin = sandbox.admin
    return {
        "tickets": [admin.ticket(i) for i in admin.ticket_ids()],
        "records": {o["key"]: admin.custom_object_records(o["key"]) for o in admin.custom_objects()},
        "sequin": admin.sequin_records(),
        "users": [admin.user(i) for i in admin.user_ids()],
        "organizations": [admin.organization(i) for i in admin.organization_ids()],
        "groups": admin.groups(),
        "fields": [admin.fields(kind) for kind in ("ticket", "user", "organization")],
    }


def test_same_seed_and_sizes_give_the_same_data(tmp_path: Path) -> None:
    one = Sandbox(SandboxSettings(seed=5, **SMALL), db_path=tmp_path / "one.sqlite")
    two = Sandbox(SandboxSettings(seed=5, **SMALL), db_path=tmp_path / "two.sqlite")
    three = Sandbox(SandboxSettings(seed=6, **SMALL), db_path=tmp_path / "three.sqlite")
    try:
        first, other = _snapshot(one), _snapshot(three)
        assert first == _snapshot(two)
        for drawn in ("tickets", "records", "sequin", "users", "organizations"):
            assert first[drawn] != other[drawn], drawn
        assert [u["id"] for u in first["users"]] == [u["id"] for u in other["users"]], "ids follow the sizes"
    finally:
        for sandbox in (one, two, three):
            sandbox.close()


def test_a_seeded_file_is_reused_and_a_different_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "reuse.sqlite"
    first = Sandbox(SandboxSettings(**SMALL), db_path=path)
    assert first.seeded_now
    first.admin.create_ticket(subject="kept")
    first.close()
    again = Sandbox(SandboxSettings(**SMALL), db_path=path)
    assert not again.seeded_now
    kept = again.admin.ticket(81)
    assert kept is not None
    assert kept["subject"] == "kept"
    again.close()
    with pytest.raises(DataMismatchError):
        Sandbox(SandboxSettings(**{**SMALL, "tickets": 81}), db_path=path)
    with pytest.raises(DataMismatchError):
        Sandbox(SandboxSettings(**{**SMALL, "users": 26}), db_path=path)


def test_seeded_data_has_the_asked_sizes_and_ratios(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(
        tickets=1000,
        deleted_ticket_ratio=0.1,
        records_per_object=100,
        deleted_record_ratio=0.1,
        users=300,
        deleted_user_ratio=0.1,
        organizations=50,
        groups=6,
    )
    assert len(sandbox.admin.ticket_ids()) == 1000
    assert 50 < 1000 - len(sandbox.admin.ticket_ids(include_deleted=False)) < 150
    assert len(sandbox.admin.user_ids()) == 300
    assert 10 < 300 - len(sandbox.admin.user_ids(include_deleted=False)) < 50
    assert len(sandbox.admin.organization_ids()) == 50
    assert len(sandbox.admin.groups()) == 6
    for key in ("apartment", "contract", "vendor"):
        records = sandbox.admin.custom_object_records(key)
        assert len(records) == 100
        assert 2 < sum(r["deleted"] for r in records) < 25
    names = [r["name"] for r in sandbox.admin.custom_object_records("vendor")]
    assert len(set(names)) == len(names)
    assert sandbox.admin.custom_object_records("contract")[0]["name"].startswith("CTR-")


def test_the_demo_objects_cover_every_field_type_and_name_mode(sandbox: Sandbox) -> None:
    types = {
        f["type"]
        for o in sandbox.admin.custom_objects()
        for f in sandbox.admin.custom_object_fields(o["key"])
    }
    assert types == CUSTOM_FIELD_TYPES
    modes = {}
    for key in ("apartment", "contract", "vendor"):
        name = sandbox.admin.custom_object_fields(key, include_standard=True)[0]
        modes[key] = (name["properties"]["is_unique"], bool(name["properties"].get("autoincrement_enabled")))
    assert modes == {"apartment": (False, False), "contract": (False, True), "vendor": (True, False)}


def test_seeded_record_values_pass_the_sandboxs_own_validation(sandbox: Sandbox) -> None:
    for key in ("apartment", "contract", "vendor"):
        for record in sandbox.admin.custom_object_records(key, include_deleted=False)[:10]:
            fields = {k: v for k, v in record["custom_object_fields"].items() if v is not None}
            again = sandbox.admin.upsert_custom_object_record(key, record["external_id"], None, fields)
            assert again["custom_object_fields"] == record["custom_object_fields"]
