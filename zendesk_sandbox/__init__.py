"""A local stand-in for the Zendesk Support API and Sequin's `/v1/records`: demo, tests and benchmarks.

Contract: `Sandbox`, `SandboxSettings`, `FaultSettings`, `CustomObjectSpec` (see /tmp/briefs/sandbox.md).
Additions to the contract:
- settings `job_failure_rate`, `start_time_min_age_seconds` (60), `cursor_ttl_seconds` (None = cursors
  never expire), `custom_object_export_end_of_stream`, `custom_object_last_page_cursor`,
  `numeric_values_as_strings`, `forbidden_paths_contain`;
- `Sandbox.settings`, `Sandbox.seeded_now`, `Sandbox.close()` (stop + close the file);
- `admin.custom_object_fields(key, include_standard=False)`, `admin.expire_cursors()` (and
  `POST /_sandbox/cursors/expire`), `admin.sequin_records(collection_id=None, include_deleted=True)`,
  `admin.create_custom_object(..., name_mode="plain", autonumber_prefix="")`;
- `DEFAULT_CUSTOM_OBJECTS`: `apartment` (plain name, all 10 field types), `contract` (autonumbered
  `CTR-0001`…), `vendor` (unique name).
Decisions where Zendesk's behaviour is unconfirmed are documented in the module that implements them.
"""

from __future__ import annotations

from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import DEFAULT_CUSTOM_OBJECTS, CustomObjectSpec, FaultSettings, SandboxSettings

__all__ = ["DEFAULT_CUSTOM_OBJECTS", "CustomObjectSpec", "FaultSettings", "Sandbox", "SandboxSettings"]
