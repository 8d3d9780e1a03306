"""`meltano run reverse-sync`: Sequin's Stripe subscriptions into a `subscription` object it creates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from target_zendesk_objects.target import TargetZendeskObjects
from tests.e2e.conftest import needs_target
from tests.e2e.tools import meltano

if TYPE_CHECKING:
    from zendesk_sandbox import Sandbox

pytestmark = [pytest.mark.slow, needs_target]

COLLECTION = "stripe:subscription"
# Resolving `lookups` (natural keys → Zendesk ids) is issue 11's part 1, built on branch h6-lookups; its
# setting `lookup_unresolved` is declared by the target once it is there.
LOOKUPS_RESOLVED = "lookup_unresolved" in TargetZendeskObjects.config_jsonschema["properties"]
EXPECTED_FIELDS = {
    "status": ("text", None),
    "plan_amount": ("integer", None),
    "currency": ("text", None),
    "customer": ("lookup", "zen:user"),  # declared in the job's `lookups`; `stripe_customer` holds its key
}


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
        assert fields["status"] == data["status"]
        assert (int(fields["plan_amount"]), fields["currency"]) == (data["plan_amount"], data["currency"])


def _created_fields(sb: Sandbox) -> dict[str, tuple[str, str | None]]:
    return {
        field["key"]: (field["type"], field.get("relationship_target_type"))
        for field in sb.admin.custom_object_fields("subscription")
    }


def test_reverse_sync_creates_the_object_and_keeps_it_in_step_with_sequin(
    bare_e2e_sandbox: Sandbox, meltano_env: dict[str, str]
) -> None:
    sb = bare_e2e_sandbox
    assert "subscription" not in {obj["key"] for obj in sb.admin.custom_objects()}
    first = meltano(["run", "reverse-sync"], meltano_env)
    assert first.returncode == 0, first.output[-5000:]
    created = {obj["key"]: obj for obj in sb.admin.custom_objects()}["subscription"]
    assert (created["title"], created["title_pluralized"]) == ("Subscription", "Subscriptions")
    assert _created_fields(sb) == EXPECTED_FIELDS
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
    sb.admin.reset_stats()

    second = meltano(["run", "reverse-sync"], meltano_env)
    assert second.returncode == 0, second.output[-5000:]
    # Only the four changes moved: two updates, one delete, one new subscription; nothing was created.
    assert second.records_read("tap-sequin-subscriptions") == {"sequin_records": 4}
    served = sb.admin.stats()["requests_by_kind"]
    assert "custom_object_create" not in served
    assert "custom_object_field_create" not in served
    _assert_in_step(sb)
    assert gone not in _zendesk_records(sb)
    assert gone in {row["external_id"] for row in sb.admin.custom_object_records("subscription")}


@pytest.mark.skipif(
    not LOOKUPS_RESOLVED,
    reason="lookup resolution (`lookups`) arrives with issue 11 part 1, branch h6-lookups",
)
def test_reverse_sync_links_each_subscription_to_its_customers_zendesk_user(
    bare_e2e_sandbox: Sandbox, meltano_env: dict[str, str]
) -> None:
    sb = bare_e2e_sandbox
    run = meltano(["run", "reverse-sync"], meltano_env)
    assert run.returncode == 0, run.output[-5000:]
    emails = {
        row["upstream_id"]: row["data"]["email"]
        for row in sb.admin.sequin_records(collection_id="stripe:customer")
    }
    users = [sb.admin.user(user_id) for user_id in sb.admin.user_ids(include_deleted=False)]
    user_of_customer = {user["external_id"]: user for user in users if user and user.get("external_id")}
    linked = 0
    for upstream_id, data in _subscriptions(sb).items():
        value = _zendesk_records(sb)[upstream_id]["custom_object_fields"].get("customer")
        user = user_of_customer.get(data["customer"])
        if user is None:  # a customer Sequin does not hold, or who is no Zendesk user: left empty
            assert value in {None, ""}, upstream_id
            continue
        assert str(value) == str(user["id"]), upstream_id
        assert user["email"] == emails[data["customer"]]  # the user whose email is the customer's email
        linked += 1
    assert linked >= 0.75 * len(_subscriptions(sb))
