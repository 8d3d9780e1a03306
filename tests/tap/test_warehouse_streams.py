"""The support warehouse's streams over HTTP: every record once and valid, one export feeding several
streams with truthful bookmarks, resume after a kill, a rating changed later, the conversation log."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import (
    FAST,
    assert_valid,
    resumed_runs,
    run_tap,
    selected_catalog,
    tap_config,
    wait_until_changes_are_exportable,
)
from zendesk_objects_shared.timestamps import parse_datetime

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

PAGE = 40
# The ticket event export takes no per_page: the sandbox's setting makes its pages as small as the others'.
SANDBOX = {**FAST, "start_time_min_age_seconds": 1.0, "ticket_events_page_size": PAGE}
ZENDESK_EVENT_PAGE = 1000
WEEK = 7
HISTORY = ("ticket_events", "ticket_comments", "ticket_metric_events")
LISTS = (
    "brands",
    "ticket_forms",
    "tags",
    "sla_policies",
    "schedules",
    "schedule_holidays",
    "group_memberships",
    "organization_memberships",
    "macros",
)
WAREHOUSE = (
    "tickets",
    "ticket_metrics",
    "users",
    "user_identities",
    "satisfaction_ratings",
    *HISTORY,
    *LISTS,
)


def _config(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"custom_object_keys": [], "sequin_api_token": None, "page_size": PAGE}
    return tap_config(sb, **{**settings, **overrides})


def _created(rating: dict[str, Any]) -> str:
    return str(rating["created_at"])


def test_every_warehouse_stream_once_valid_and_from_shared_exports(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**SANDBOX)
    run = run_tap(tmp_path, _config(sb), select=WAREHOUSE)
    assert run.returncode == 0, run.stderr
    for stream in WAREHOUSE:
        assert run.records(stream), stream
        assert_valid(run.records(stream), run.schema(stream))
    tickets = sb.admin.ticket_ids(include_deleted=True)
    metrics = run.records("ticket_metrics")
    # One metric record per ticket row, deleted ones flagged; none goes missing (airbyte#13951).
    assert Counter(m["ticket_id"] for m in metrics) == Counter(tickets)
    deleted = {t for t in tickets if (sb.admin.ticket(t) or {})["status"] == "deleted"}
    assert {m["ticket_id"] for m in metrics if m["deleted"]} == deleted
    # Resolution times exist once a ticket is solved (or closed), as its solved_at does.
    live = [m for m in metrics if not m["deleted"]]
    assert all(
        (m["solved_at"] is None) is (m["full_resolution_time_in_minutes"]["calendar"] is None) for m in live
    )
    assert {m["solved_at"] is None for m in live} == {True, False}
    # Every comment once, with its ticket (airbyte#7631); the events keep the comment as flags only.
    comments = run.records("ticket_comments")
    assert Counter(c["id"] for c in comments) == Counter(c["id"] for c in sb.admin.ticket_comments())
    assert all(c["ticket_id"] and c["audit_id"] and c["body"] for c in comments)
    flags = [
        c for e in run.records("ticket_events") for c in e["child_events"] if c["event_type"] == "Comment"
    ]
    assert flags
    assert all("body" not in c and c["comment_present"] for c in flags)
    events = run.records("ticket_events")
    assert {e["ticket_id"] for e in events} == set(tickets), "deleted and archived tickets' events too"
    assert Counter(e["id"] for e in events).most_common(1)[0][1] == 1
    identities = run.records("user_identities")
    users = {u["id"]: u for u in run.records("users")}
    assert {i["user_id"] for i in identities} <= set(users)
    assert all(i["deleted"] is (users[i["user_id"]]["active"] is False) for i in identities)
    assert Counter(r["id"] for r in run.records("satisfaction_ratings")) == Counter(
        r["id"] for r in sb.admin.satisfaction_ratings()
    )
    assert {h["schedule_id"] for h in run.records("schedule_holidays")} <= {
        s["id"] for s in run.records("schedules")
    }
    # What Meltano shows as each stream's records: the `record_count` metrics, riders' included.
    counted: Counter[str] = Counter()
    for line in run.stderr.splitlines():
        if "METRIC: " in line and '"record_count"' in line:
            metric = json.loads(line.split("METRIC: ", 1)[1])
            counted[metric["tags"]["stream"]] += metric["value"]
    assert {s: counted[s] for s in WAREHOUSE} == {s: len(run.records(s)) for s in WAREHOUSE}
    kinds = sb.admin.stats()["requests_by_kind"]
    # Metrics and identities cost no request: one walk of each export (pages of PAGE) fed both streams.
    assert kinds["ticket_export"] == -(-len(tickets) // PAGE)
    assert kinds["user_export"] == -(-len(users) // PAGE)
    assert "conversation_log" not in kinds, "no per-ticket request unless conversation_log is on"
    bookmarks = run.final_state["bookmarks"]
    for rider, walker in (("ticket_metrics", "tickets"), ("user_identities", "users")):
        assert bookmarks[rider]["cursor"] == bookmarks[walker]["cursor"]
        assert bookmarks[rider]["high_water"] == bookmarks[walker]["high_water"]
    assert bookmarks["ticket_events"]["start_time"] == bookmarks["ticket_comments"]["start_time"]


def test_comments_cost_one_export_request_per_1000_events_whatever_page_size_says(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**{**SANDBOX, "tickets": 400, "ticket_events_page_size": ZENDESK_EVENT_PAGE})
    run = run_tap(tmp_path, _config(sb), select=["ticket_events", "ticket_comments"])
    assert run.returncode == 0, run.stderr
    events = run.records("ticket_events")
    assert len(events) > ZENDESK_EVENT_PAGE
    assert len(run.records("ticket_comments")) == len(sb.admin.ticket_comments())
    requests = sb.admin.stats()["requests_by_kind"]["ticket_event_export"]
    assert requests <= -(-len(events) // ZENDESK_EVENT_PAGE), "pages of 1000, not of page_size"


def test_each_stream_alone_keeps_its_own_bookmark(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**SANDBOX)
    config = _config(sb)
    alone = run_tap(tmp_path, config, select=["ticket_metrics"])
    assert alone.returncode == 0, alone.stderr
    assert not alone.records("tickets")
    assert "tickets" not in alone.final_state["bookmarks"] or not alone.final_state["bookmarks"]["tickets"]
    assert len(alone.records("ticket_metrics")) == len(sb.admin.ticket_ids())
    # Then both: tickets walks from its start, ticket_metrics from its own bookmark (not in step: alone).
    sb.admin.update_ticket(sb.admin.ticket_ids(include_deleted=False)[0], subject="changed")
    wait_until_changes_are_exportable()
    both = run_tap(tmp_path, config, state=alone.final_state, select=["tickets", "ticket_metrics"])
    assert both.returncode == 0, both.stderr
    assert len(both.records("tickets")) == len(sb.admin.ticket_ids())
    assert len(both.records("ticket_metrics")) <= 1 + PAGE, "only what changed since its own bookmark"
    bookmarks = both.final_state["bookmarks"]
    assert bookmarks["tickets"]["cursor"] == bookmarks["ticket_metrics"]["cursor"], "in step from now on"
    comments_alone = run_tap(tmp_path, config, select=["ticket_comments"])
    assert comments_alone.returncode == 0, comments_alone.stderr
    assert not comments_alone.records("ticket_events")
    assert len(comments_alone.records("ticket_comments")) == len(sb.admin.ticket_comments())


def test_a_second_run_returns_only_changes_and_catches_a_rating_changed_later(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**SANDBOX)
    ratings = sb.admin.satisfaction_ratings()
    # A bad rating created weeks before the newest change: inside the lookback the setting gives.
    newest = max(parse_datetime(r["updated_at"]) for r in ratings)
    bad = [r for r in ratings if r["score"] == "bad"]
    rating = max((r for r in bad if (newest - parse_datetime(r["created_at"])).days > WEEK), key=_created)
    lookback = (newest - parse_datetime(rating["created_at"])).days + 1
    config = _config(sb, satisfaction_ratings_lookback_days=lookback)
    select = ["tickets", "ticket_metrics", "ticket_events", "ticket_comments", "satisfaction_ratings"]
    first = run_tap(tmp_path, config, select=select)
    assert first.returncode == 0, first.stderr
    # The requester changes it to good after the first run (Zendesk filters by creation time); an agent
    # replies on another ticket.
    sb.admin.update_satisfaction_rating(rating["id"], score="good", comment="Sorted out in the end")
    ticket = sb.admin.ticket_ids(include_deleted=False)[5]
    sb.admin.add_ticket_comment(ticket, "Following up on this")
    wait_until_changes_are_exportable()
    wait_until_changes_are_exportable()  # the time-based bookmark must be the export window + 1 s old
    second = run_tap(tmp_path, config, state=first.final_state, select=select)
    assert second.returncode == 0, second.stderr
    ratings = second.records("satisfaction_ratings")
    assert [(r["id"], r["score"]) for r in ratings] == [(rating["id"], "good")]
    assert [c["body"] for c in second.records("ticket_comments")] == ["Following up on this"]
    assert {t["id"] for t in second.records("tickets")} >= {ticket}
    assert len(second.records("tickets")) <= 1 + PAGE
    assert second.records("ticket_metrics")[-1]["ticket_id"] == second.records("tickets")[-1]["id"]


def test_conversation_log_is_opt_in_and_reads_a_changed_log_from_where_it_stopped(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**SANDBOX)
    off = run_tap(tmp_path, _config(sb), "--discover")
    assert "ticket_conversation_log" not in off.stdout
    config = _config(sb, conversation_log=True)
    first = run_tap(tmp_path, config, select=["tickets", "ticket_conversation_log"])
    assert first.returncode == 0, first.stderr
    messaging = [
        t["id"] for t in first.records("tickets") if t["from_messaging_channel"] and t["status"] != "deleted"
    ]
    logs = first.records("ticket_conversation_log")
    assert {e["ticket_id"] for e in logs} == set(messaging)
    assert len(logs) == sum(len(sb.admin.conversation_log(t)) for t in messaging)
    assert sb.admin.stats()["requests_by_kind"]["conversation_log"] == len(messaging)
    assert not any(c["ticket_id"] in messaging for c in sb.admin.ticket_comments()), (
        "messaging tickets have no comments"
    )
    sb.admin.add_conversation_message(messaging[0], "Still waiting")
    wait_until_changes_are_exportable()
    sb.admin.reset_stats()
    second = run_tap(tmp_path, config, state=first.final_state, select=["tickets", "ticket_conversation_log"])
    assert second.returncode == 0, second.stderr
    assert [e["content"]["text"] for e in second.records("ticket_conversation_log")] == ["Still waiting"]
    assert sb.admin.stats()["requests_by_kind"]["conversation_log"] == len(
        {t["id"] for t in second.records("tickets")} & set(messaging)
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("streams", "kills"),
    [
        (("tickets", "ticket_metrics"), [30, 170, 330]),
        (("ticket_events", "ticket_comments"), [60, 400, 900]),
        (("ticket_metric_events",), [100, 700]),
        (("satisfaction_ratings",), [20, 70]),
    ],
    ids=["tickets+metrics", "events+comments", "metric-events", "ratings"],
)
def test_resume_after_sigkill_repeats_at_most_a_page(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, streams: tuple[str, ...], kills: list[int]
) -> None:
    sb = sandbox_factory(**SANDBOX)
    config = _config(sb, export_requests_per_minute=20)
    catalog = selected_catalog(tmp_path, config, list(streams))
    key = {"ticket_metrics": "ticket_id"}
    printed: dict[str, set[Any]] = {s: set() for s in streams}
    for run in resumed_runs(tmp_path, config, catalog, kills):
        for stream in streams:
            ids = {r[key.get(stream, "id")] for r in run.records(stream)}
            # A page of events holds the rest of its last second: a few more than PAGE may repeat.
            assert len(ids & printed[stream]) <= 2 * PAGE, stream
            printed[stream] |= ids
    truth = {
        "tickets": sb.admin.ticket_ids(),
        "ticket_metrics": sb.admin.ticket_ids(),
        "ticket_events": [e["id"] for t in sb.admin.ticket_ids() for e in sb.admin.ticket_events(t)],
        "ticket_comments": [c["id"] for c in sb.admin.ticket_comments()],
        "satisfaction_ratings": [r["id"] for r in sb.admin.satisfaction_ratings()],
    }
    for stream in streams:
        if stream in truth:
            assert printed[stream] == set(truth[stream]), f"{stream}: nothing lost"
        else:
            assert printed[stream]
