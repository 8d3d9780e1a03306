"""The checkpoint ledger releases each STATE once every record before it is settled, in input order."""

from __future__ import annotations

from typing import Any

from target_zendesk_objects.writing.checkpoints import CheckpointLedger


def test_a_state_waits_for_every_record_before_it() -> None:
    printed: list[dict[str, Any]] = []
    ledger = CheckpointLedger(emit=printed.append)
    ledger.state({"s": 0})  # nothing before it: out at once
    first, second, third = ledger.next_record(), ledger.next_record(), ledger.next_record()
    ledger.state({"s": 1})
    fourth = ledger.next_record()
    ledger.state({"s": 2})
    ledger.settle([second, third])  # confirmed out of order: record 1 still open
    assert printed == [{"s": 0}]
    ledger.settle([fourth])
    assert printed == [{"s": 0}]
    assert ledger.unsettled == 1
    ledger.settle([first])
    assert printed == [{"s": 0}, {"s": 1}, {"s": 2}]
    assert ledger.unsettled == 0
    assert ledger.pending_states == 0


def test_records_after_a_state_do_not_hold_it_back() -> None:
    printed: list[dict[str, Any]] = []
    ledger = CheckpointLedger(emit=printed.append)
    before = ledger.next_record()
    ledger.state({"s": 1})
    after = ledger.next_record()
    ledger.settle([before])
    assert printed == [{"s": 1}]
    ledger.state({"s": 2})
    assert printed == [{"s": 1}]
    ledger.settle([after])
    assert printed == [{"s": 1}, {"s": 2}]
