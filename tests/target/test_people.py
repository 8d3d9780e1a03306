"""Users, organizations and memberships as destinations: matched by their keys, every refusal recorded.

Each test runs the target's console script over HTTP against a sandbox, and checks what a user would: what
the sandbox holds afterwards, the rejections file, the run's summary line and what it cost in requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import FAST_EMPTY, run_target, singer_lines, target_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

ROUTES = {"contacts": "zen:user", "accounts": "zen:organization", "members": "zen:organization_membership"}
ANY: dict[str, Any] = {}  # a property of any type
CONTACT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "external_id": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"]},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "role": {"type": ["string", "null"]},
        "organization__external_id": {"type": ["string", "null"]},
        "cf_plan": {"type": ["string", "null"]},
        "cf_loyalty_points": ANY,  # numbers as text are read as their field's type
        "cf_birthday": {"type": ["string", "null"], "format": "date"},
        "_sdc_deleted_at": {"type": ["string", "null"]},
    },
}
ACCOUNT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "external_id": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"]},
        "notes": {"type": ["string", "null"]},
        "domain_names": {"type": ["array", "null"], "items": {"type": "string"}},
        "cf_tier": {"type": ["string", "null"]},
        "cf_employees": {"type": ["integer", "null"]},
        "_sdc_deleted_at": {"type": ["string", "null"]},
    },
}
MEMBER = {"type": "object", "properties": {"user__email": ANY, "organization__external_id": ANY}}


@pytest.fixture
def sb(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with bulk user import turned on and quick jobs."""
    return sandbox_factory(bulk_user_import=True, **FAST_EMPTY)


def config(sb: Sandbox, tmp_path: Path, **settings: Any) -> dict[str, Any]:
    """The target's config for the three people streams, in `jobs` mode unless told otherwise."""
    base = {
        "object_map": ROUTES,
        "write_mode": "jobs",
        "rejected_records_path": str(tmp_path / "rejected.jsonl"),
    }
    return target_config(sb, **(base | settings))


def lines(*streams: tuple[str, dict[str, Any], list[dict[str, Any]]]) -> list[str]:
    """SCHEMA and RECORDs of each stream in turn, one STATE after each stream."""
    out: list[str] = []
    for stream, schema, records in streams:
        out += singer_lines(stream, schema, records, key_properties=[])
    return out


def user_with(sb: Sandbox, **match: Any) -> dict[str, Any]:
    """The one active user whose attributes equal `match` (emails and external ids compared without case)."""
    found = []
    for user_id in sb.admin.user_ids(include_deleted=False):
        user = sb.admin.user(user_id)
        if user and all(str(user.get(k) or "").lower() == str(v).lower() for k, v in match.items()):
            found.append(user)
    assert len(found) == 1, (match, found)
    return found[0]


def organization_with(sb: Sandbox, **match: Any) -> dict[str, Any]:
    """The one organization whose attributes equal `match` (without case)."""
    found = [
        organization
        for org_id in sb.admin.organization_ids()
        if (organization := sb.admin.organization(org_id))
        and all(str(organization.get(k) or "").lower() == str(v).lower() for k, v in match.items())
    ]
    assert len(found) == 1, (match, found)
    return found[0]


def seeded_customers(sb: Sandbox) -> list[dict[str, Any]]:
    """The seeded end users with an external id."""
    found = [sb.admin.user(user_id) for user_id in sb.admin.user_ids(include_deleted=False)]
    return [user for user in found if user and user["role"] == "end-user" and user["external_id"]]


def kinds(sb: Sandbox) -> dict[str, int]:
    """Requests the sandbox served, by endpoint kind."""
    found: dict[str, int] = sb.admin.stats()["requests_by_kind"]
    return found


# --- users ---------------------------------------------------------------------------------------------


