"""`meltano run reverse-sync`: Sequin's Stripe subscriptions into the `subscription` custom object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import needs_target
from tests.e2e.tools import meltano

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

pytestmark = [pytest.mark.slow, needs_target]

COLLECTION = "stripe:subscription"


def _subscriptions(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """Return Sequin's live subscriptions by upstream id."""
    return {
        row["upstream_id"]: row["data"]
        for row in sb.admin.sequin_records(collection_id=COLLECTION, include_deleted=False)
    }


def _zendesk_records(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """Return the `subscription` object's live records by external id."""
    return {
        row["external_id"]: row
        for row in sb.admin.custom_object_records("subscription", include_deleted=False)
    }


def _assert_in_step(sb: Sandbox) -> None:
    subscriptions, records = _subscriptions(sb), _zendesk_records(sb)
    assert set(records) == set(subscriptions)  # one record per subscription, no more
    for upstream_id, data in subscriptions.items():
        record = records[upstream_id]
        assert record["name"] == upstream_id
        fields = record["custom_object_fields"]
        assert (fields["status"], fields["customer"]) == (data["status"], data["customer"])
        assert (int(fields["plan_amount"]), fields["currency"]) == (data["plan_amount"], data["currency"])


def test_reverse_sync_keeps_the_custom_object_in_step_with_sequin(
    e2e_sandbox: Sandbox, meltano_env: dict[str, str]
) -> None:
    sb = e2e_sandbox
    first = meltano(["run", "reverse-sync"], meltano_env)
    assert first.returncode == 0, first.output[-5000:]
    # Every subscription record moves, deleted ones too (the target deletes those by external id).
    everything = sb.admin.sequin_records(collection_id=COLLECTION)
    assert first.records_read("tap-sequin-subscriptions") == {"sequin_records": len(everything)}
    _assert_in_step(sb)

    subscriptions = sorted(_subscriptions(sb).items())
    for upstream_id, data in subscriptions[:2]:
        sb.admin.sequin_upsert(COLLECTION, upstream_id, data | {"status": "canceled"})
    gone = subscriptions[2][0]
    sb.admin.sequin_delete(COLLECTION, gone)
    sb.admin.sequin_upsert(COLLECTION, "sub_new_between_runs", {
        "id": "sub_new_between_runs", "status": "trialing", "customer": "cus_new", "plan_amount": 900,
        "currency": "usd",
    })  # fmt: skip

    second = meltano(["run", "reverse-sync"], meltano_env)
    assert second.returncode == 0, second.output[-5000:]
    # Only the four changes moved: two updates, one delete, one new subscription.
    assert second.records_read("tap-sequin-subscriptions") == {"sequin_records": 4}
    _assert_in_step(sb)
    assert gone not in _zendesk_records(sb)
    assert gone in {row["external_id"] for row in sb.admin.custom_object_records("subscription")}
