"""SIGKILLed anywhere, the target rerun from its last printed STATE leaves every record exactly once.

The input comes from a tap-like source: record `p` of a fixed sequence, with a STATE `{"position": p}`
after every `EVERY` records that says "records before p are done". A rerun from a printed STATE sends the
sequence again from that position, as a tap resumed from that state would. The sequence updates keys
written earlier and deletes some, so a replay that applied an old value last, or lost a delete, shows.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest

from tests.target.conftest import target_config

if TYPE_CHECKING:
    from pathlib import Path

    from zendesk_sandbox import Sandbox

TARGET = [sys.executable, "-m", "target_zendesk_objects"]
STREAM = "apartments"
OBJECT = "apartment"
TOTAL = 480  # records in the sequence
KEYS = 320  # positions >= KEYS write keys again (updates), some as deletes
EVERY = 40  # a STATE after every EVERY records
# In `auto` mode the source turns to a trickle from here: a STATE after every TRICKLE_EVERY records, few
# enough that `auto` writes them by PATCH/DELETE instead of jobs (writer.AUTO_PATCH_MAX_RECORDS).
TRICKLE_FROM = 240
TRICKLE_EVERY = 3
SCHEMA = {
    "type": "object",
    "properties": {
        "external_id": {"type": "string"},
        "name": {"type": "string"},
        "address": {"type": "string"},
        "rooms": {"type": "integer"},
        "deleted": {"type": "boolean"},
    },
}
# Jobs slow enough that several are in flight when a kill lands.
SLOW_JOBS = {"job_items_per_second": 150.0, "job_queue_seconds": 0.1, "records_per_object": 0}
# For the modes that write record by record (`upsert`, `auto`'s trickle): an account "minute" of one
# second allowing 100 requests (the target told so), so that hundreds of PATCHes take seconds, not the
# 40 s they take at 700 a minute, while a kill after the N-th write still lands a write or two after it.
# `jobs` keeps the real minute: its few requests are not what takes time there, and at a faster pace a
# run can print its last STATE before the kill meant to land after its third.
SINGLE_WRITE_BUDGET = {"window_seconds": 1.0, "account_requests_per_window": 100}
WAIT_SECONDS = 60.0


def record_at(position: int) -> dict[str, Any]:
    """The record the source sends at `position`: a new key, or an update or delete of an earlier one."""
    key = position % KEYS
    record: dict[str, Any] = {
        "external_id": f"crash-{key}",
        "name": f"Apartment {key} v{position}",
        "address": f"{position} Replay Street",
        "rooms": position % 7 + 1,
    }
    if position >= KEYS and position % 10 == 7:  # every tenth update is a delete
        record["deleted"] = True
    return record


def state_after(position: int, trickle_from: int) -> bool:
    """Whether the source sends a STATE after the record at `position` (the same on every rerun)."""
    done = position + 1
    if done == TOTAL:
        return True
    if done > trickle_from:
        return (done - trickle_from) % TRICKLE_EVERY == 0
    return done % EVERY == 0


def source_lines(start: int, trickle_from: int = TOTAL) -> Iterator[str]:
    """The source's output when resumed at `start`: SCHEMA, then records from `start` with STATEs."""
    yield json.dumps(
        {"type": "SCHEMA", "stream": STREAM, "schema": SCHEMA, "key_properties": ["external_id"]}
    )
    for position in range(start, TOTAL):
        yield json.dumps({"type": "RECORD", "stream": STREAM, "record": record_at(position)})
        if state_after(position, trickle_from):
            yield state_message(position + 1)
    if start >= TOTAL:  # resumed at the end (a kill after the last STATE): the state again, as taps do
        yield state_message(TOTAL)


def state_message(position: int) -> str:
    """The source's STATE saying that records before `position` are done."""
    return json.dumps({"type": "STATE", "value": {"bookmarks": {STREAM: {"position": position}}}})


def expected_records() -> dict[str, dict[str, Any]]:
    """What the object must hold at the end: each key's last write, deleted keys absent."""
    latest = {record_at(p)["external_id"]: record_at(p) for p in range(TOTAL)}
    return {key: record for key, record in latest.items() if not record.get("deleted")}


@dataclass
class KilledRun:
    """What one run printed before it ended or was killed."""

    states: list[dict[str, Any]] = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""


