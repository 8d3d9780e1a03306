"""The repository stands alone: its code cites only what it holds, and reads nothing from beside the checkout.

`scripts/cite_wire_notes.py` rewrites citations of the old outside documents (NOTES, LOOKUPS, SPEC) into
citations of docs/wire-notes.md and the README; these tests run it as a person would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "cite_wire_notes.py"
BIN = Path(sys.executable).parent
# docs/ says where its files came from; the rewrite script and this test spell the old paths out.
SPELLS_THEM_OUT = frozenset({"scripts/cite_wire_notes.py", "tests/repository/test_citations.py"})
# Ways a path to the folder beside the checkout has been spelled: a string, or pathlib parts.
OUTSIDE_PATH = re.compile(
    r"\.\./shared\b|[\"']\.\.[\"']\)?\s*/\s*[\"']shared[\"']|[\"']shared[\"']\s*/\s*[\"']reference"
)


def _script(*args: str, root: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, SCRIPT, "--root", str(root), *args], capture_output=True, text=True, check=False
    )


def _tracked(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout
    return [name for name in listed.split("\0") if name]


def _git_repo(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def test_no_citation_of_an_outside_document_is_left() -> None:
    tops = {name.split("/", 1)[0] for name in _tracked(REPO_ROOT) if name.endswith(".py")}
    checked = sorted(tops)
    assert {"tests", "bench", "scripts"} <= set(checked)
    done = _script("--check", *checked)
    assert done.returncode == 0, done.stderr


def test_nothing_reads_from_beside_the_checkout() -> None:
    readers = []
    for name in _tracked(REPO_ROOT):
        path = REPO_ROOT / name
        if name.startswith("docs/") or name in SPELLS_THEM_OUT:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        readers += [f"{name}: {line.strip()}" for line in text.splitlines() if OUTSIDE_PATH.search(line)]
    assert readers == []


def test_the_rewrite_leaves_the_whole_repository_clean(tmp_path: Path) -> None:
    """What the lead's run over every package will produce: no citation left, ruff still clean."""
    copy = tmp_path / "copy"
    for name in _tracked(REPO_ROOT):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    _git_repo(copy)
    rewrite = _script(root=copy)
    assert rewrite.returncode == 0, rewrite.stderr
    check = _script("--check", root=copy)
    assert check.returncode == 0, check.stderr
    again = _script(root=copy)
    assert (again.returncode, again.stdout) == (0, ""), "a second run must change nothing"
    for command in (["check", "--no-cache", "--quiet"], ["format", "--check", "--no-cache", "--quiet"]):
        ruff = subprocess.run(
            [BIN / "ruff", *command, "."], cwd=copy, capture_output=True, text=True, check=False
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr


# Each old citation form and what the script makes of it.
FORMS = [
    ("# Cursors are base64 (NOTES §2).", "# Cursors are base64 (wire notes §2)."),
    ("# Pages (NOTES §2/§3, §11 #4-6).", "# Pages (wire notes §2/§3, §11 #4-6)."),
    ("# Stream order (NOTES Sequin §4).", "# Stream order (wire notes Sequin §4)."),
    ('# Nulls everywhere (NOTES "Reading the OAS").', '# Nulls everywhere (wire notes "Reading the OAS").'),
    ("# Decisions where NOTES.md is silent.", "# Decisions where docs/wire-notes.md is silent."),
    (
        "# Where NOTES contradicts the OAS, we follow NOTES.",
        "# Where the wire notes contradict the OAS, we follow the wire notes.",
    ),
    (
        "# NOTES says so; NOTES' three allowances.",
        "# The wire notes say so; the wire notes' three allowances.",
    ),
    ("# Show many (LOOKUPS §4).", "# Show many (wire notes §17)."),
    ("# Boundaries (LOOKUPS.md §5.2, §8.1).", "# Boundaries (wire notes §18.2, §19.1)."),
    ("# Fixed window (LOOKUPS R4).", "# Fixed window (wire notes §19.2)."),
    (
        "# SPEC §2 mapping. Lookups are ids.",
        "# The type mapping of README, The tap > Streams. Lookups are ids.",
    ),
    ('OAS = "../shared/reference/zendesk-oas.yaml"', 'OAS = "docs/reference/zendesk-oas.yaml"'),
    ("SUBSCRIPTION_SPEC = 1  # not a citation", "SUBSCRIPTION_SPEC = 1  # not a citation"),
    ("LOOKUPS = {}  # LOOKUPS §4: code stays code", "LOOKUPS = {}  # wire notes §17: code stays code"),
]


def test_each_citation_form_is_rewritten_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("".join(f"{old}\n" for old, _ in FORMS), encoding="utf-8")
    _git_repo(tmp_path)
    _script(root=tmp_path)
    assert sample.read_text(encoding="utf-8").splitlines() == [new for _, new in FORMS]
    again = _script(root=tmp_path)
    assert again.stdout == ""
    assert sample.read_text(encoding="utf-8").splitlines() == [new for _, new in FORMS]


# A docstring summary that fits 110 columns with "NOTES §3" and no longer with "wire notes §3".
SUMMARY = "Serve one page of the incremental export, validated as Zendesk does it here"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            # a comment that grows past the line length flows into the next line of its paragraph
            "# " + "word " * 17 + "(NOTES §2, §11 #10) and\n# more words.\nX = 1\n",
            "# " + "word " * 16 + "word\n# (wire notes §2, §11 #10) and more words.\nX = 1\n",
        ),
        (
            # a trailing comment too long for its line moves above its code
            "LIMIT = 100  # " + "word " * 15 + "limit (NOTES §7)\n",
            "# " + "word " * 15 + "limit (wire notes §7)\nLIMIT = 100\n",
        ),
        (
            # a one-line docstring whose citation no longer fits: the citation becomes a paragraph
            f'def f() -> None:\n    """{SUMMARY} (OAS shape, NOTES §3)."""\n',
            f'def f() -> None:\n    """{SUMMARY}.\n\n    OAS shape (wire notes §3).\n    """\n',
        ),
    ],
    ids=["comment-flows-on", "trailing-comment-moves-up", "summary-citation-moves-down"],
)
def test_a_line_made_too_long_is_rewrapped(tmp_path: Path, source: str, expected: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 110\n", encoding="utf-8")
    sample = tmp_path / "sample.py"
    sample.write_text(source, encoding="utf-8")
    _git_repo(tmp_path)
    done = _script(root=tmp_path)
    assert done.returncode == 0, done.stderr
    rewritten = sample.read_text(encoding="utf-8")
    assert rewritten == expected
    assert max(len(line) for line in rewritten.splitlines()) <= 110


def test_a_citation_without_a_rule_is_left_and_named(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "# Bounded waits (SPEC §1: every wait is bounded).\n# Odd (LOOKUPS §9).\n", encoding="utf-8"
    )
    _git_repo(tmp_path)
    done = _script(root=tmp_path)
    assert done.returncode == 1
    assert "sample.py:1: cites a document outside the repository" in done.stderr
    assert "sample.py:2: cites a document outside the repository" in done.stderr
    assert sample.read_text(encoding="utf-8").startswith("# Bounded waits (SPEC §1")
    check = _script("--check", root=tmp_path)
    assert check.returncode == 1
    assert check.stderr.count("cites a document outside the repository") == 2
