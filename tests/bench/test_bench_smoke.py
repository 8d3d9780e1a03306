"""`bench/run --quick` runs every measurement end to end and writes a full table (no timing is judged)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS_FILE = ROOT / "bench" / "results" / "RESULTS-quick.md"
NUMBER = re.compile(r"\d")
CELL_BORDER = re.compile(r"(?<!\\)\|")
RATIO = re.compile(r"^\d+\.\d\d$")
EXPECTED_ROWS = [
    ("1. tap CPU", "tickets: tap ÷ `json` floor"),
    ("1. tap CPU", "custom object records: tap ÷ `json` floor"),
    ("1. tap CPU", "users: tap ÷ `json` floor"),
    ("1. tap CPU", "organizations: tap ÷ `json` floor"),
    ("1. tap CPU", "sleep disabled ÷ ours"),
    ("1. tap CPU", "as shipped ÷ ours"),
    ("2. paced export", "tickets per window ÷ ceiling"),
    ("2. paced export", "429 answers per 100 requests"),
    ("2. paced export", "every export stream at once: export requests per window ÷ limit"),
    ("1. tap CPU", "ticket comments: tap ÷ `json` floor"),
    ("2b. warehouse", "every export stream at once, the warehouse's included"),
    ("2b. warehouse", "ticket and user export requests ÷ their pages"),
    ("2b. warehouse", "ticket event export requests ÷ ⌈events ÷ 1,000⌉"),
    ("3. target throughput", "`jobs` records/s ÷ ceiling"),
    ("3. target throughput", "`jobs` ÷ `upsert` records/s"),
    ("3. target throughput", "`auto` ÷ better of `jobs`, `upsert`"),
    ("3. target throughput", "target peak RSS, `jobs`"),
    ("3b. target lookups", "`jobs` with a lookup per record, records/s ÷ ceiling"),
    ("3b. target lookups", "`jobs` requests per 100 records, with ÷ without lookups"),
    ("3c. target users and organizations", "users, `jobs` (400 requests a minute): requests per 100 records"),
    ("3c. target users and organizations", "users, `jobs` (700 requests a minute): records/s ÷ ceiling"),
    ("3c. target users and organizations", "organizations, resolve then create"),
    ("3c. target users and organizations", "organizations, resolve then update"),
    ("3c. target users and organizations", "users without bulk import (Zendesk's 403)"),
    ("4. memory", "tap peak RSS at"),
    ("4. memory", "target peak RSS at"),
    ("5. end to end", "`tap \\| target` ÷ tap alone"),
    ("6. start-up", "tap run with nothing new ÷ the same before the start-up work"),
    ("6. start-up", "tap run with nothing new ÷ `python -c"),
    ("6. start-up", "floor: `requests`, `jsonschema`, `click` imported alone"),
    ("7. login", "paced ticket export, client credentials with"),
    ("7. login", "client credentials: token requests ÷ (run ÷ token lifetime + 1)"),
    ("7. login", "paced ticket export, refresh token with"),
    ("7. login", "refresh token: token requests ÷ (run ÷ token lifetime + 1)"),
]


def _table_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    # Cells are split at every | that markdown does not see as escaped (\|).
    return [[cell.strip() for cell in CELL_BORDER.split(line.strip()[1:-1])] for line in lines[1:]]


@pytest.mark.slow
def test_quick_bench_writes_every_row_with_numbers() -> None:
    done = subprocess.run(
        [str(ROOT / "bench" / "run"), "--quick"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = RESULTS_FILE.read_text(encoding="utf-8")
    assert done.stdout.strip().endswith(written.strip())
    rows = _table_rows(written)
    for section, what in EXPECTED_ROWS:
        matching = [row for row in rows if row[0] == section and what in row[1]]
        assert matching, f"no row {section} / {what} in:\n{written}"
        for row in matching:
            assert NUMBER.search(row[2]), row
            assert RATIO.match(row[3]), row
    for who in ("tap ", "target "):
        sizes = [row for row in rows if row[0] == "4. memory" and row[1].startswith(who)]
        assert len(sizes) >= 2, who


@pytest.mark.slow
def test_quick_profile_names_the_plugins_own_functions() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.profile", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # By cumulative time, the function that runs the whole export or load ranks near the top at any size.
    for who, whole_run in (("tap", r"cli\.py:\d+\(main\)"), ("target", r"reader\.py:\d+\(process_lines\)")):
        text = (ROOT / "bench" / "results" / f"profile-{who}.txt").read_text(encoding="utf-8")
        assert "function calls" in text
        assert "## by own time (tottime)" in text
        assert re.search(whole_run, text), f"profile-{who}.txt does not show the plugin's run"