def test_users_by_external_id_and_by_email_with_their_organization_and_typed_fields(
    sb: Sandbox, tmp_path: Path
) -> None:
    known = seeded_customers(sb)[0]
    email_only = sb.admin.user(sb.admin.create_user(name="Email Only", email="only.email@example.org"))
    assert email_only is not None
    account = sb.admin.organization(sb.admin.organization_ids()[3])
    assert account is not None
    contacts = [
        # an existing user found by its external id (its case aside), renamed
        {"external_id": known["external_id"].upper(), "name": "Renamed", "cf_plan": "business"},
        # an existing user found by its email
        {
            "email": email_only["email"],
            "phone": "+33 1 23 45 67 89",
            "organization__external_id": account["external_id"],
        },
        # new users: by external id, and by email alone
        {
            "external_id": "crm-77",
            "email": "new.77@example.org",
            "name": "New 77",
            "tags": ["crm", "vip"],
            "cf_loyalty_points": "12",
            "cf_birthday": "1990-04-01",
            "organization__external_id": account["external_id"],
        },
        {"email": "new.78@example.org", "name": "New 78", "role": "end-user"},
    ]
    sb.admin.reset_stats()
    run = run_target(config(sb, tmp_path), lines(("contacts", CONTACT, contacts)), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.states == [{"bookmarks": {"contacts": {"seq": 1}}}]
    renamed = sb.admin.user(known["id"])
    assert renamed is not None
    assert (renamed["name"], renamed["external_id"], renamed["user_fields"]["plan"]) == (
        "Renamed",
        known["external_id"].upper(),  # Zendesk keeps the case it was found by (OAS CreateOrUpdateUser)
        "business",
    )
    phoned = sb.admin.user(email_only["id"])
    assert phoned is not None
    assert (phoned["phone"], phoned["organization_id"]) == ("+33 1 23 45 67 89", account["id"])
    new = user_with(sb, external_id="crm-77")
    assert (new["email"], new["tags"], new["organization_id"]) == (
        "new.77@example.org",
        ["crm", "vip"],
        account["id"],
    )
    assert (new["user_fields"]["loyalty_points"], new["user_fields"]["birthday"]) == (
        12,
        "1990-04-01T00:00:00+00:00",
    )
    assert user_with(sb, email="new.78@example.org")["role"] == "end-user"
    used = kinds(sb)
    assert used["users_create_or_update_many"] == 1  # the four users in one job
    assert used["organizations_show_many"] == 1  # the organization's external id, once
    assert "4 records written, 0 rejected" in run.stderr


def test_refused_users_and_roles_reach_the_rejections_file_with_zendesks_reason(
    sb: Sandbox, tmp_path: Path
) -> None:
    taken, other = seeded_customers(sb)[:2]
    contacts = [
        {"external_id": "crm-1", "email": "fine@example.org", "name": "Fine"},
        # found by its external id, with another user's email
        {"external_id": other["external_id"], "email": taken["email"].upper(), "name": "Thief"},
        {"external_id": "crm-3", "email": "no-at-sign", "name": "Bad"},
        {"external_id": "crm-4", "email": "boss@example.org", "name": "Boss", "role": "admin"},
    ]
    run = run_target(config(sb, tmp_path), lines(("contacts", CONTACT, contacts)), tmp_path=tmp_path)
    assert run.returncode == 1
    assert "1 records written, 3 rejected" in run.stderr
    errors = {line["external_id"]: line["error"] for line in run.rejected}
    assert set(errors) == {other["external_id"], "crm-3", "crm-4"}
    # A Failed item's `details` is the reason (wire notes §26.2), read by its position in the job.
    assert (
        errors[other["external_id"]]
        == f"UserUpdateError: Email: {taken['email'].upper()} is already being used by another user"
    )
    assert errors["crm-3"] == "UserUpdateError: Email: no-at-sign is not properly formatted"
    assert errors["crm-4"] == "refused locally: role: 'admin' is not allowed (`user_roles` allows end-user)"
    assert all(line["stream"] == "contacts" and line["record"]["name"] for line in run.rejected)
    assert run.states == [{"bookmarks": {"contacts": {"seq": 1}}}]  # the rejected are settled too
    allowed = run_target(
        config(sb, tmp_path, user_roles=["end-user", "admin"]),
        lines(("contacts", CONTACT, contacts[3:])),
        tmp_path=tmp_path,
    )
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert user_with(sb, external_id="crm-4")["role"] == "admin"


def test_role_end_user_never_demotes_an_agent_matched_by_email(sb: Sandbox, tmp_path: Path) -> None:
    # A CRM lists staff among its contacts; the record's `end-user` role must not demote the agent.
    agent = next(
        user
        for user in (sb.admin.user(user_id) for user_id in sb.admin.user_ids(include_deleted=False))
        if user and user["role"] == "agent"
    )
    contacts = [{"email": agent["email"], "name": "Agent From The CRM", "role": "end-user"}]
    run = run_target(config(sb, tmp_path), lines(("contacts", CONTACT, contacts)), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    after = sb.admin.user(agent["id"])
    assert after is not None
    assert (after["name"], after["role"]) == ("Agent From The CRM", "agent")


def test_an_organization_id_and_key_that_disagree_reject_the_user_naming_both(
    sb: Sandbox, tmp_path: Path
) -> None:
    orgs = [org for org_id in sb.admin.organization_ids() if (org := sb.admin.organization(org_id))]
    one, other = [org for org in orgs if org["external_id"]][:2]
    schema = {**CONTACT, "properties": {**CONTACT["properties"], "organization_id": ANY}}
    contacts = [
        {"external_id": "crm-90", "name": "Split", "organization_id": one["id"]}
        | {"organization__external_id": other["external_id"]}
    ]
    run = run_target(config(sb, tmp_path), lines(("contacts", schema, contacts)), tmp_path=tmp_path)
    assert run.returncode == 1
    assert [line["error"] for line in run.rejected] == [
        (
            f"organization_id: the record gives id {one['id']}, but external_id {other['external_id']} is"
            f" zen:organization {other['id']}: linked to neither"
        )
    ]
    assert not [u for u in sb.admin.user_ids() if (sb.admin.user(u) or {}).get("external_id") == "crm-90"]


def test_without_bulk_import_users_go_one_at_a_time_and_the_log_says_why(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST_EMPTY)  # bulk user import off, as Zendesk's default
    contacts = [
        {"external_id": f"solo-{n}", "email": f"solo.{n}@example.org", "name": f"Solo {n}"} for n in range(12)
    ]
    run = run_target(config(sb, tmp_path), lines(("contacts", CONTACT, contacts)), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr.count("Zendesk refused bulk user import (HTTP 403") == 1
    assert "ask Zendesk Customer Support" in run.stderr or "asks Zendesk Customer Support" in run.stderr
    used = kinds(sb)
    assert (used["users_create_or_update_many"], used["users_create_or_update"]) == (1, 12)
    assert {user_with(sb, external_id=f"solo-{n}")["name"] for n in range(12)} == {
        f"Solo {n}" for n in range(12)
    }
    assert "12 records written, 0 rejected" in run.stderr


# --- organizations -------------------------------------------------------------------------------------


def test_organizations_by_external_id_and_by_name(sb: Sandbox, tmp_path: Path) -> None:
    by_external, by_name = (sb.admin.organization(org_id) for org_id in sb.admin.organization_ids()[:2])
    assert by_external is not None
    assert by_name is not None
    accounts = [
        {
            "external_id": by_external["external_id"],
            "name": by_external["name"],
            "notes": "key account",
            "cf_tier": "gold",
        },
        {"name": by_name["name"].upper(), "domain_names": ["hopper.example"], "cf_employees": 12},
        {"external_id": "sf-new-1", "name": "Brand New Ltd", "cf_tier": "silver"},
        {"name": "Nameless Keyed By Name"},
    ]
    sb.admin.reset_stats()
    run = run_target(config(sb, tmp_path), lines(("accounts", ACCOUNT, accounts)), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    updated = sb.admin.organization(by_external["id"])
    assert updated is not None
    assert (updated["notes"], updated["organization_fields"]["tier"]) == ("key account", "gold")
    renamed = sb.admin.organization(by_name["id"])
    assert renamed is not None
    assert (renamed["name"], renamed["domain_names"], renamed["organization_fields"]["employees"]) == (
        by_name["name"].upper(),
        ["hopper.example"],
        12,
    )
    assert organization_with(sb, external_id="sf-new-1")["organization_fields"]["tier"] == "silver"
    assert organization_with(sb, name="Nameless Keyed By Name")["external_id"] is None
    used = kinds(sb)
    # Resolve first (one show_many for the external ids, a search per name), then one job of each kind.
    assert (used["organizations_show_many"], used["organizations_search"]) == (1, 2)
    assert (used["organizations_create_many"], used["organizations_update_many"]) == (1, 1)
    assert "organizations_update" not in used  # never the single update (5 a minute)


def test_a_taken_organization_name_is_rejected_with_zendesks_reason(sb: Sandbox, tmp_path: Path) -> None:
    existing = sb.admin.organization(sb.admin.organization_ids()[0])
    assert existing is not None
    accounts = [
        {"external_id": "sf-twin", "name": existing["name"]},
        {"external_id": "sf-ok", "name": "Fine Ltd"},
    ]
    run = run_target(
        config(sb, tmp_path, max_rejected_records=1),
        lines(("accounts", ACCOUNT, accounts)),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert [(line["external_id"], line["error"]) for line in run.rejected] == [
        ("sf-twin", "RecordInvalid: Name has already been taken")
    ]
    assert organization_with(sb, external_id="sf-ok")["name"] == "Fine Ltd"


# --- memberships, and the three in one run ---------------------------------------------------------------


def test_a_crm_sync_creates_organizations_then_users_then_memberships_in_one_run(
    sb: Sandbox, tmp_path: Path
) -> None:
    accounts = [{"external_id": f"acc-{n}", "name": f"Account {n}"} for n in range(3)]
    contacts = [
        {
            "external_id": f"c-{n}",
            "email": f"c.{n}@example.org",
            "name": f"C {n}",
            "organization__external_id": f"acc-{n % 3}",
        }
        for n in range(6)
    ]
    members = [
        {"user__email": "c.0@example.org", "organization__external_id": "acc-1"},  # a second organization
        {"user__email": "c.1@example.org", "organization__external_id": "acc-1"},  # its own already: exists
        {"user__email": "nobody@example.org", "organization__external_id": "acc-1"},
    ]
    streams = (("accounts", ACCOUNT, accounts), ("contacts", CONTACT, contacts), ("members", MEMBER, members))
    run = run_target(config(sb, tmp_path, max_rejected_records=1), lines(*streams), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.states) == 3
    orgs = {n: organization_with(sb, external_id=f"acc-{n}")["id"] for n in range(3)}
    for n in range(6):
        assert user_with(sb, external_id=f"c-{n}")["organization_id"] == orgs[n % 3]
    first = user_with(sb, external_id="c-0")
    assert [m["organization_id"] for m in sb.admin.organization_memberships(first["id"])] == [
        orgs[0],
        orgs[1],
    ]
    assert "1 memberships existed already" in run.stderr
    assert [line["error"] for line in run.rejected] == ["user_id: no zen:user with email nobody@example.org"]


# --- deletes ---------------------------------------------------------------------------------------------


def test_deletes_are_ignored_unless_allow_deletes_names_the_object(sb: Sandbox, tmp_path: Path) -> None:
    user = seeded_customers(sb)[0]
    organization = sb.admin.organization(sb.admin.organization_ids()[-1])
    assert organization is not None
    gone = "2026-01-01T00:00:00Z"
    streams = (
        ("contacts", CONTACT, [{"external_id": user["external_id"], "_sdc_deleted_at": gone}]),
        (
            "accounts",
            ACCOUNT,
            [
                {"external_id": organization["external_id"], "_sdc_deleted_at": gone},
                {"external_id": "never-there", "_sdc_deleted_at": gone},
            ],
        ),
    )
    refused = run_target(config(sb, tmp_path), lines(*streams), tmp_path=tmp_path)
    assert refused.returncode == 0, refused.stderr[-2000:]
    assert "1 deletes of zen:user ignored" in refused.stderr
    assert "2 deletes of zen:organization ignored" in refused.stderr
    assert "deletes of zen:user are off unless `allow_deletes` names it" in refused.stderr
    assert sb.admin.user(user["id"])["active"] is True  # type: ignore[index]
    assert sb.admin.organization(organization["id"]) is not None
    assert len(refused.states) == 2
    sb.admin.reset_stats()
    allowed = run_target(
        config(sb, tmp_path, allow_deletes=["zen:user", "zen:organization"]),
        lines(*streams),
        tmp_path=tmp_path,
    )
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert sb.admin.user(user["id"])["active"] is False  # type: ignore[index]  # Zendesk's soft delete
    assert sb.admin.organization(organization["id"]) is None
    assert "1 deletes found no record" in allowed.stderr  # never-there: already gone is done
    used = kinds(sb)
    assert (used["users_destroy_many"], used["organizations_destroy_many"]) == (1, 1)


# --- fields from the SCHEMA, and the job cap --------------------------------------------------------------


def test_missing_user_and_organization_fields_are_created_from_the_schema(
    sb: Sandbox, tmp_path: Path
) -> None:
    contact = {
        "type": "object",
        "properties": CONTACT["properties"]
        | {
            "cf_mrr": {"type": ["number", "null"]},
            "cf_segment": {"type": ["string", "null"], "enum": ["smb", "ent"]},
            "cf_plan": {"type": ["boolean", "null"]},  # a dropdown already: a conflict, in the dry run only
        },
    }
    account = {"type": "object", "properties": ACCOUNT["properties"] | {"cf_owner_name": {"type": "string"}}}
    records = [
        {"external_id": "crm-f", "email": "f@example.org", "name": "F", "cf_mrr": 99.5, "cf_segment": "ent"}
    ]
    streams = (
        ("contacts", contact, records),
        ("accounts", account, [{"external_id": "acc-f", "name": "F Ltd", "cf_owner_name": "Kim"}]),
    )
    dry = run_target(config(sb, tmp_path, schema_dry_run=True), lines(*streams), tmp_path=tmp_path)
    assert dry.returncode == 1
    assert "user fields (stream contacts): add 2" in dry.stderr
    assert "+ field mrr: decimal" in dry.stderr
    assert "+ field segment: dropdown (options: smb, ent)" in dry.stderr
    assert (
        "property cf_plan is a boolean (a checkbox field), but field plan of users is dropdown" in dry.stderr
    )
    assert "organization fields (stream accounts): add 1" in dry.stderr
    assert dry.states == []
    del contact["properties"]["cf_plan"]
    made = run_target(config(sb, tmp_path, create_objects=True), lines(*streams), tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr[-2000:]
    assert "2 custom objects" not in made.stderr
    assert "0 custom objects and 3 fields created" in made.stderr
    assert {f["key"]: f["type"] for f in sb.admin.fields("user")}.items() >= {
        "mrr": "decimal",
        "segment": "dropdown",
    }.items()
    written = user_with(sb, external_id="crm-f")
    assert (written["user_fields"]["mrr"], written["user_fields"]["segment"]) == (99.5, "ent")
    assert organization_with(sb, external_id="acc-f")["organization_fields"]["owner_name"] == "Kim"


@pytest.mark.parametrize(("scope", "most_at_once"), [("account", 1), ("endpoint", 2)])
def test_one_job_limit_for_every_endpoint_unless_split(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, scope: str, most_at_once: int
) -> None:
    sb = sandbox_factory(
        bulk_user_import=True, job_queue_seconds=0.4, job_items_per_second=5000, records_per_object=0
    )
    vendors = [{"external_id": f"v-{n}", "name": f"Vendor {n}"} for n in range(100)]
    contacts = [
        {"external_id": f"cap-{n}", "email": f"cap.{n}@example.org", "name": f"Cap {n}"} for n in range(100)
    ]
    vendor_schema = {"type": "object", "properties": {"external_id": ANY, "name": ANY}}
    text = singer_lines("vendor", vendor_schema, vendors, key_properties=[])[:-1]  # no STATE between the two
    text += singer_lines("contacts", CONTACT, contacts, key_properties=[])
    settings = config(sb, tmp_path, max_concurrent_jobs=1, job_limit_scope=scope)
    run = run_target(settings, text, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert sb.admin.stats()["max_active_jobs_seen"] == most_at_once
