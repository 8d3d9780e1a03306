"""SIGKILLed while writing organizations and users, the target rerun from its last STATE leaves each once.

The source is tap-like: organizations first, then users that name their organization by external id, some
of them written again later (a new version in the name); a STATE `{"position": p}` after every `EVERY`
records says "records before p are done", and a rerun sends the sequence again from there. A replayed
organization whose creation the killed run's job had already applied must become an update (the target
resolves every batch's keys before writing), never a duplicate-name rejection.
"""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING, Any

import pytest

from tests.target.conftest import target_config
from tests.target.test_crash import Trigger, after_writes, run_until, settle_leftover_jobs, with_jobs_running

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from zendesk_sandbox import Sandbox

ORGS = 40  # positions 0..39: organizations acc-0…
USERS = 160  # then users u-0…, and from position ORGS + USERS on, updates of the first ones
TOTAL = 280
EVERY = 20
SCHEMAS = {
    "accounts": {
        "type": "object",
        "properties": {"external_id": {"type": "string"}, "name": {"type": "string"}},
    },
    "contacts": {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "organization__external_id": {"type": "string"},
        },
    },
}
SLOW_JOBS: dict[str, Any] = {"job_items_per_second": 400.0, "job_queue_seconds": 0.1, "records_per_object": 0}
PEOPLE_JOBS = ("organizations_create_many", "organizations_update_many", "users_create_or_update_many")


def record_at(position: int) -> tuple[str, dict[str, Any]]:
    """The stream and record the source sends at `position`."""
    if position < ORGS:
        return "accounts", {"external_id": f"acc-{position}", "name": f"Account {position}"}
    user = (position - ORGS) % USERS
    return "contacts", {
        "external_id": f"u-{user}",
        "email": f"u.{user}@example.org",
        "name": f"User {user} v{position}",
        "organization__external_id": f"acc-{position % ORGS}",
    }


def source_lines(start: int) -> Iterator[str]:
    """The source resumed at `start`: both SCHEMAs, then the records from `start` with their STATEs."""
    for stream, schema in SCHEMAS.items():
        yield json.dumps(
            {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": ["external_id"]}
        )
    for position in range(start, TOTAL):
        stream, record = record_at(position)
        yield json.dumps({"type": "RECORD", "stream": stream, "record": record})
        if (position + 1) % EVERY == 0 or position + 1 == TOTAL:
            yield json.dumps({"type": "STATE", "value": {"position": position + 1}})


def applied_beyond(sb: Sandbox, position: int) -> bool:
    """Whether Zendesk holds an organization the source sent at `position` or later (a replay to come)."""
    held = [sb.admin.organization(org_id) for org_id in sb.admin.organization_ids()]
    keys = [str(o["external_id"]) for o in held if o and str(o["external_id"]).startswith("acc-")]
    return any(int(key.removeprefix("acc-")) >= position for key in keys)


def expected() -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Each organization's name, and each user's latest record, by external id."""
    orgs, users = {}, {}
    for position in range(TOTAL):
        stream, record = record_at(position)
        if stream == "accounts":
            orgs[record["external_id"]] = record["name"]
        else:
            users[record["external_id"]] = record
    return orgs, users


PLANS: dict[str, list[Trigger]] = {
    "after-job-posts": [after_writes(1, kinds=PEOPLE_JOBS), after_writes(2, kinds=PEOPLE_JOBS)],
    "jobs-in-flight": [with_jobs_running(2)],
}


@pytest.mark.parametrize("plan", list(PLANS), ids=list(PLANS))
def test_rerun_from_the_last_state_after_sigkill_writes_every_organization_and_user_once(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, plan: str
) -> None:
    sb = sandbox_factory(bulk_user_import=True, **SLOW_JOBS)
    rejected = tmp_path / "rejected.jsonl"
    config = target_config(
        sb,
        write_mode="jobs",
        object_map={"accounts": "zen:organization", "contacts": "zen:user"},
        rejected_records_path=str(rejected),
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    position = 0
    for kill_when in PLANS[plan]:
        killed = run_until(config_path, source_lines(position), kill_when, sb)
        assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
        printed = killed.states[-1]["position"] if killed.states else position
        assert printed >= position, "a STATE went backwards"
        if plan == "after-job-posts" and kill_when is PLANS[plan][0]:
            settle_leftover_jobs(sb)
            assert applied_beyond(sb, printed), "the kill did not land between a job and its STATE"
        position = printed
    assert position < TOTAL, "killed too late to replay anything"
    final = run_until(config_path, source_lines(position), None, sb)
    assert final.returncode == 0, final.stderr[-2000:]
    assert final.states[-1] == {"position": TOTAL}
    assert not rejected.exists() or not rejected.read_text().strip(), rejected.read_text()
    orgs, users = expected()
    held = [sb.admin.organization(org_id) for org_id in sb.admin.organization_ids()]
    ours = {o["external_id"]: o for o in held if o and str(o["external_id"]).startswith("acc-")}
    assert {key: o["name"] for key, o in ours.items()} == orgs
    assert sum(1 for o in held if o and str(o["name"]).startswith("Account ")) == ORGS, (
        "an organization twice"
    )
    found = [sb.admin.user(user_id) for user_id in sb.admin.user_ids(include_deleted=False)]
    mine = [u for u in found if u and str(u["external_id"]).startswith("u-")]
    assert len(mine) == len(users) == USERS, "every user once"
    for user in mine:
        want = users[user["external_id"]]
        assert (user["name"], user["email"]) == (want["name"], want["email"])
        assert user["organization_id"] == ours[want["organization__external_id"]]["id"]
