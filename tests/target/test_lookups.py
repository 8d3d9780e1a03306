"""Lookup fields filled from natural keys: every key kind and target type, the unresolved-key policies,
batched and cached resolution (counted at the sandbox), and a SIGKILL with lookups pending.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.stub_server import Received, Reply, StubServer
from tests.tap.runner import FAST, TAP, tap_config
from tests.target.conftest import run_target, singer_lines, target_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

OBJECT = "subscription"
STREAM = "subscriptions"
LOOKUP_FIELDS = (
    ("customer", "zen:user"),
    ("account", "zen:organization"),
    ("ticket", "zen:ticket"),
    ("home", "zen:custom_object:apartment"),
    ("supplier", "zen:custom_object:vendor"),  # vendor names are unique: found by name too
)
_PROPERTIES = ["external_id", "plan", "customer_email"] + [
    f"{field}__{by}" for field, _ in LOOKUP_FIELDS for by in ("id", "external_id", "email", "name")
]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {name: {"type": ["string", "integer", "null"]} for name in _PROPERTIES},
}
# The one configured lookup; the other properties below use the `<field>__<by>` convention.
LOOKUPS = {OBJECT: {"customer": {"by": "email", "property": "customer_email"}}}


def make_sandbox(factory: Callable[..., Sandbox], **settings: Any) -> Sandbox:
    """A sandbox with a `subscription` object whose lookup fields point at every target type."""
    sb = factory(**settings)
    fields = [{"key": "plan", "type": "text", "title": "Plan"}] + [
        {"key": key, "type": "lookup", "title": key.title(), "relationship_target_type": target}
        for key, target in LOOKUP_FIELDS
    ]
    sb.admin.create_custom_object(
        OBJECT, "Subscription", fields, name_mode="autonumber", autonumber_prefix="S-"
    )
    return sb


def users(sb: Sandbox) -> list[dict[str, Any]]:
    """Active end users with an external id."""
    found = [sb.admin.user(user_id) for user_id in sb.admin.user_ids(include_deleted=False)]
    return [u for u in found if u and u["external_id"] and u["role"] == "end-user"]


def written(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """The subscription records' fields, by external id."""
    return {
        str(r["external_id"]): r["custom_object_fields"]
        for r in sb.admin.custom_object_records(OBJECT, include_deleted=False)
    }


def lines_for(records: list[dict[str, Any]], states_every: int | None = None) -> list[str]:
    """The Singer input for subscription records."""
    return singer_lines(STREAM, SCHEMA, records, key_properties=["external_id"], states_every=states_every)


