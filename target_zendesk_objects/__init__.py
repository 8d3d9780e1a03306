"""target_zendesk_objects: the plugin (`target.py`, `sinks.py`, `runtime.py`) over the stages it runs.

A record read from the input (`input/`) becomes a write for its destination (`destinations/`), waits for
its lookups (`lookups/`) and goes to Zendesk (`writing/`); `schema/` makes objects and fields from each
SCHEMA. What they all pass on (the write item, natural keys, values, field checks) is in `records/`.
Imports point down only: `schema/` over `destinations/` over `lookups/` over `writing/` over `records/`,
and `input/` over `writing/` and `records/`.
"""