Trigger: TypeAlias = Callable[["Sandbox", list[dict[str, Any]]], bool]


def after_states(count: int) -> Trigger:
    """Kill right after the run printed its `count`-th STATE."""
    return lambda _sb, states: len(states) >= count


def after_writes(
    count: int, *, kinds: tuple[str, ...] = ("jobs_create", "records_patch", "records_delete")
) -> Trigger:
    """Kill once the sandbox has received `count` write requests of `kinds` (job POSTs, PATCHes, DELETEs)."""

    def fired(sb: Sandbox, _states: list[dict[str, Any]]) -> bool:
        by_kind = sb.admin.stats()["requests_by_kind"]
        writes: int = sum(by_kind.get(k, 0) for k in kinds)
        return writes >= count

    return fired


def with_jobs_running(count: int) -> Trigger:
    """Kill while at least `count` jobs are queued or working in the sandbox."""

    def fired(sb: Sandbox, _states: list[dict[str, Any]]) -> bool:
        return sum(job["status"] in {"queued", "working"} for job in sb.admin.jobs()) >= count

    return fired


def start_threads(
    target: subprocess.Popen[str], lines: Iterator[str], run: KilledRun, stderr: list[str]
) -> list[threading.Thread]:
    """Feed the source into the target's stdin and collect its STATE lines and stderr, each on a thread."""
    assert target.stdin is not None
    assert target.stdout is not None
    assert target.stderr is not None
    stdin, stdout, stderr_pipe = target.stdin, target.stdout, target.stderr

    def feed() -> None:
        try:
            for line in lines:
                stdin.write(line + "\n")
            stdin.close()
        except (BrokenPipeError, ValueError):  # killed while we were still writing
            pass

    def read() -> None:
        run.states.extend(json.loads(line) for line in stdout if line.strip())

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=read, daemon=True),
        threading.Thread(target=lambda: stderr.extend(stderr_pipe), daemon=True),
    ]
    for thread in threads:
        thread.start()
    return threads