def config(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    """A target config writing subscriptions with the configured lookup."""
    return target_config(sb, **{"custom_object_key": OBJECT, "lookups": LOOKUPS, **overrides})


@pytest.mark.parametrize(("mode", "states_every"), [("upsert", None), ("jobs", None), ("auto", 2)])
def test_every_key_kind_links_its_target(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str, states_every: int | None
) -> None:
    sb = make_sandbox(sandbox_factory)
    people = users(sb)
    orgs = [org for org_id in sb.admin.organization_ids() if (org := sb.admin.organization(org_id))]
    org_with_external = next(o for o in orgs if o["external_id"])
    ticket_id = sb.admin.create_ticket(subject="Billing", external_id="T-77")
    apartments = sb.admin.custom_object_records("apartment", include_deleted=False)
    vendors = sb.admin.custom_object_records("vendor", include_deleted=False)
    records = [
        {
            "external_id": "s-1",
            "plan": "gold",
            "customer_email": people[0]["email"].upper(),  # emails compare without case
            "account__name": orgs[0]["name"],
            "ticket__id": ticket_id,
            "home__external_id": apartments[0]["external_id"],
            "supplier__name": vendors[0]["name"],
        },
        {
            "external_id": "s-2",
            "customer__external_id": people[1]["external_id"],
            "account__external_id": org_with_external["external_id"],
            "ticket__external_id": "T-77",
            "home__id": apartments[1]["id"],
            "supplier__external_id": vendors[1]["external_id"],
        },
        {"external_id": "s-3", "customer__name": people[2]["name"], "account__id": orgs[1]["id"]},
        {
            "external_id": "s-4",
            "customer__id": people[3]["id"],
            "home__external_id": apartments[0]["external_id"],
        },
    ]
    run = run_target(config(sb, write_mode=mode), lines_for(records, states_every), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.rejected == []
    got = written(sb)
    assert got["s-1"] | {"plan": "gold"} == got["s-1"]
    expected = {
        "s-1": {
            "customer": people[0]["id"],
            "account": orgs[0]["id"],
            "ticket": ticket_id,
            "home": apartments[0]["id"],
            "supplier": vendors[0]["id"],
        },
        "s-2": {
            "customer": people[1]["id"],
            "account": org_with_external["id"],
            "ticket": ticket_id,
            "home": apartments[1]["id"],
            "supplier": vendors[1]["id"],
        },
        "s-3": {"customer": people[2]["id"], "account": orgs[1]["id"]},
        "s-4": {"customer": people[3]["id"], "home": apartments[0]["id"]},
    }
    for external_id, links in expected.items():
        assert {k: got[external_id][k] for k in links} == {k: str(v) for k, v in links.items()}, external_id
    assert run.states[-1] == json.loads(lines_for(records, states_every)[-1])["value"]


def unresolvable_records(sb: Sandbox) -> list[dict[str, Any]]:
    """One good record, then one key that finds nothing or two targets for each resolver path."""
    for email in ("ann.lee.1@example.com", "ann.lee.2@example.com"):
        sb.admin.create_user(name="Ann Lee", email=email)
    for subject in ("First", "Second"):
        sb.admin.create_ticket(subject=subject, external_id="T-dup")  # ticket external ids are not unique
    good_email = users(sb)[0]["email"]
    return [
        {"external_id": "ok", "customer_email": good_email},
        {"external_id": "no-email", "customer_email": "nobody@example.com"},
        {"external_id": "two-anns", "customer__name": "Ann Lee"},
        {"external_id": "no-home", "home__external_id": "apartment-missing"},
        {"external_id": "no-org", "account__external_id": "ORG-missing"},
        {"external_id": "two-tickets", "ticket__external_id": "T-dup"},
        {"external_id": "no-vendor", "supplier__name": "Vendor Nobody"},  # Zendesk resolves names itself
    ]


REASONS = {
    "no-email": "customer: no zen:user with email nobody@example.com",
    "two-anns": "customer: 2 zen:user matches for name Ann Lee (ambiguous)",
    "no-home": "home: no zen:custom_object:apartment with external_id apartment-missing",
    "no-org": "account: no zen:organization with external_id ORG-missing",
    "two-tickets": "ticket: 2 zen:ticket matches for external_id T-dup (ambiguous)",
}


@pytest.mark.parametrize("mode", ["upsert", "jobs"])
def test_unresolved_and_ambiguous_keys_are_rejected_with_the_reason(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = make_sandbox(sandbox_factory)
    records = unresolvable_records(sb)
    run = run_target(
        config(sb, write_mode=mode, max_rejected_records=10), lines_for(records), tmp_path=tmp_path
    )
    assert run.returncode == 0, run.stderr
    reasons = {entry["external_id"]: entry["error"] for entry in run.rejected}
    assert set(reasons) == {*REASONS, "no-vendor"}
    assert {key: reasons[key] for key in REASONS} == REASONS
    assert "Vendor Nobody" in reasons["no-vendor"]  # Zendesk's own refusal, naming the key
    assert set(written(sb)) == {"ok"}
    assert run.states, "the STATE after the rejected records was printed"


@pytest.mark.parametrize("mode", ["upsert", "jobs"])
def test_unresolved_and_ambiguous_keys_can_leave_the_lookup_empty(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = make_sandbox(sandbox_factory)
    records = unresolvable_records(sb)
    run = run_target(
        config(sb, write_mode=mode, lookup_unresolved="empty"), lines_for(records), tmp_path=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.rejected == []
    got = written(sb)
    assert set(got) == {r["external_id"] for r in records}
    assert got["ok"]["customer"] is not None
    empty = {
        "no-email": "customer",
        "two-anns": "customer",
        "no-home": "home",
        "no-org": "account",
        "two-tickets": "ticket",
    }
    assert all(got[key][field] is None for key, field in empty.items())
    assert got["no-vendor"]["supplier"] is None
    assert "lookup left empty" in run.stderr


@pytest.mark.parametrize("mode", ["jobs", "auto"])
def test_one_request_resolves_up_to_100_keys_and_a_repeated_key_costs_none(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = make_sandbox(sandbox_factory, records_per_object=150)
    apartments = [
        r["external_id"] for r in sb.admin.custom_object_records("apartment", include_deleted=False)
    ]
    assert len(apartments) > 100
    people = [u["external_id"] for u in users(sb)]
    records = [
        {
            "external_id": f"s-{n}",
            "home__external_id": apartments[n % len(apartments)],
            "customer__external_id": people[n % len(people)],
        }
        for n in range(3 * len(apartments))  # every key three times
    ]
    sb.admin.reset_stats()
    run = run_target(config(sb, write_mode=mode), lines_for(records), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    kinds = sb.admin.stats()["requests_by_kind"]
    assert kinds.get("records_list") == 2  # ceil(distinct apartments / 100), each key once
    assert kinds.get("users_show_many") == 1  # fewer than 100 distinct users
    got = written(sb)
    assert len(got) == len(records)
    ids = {r["external_id"]: r["id"] for r in sb.admin.custom_object_records("apartment")}
    assert all(got[f"s-{n}"]["home"] == ids[apartments[n % len(apartments)]] for n in range(len(records)))


def test_prefixes_refused_in_jobs_go_by_patch(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(sandbox_factory, lookup_prefixes_in_jobs=False)
    ticket_id = sb.admin.create_ticket(subject="Billing", external_id="T-9")
    vendors = sb.admin.custom_object_records("vendor", include_deleted=False)
    records = [
        {
            "external_id": f"s-{n}",
            "plan": "p",
            "ticket__external_id": "T-9",
            "supplier__name": vendors[n]["name"],
        }
        for n in range(12)
    ]
    run = run_target(config(sb, write_mode="jobs"), lines_for(records), tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.rejected == []
    got = written(sb)
    assert all(got[f"s-{n}"]["supplier"] == vendors[n]["id"] for n in range(12))
    assert all(got[f"s-{n}"]["ticket"] == str(ticket_id) for n in range(12))
    assert "go by PATCH from now on" in run.stderr


def test_a_lookup_setting_on_a_field_that_is_no_lookup_ends_the_run(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(sandbox_factory)
    bad = {OBJECT: {"plan": {"by": "email"}}}
    run = run_target(
        config(sb, lookups=bad), lines_for([{"external_id": "x", "plan": "a"}]), tmp_path=tmp_path
    )
    assert run.returncode != 0
    assert "`lookups.subscription.plan`: 'plan' is a text field, not a lookup" in run.stderr
    assert written(sb) == {}


def test_organization_names_need_an_admin_and_an_agent_gets_one_clear_line(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(sandbox_factory)
    org = sb.admin.organization(sb.admin.organization_ids()[0])
    assert org is not None
    agent = {"email": sb.settings.agent_email, "api_token": sb.settings.agent_api_token}
    records = [{"external_id": "a", "account__name": org["name"]}]
    run = run_target(config(sb, **agent), lines_for(records), tmp_path=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1].startswith(
        "target-zendesk-objects: HTTP 403 on /api/v2/organizations/search: Forbidden"
    )
    assert run.states == []
    assert written(sb) == {}


# --- a SIGKILL with lookups pending, then a rerun from the last STATE -------------------------------------

TOTAL, EVERY = 400, 50


def crash_source(start: int, apartments: list[str], emails: list[str]) -> list[str]:
    """Records from `start` (each needing two lookups), a STATE `{"position": p}` after every EVERY."""
    lines = [
        json.dumps({"type": "SCHEMA", "stream": STREAM, "schema": SCHEMA, "key_properties": ["external_id"]})
    ]
    for position in range(start, TOTAL):
        record = {
            "external_id": f"c-{position}",
            "customer_email": emails[position % len(emails)],
            "home__external_id": apartments[position % len(apartments)],
        }
        lines.append(json.dumps({"type": "RECORD", "stream": STREAM, "record": record}))
        if (position + 1) % EVERY == 0:
            lines.append(json.dumps({"type": "STATE", "value": {"position": position + 1}}))
    return lines


def run_killed(config_path: Path, lines: list[str], sb: Sandbox, kill_after_writes: int | None) -> list[Any]:
    """Run the target; SIGKILL it once the sandbox took `kill_after_writes` job POSTs. Return its STATEs."""
    sb.admin.reset_stats()
    with subprocess.Popen(
        [sys.executable, "-m", "target_zendesk_objects", "--config", str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as target:
        assert target.stdin is not None
        assert target.stdout is not None
        try:
            target.stdin.write("\n".join(lines) + "\n")
            target.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + 60
        while target.poll() is None and kill_after_writes is not None:
            if sb.admin.stats()["requests_by_kind"].get("jobs_create", 0) >= kill_after_writes:
                target.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "the target neither finished nor wrote"
            time.sleep(0.002)  # polling the trigger, not timing anything
        target.wait(timeout=60)
        return [json.loads(line) for line in target.stdout if line.strip()]


@pytest.mark.slow
def test_killed_with_lookups_pending_then_rerun_links_every_record_once(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(sandbox_factory, job_items_per_second=300.0, job_queue_seconds=0.1)
    apartments = [
        r["external_id"] for r in sb.admin.custom_object_records("apartment", include_deleted=False)
    ]
    emails = [u["email"] for u in users(sb)]
    config_path = tmp_path / "config.json"
    config_path.write_text(
        json.dumps(config(sb, write_mode="jobs", rejected_records_path=str(tmp_path / "r")))
    )
    states = run_killed(config_path, crash_source(0, apartments, emails), sb, kill_after_writes=2)
    start = states[-1]["position"] if states else 0
    assert start < TOTAL, "killed before the end"
    while any(job["status"] in {"queued", "working"} for job in sb.admin.jobs()):
        time.sleep(0.01)  # a restart comes after the dead run's jobs ended (see test_crash.py)
    states = run_killed(config_path, crash_source(start, apartments, emails), sb, kill_after_writes=None)
    assert states[-1] == {"position": TOTAL}
    got = written(sb)
    assert set(got) == {f"c-{p}" for p in range(TOTAL)}
    ids = {r["external_id"]: r["id"] for r in sb.admin.custom_object_records("apartment")}
    by_email = {u["email"]: str(u["id"]) for u in users(sb)}
    for position in range(TOTAL):
        fields = got[f"c-{position}"]
        assert fields["home"] == ids[apartments[position % len(apartments)]]
        assert fields["customer"] == by_email[emails[position % len(emails)]]
    records = sb.admin.custom_object_records(OBJECT, include_deleted=False)
    assert len(records) == TOTAL, "every record once"


# --- the round trip: our tap's apartments into cards whose lookup finds each apartment by external id --


@pytest.mark.slow
def test_tap_records_piped_into_an_object_link_each_card_to_its_source(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    fields = [
        {
            "key": "home",
            "type": "lookup",
            "title": "Home",
            "relationship_target_type": "zen:custom_object:apartment",
        },
        {"key": "owner", "type": "lookup", "title": "Owner", "relationship_target_type": "zen:user"},
    ]
    sb.admin.create_custom_object("apartment_card", "Apartment card", fields)
    tap_path = tmp_path / "tap.json"
    tap_path.write_text(json.dumps(tap_config(sb, custom_object_keys=["apartment"], sequin_api_token=None)))
    discovered = subprocess.run(
        [TAP, "--config", str(tap_path), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "custom_object_records__apartment"
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    # What a user writes in meltano.yml: each apartment becomes a card that names its apartment by external
    # id through the `<field>__external_id` convention and carries the owner's id as it is (deleted
    # apartments, masked by the export, filtered out).
    card_map = {
        "__alias__": "apartment_card",
        "__filter__": "not deleted",
        "__key_properties__": ["external_id"],
        "__else__": "__NULL__",
        "external_id": "'card-' + external_id",
        "name": "name",
        "home__external_id": "external_id",
        "owner": "custom_object_fields.get('owner')",
    }
    rejected = tmp_path / "rejected.jsonl"
    target_path = tmp_path / "target.json"
    target_path.write_text(
        json.dumps(
            target_config(
                sb,
                stream_maps={"custom_object_records__apartment": card_map},
                rejected_records_path=str(rejected),
            )
        )
    )
    with subprocess.Popen(
        [TAP, "--config", str(tap_path), "--catalog", str(catalog_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as tap:
        target = subprocess.run(
            [sys.executable, "-m", "target_zendesk_objects", "--config", str(target_path)],
            stdin=tap.stdout,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert tap.wait(timeout=120) == 0
    assert target.returncode == 0, target.stderr[-2000:]
    assert not rejected.exists()
    apartments = sb.admin.custom_object_records("apartment", include_deleted=False)
    cards = {
        r["external_id"]: (r["custom_object_fields"]["home"], r["custom_object_fields"]["owner"])
        for r in sb.admin.custom_object_records("apartment_card", include_deleted=False)
    }
    assert cards == {
        f"card-{a['external_id']}": (a["id"], a["custom_object_fields"]["owner"]) for a in apartments
    }
    assert sum(owner is not None for _, owner in cards.values()) > 0, "some owners were copied too"


def test_keys_that_disagree_reject_the_record_naming_both(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(sandbox_factory)
    ann, bob = users(sb)[:2]
    records = [
        # an id and an email that name two different users
        {"external_id": "s-1", "customer__id": ann["id"], "customer_email": bob["email"]},
        # an email and an external id that name two different users
        {"external_id": "s-2", "customer_email": ann["email"], "customer__external_id": bob["external_id"]},
        # an id and an email of the same user: linked
        {"external_id": "s-3", "customer__id": ann["id"], "customer_email": ann["email"].upper()},
    ]
    run = run_target(
        config(sb, write_mode="upsert", max_rejected_records=2), lines_for(records), tmp_path=tmp_path
    )
    assert run.returncode == 0, run.stderr[-2000:]
    errors = {line["external_id"]: line["error"] for line in run.rejected}
    assert errors == {
        "s-1": (
            f"customer: the record gives id {ann['id']}, but email {bob['email']} is zen:user {bob['id']}:"
            " linked to neither"
        ),
        "s-2": (
            f"customer: email {ann['email']} is zen:user {ann['id']} and external_id {bob['external_id']}"
            f" is zen:user {bob['id']}: linked to neither"
        ),
    }
    assert set(written(sb)) == {"s-3"}
    assert written(sb)["s-3"]["customer"] == str(ann["id"])


USER_FIELDS = [
    {"id": 1, "key": "standard::name", "type": "text", "title": "Name", "system": True, "properties": {}},
    {"id": 2, "key": "owner", "type": "lookup", "title": "Owner", "relationship_target_type": "zen:user"},
]


@pytest.mark.parametrize(
    "answer",
    ["a deleted user", "another user", "the key in another case where case counts"],
)
def test_no_answer_of_the_server_links_a_record_to_the_wrong_user(tmp_path: Path, answer: str) -> None:
    # A misbehaving (or merely lax) server answers the lookups with a user that is not the one asked for.
    def user(external_id: str, email: str) -> dict[str, Any]:
        return {"id": 901, "external_id": external_id, "email": email, "active": answer != "a deleted user"}

    def respond(request: Received) -> Reply:
        if request.path.endswith("/custom_objects/gadget/fields"):
            return Reply.json({"custom_object_fields": USER_FIELDS})
        if request.path.endswith("/users/show_many"):
            asked = request.query["external_ids"][0]
            shown = {"another user": "crm-999"}.get(answer, asked)
            return Reply.json({"users": [user(shown, "x@example.com")], "next_page": None, "count": 1})
        if request.path.endswith("/users/search"):
            email = {"another user": "someone.else@example.com"}.get(answer, "ann@example.com")
            return Reply.json({"users": [user("crm-1", email)], "next_page": None, "count": 1})
        return Reply.json({"custom_object_record": {"id": "01H", "name": "x"}})

    schema = {
        "type": "object",
        "properties": {
            p: {"type": ["string", "null"]} for p in ("external_id", "owner__external_id", "owner__email")
        },
    }
    records = [
        {"external_id": "g-1", "owner__external_id": "crm-1"},
        {"external_id": "g-2", "owner__email": "ann@example.com"},
    ]
    if answer.startswith("the key in another case"):
        records = [{"external_id": "g-1", "owner__external_id": "CRM-1"}]  # user external ids ignore case...
        records += [{"external_id": "g-2", "owner__email": "ANN@example.com"}]  # ...and so do emails
    with StubServer(respond) as stub:
        config = {
            "api_url": stub.url,
            "oauth_token": "stub-token-1234",
            "custom_object_key": "gadget",
            "write_mode": "upsert",
        }
        run = run_target(
            {**config, "max_rejected_records": 5},
            singer_lines("gadgets", schema, records, key_properties=["external_id"]),
            tmp_path=tmp_path,
        )
        patched = [r for r in stub.received if r.method == "PATCH"]
    if answer.startswith("the key in another case"):
        assert run.returncode == 0, run.stderr[-2000:]  # the same user, as Zendesk compares: linked
        assert len(patched) == 2
        return
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(line["external_id"] for line in run.rejected) == ["g-1", "g-2"]
    assert all("no zen:user with" in line["error"] for line in run.rejected), run.rejected
    assert patched == []
