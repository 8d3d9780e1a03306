"""A local stand-in for the Zendesk Support API and Sequin's `/v1/records`: demo, tests and benchmarks.

Public API: `Sandbox`, `SandboxSettings`, `FaultSettings`, `CustomObjectSpec` (README.md, "The sandbox").
Beyond the basics:
- settings `job_failure_rate`, `job_retention_seconds` (3600), `start_time_min_age_seconds` (60),
  `cursor_ttl_seconds` (None = cursors never expire), `custom_object_export_end_of_stream`,
  `custom_object_last_page_cursor`, `numeric_values_as_strings`, `forbidden_paths_contain`;
- `Sandbox.settings`, `Sandbox.seeded_now`, `Sandbox.close()` (stop + close the file); CLI `--host`;
- `admin.custom_object_fields(key, include_standard=False)`, `admin.expire_cursors()` (and
  `POST /_sandbox/cursors/expire`), `admin.sequin_records(collection_id=None, include_deleted=True)`,
  `admin.create_custom_object(..., name_mode="plain", autonumber_prefix="")`;
- `DEFAULT_CUSTOM_OBJECTS`: `apartment` (plain name, all 10 field types), `contract` (autonumbered
  `CTR-0001`…), `vendor` (unique name).
Decisions where NOTES.md leaves the wire unconfirmed (each also commented where it is implemented):
- custom object field values: integer -> number, decimal -> number (strings with
  `numeric_values_as_strings`), date -> "YYYY-MM-DDT00:00:00+00:00", multiselect -> list of option values,
  lookup -> id string; writes accept numbers or numeric strings, and dates as YYYY-MM-DD or ISO datetimes;
- PATCH upsert answers 200 for create and update; POST jobs answers 200; DELETE answers 204;
- ticket export refusals: 400 `{"error":"InvalidValue"|"InvalidPaginationParameter","description":...}`;
  per_page above 1000 is clamped; cursors expire only by `cursor_ttl_seconds` or `admin.expire_cursors()`;
- the job-cap 429 body is `{"error":"TooManyJobs",...}`; job item results carry index, id, external_id,
  success, status and on failure error + details; a job drawn by `job_failure_rate` ends `failed` with
  nothing applied; ended jobs are forgotten after `job_retention_seconds` (404);
- Retry-After is whole seconds (min 1) with a 60 s window and has two decimals with a shorter test window;
- a change is stamped after the newest second an export has served (clock.py), so with a zero lag a
  change can take up to one second to become exportable, but is never skipped.
"""

from __future__ import annotations

from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import DEFAULT_CUSTOM_OBJECTS, CustomObjectSpec, FaultSettings, SandboxSettings

__all__ = ["DEFAULT_CUSTOM_OBJECTS", "CustomObjectSpec", "FaultSettings", "Sandbox", "SandboxSettings"]
