"""A ticket's history: its audits (ticket events with comments), metric events, rating and messaging log.

All four are derived from each seeded ticket, deterministically (an RNG per ticket id), and stored beside
it in their own tables; the admin API appends to them when a ticket changes (`TicketHistory`,
store/history.py). What is unconfirmed about their wire shapes is decided in the package docstring:
- every ticket update is an audit with `child_events`: `Create` (one per field set), `Change` (the field's
  new value under its name, `previous_value`), `Comment` (`body`, `html_body`, `plain_body`, `public`,
  `author_id`, `attachments`, `audit_id`); messaging tickets carry no `Comment` (Airbyte PR #69173): their
  conversation is in the conversation log;
- metric events: `apply_sla`, `activate`, `fulfill`, `breach` of `reply_time`, `requester_wait_time`,
  `resolution_time`; a deleted ticket's events say `deleted: true`;
- a rating exists for each ticket whose embedded `satisfaction_rating` score is offered, good or bad,
  created when the ticket was solved (its `updated_at`), updated when rated;
- closed tickets untouched for more than 120 days are archived (support 203657756: "closed for 120
  days"): still in the ticket event export, absent from `/ticket_audits`.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data.datagen import compact, iso, parse_iso

if TYPE_CHECKING:
    import sqlite3

    from zendesk_sandbox.settings import SandboxSettings

SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket_events (
    id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, created_ts INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS metric_events (
    id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, time_ts INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS satisfaction_ratings (
    id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_log (
    position INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ticket_events_position ON ticket_events (created_ts, id);
CREATE INDEX IF NOT EXISTS ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX IF NOT EXISTS metric_events_position ON metric_events (time_ts, id);
CREATE INDEX IF NOT EXISTS conversation_log_ticket ON conversation_log (ticket_id, position);
"""
# Ids: each seeded ticket owns a block of audit, metric event and rating ids; appended rows take ids past
# every seeded block. Child events are numbered inside their audit's id.
AUDIT_ID_BASE = 40_000_000_000
METRIC_EVENT_ID_BASE = 50_000_000_000
RATING_ID_BASE = 60_000_000_000
IDS_PER_TICKET = 64
CHILD_IDS = 16
# Zendesk's messaging channels; a ticket of one of them has a conversation log and no comment events.
MESSAGING_CHANNELS = frozenset(
    {"native_messaging", "whatsapp", "facebook_messenger", "sunshine_conversations"}
)
RATED = frozenset({"offered", "good", "bad"})
_REPLIES = ("Thanks, looking into it.", "Could you send a screenshot?", "This is fixed now.", "Any news?")
_MESSAGES = ("Hi!", "My order has not arrived", "It says delivered", "Can you check?", "Thanks a lot")
SLA_TARGET_MINUTES = 60  # the seeded SLA policy's first reply target (api/lists.py)


def is_messaging(channel: object) -> bool:
    """Return True for a ticket channel of Zendesk messaging."""
    return isinstance(channel, str) and channel in MESSAGING_CHANNELS


def _via(channel: str) -> dict[str, Any]:
    return {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}


def comment(  # noqa: PLR0913 - a comment's attributes
    comment_id: int,
    audit_id: int,
    author_id: int | None,
    text: str,
    created: int,
    *,
    public: bool,
    channel: str,
    attachment: bool = False,
) -> dict[str, Any]:
    """Return a `Comment` child event as the export sends it with `include=comment_events`."""
    attachments = []
    if attachment:
        attachments = [
            {
                "id": comment_id * 10,
                "file_name": "screenshot.png",
                "content_url": f"https://demo.zendesk.com/attachments/token/{comment_id}/?name=screenshot.png",
                "content_type": "image/png",
                "size": 20_480 + comment_id % 1000,
                "inline": False,
                "deleted": False,
            }
        ]
    return {
        "id": comment_id,
        "via": _via(channel),
        "via_reference_id": None,
        "type": "Comment",
        "author_id": author_id,
        "body": text,
        "html_body": f'<div class="zd-comment" dir="auto"><p dir="auto">{text}</p></div>',
        "plain_body": text,
        "public": public,
        "attachments": attachments,
        "audit_id": audit_id,
        "created_at": iso(created),
        "event_type": "Comment",
    }


