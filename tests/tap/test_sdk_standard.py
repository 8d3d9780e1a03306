"""singer-sdk's standard tap tests, against a seeded sandbox.

`get_tap_test_class` runs discovery when the class is built, i.e. while pytest collects this module, so the
sandbox must already be serving then: this module starts its own small one at import and stops it when
the module's tests are done (and at exit, should collection stop early).
"""

from __future__ import annotations

import atexit
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_zendesk_objects.tap import TapZendeskObjects
from tests.tap.runner import FAST, tap_config
from zendesk_sandbox import Sandbox, SandboxSettings

if TYPE_CHECKING:
    from collections.abc import Iterator

# Both SDK warnings below fire for schema properties that the seeded records do not carry (OAS ticket fields
# such as `encoded_id` that the export never sends, optional Sequin fields). They say "nothing to check
# here", not "wrong"; under `filterwarnings = error` they would fail the run, so they are ignored here only.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Fields in transformed catalog but not in records:UserWarning"),
    pytest.mark.filterwarnings("ignore:No records were available to test:UserWarning"),
]

_DB_DIR = tempfile.TemporaryDirectory(prefix="tap-sdk-suite-")
SANDBOX = Sandbox(
    SandboxSettings(tickets=60, records_per_object=12, sequin_records=30, **FAST),  # type: ignore[arg-type]
    db_path=Path(_DB_DIR.name) / "sandbox.sqlite",
)
SANDBOX.start()
atexit.register(_DB_DIR.cleanup)
atexit.register(SANDBOX.stop)


@pytest.fixture(scope="module", autouse=True)
def _stop_sandbox_after_module() -> Iterator[None]:
    yield
    SANDBOX.stop()


TestTapZendeskObjects = get_tap_test_class(
    TapZendeskObjects,
    config=tap_config(SANDBOX),
    parse_env_config=False,
    suite_config=SuiteConfig(max_records_limit=25),
)