def run_until(config_path: Path, source: Iterator[str], kill_when: Trigger | None, sb: Sandbox) -> KilledRun:
    """Feed the source into the target; SIGKILL it as soon as `kill_when` fires."""
    settle_leftover_jobs(sb)
    sb.admin.reset_stats()
    run, stderr = KilledRun(), list[str]()
    with subprocess.Popen(
        [*TARGET, "--config", str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as target:
        threads = start_threads(target, source, run, stderr)
        deadline = time.monotonic() + WAIT_SECONDS
        while target.poll() is None and time.monotonic() < deadline:
            if kill_when is not None and kill_when(sb, list(run.states)):
                target.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)  # polling the trigger, not timing anything
        if target.poll() is None and kill_when is None:
            target.kill()
            pytest.fail("the target did not finish within a minute")
        run.returncode = target.wait(timeout=30)
        for thread in threads:
            thread.join(timeout=30)
    run.stderr = "".join(stderr)
    return run


def settle_leftover_jobs(sb: Sandbox) -> None:
    """Wait until the jobs a killed run left behind have ended, as a restart some time later would.

    Zendesk keeps applying a dead run's jobs. A rerun racing them could see an old job land after its own
    newer write of the same key; no target can order writes across two processes, so the test restarts
    once they are done, like an orchestrator's retry delay does.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while any(job["status"] in {"queued", "working"} for job in sb.admin.jobs()):
        assert time.monotonic() < deadline, "the sandbox's jobs never ended"
        time.sleep(0.01)


def resume_position(states: list[dict[str, Any]], previous: int) -> int:
    """Where a tap resumed from the last printed STATE starts again."""
    if not states:
        return previous
    position: int = states[-1]["bookmarks"][STREAM]["position"]
    return position


def assert_exactly_once(sb: Sandbox) -> None:
    """The object holds each expected key once, with its latest values, and nothing else of ours."""
    live = [
        r
        for r in sb.admin.custom_object_records(OBJECT, include_deleted=False)
        if str(r.get("external_id") or "").startswith("crash-")
    ]
    ids = [r["external_id"] for r in live]
    assert len(ids) == len(set(ids)), "a key is present more than once"
    expected = expected_records()
    assert set(ids) == set(expected)
    for record in live:
        want = expected[record["external_id"]]
        got = (
            record["name"],
            record["custom_object_fields"]["address"],
            record["custom_object_fields"]["rooms"],
        )
        assert got == (want["name"], want["address"], want["rooms"]), record["external_id"]


KILL_PLANS: dict[str, list[Trigger]] = {
    "early": [after_writes(1)],
    "right-after-a-state": [after_states(2), after_states(3)],
    "mid-stream": [after_writes(4), after_writes(3)],
}
JOBS_PLANS: dict[str, list[Trigger]] = {"jobs-in-flight": [with_jobs_running(3), with_jobs_running(2)]}
UPSERT_PLANS: dict[str, list[Trigger]] = {"mid-stream-deep": [after_writes(150), after_writes(200)]}
# `auto` with the trickle: killed while jobs run (bulk part), then among the single writes, just after
# the second STATE of the trickle (the trickle's PATCHes run ahead of its STATEs, which wait for the jobs).
AUTO_PLANS: dict[str, list[Trigger]] = {
    "bulk-then-trickle": [with_jobs_running(3), after_states(TRICKLE_FROM // EVERY + 2)]
}


# Plans whose first kill certainly lands after Zendesk took writes beyond the last printed STATE, so that
# the rerun replays writes Zendesk has already applied: jobs still running hold only records after it,
# and the 150th PATCH's record lies beyond the last STATE (at most position 120).
REPLAYS_APPLIED_WRITES = frozenset({"jobs-in-flight", "mid-stream-deep"})


def _cases() -> Iterator[Any]:
    for mode, extra in (("jobs", JOBS_PLANS), ("upsert", UPSERT_PLANS)):
        for name, plan in {**KILL_PLANS, **extra}.items():
            yield pytest.param(mode, plan, name in REPLAYS_APPLIED_WRITES, id=f"{mode}-{name}")
    for name, plan in AUTO_PLANS.items():
        yield pytest.param("auto", plan, False, id=f"auto-{name}")


def applied_beyond(sb: Sandbox, position: int) -> int:
    """How many keys hold a write from `position` or later (the version is in the record's name)."""
    names = [str(r["name"]) for r in sb.admin.custom_object_records(OBJECT) if r.get("external_id")]
    return sum(int(name.rsplit(" v", 1)[1]) >= position for name in names if " v" in name)


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "plan", "replays_applied"), list(_cases()))
def test_rerun_from_last_state_after_sigkill(
    sandbox_factory: Callable[..., Sandbox],
    tmp_path: Path,
    mode: str,
    plan: list[Trigger],
    replays_applied: bool,  # noqa: FBT001 (a parameter of the case)
) -> None:
    budget = {} if mode == "jobs" else SINGLE_WRITE_BUDGET
    sb = sandbox_factory(**SLOW_JOBS, **budget)
    config = target_config(
        sb,
        write_mode=mode,
        custom_object_key=OBJECT,
        max_concurrent_jobs=10,
        budget_window_seconds=sb.settings.window_seconds,
        rejected_records_path=str(tmp_path / "rejected.jsonl"),
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    trickle_from = TRICKLE_FROM if mode == "auto" else TOTAL
    position = 0
    for kill_when in plan:
        killed = run_until(config_path, source_lines(position, trickle_from), kill_when, sb)
        assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
        printed = resume_position(killed.states, position)
        assert printed >= position, "a STATE went backwards"
        if replays_applied and kill_when is plan[0]:
            settle_leftover_jobs(sb)
            assert applied_beyond(sb, printed) > 0, "the kill did not land between a write and its STATE"
        position = printed
    final = run_until(config_path, source_lines(position, trickle_from), None, sb)
    assert final.returncode == 0, final.stderr[-2000:]
    assert final.states, "the final run printed no STATE"
    assert final.states[-1] == {"bookmarks": {STREAM: {"position": TOTAL}}}
    if mode == "auto":  # the rerun starts in the trickle, which `auto` writes record by record
        assert final.states[0]["bookmarks"][STREAM]["position"] > TRICKLE_FROM
        assert re.search(r"\b0 jobs .*, [1-9]\d* single writes", final.stderr), final.stderr[-2000:]
    assert_exactly_once(sb)
    assert not (tmp_path / "rejected.jsonl").exists() or not (tmp_path / "rejected.jsonl").read_text().strip()
