"""Seeded Sequin records: Stripe and Salesforce collections whose records point at one another.

A Stripe subscription's `customer` names a seeded `stripe:customer` record (most of the time: a few point at
customers Sequin does not hold, as real syncs that started late do), and a Salesforce contact's `AccountId`
names a seeded `salesforce:account`. The plan of which stream position holds which record is drawn first,
so that the Zendesk users and organizations can be seeded with the same emails and account ids.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zendesk_sandbox.data.datagen import compact, iso, pick

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zendesk_sandbox.settings import SandboxSettings

COLLECTIONS = ("stripe:subscription", "stripe:customer", "salesforce:account", "salesforce:contact")
DELETED_RATIO = 0.02
LINKED_SHARE = 0.9  # subscriptions and contacts whose customer or account Sequin also holds
DAY = 86_400
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Linus", "Margaret", "Dennis", "Frances")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Torvalds", "Hamilton", "Ritchie")


@dataclass(frozen=True)
class Customer:
    """A seeded `stripe:customer` record."""

    upstream_id: str
    email: str
    name: str


@dataclass(frozen=True)
class Account:
    """A seeded `salesforce:account` record."""

    upstream_id: str
    name: str


@dataclass
class SequinPlan:
    """Which collection each stream position holds, and the customers and accounts among them."""

    collections: list[str] = field(default_factory=list)
    customers: dict[int, Customer] = field(default_factory=dict)  # by stream index
    accounts: dict[int, Account] = field(default_factory=dict)


def plan(settings: SandboxSettings) -> SequinPlan:
    """Draw the collection of every stream position, and the identity of each customer and account."""
    rng = random.Random(f"{settings.seed}:sequin:plan")  # noqa: S311 - test data, not secrets
    drawn = SequinPlan()
    for index in range(settings.sequin_records):
        collection = pick(rng, COLLECTIONS)
        drawn.collections.append(collection)
        if collection == "stripe:customer":
            first, last = pick(rng, FIRST), pick(rng, LAST)
            drawn.customers[index] = Customer(
                f"cus_{index:08d}{rng.randint(0, 9999):04d}",
                f"{first.lower()}.{index}@example.com",
                f"{first} {last}",
            )
        elif collection == "salesforce:account":
            drawn.accounts[index] = Account(f"001{index:012d}AAA", f"{pick(rng, LAST)} Industries {index}")
    return drawn


def rows(settings: SandboxSettings, drawn: SequinPlan, start: int, end: int) -> Iterator[tuple[Any, ...]]:
    """Yield the sequin table's rows in stream order."""
    rng = random.Random(f"{settings.seed}:sequin")  # noqa: S311 - test data
    sync_ids = {
        "stripe": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "salesforce": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }
    customers = [customer.upstream_id for customer in drawn.customers.values()]
    accounts = [account.upstream_id for account in drawn.accounts.values()]
    total = len(drawn.collections)
    span = max(1, end - start)
    for index, collection in enumerate(drawn.collections):
        provider = collection.split(":", 1)[0]
        upstream_id, data = _record(collection, index, drawn, rng, customers=customers, accounts=accounts)
        moment = start + span * index // max(1, total)
        yield (
            sync_ids[provider],
            collection,
            provider,
            upstream_id,
            iso(moment),
            iso(moment - rng.randint(0, 30 * DAY)),
            compact(data),
            int(rng.random() < DELETED_RATIO),
        )


def _record(  # noqa: PLR0913 - the pieces one record is drawn from
    collection: str,
    index: int,
    drawn: SequinPlan,
    rng: random.Random,
    *,
    customers: list[str],
    accounts: list[str],
) -> tuple[str, dict[str, Any]]:
    if collection == "stripe:subscription":
        upstream = f"sub_{index:08d}{rng.randint(0, 9999):04d}"
        linked = customers and rng.random() < LINKED_SHARE
        return upstream, {
            "id": upstream,
            "status": pick(rng, ("active", "past_due", "canceled", "trialing")),
            # an unlinked subscription names a customer id of another shape, held by no customer record
            "customer": pick(rng, customers) if linked else f"cus_{rng.randint(0, 99999999):08d}",
            "plan_amount": pick(rng, (900, 2900, 9900)),
            "currency": "usd",
        }
    if collection == "stripe:customer":
        customer = drawn.customers[index]
        return customer.upstream_id, {
            "id": customer.upstream_id,
            "email": customer.email,
            "name": customer.name,
            "delinquent": rng.random() < 0.1,  # noqa: PLR2004
        }
    if collection == "salesforce:account":
        account = drawn.accounts[index]
        return account.upstream_id, {
            "Id": account.upstream_id,
            "Name": account.name,
            "Industry": pick(rng, ("Technology", "Retail", "Energy", "Finance")),
            "AnnualRevenue": rng.randint(1, 500) * 100000,
        }
    upstream = f"003{index:012d}AAA"
    linked = accounts and rng.random() < LINKED_SHARE
    return upstream, {
        "Id": upstream,
        "FirstName": pick(rng, FIRST),
        "LastName": pick(rng, LAST),
        "Email": f"contact{index}@example.com",
        "AccountId": pick(rng, accounts) if linked else f"001{rng.randint(0, 999):012d}ZZZ",
    }
