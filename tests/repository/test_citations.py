"""The repository stands alone: its code cites only documents it holds, and reads nothing from beside it.

The research notes and the product contract the project started from live beside the checkout, where a
user's clone has nothing; what the code relies on from them is in docs/wire-notes.md (cited as "wire notes
§N") and the README.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WIRE_NOTES = REPO_ROOT / "docs" / "wire-notes.md"
THIS_FILE = "tests/repository/test_citations.py"
# The documents beside the checkout, cited by name and section (or by file name).
OUTSIDE_DOCUMENT = re.compile(
    r"\b(?:NOTES|LOOKUPS|SPEC|AUTH|EVENTS-AND-PEOPLE|SINGER-SDK|STYLE)(?:\.md)?\s+(?:§|row\s)"
    r"|\b(?:NOTES|LOOKUPS|SPEC|AUTH|EVENTS-AND-PEOPLE|SINGER-SDK)\.md\b"
)
# Ways a path to the folder beside the checkout can be spelled: a string, or pathlib parts.
OUTSIDE_PATH = re.compile(
    r"\.\./shared\b|[\"']\.\.[\"']\)?\s*/\s*[\"']shared[\"']|[\"']shared[\"']\s*/\s*[\"']reference"
)
# "wire notes §2", "wire notes §16.1, §16.2", "wire notes Sequin §4": every section named after the words.
WIRE_CITATION = re.compile(r"wire notes ((?:Sequin )?§[\w.]+(?:(?:, | and |/)(?:#\d+(?:-\d+)?|§[\w.]+))*)")
SECTION = re.compile(r"(Sequin )?§(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (Sequin )?§(\d+(?:\.\d+)?) ", re.MULTILINE)


def _code_files() -> dict[str, str]:
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout
    texts = {}
    for name in filter(None, listed.split("\0")):
        if name.startswith("docs/") or name == THIS_FILE:
            continue  # docs/ says where its files came from
        try:
            texts[name] = (REPO_ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return texts


def test_no_file_cites_a_document_outside_the_repository() -> None:
    cited = [
        f"{name}:{number}: {line.strip()}"
        for name, text in _code_files().items()
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE_DOCUMENT.search(line) or OUTSIDE_PATH.search(line)
    ]
    assert cited == []


def test_every_wire_notes_citation_names_a_section_that_exists() -> None:
    sections = {(sequin or "") + number for sequin, number in HEADING.findall(WIRE_NOTES.read_text())}
    dangling = [
        f"{name}: wire notes {citation}"
        for name, text in _code_files().items()
        if name.endswith(".py")
        for citation in WIRE_CITATION.findall(" ".join(text.split()))
        for sequin, number in SECTION.findall(citation)
        if (sequin or "") + number not in sections
    ]
    assert dangling == []
