"""The Python admin API: change data while an export runs and inspect what was written."""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.api import oauth_grants, sequin
from zendesk_sandbox.data import datagen, fielddefs, history, people
from zendesk_sandbox.gateway import auth
from zendesk_sandbox.settings import CustomObjectSpec

if TYPE_CHECKING:
    from collections.abc import Iterable

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.data.fielddefs import FieldKind
    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.settings import OAuthClientSpec

_TICKET_KEYS_FIXED = frozenset({"id", "url", "generated_timestamp", "created_at", "updated_at"})
_PREFIX = 6  # characters of a token value that oauth_tokens() shows


class Admin:
    """Direct access to the data, bypassing HTTP limits (writes still validated)."""

    def __init__(self, core: Core) -> None:
        """Work on `core`'s store."""
        self._core = core
        self._rng = random.Random()  # noqa: S311 - field values of admin-created tickets, not secrets

    # --- tickets -------------------------------------------------------------------------------------

    def create_ticket(self, **fields: Json) -> int:
        """Create a ticket (generated_timestamp and updated_at = now) and return its id."""
        store = self._core.store
        now = self._core.clock.stamp()
        with store.transaction():
            ticket_id = store.next_ticket_id()
            body = self._ticket_shape().ticket(
                self._rng, ticket_id, now, now, now, deleted=False, scrubbed=False
            )
            body.update(_ticket_changes(fields))
            store.put_ticket(body, now, now)
            changes = [
                history.create(0, key, body.get(key), "api") for key in ("subject", "status", "priority")
            ]
            self._core.history.append_audit(ticket_id, body.get("requester_id"), now, changes)
        return ticket_id

    def _ticket_shape(self) -> datagen.TicketShape:
        """Return how a new ticket is drawn: today's users, organizations, groups and ticket fields."""
        core = self._core
        users = core.people.user_ids(include_deleted=True)
        staff = [people.user_id(index) for index in range(people.staff_count(core.settings().users))]
        targets = fielddefs.LookupTargets(
            core.people.user_ids(include_deleted=False), core.people.organization_ids()
        )

        def organization_of(user_id: int) -> int | None:
            found = core.people.user(user_id)
            return None if found is None else found[0].get("organization_id")

        return datagen.TicketShape(
            users=users,
            agents=[user_id for user_id in staff if user_id in set(users)],
            organization_of=organization_of,
            group_ids=[group["id"] for group in core.directory.groups()],
            custom_fields=[
                (field["id"], fielddefs.value_maker("ticket", field, targets))
                for field in core.directory.fields("ticket")
                if fielddefs.is_custom("ticket", field)
            ],
        )

    def update_ticket(self, ticket_id: int, **fields: Json) -> None:
        """Change a ticket's fields; bumps updated_at and generated_timestamp to now."""
        store = self._core.store
        with store.transaction():
            body, times = store.ticket(ticket_id), store.ticket_times(ticket_id)
            if body is None or times is None:
                raise KeyError(ticket_id)
            now = max(self._core.clock.stamp(), body["generated_timestamp"])
            before = dict(body)
            body.update(_ticket_changes(fields))
            body["updated_at"] = datagen.iso(now)
            body["generated_timestamp"] = now
            store.put_ticket(body, times[0], now)
            changed = [
                history.change(0, key, body[key], before.get(key), "api")
                for key in _ticket_changes(fields)
                if body[key] != before.get(key)
            ]
            if changed:  # every update is an audit of what changed (wire notes §25)
                self._core.history.append_audit(ticket_id, body.get("assignee_id"), now, changed)

    def delete_ticket(self, ticket_id: int) -> None:
        """Soft-delete a ticket: status "deleted", generated_timestamp bumped (wire notes §2)."""
        store = self._core.store
        with store.transaction():
            body, times = store.ticket(ticket_id), store.ticket_times(ticket_id)
            if body is None or times is None:
                raise KeyError(ticket_id)
            previous = body["status"]
            body["status"] = "deleted"
            body["generated_timestamp"] = max(self._core.clock.stamp(), body["generated_timestamp"])
            store.put_ticket(body, times[0], times[1])
            deletion = [history.change(0, "status", "deleted", previous, "api")]
            self._core.history.append_audit(ticket_id, None, body["generated_timestamp"], deletion)
            self._core.history.mark_deleted(ticket_id)

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """Return one ticket as the export would send it (without sideloads)."""
        body = self._core.store.ticket(ticket_id)
        if body is None:
            return None
        return {"url": f"{self._core.account_url()}/api/v2/tickets/{ticket_id}.json", **body}

    def ticket_ids(self, *, include_deleted: bool = True) -> list[int]:
        """Return every ticket id, ascending."""
        return self._core.store.ticket_ids(include_deleted=include_deleted)

    # --- a ticket's history: comments, events, metric events, rating, conversation -------------------

    def add_ticket_comment(
        self, ticket_id: int, body: str, *, public: bool = True, author_id: int | None = None
    ) -> dict[str, Any]:
        """Add a comment to a ticket (an audit with one Comment child); bumps the ticket. Return the audit."""
        store = self._core.store
        with store.transaction():
            ticket = store.ticket(ticket_id)
            if ticket is None:
                raise KeyError(ticket_id)
            self.update_ticket(ticket_id)
            now = int(self.ticket(ticket_id)["generated_timestamp"])  # type: ignore[index]
            author = author_id if author_id is not None else ticket.get("assignee_id")
            child = history.comment(0, 0, author, body, now, public=public, channel="api")
            return self._core.history.append_audit(ticket_id, author, now, [child])

    def ticket_events(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return a ticket's audits (ticket events, comments included), in order."""
        return self._core.history.ticket_events(ticket_id)

    def ticket_comments(self, ticket_id: int | None = None) -> list[dict[str, Any]]:
        """Return the comments (Comment child events, each with its `ticket_id`) of a ticket, or of all."""
        history = self._core.history
        events = history.all_events() if ticket_id is None else history.ticket_events(ticket_id)
        return [
            child | {"ticket_id": event["ticket_id"]}
            for event in events
            for child in event["child_events"]
            if child["event_type"] == "Comment"
        ]

    def ticket_metric_events(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return a ticket's metric events (SLA applied, fulfilled, breached ...), in time order."""
        return self._core.history.metric_events_of(ticket_id)

    def satisfaction_ratings(self) -> list[dict[str, Any]]:
        """Return every satisfaction rating, by id."""
        return self._core.history.ratings()

    def update_satisfaction_rating(self, rating_id: int, **changes: Json) -> dict[str, Any]:
        """Change a rating's score, comment or reason (a requester changing their mind); bumps updated_at."""
        return self._core.history.update_rating(rating_id, self._core.clock.stamp(), dict(changes))

    def conversation_log(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return a messaging ticket's conversation log events, in order."""
        return [event for _, event in self._core.history.conversation(ticket_id)]

    def add_conversation_message(self, ticket_id: int, text: str) -> dict[str, Any]:
        """Add a requester's message to a messaging ticket's conversation; bumps the ticket. Return it."""
        ticket = self._core.store.ticket(ticket_id)
        if ticket is None:
            raise KeyError(ticket_id)
        if not history.is_messaging(ticket["via"]["channel"]):
            msg = f"ticket {ticket_id} is not a messaging ticket (channel {ticket['via']['channel']})"
            raise ValueError(msg)
        self.update_ticket(ticket_id)
        now = int(self.ticket(ticket_id)["generated_timestamp"])  # type: ignore[index]
        return self._core.history.append_message(ticket_id, now, text, ticket.get("requester_id"))

    # --- users, organizations, groups, field definitions -----------------------------------------------

    def user(self, user_id: int) -> dict[str, Any] | None:
        """Return one user as the export sends it (deleted users have `active: false`)."""
        return self._core.directory.user(user_id, self._core.account_url())

    def user_ids(self, *, include_deleted: bool = True) -> list[int]:
        """Return every user id, ascending."""
        return self._core.people.user_ids(include_deleted=include_deleted)

    def create_user(self, **attributes: Json) -> int:
        """Create a user (validated: name, unique email and external id) and return its id."""
        return self._core.directory.create_user(**attributes)

    def update_user(self, user_id: int, **changes: Json) -> None:
        """Change a user (user_fields checked against the user fields); bumps updated_at."""
        self._core.directory.update_user(user_id, **changes)

    def delete_user(self, user_id: int) -> None:
        """Soft-delete a user: `active: false` and updated_at bumped; the export still sends it."""
        self._core.directory.delete_user(user_id)

    def organization(self, org_id: int) -> dict[str, Any] | None:
        """Return one organization as the export sends it."""
        return self._core.directory.organization(org_id, self._core.account_url())

    def organization_ids(self) -> list[int]:
        """Return every organization id, ascending."""
        return self._core.people.organization_ids()

    def create_organization(self, **attributes: Json) -> int:
        """Create an organization (validated: a unique name) and return its id."""
        return self._core.directory.create_organization(**attributes)

    def update_organization(self, org_id: int, **changes: Json) -> None:
        """Change an organization; bumps updated_at."""
        self._core.directory.update_organization(org_id, **changes)

    def update_organizations(self, org_ids: Iterable[int], **changes: Json) -> None:
        """Change several organizations at once, all stamped with one second (a bulk update)."""
        self._core.directory.update_organizations(org_ids, **changes)

    def groups(self) -> list[dict[str, Any]]:
        """Return the groups as GET /api/v2/groups lists them."""
        account = self._core.account_url()
        return [g | {"url": f"{account}/api/v2/groups/{g['id']}.json"} for g in self._core.directory.groups()]

    def fields(self, kind: FieldKind) -> list[dict[str, Any]]:
        """Return the ticket, user or organization fields, by position."""
        return self._core.directory.fields(kind)

    def rename_field(self, kind: FieldKind, field_id: int, title: str) -> dict[str, Any]:
        """Give a ticket, user or organization field a new title; return it."""
        return self._core.directory.rename_field(kind, field_id, title)

    def add_field(self, kind: FieldKind, field_type: str, title: str, **attributes: Any) -> dict[str, Any]:  # noqa: ANN401 - key, options, regexp, relationship_target_type
        """Add a ticket, user or organization field; existing ones get it empty. Return it."""
        return self._core.directory.add_field(kind, field_type, title, **attributes)

    # --- custom objects ------------------------------------------------------------------------------

    def custom_objects(self) -> list[dict[str, Any]]:
        """Return every custom object as GET /api/v2/custom_objects lists it."""
        account = self._core.account_url()
        return [
            meta.body | {"url": f"{account}/api/v2/custom_objects/{meta.key}.json"}
            for meta in self._core.records.objects().values()
        ]

    def custom_object_fields(self, key: str, *, include_standard: bool = False) -> list[dict[str, Any]]:
        """Return an object's field definitions (standard::name and standard::external_id on request)."""
        return [
            field for field in self._core.records.meta(key).fields if include_standard or not field["system"]
        ]

    def custom_object_records(self, key: str, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Return an object's records unmasked, each with a `deleted` bool, ordered by id."""
        records = self._core.records
        records.meta(key)  # raises UnknownObjectError for an unknown key
        account = self._core.account_url()
        return [
            records.render(record, account, masked=False) | {"deleted": record.deleted}
            for record in self._core.store.records(key, include_deleted=include_deleted)
        ]

    def upsert_custom_object_record(
        self, key: str, external_id: str, name: str | None, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Create or update a record by external id (validated like PATCH) and return it."""
        payload: dict[str, Any] = {"custom_object_fields": fields}
        if name is not None:
            payload["name"] = name
        result = self._core.records.upsert(key, "external_id", external_id, payload)
        return self._core.records.render(result.record, self._core.account_url(), masked=False)

    def delete_custom_object_record(self, key: str, external_id: str) -> None:
        """Soft-delete a record by external id; the export masks it as "[DELETED]"."""
        self._core.records.delete(key, "external_id", external_id)

    def create_custom_object(
        self,
        key: str,
        title: str,
        fields: list[dict[str, Any]],
        *,
        name_mode: str = "plain",
        autonumber_prefix: str = "",
    ) -> None:
        """Create a custom object from Zendesk-style field definitions."""
        if name_mode not in {"plain", "unique", "autonumber"}:
            msg = f"name_mode must be plain, unique or autonumber, not {name_mode}"
            raise ValueError(msg)
        spec = CustomObjectSpec(key, title, tuple(fields), name_mode, autonumber_prefix)  # type: ignore[arg-type]
        self._core.records.create_object(spec)

    # --- sequin --------------------------------------------------------------------------------------

    def sequin_upsert(
        self, collection_id: str, upstream_id: str, data: dict[str, Any], sync_id: str | None = None
    ) -> dict[str, Any]:
        """Change (or add) a Sequin record: it moves to the end of the stream."""
        row = self._core.store.sequin_upsert(sync_id, collection_id, upstream_id, data, deleted=False)
        return sequin.row_json(row)

    def sequin_delete(self, collection_id: str, upstream_id: str) -> dict[str, Any]:
        """Delete a Sequin record: it is re-appended with `deleted: true`."""
        old = self._core.store.sequin_row(collection_id, upstream_id)
        if old is None:
            raise KeyError((collection_id, upstream_id))
        row = self._core.store.sequin_upsert(
            old[1], collection_id, upstream_id, json.loads(old[5]), deleted=True
        )
        return sequin.row_json(row)

    def sequin_records(
        self, *, collection_id: str | None = None, include_deleted: bool = True
    ) -> list[dict[str, Any]]:
        """Return Sequin records in stream order."""
        return [
            sequin.row_json(row)
            for row in self._core.store.iter_sequin()
            if (collection_id is None or row[2] == collection_id) and (include_deleted or not row[6])
        ]

    # --- OAuth --------------------------------------------------------------------------------------

    def oauth_authorize(self, client_id: str, scope: str, redirect_uri: str) -> str:
        """Play the user who clicks "Allow" on Zendesk's consent page: return an authorization code."""
        settings = self._core.settings()
        client = _client(self._core, client_id)
        granted = oauth_grants.client_scopes(client, scope)
        ttl = settings.oauth_authorization_code_ttl_seconds
        return self._core.oauth.new_code(client.identifier, granted, redirect_uri, ttl)

    def oauth_grant(self, client_id: str, scope: str = "read write") -> dict[str, Any]:
        """Return the token response of an authorization already exchanged: access and refresh token.

        Neither a token request nor an account-budget request: nothing is counted.
        """
        settings = self._core.settings()
        client = _client(self._core, client_id)
        granted = oauth_grants.client_scopes(client, scope)
        token = self._core.oauth.issue(
            client.identifier,
            "authorization_code",
            granted,
            settings.oauth_access_token_ttl_seconds,
            settings.oauth_refresh_token_ttl_seconds,
            with_refresh=True,
        )
        return oauth_grants.token_body(token)

    def oauth_tokens(self) -> list[dict[str, Any]]:
        """Return every access and refresh token issued, oldest first, with its state now."""
        now = time.monotonic()
        listed: list[dict[str, Any]] = []
        for token in self._core.oauth.tokens():
            common = {"id": token.id, "client_id": token.client, "grant_type": token.grant_type}
            common |= {"scope": " ".join(token.scopes), "issued_at": token.issued_wall}
            listed.append(
                common
                | {"kind": "access", "expires_at": token.access_expires_wall()}
                | {"state": token.access_state(now), "prefix": token.access[:_PREFIX]}
            )
            if token.refresh is not None:
                listed.append(
                    common
                    | {"kind": "refresh", "expires_at": token.refresh_expires_wall()}
                    | {"state": token.refresh_state(now), "prefix": token.refresh[:_PREFIX]}
                )
        return listed

    def oauth_revoke(
        self,
        *,
        client_id: str | None = None,
        refresh_token: str | None = None,
        access_token: str | None = None,
    ) -> int:
        """Revoke every active token of a client, or the pair holding one token; return how many pairs."""
        given = [value for value in (client_id, refresh_token, access_token) if value is not None]
        if len(given) != 1:
            msg = "name exactly one of client_id, refresh_token, access_token"
            raise ValueError(msg)
        ledger = self._core.oauth
        if client_id is not None:
            return ledger.revoke_client(_client(self._core, client_id).identifier)
        token = ledger.by_refresh(refresh_token) if refresh_token is not None else ledger.by_access(given[0])
        if token is None:
            msg = "no such token was issued"
            raise KeyError(msg)
        return int(ledger.retire(token, "revoked"))

    # --- jobs, cursors, stats ------------------------------------------------------------------------

    def jobs(self) -> list[dict[str, Any]]:
        """Return every job's status object (with `custom_object_key`, `action`, `endpoint`), oldest first."""
        runner, account = self._core.jobs, self._core.account_url()
        return [
            runner.render(job, account)
            | {"custom_object_key": job.object_key, "action": job.action, "endpoint": job.endpoint}
            for job in runner.all()
        ]

    def expire_cursors(self) -> None:
        """Make every export cursor handed out so far expired (400 when presented again)."""
        self._core.cursors.expire_all()

    def stats(self) -> dict[str, Any]:
        """Return the request counters (the foreign integration's caught up to now)."""
        self._core.account_limit.catch_up()
        return self._core.stats.snapshot()

    def reset_stats(self) -> None:
        """Zero the request counters (foreign requests due before now are counted, then zeroed too)."""
        self._core.account_limit.catch_up()
        self._core.stats.reset()

    # --- organization memberships (wire notes §26) ---------------------------------------------------

    def organization_memberships(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """Return every membership (a user's, when given), each default one first, in Zendesk's shape."""
        memberships, account = self._core.memberships, self._core.account_url()
        found = memberships.all() if user_id is None else memberships.of_user(user_id)
        return [memberships.render(membership, account) for membership in found]


def _client(core: Core, client_id: str) -> OAuthClientSpec:
    client = auth.client_named(core.settings(), client_id)
    if client is None:
        msg = f"no OAuth client {client_id!r}"
        raise KeyError(msg)
    return client


def _ticket_changes(fields: dict[str, Any]) -> dict[str, Any]:
    fixed = sorted(set(fields) & _TICKET_KEYS_FIXED)
    if fixed:
        msg = f"the sandbox sets these ticket keys itself: {', '.join(fixed)}"
        raise ValueError(msg)
    changes = dict(fields)
    if "subject" in changes and "raw_subject" not in changes:
        changes["raw_subject"] = changes["subject"]
    if "custom_fields" in changes:
        changes["fields"] = changes["custom_fields"]
    return changes