def audit(  # noqa: PLR0913, PLR0917 - an audit's attributes
    audit_id: int,
    ticket_id: int,
    updater_id: int | None,
    created: int,
    channel: str,
    children: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return one ticket event (an audit) with its child events."""
    return {
        "id": audit_id,
        "ticket_id": ticket_id,
        "timestamp": created,
        "created_at": iso(created),
        "updater_id": updater_id,
        "via": _via(channel),
        "system": {"client": "sandbox", "location": None, "latitude": None, "longitude": None},
        "metadata": {"system": {}, "custom": {}},
        "event_type": "Audit",
        "child_events": children,
    }


def change(child_id: int, field: str, value: object, previous: object, channel: str) -> dict[str, Any]:
    """Return a `Change` child event: the field's new value under its name, and `previous_value`."""
    return {
        "id": child_id,
        "via": _via(channel),
        "via_reference_id": None,
        field: value,
        "event_type": "Change",
        "previous_value": previous,
    }


def create(child_id: int, field: str, value: object, channel: str) -> dict[str, Any]:
    """Return a `Create` child event: one field the new ticket was created with."""
    return {
        "id": child_id,
        "via": _via(channel),
        "via_reference_id": None,
        field: value,
        "event_type": "Create",
    }


def metric_event(  # noqa: PLR0913
    event_id: int, ticket_id: int, metric: str, kind: str, at: int, *, deleted: bool, instance: int = 1
) -> dict[str, Any]:
    """Return one ticket metric event (OAS TicketMetricEventBaseObject, `sla` for apply_sla)."""
    event: dict[str, Any] = {
        "id": event_id,
        "ticket_id": ticket_id,
        "metric": metric,
        "instance_id": instance,
        "type": kind,
        "time": iso(at),
    }
    if kind == "apply_sla":
        event["sla"] = {
            "target": SLA_TARGET_MINUTES,
            "business_hours": False,
            "policy": {"id": 1, "title": "Standard"},
        }
    if kind == "breach":
        event["deleted"] = deleted
    elif deleted:
        event["deleted"] = True
    return event


class TicketStory:
    """Draws the history of one seeded ticket (an RNG of its own, so a ticket's story never moves)."""

    def __init__(self, seed: int, ticket: dict[str, Any], agents: list[int]) -> None:
        """Tell the story of `ticket` (a body as stored); replies come from `agents`."""
        self.ticket = ticket
        self.id = int(ticket["id"])
        self.rng = random.Random(f"{seed}:history:{self.id}")  # noqa: S311 - test data
        self.agents = agents or [ticket.get("requester_id") or 0]
        self.channel = str((ticket.get("via") or {}).get("channel") or "web")
        self.created = parse_iso(ticket["created_at"])
        self.updated = parse_iso(ticket["updated_at"])
        self.deleted = ticket["status"] == "deleted"

    def audits(self) -> list[dict[str, Any]]:
        """The ticket's audits in time order: created, replies and changes, deletion last."""
        base = AUDIT_ID_BASE + self.id * IDS_PER_TICKET
        messaging = is_messaging(self.channel)
        requester = self.ticket.get("requester_id")
        children = [
            create(base * CHILD_IDS + 1, "subject", self.ticket["subject"], self.channel),
            create(base * CHILD_IDS + 2, "status", "new", self.channel),
            create(base * CHILD_IDS + 3, "priority", self.ticket.get("priority"), self.channel),
            create(base * CHILD_IDS + 4, "tags", self.ticket.get("tags") or [], self.channel),
        ]
        if not messaging:
            children.append(
                comment(
                    base * CHILD_IDS + 5, base, requester, self.ticket["description"], self.created,
                    public=True, channel=self.channel, attachment=self.id % 7 == 0,
                )
            )  # fmt: skip
        out = [audit(base, self.id, requester, self.created, self.channel, children)]
        steps = 1 + self.id % 3
        span = max(1, self.updated - self.created)
        status = "new"
        for step in range(1, steps + 1):
            at = self.created + span * step // (steps + 1) if step < steps else self.updated
            audit_id = base + step
            agent = self.agents[int(self.rng.random() * len(self.agents))]
            final = step == steps
            new_status = self.ticket["status"] if final and not self.deleted else "open"
            kids: list[dict[str, Any]] = []
            if new_status != status:
                kids.append(change(audit_id * CHILD_IDS + 1, "status", new_status, status, self.channel))
                status = new_status
            if not messaging:
                text = _REPLIES[int(self.rng.random() * len(_REPLIES))]
                public = self.rng.random() < 0.8  # noqa: PLR2004 - some internal notes
                kids.append(
                    comment(audit_id * CHILD_IDS + 2, audit_id, agent, text, at, public=public, channel="web")
                )
            if kids:
                out.append(audit(audit_id, self.id, agent, at, "web", kids))
        if self.deleted:
            audit_id = base + IDS_PER_TICKET - 1
            at = int(self.ticket["generated_timestamp"])
            kids = [change(audit_id * CHILD_IDS + 1, "status", "deleted", status, "web")]
            out.append(audit(audit_id, self.id, self.agents[0], at, "web", kids))
        return out

    def metric_events(self) -> list[dict[str, Any]]:
        """The ticket's metric events: SLA applied, reply time fulfilled or breached, resolution."""
        base = METRIC_EVENT_ID_BASE + self.id * IDS_PER_TICKET
        deleted = self.deleted
        reply_minutes = (self.id * 37) % 900 + 5  # the metric set's reply time (datagen.metric_set_json)
        first_reply = self.created + reply_minutes * 60
        events = [
            metric_event(base, self.id, "reply_time", "activate", self.created, deleted=deleted),
            metric_event(base + 1, self.id, "reply_time", "apply_sla", self.created, deleted=deleted),
            metric_event(base + 2, self.id, "requester_wait_time", "activate", self.created, deleted=deleted),
        ]
        if reply_minutes > SLA_TARGET_MINUTES:
            breach = self.created + SLA_TARGET_MINUTES * 60
            events.append(metric_event(base + 3, self.id, "reply_time", "breach", breach, deleted=deleted))
        events.append(metric_event(base + 4, self.id, "reply_time", "fulfill", first_reply, deleted=deleted))
        if self.ticket["status"] in {"solved", "closed"}:
            solved = max(first_reply, self.updated)
            events.append(
                metric_event(base + 5, self.id, "resolution_time", "fulfill", solved, deleted=deleted)
            )
        return sorted(events, key=lambda event: (event["time"], event["id"]))

    def rating(self) -> dict[str, Any] | None:
        """The ticket's satisfaction rating (OAS SatisfactionRatingObject), if one was offered."""
        score = (self.ticket.get("satisfaction_rating") or {}).get("score")
        if score not in RATED or self.deleted:
            return None
        rated = self.updated + (0 if score == "offered" else 3600 + self.id % 7200)
        return {
            "url": None,
            "id": RATING_ID_BASE + self.id,
            "assignee_id": self.ticket.get("assignee_id"),
            "group_id": self.ticket.get("group_id"),
            "requester_id": self.ticket.get("requester_id"),
            "ticket_id": self.id,
            "score": score,
            "comment": "Great help" if score == "good" else ("Too slow" if score == "bad" else None),
            "reason": "Issue took too long to resolve" if score == "bad" else None,
            "reason_id": 1001 if score == "bad" else None,
            "created_at": iso(self.updated),
            "updated_at": iso(rated),
        }

    def conversation(self) -> list[dict[str, Any]]:
        """The messaging conversation of the ticket (OAS ConversationLog events); empty for others."""
        if not is_messaging(self.channel):
            return []
        count = 3 + self.id % 6
        span = max(count, self.updated - self.created)
        return [
            conversation_message(
                self.id, index, self.created + span * index // count,
                self.ticket.get("requester_id") if index % 2 == 0 else self.agents[0],
                _MESSAGES[index % len(_MESSAGES)], from_requester=index % 2 == 0,
            )
            for index in range(count)
        ]  # fmt: skip


def conversation_message(  # noqa: PLR0913
    ticket_id: int, index: int, at: int, author_id: int | None, text: str, *, from_requester: bool
) -> dict[str, Any]:
    """Return one conversation log event: a message of the ticket's messaging conversation."""
    author: dict[str, Any] = {
        "type": "user" if from_requester else "agent",
        "display_name": "Customer" if from_requester else "Agent",
    }
    author["zen:support:user_id"] = author_id
    return {
        "id": f"01JS{ticket_id:010d}{index:06d}",
        "type": "Messaging::ConversationMessage",
        "author": author,
        "content": {"type": "text", "text": text},
        "attachments": [],
        "created_at": iso(at),
        "metadata": {"custom": {}, "system": {}, "ticket_version": index},
        "reference": f"zen:sunco:conversation_message:{ticket_id:012x}{index:012x}",
        "source": {"type": "messaging"},
    }


def seed(conn: sqlite3.Connection, settings: SandboxSettings, agents: list[int]) -> None:
    """Write every seeded ticket's history (tickets are in the store already)."""
    rows = conn.execute("SELECT rest FROM tickets ORDER BY id")
    events: list[tuple[Any, ...]] = []
    for (rest,) in rows.fetchall():
        ticket = json.loads(b"{" + (rest if isinstance(rest, bytes) else rest.encode()))
        story = TicketStory(settings.seed, ticket, agents)
        events.extend((a["id"], story.id, a["timestamp"], compact(a).encode()) for a in story.audits())
        if len(events) > 10_000:  # noqa: PLR2004 - keep memory flat on big data sets
            conn.executemany("INSERT INTO ticket_events VALUES (?, ?, ?, ?)", events)
            events.clear()
        _seed_rest(conn, story)
    conn.executemany("INSERT INTO ticket_events VALUES (?, ?, ?, ?)", events)


def _seed_rest(conn: sqlite3.Connection, story: TicketStory) -> None:
    conn.executemany(
        "INSERT INTO metric_events VALUES (?, ?, ?, ?)",
        [(e["id"], story.id, parse_iso(e["time"]), compact(e).encode()) for e in story.metric_events()],
    )
    rating = story.rating()
    if rating is not None:
        conn.execute(
            "INSERT INTO satisfaction_ratings VALUES (?, ?, ?, ?, ?)",
            (
                rating["id"],
                story.id,
                parse_iso(rating["created_at"]),
                parse_iso(rating["updated_at"]),
                compact(rating),
            ),
        )
    conn.executemany(
        "INSERT INTO conversation_log (ticket_id, body) VALUES (?, ?)",
        [(story.id, compact(m)) for m in story.conversation()],
    )
