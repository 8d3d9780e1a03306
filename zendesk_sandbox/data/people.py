"""Seeded users, organizations and groups (Zendesk's shapes), tied to the seeded Sequin records.

Users: the first tenth are staff (the account owner, the API token's admin `demo@example.com`, the agent
`agent@example.com`, then agents); the rest are end users, most of them Stripe customers of the seeded Sequin
data, with the customer's email, name and (as `external_id`) Stripe id. Organizations: most of the
Salesforce accounts become an organization with the account's name and its id as `external_id`. Both are
streamed in chunks of one RNG each, so a large data set never sits in memory and the data is the same for
the same seed and sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data import fielddefs
from zendesk_sandbox.data.datagen import iso, parse_iso, pick, row_streams
from zendesk_sandbox.data.sequin_data import FIRST, LAST

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zendesk_sandbox.data.sequin_data import SequinPlan
    from zendesk_sandbox.settings import SandboxSettings

# Real ids are 13-digit int64s for users, organizations and groups (wire notes §1).
USER_ID_BASE = 1_500_000_000_000
USER_ID_STEP = 17
ORG_ID_BASE = 1_700_000_000_000
GROUP_ID_BASE = 1_900_000_000_000
DAY = 86_400
# The three staff users every data set has: (name, email, role). Index 1 is the API token's user.
FIXED_STAFF = (
    ("Account Owner", "owner@example.com", "admin"),
    ("Demo Admin", "demo@example.com", "admin"),
    ("Demo Agent", "agent@example.com", "agent"),
)
LINKED_CUSTOMER_SHARE = 0.9  # Stripe customers that are also Zendesk users
LINKED_ACCOUNT_SHARE = 0.8  # Salesforce accounts that are also Zendesk organizations
EXTERNAL_ID_SHARE = 0.75  # end users with an external id
ORGANIZATION_SHARE = 0.85  # end users in an organization
SAME_SECOND_SHARE = 0.3  # organizations changed in the same second as the one before (bulk updates)
_GROUP_NAMES = ("Support", "Billing", "Escalations", "Tier 2", "Onboarding", "Enterprise", "Partners")
_ORG_SUFFIXES = ("Holdings", "Labs", "Group", "Partners", "Systems")
_TAGS = ("vip", "trial", "churn_risk", "beta", "reseller", "enterprise")


def user_id(index: int) -> int:
    """Return the id of the seeded user at `index`."""
    return USER_ID_BASE + index * USER_ID_STEP


def staff_count(users: int) -> int:
    """Return how many of `users` seeded users are admins or agents (the first ones)."""
    return min(users, max(len(FIXED_STAFF), users // 10))


def organization_id(index: int) -> int:
    """Return the id of the seeded organization at `index`."""
    return ORG_ID_BASE + index


def group_id(index: int) -> int:
    """Return the id of the seeded group at `index`."""
    return GROUP_ID_BASE + index


@dataclass
class SeededPeople:
    """What tickets and custom object records need to know about the seeded users, filled while seeding."""

    user_ids: list[int] = field(default_factory=list)
    agent_ids: list[int] = field(default_factory=list)
    active_user_ids: list[int] = field(default_factory=list)
    organization_of: dict[int, int | None] = field(default_factory=dict)
    organization_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)


def prepare(settings: SandboxSettings) -> SeededPeople:
    """Return the ids every seeded user, agent, organization and group will have."""
    staff = staff_count(settings.users)
    ids = [user_id(index) for index in range(settings.users)]
    return SeededPeople(
        user_ids=ids,
        agent_ids=ids[:staff],
        organization_ids=[organization_id(index) for index in range(settings.organizations)],
        group_ids=[group_id(index) for index in range(settings.groups)],
    )


def groups(settings: SandboxSettings, start: int) -> list[dict[str, Any]]:
    """Return the seeded groups (OAS GroupObject), without `url`."""
    out = []
    for index in range(settings.groups):
        name = _GROUP_NAMES[index % len(_GROUP_NAMES)]
        if index >= len(_GROUP_NAMES):
            name = f"{name} {index // len(_GROUP_NAMES) + 1}"
        out.append(
            {
                "url": None,
                "id": group_id(index),
                "is_public": True,
                "name": name,
                "description": f"{name} team",
                "default": index == 0,
                "deleted": False,
                "created_at": iso(start),
                "updated_at": iso(start + index * DAY),
            }
        )
    return out


def organizations(
    settings: SandboxSettings, sequin: SequinPlan, fields: list[dict[str, Any]], people: SeededPeople
) -> Iterator[dict[str, Any]]:
    """Yield the seeded organizations (OAS OrganizationObject, real key order), without `url`."""
    start, end = _span(settings)
    accounts = list(sequin.accounts.values())
    targets = fielddefs.LookupTargets(people.agent_ids, ())
    makers = [(field["key"], fielddefs.value_maker("organization", field, targets)) for field in fields]
    total = settings.organizations
    previous = start
    for index, rng in row_streams(settings.seed, "organizations", total):
        created = start + (end - start) * index // max(1, 2 * total)
        updated = min(end, created + rng.randint(0, 60 * DAY))
        if index and rng.random() < SAME_SECOND_SHARE:  # changed in the same second as the one before
            created, updated = min(created, previous), previous
        previous = updated
        external_id: str | None
        if index < len(accounts) and rng.random() < LINKED_ACCOUNT_SHARE:
            name, external_id = accounts[index].name, accounts[index].upstream_id
        else:
            name = f"{pick(rng, LAST)} {pick(rng, _ORG_SUFFIXES)} {index}"
            external_id = f"ORG-{index:05d}" if rng.random() < 0.5 else None  # noqa: PLR2004
        slug = name.split(" ", 1)[0].lower()
        yield {
            "url": None,
            "id": organization_id(index),
            "name": name,
            "shared_tickets": False,
            "shared_comments": False,
            "external_id": external_id,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "domain_names": [f"{slug}{index}.example.com"],
            "details": "",
            "notes": "",
            "group_id": pick(rng, people.group_ids) if people.group_ids and rng.random() < 0.5 else None,  # noqa: PLR2004
            "tags": sorted({pick(rng, _TAGS) for _ in range(rng.randint(0, 2))}),
            "organization_fields": {key: make(rng, created) for key, make in makers},
        }


def users(
    settings: SandboxSettings, sequin: SequinPlan, fields: list[dict[str, Any]], people: SeededPeople
) -> Iterator[tuple[dict[str, Any], bool]]:
    """Yield (user without `url`, deleted) for every seeded user; records what tickets need in `people`."""
    start, end = _span(settings)
    total = settings.users
    staff = len(people.agent_ids)
    customers = list(sequin.customers.values())
    targets = fielddefs.LookupTargets(people.agent_ids, ())
    makers = [(field["key"], fielddefs.value_maker("user", field, targets)) for field in fields]
    linked = 0
    previous = start
    for index, rng in row_streams(settings.seed, "users", total):
        created = start + (end - start) * index // max(1, 2 * total)
        updated = min(end, created + rng.randint(0, 30 * DAY))
        if index and rng.random() < SAME_SECOND_SHARE / 2:  # changed in the same second as the one before
            created, updated = min(created, previous), previous
        deleted = index >= staff and rng.random() < settings.deleted_user_ratio
        if deleted:  # a deletion is a change: it bumps updated_at
            updated = min(end, updated + rng.randint(0, 30 * DAY))
        previous = updated
        first, last = pick(rng, FIRST), pick(rng, LAST)
        name, email = f"{first} {last} {index}", f"{first.lower()}.{last.lower()}.{index}@example.com"
        customer = None
        if index < len(FIXED_STAFF):
            name, email, role = FIXED_STAFF[index]
        elif index < staff:
            role = "agent"
        else:
            role = "end-user"
            if linked < len(customers) and rng.random() < LINKED_CUSTOMER_SHARE:
                customer = customers[linked]
                linked += 1
        in_org = role == "end-user" and people.organization_ids and rng.random() < ORGANIZATION_SHARE
        org = pick(rng, people.organization_ids) if in_org else None
        people.organization_of[user_id(index)] = org
        if not deleted:
            people.active_user_ids.append(user_id(index))
        external_id = f"CRM-{index:06d}" if role == "end-user" and rng.random() < EXTERNAL_ID_SHARE else None
        if customer is not None:
            # A Stripe customer's user: made from Stripe, so its email is the customer's email and its
            # external id the customer's id, which is all a subscription names (wire notes Sequin §6).
            name, email, external_id = customer.name, customer.email, customer.upstream_id
        body = _user(
            index, name, email, role=role, organization=org, external_id=external_id, created=created,
            updated=updated,
        )  # fmt: skip
        body["active"] = not deleted  # OAS UserObject.active: "false if the user has been deleted"
        body["default_group_id"] = (
            pick(rng, people.group_ids) if role != "end-user" and people.group_ids else None
        )
        body["tags"] = sorted({pick(rng, _TAGS) for _ in range(rng.randint(0, 2))})
        body["user_fields"] = {key: make(rng, created) for key, make in makers}
        yield body, deleted


def _user(  # noqa: PLR0913 - the columns of one user
    index: int,
    name: str,
    email: str,
    *,
    role: str,
    organization: int | None,
    external_id: str | None,
    created: int,
    updated: int,
) -> dict[str, Any]:
    """Return a user with the 37 keys of a real export (wire notes §18.1), `url` first."""
    staff = role != "end-user"
    return {
        "url": None,
        "id": user_id(index),
        "name": name,
        "email": email,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "time_zone": "Europe/Paris",
        "iana_time_zone": "Europe/Paris",
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": organization,
        "role": role,
        "verified": True,
        "external_id": external_id,
        "tags": [],
        "alias": "",
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": iso(updated) if staff else None,
        "two_factor_auth_enabled": None,
        "signature": None,
        "details": "",
        "notes": "",
        "role_type": 4 if role == "admin" else None,
        "custom_role_id": None,
        "moderator": staff,
        "ticket_restriction": None if staff else "requested",
        "only_private_comments": False,
        "restricted_agent": False,
        "suspended": False,
        "default_group_id": None,
        "report_csv": role == "admin",
        "user_fields": {},
    }


def new_user_body(user_id_: int, created: int, field_defs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a user created through the admin API, before its given attributes apply."""
    body = _user(
        0, "", "", role="end-user", organization=None, external_id=None, created=created, updated=created
    )
    body["id"] = user_id_
    body["user_fields"] = {f["key"]: fielddefs.wire_value("user", f["type"], None) for f in field_defs}
    return body


def new_organization_body(org_id: int, created: int, field_defs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return an organization created through the admin API, before its given fields apply."""
    return {
        "url": None,
        "id": org_id,
        "name": "",
        "shared_tickets": False,
        "shared_comments": False,
        "external_id": None,
        "created_at": iso(created),
        "updated_at": iso(created),
        "domain_names": [],
        "details": "",
        "notes": "",
        "group_id": None,
        "tags": [],
        "organization_fields": {
            f["key"]: fielddefs.wire_value("organization", f["type"], None) for f in field_defs
        },
    }


def _span(settings: SandboxSettings) -> tuple[int, int]:
    return parse_iso(settings.data_start), parse_iso(settings.data_end)
