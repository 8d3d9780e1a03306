"""singer-sdk's standard target tests, run in-process against a sandbox, every stream into one object.

Every test stream is routed to one custom object (`custom_object_key`) whose names are autonumbered, so
records need no `name`; its fields cover the properties the streams share (`metric`, `info`, `optional`),
and the other properties are ignored with a warning, as docs/target.md, Where a record goes says. Left
out, each for a reason:

- `no_primary_keys`, `schema_no_properties`: their records have no key properties and no external id.
  A custom object write needs one (docs/target.md, Where a record goes: "a record with none of them ends
  the run"); the target's refusal of such records is tested in test_bad_input.py.
- `pk_updates`: its SCHEMA messages carry `key_properties` inside the schema, so the stream has no key
  either, for the same reason.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.testing import get_target_test_class, target_tests
from singer_sdk.testing.suites import SingerTestSuite

from devtools import sandbox_configs
from target_zendesk_objects.target import TargetZendeskObjects
from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import SandboxSettings, settings_from_json

if TYPE_CHECKING:
    from collections.abc import Iterator

OBJECT_KEY = "sdk_tests"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# The SDK builds its test classes at import, from a fixed config: the sandbox's port is chosen now and
# the sandbox is started on it by the class fixture below.
PORT = _free_port()
CONFIG: dict[str, Any] = sandbox_configs.target_config(
    f"http://127.0.0.1:{PORT}",
    custom_object_key=OBJECT_KEY,
    requests_per_minute=100_000,
    rejected_records_path="",  # set per class by the fixture below
    # `encoded_string_data` also sends `info` as an object and an array: the `info` text field refuses
    # those locally (rejected, as it should be); the standard test only asks that the run completes.
    max_rejected_records=100,
)

FITTING_TESTS = SingerTestSuite(
    kind="target",
    tests=[
        target_tests.TargetArrayData,
        target_tests.TargetCamelcaseComplexSchema,
        target_tests.TargetCamelcaseTest,
        target_tests.TargetCliPrintsTest,
        target_tests.TargetDuplicateRecords,
        target_tests.TargetEncodedStringData,
        target_tests.TargetInvalidSchemaTest,
        target_tests.TargetOptionalAttributes,
        target_tests.TargetRecordBeforeSchemaTest,
        target_tests.TargetRecordMissingKeyProperty,
        target_tests.TargetRecordMissingOptionalFields,
        target_tests.TargetSchemaUpdates,
        target_tests.TargetSpecialCharsInAttributes,
    ],
)

StandardTargetTests = get_target_test_class(
    TargetZendeskObjects, config=CONFIG, include_target_tests=False, custom_suites=[FITTING_TESTS]
)


class TestTargetZendeskObjects(StandardTargetTests):  # type: ignore[misc,valid-type]
    """The fitting standard tests, against a sandbox holding the `sdk_tests` object."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def sandbox_server(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
        folder = tmp_path_factory.mktemp("sdk-standard")
        CONFIG["rejected_records_path"] = str(folder / "rejected.jsonl")
        settings = settings_from_json(
            {"tickets": 5, "records_per_object": 2, "sequin_records": 0, "port": PORT}, SandboxSettings()
        )
        sandbox = Sandbox(settings, db_path=folder / "sandbox.sqlite").start()
        sandbox.admin.create_custom_object(
            OBJECT_KEY,
            "SDK tests",
            [
                {"key": "metric", "type": "integer", "title": "Metric"},
                {"key": "info", "type": "text", "title": "Info"},
                {"key": "optional", "type": "text", "title": "Optional"},
            ],
            name_mode="autonumber",
            autonumber_prefix="SDK-",
        )
        yield sandbox
        sandbox.close()
