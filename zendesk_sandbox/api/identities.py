"""User identities, the users export's `include=identities` sideload (OAS UserIdentityObject; wire notes §25).

Derived from each user: an email identity (primary, verified) for a user with an email, and a phone
identity for one user in three. Ids are the user id times 4 plus the identity's kind, so they never move.
Deleted users keep their identities in the sideload (decided: whether Zendesk removes them is unconfirmed).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from zendesk_sandbox.data.datagen import compact
from zendesk_sandbox.store.database import as_bytes

if TYPE_CHECKING:
    from collections.abc import Sequence

PHONE_EVERY = 3  # one user in three has a phone identity too


def identities_json(rows: Sequence[tuple[int, int, bytes | str]], account_url: str) -> bytes:
    """Return the identities of a page's users, comma-joined JSON objects, in the users' order."""
    out: list[bytes] = []
    for user_id, _, rest in rows:
        user = json.loads(b"{" + as_bytes(rest))
        stamps = {"created_at": user["created_at"], "updated_at": user["created_at"]}
        if user.get("email"):
            out.append(_identity(account_url, user_id, 1, "email", user["email"], stamps))
        if user_id % PHONE_EVERY == 0:
            out.append(
                _identity(account_url, user_id, 2, "phone_number", f"+3361{user_id % 10**7:07d}", stamps)
            )
    return b",".join(out)


def _identity(  # noqa: PLR0913, PLR0917 - the attributes of one identity
    account_url: str, user_id: int, kind: int, identity_type: str, value: str, stamps: dict[str, str]
) -> bytes:
    identity_id = user_id * 4 + kind
    return compact(
        {
            "url": f"{account_url}/api/v2/users/{user_id}/identities/{identity_id}.json",
            "id": identity_id,
            "user_id": user_id,
            "type": identity_type,
            "value": value,
            "verified": True,
            "primary": kind == 1,
            "undeliverable_count": 0,
            "deliverable_state": "deliverable",
            **stamps,
        }
    ).encode()
