"""End to end: `tap-zendesk-objects | target-zendesk-objects` records/s against the tap alone.

The pipeline is the one both plugins run with no stream map: the `apartment` custom object records of one
Zendesk account copied into the `apartment` object of another (production into a sandbox account, or one
brand's instance into another's). The tap exports `custom_object_records__apartment` from a seeded sandbox
(deleted records left out, as a first copy has nothing to delete); the target upserts them (default `auto`
mode, matched on the tap's record id through the stream's key property) into a second, fresh sandbox whose
jobs start at once. Both rates are records ÷ wall seconds from process start to exit.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import (
    OBJECT_STREAM,
    TARGET,
    LastState,
    ProcessRun,
    Row,
    SandboxProcess,
    fast_jobs_sandbox,
    run_counted,
    run_piped,
    tap_command,
    tap_config,
    target_config,
    unlimited_options,
    write_json,
)


def measure(object_records: int) -> tuple[list[Row], ProcessRun, ProcessRun]:
    """Run the tap alone, then the pipe; return the rows, the tap run and the target's run in the pipe."""
    with (
        tempfile.TemporaryDirectory() as name,
        SandboxProcess(1_000, records_per_object=object_records, options=unlimited_options()) as source,
    ):
        workdir = Path(name)
        tap = tap_command(workdir, tap_config(source.url, exclude_deleted=True), OBJECT_STREAM)
        tap_last_state = LastState()
        alone = run_counted(tap, on_line=tap_last_state.see)
        with fast_jobs_sandbox(workdir / "destination.sqlite") as destination:
            config = write_json(target_config(destination.url, workdir), workdir, "target-config.json")
            target_state = LastState()
            piped, tap_exit = run_piped(
                tap,
                [TARGET, "--config", str(config)],
                on_line=target_state.see,
                quiet_producer=True,
                producer_timeout=120,
            )
    if tap_exit != 0 or target_state.value != tap_last_state.value:
        msg = f"the pipe ended with tap exit {tap_exit} and state {target_state.value!r}"
        raise RuntimeError(msg)
    piped.records = alone.records
    alone_rate, piped_rate = alone.records / alone.wall, piped.records / piped.wall
    rows = [
        Row(
            "5. end to end",
            f"`tap | target` ÷ tap alone, {alone.records:,} apartment records account to account",
            f"{piped_rate:,.0f} vs {alone_rate:,.0f} records/s ({piped.wall:.1f} s vs {alone.wall:.1f} s)",
            piped_rate / alone_rate,
            "(report)",
            None,
        )
    ]
    return rows, alone, piped
