"""Scaling out: parallel taps that split the account's export limit between them provoke no 429."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest

from devtools import sandbox_configs
from tests.e2e.tools import TAP, catalog_selecting, clean_env, write_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

pytestmark = pytest.mark.slow

WINDOW_SECONDS = 4.0  # the sandbox's and the taps' "minute": long enough for the three taps to overlap
EXPORT_LIMIT = 10
OBJECTS = ("apartment", "contract", "vendor")
PAGE_SIZE = 8  # 40 records per object: 5 export requests per object


def test_three_parallel_taps_sharing_the_export_limit_get_no_429(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(
        window_seconds=WINDOW_SECONDS, export_requests_per_window=EXPORT_LIMIT, recent_data_lag_seconds=0.0
    )
    share = EXPORT_LIMIT // len(OBJECTS)
    runs = []
    for key in OBJECTS:
        config = write_json(
            tmp_path / f"{key}.json",
            sandbox_configs.connection(
                sb.url,
                custom_object_keys=[key],
                page_size=PAGE_SIZE,
                export_requests_per_minute=share,
                export_window_seconds=WINDOW_SECONDS,
            ),
        )
        # Each job reads its one object; the catalog leaves tickets out as a Meltano `select` would.
        catalog_path = catalog_selecting(
            [TAP, "--config", str(config)], f"custom_object_records__{key}", tmp_path / f"{key}-catalog.json"
        )
        runs.append(
            subprocess.Popen(
                [TAP, "--config", str(config), "--catalog", str(catalog_path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=clean_env(),
            )
        )
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(OBJECTS)

    for key, output in zip(OBJECTS, outputs, strict=True):
        records = [
            json.loads(line) for line in output.splitlines() if '"type":"RECORD"' in line.replace(" ", "")
        ]
        assert len(records) == len(sb.admin.custom_object_records(key)), key
    stats = sb.admin.stats()
    assert stats["rate_limited"].get("export_limit", 0) == 0, stats
