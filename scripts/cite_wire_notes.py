#!/usr/bin/env python3
"""Rewrite citations of documents outside the repository into citations of what the repository holds.

The code used to cite research notes and a product spec that lived beside the checkout (`../shared/`).
Their content now lives in `docs/wire-notes.md` and the README, and this script moves the citations:
- "NOTES §N", "NOTES Sequin §N", `NOTES "Reading the OAS"` -> "wire notes §N", "wire notes Sequin §N", ...
  (docs/wire-notes.md keeps NOTES.md's section numbers); "NOTES.md" -> "docs/wire-notes.md";
  "NOTES" alone -> "the wire notes" (with the verb made plural);
- "LOOKUPS §x" (also "LOOKUPS.md §x", "LOOKUPS row R4") -> "wire notes §y", by the map at the end of
  docs/wire-notes.md;
- "SPEC §N" -> the README section that states that contract, one rule per citation the README was checked
  to state (SPEC_RULES); a SPEC citation without a rule is left and reported;
- paths into `../shared/reference/` -> `docs/` and `docs/reference/`.
A line that the rewrite makes longer than the project's line length is rewrapped (comments, docstring
lines), or the citation leaves a docstring's summary line for a line of its own.

Only comments and string literals are read and rewritten. `scripts/cite_wire_notes.py [PATH ...]`
rewrites the tracked *.py files (all of them, or those under the PATHs) in place; `--check` writes
nothing. Both exit 1 and list what is left: a citation of NOTES, LOOKUPS or SPEC, or a line still too
long. `--root DIR` works on another checkout. Running it again changes nothing.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent
# This script and its test spell out the old citations as data: the two tracked files allowed to hold them.
EXEMPT = frozenset({"scripts/cite_wire_notes.py", "tests/repository/test_citations.py"})
DEFAULT_LINE_LENGTH = 110  # ruff's line-length in pyproject.toml, when it cannot be read

NOTES = "wire notes"
NOTES_FILE = "docs/wire-notes.md"
_QUOTES = ('"""', "'''")

# docs/wire-notes.md, "From LOOKUPS.md to these notes": LOOKUPS section -> wire notes section.
LOOKUPS_SECTIONS = {
    "1": "14",
    "1.1": "14.1",
    "1.2": "14.2",
    "1.3": "14.3",
    "1.4": "14.4",
    "1.5": "14.5",
    "2": "15",
    "3": "16",
    "3.1": "16.1",
    "3.2": "16.2",
    "4": "17",
    "5": "18",
    "5.1": "18.1",
    "5.2": "18.2",
    "5.3": "18.3",
    "6": "20",
    "7": "21",
    "8": "19",
    "8.1": "19.1",
    "8.2": "19.2",
    "8.3": "16.3",
    "8.4": "14.6",
    "8.5": "17",
    "8.6": "18.4",
}
# The same map for the rows of LOOKUPS.md's summary table ("1a", "R4"...).
LOOKUPS_ROWS = {
    **dict.fromkeys(("1a", "1b", "1c", "1d", "1e", "1f", "1g"), "14"),
    **dict.fromkeys(("2a", "2b", "2c", "2d", "2e"), "15"),
    **dict.fromkeys(("3a", "3b", "3c", "3d", "3f"), "16"),
    "3e": "16.3",
    "4": "17",
    "4b": "17",
    "5a": "18.1",
    **dict.fromkeys(("5b", "5c", "5f"), "18.2"),
    "5d": "18.3",
    "5e": "18.4",
    **dict.fromkeys(("R1", "R2", "R3", "R6"), "19.1"),
    **dict.fromkeys(("R4", "R5"), "19.2"),
    "6": "20",
}

# SPEC citations, each mapped to the README section checked to state what the citing code relies on.
# Longer texts first: a quotation of SPEC's words is replaced by the README's.
SPEC_RULES: tuple[tuple[str, str], ...] = (
    (
        'SPEC §3: "a record with none of these is an error"',
        'README, The target > Where a record goes: "a record with none of them ends the run"',
    ),
    (
        'SPEC §2: "a hint about the setting to fix"',
        'README, The tap > Rate limits, retries, logging: "the setting to check"',
    ),
    ("SPEC §2 mapping", "The type mapping of README, The tap > Streams"),
    ("as SPEC §2 says", "as README, The tap > Streams says"),
    ("as SPEC §3 says", "as README, The target > Where a record goes says"),
    ("record (SPEC §3)", "record (README, The target > Where a record goes)"),
    ("match it (SPEC §2)", "match it (README, The tap > Streams)"),
    ("either way (SPEC §1)", "either way (README, The tap > Settings)"),
    ("Zendesk account (SPEC §1)", "Zendesk account (README, The tap > Settings)"),
)
# Wording a citation needs once the rewrite moves it out of a too-long summary line into a sentence.
WORDING_RULES: tuple[tuple[str, str], ...] = (("queue (200, NOTES §7)", "queue (answers 200, NOTES §7)"),)

# What --check reports: any citation of the three outside documents, and paths to them.
LEFT = re.compile(
    r"\bNOTES\b(?!_)|\bLOOKUPS\b(?!_)|\bSPEC(?:\.md\b|\s*§\s*\d)|\.\./shared\b|\bshared/reference/"
)

# Citations never span a line break ([ \t], not \s): a rewrite keeps every line where it was.
_REFS = r"§[ \t]*\d+(?:\.\d+)?(?:[ \t]*(?:,|/|-|\u2013|and|or)[ \t]*§[ \t]*\d+(?:\.\d+)?)*"
_LOOKUPS_CITATION = re.compile(rf"\bLOOKUPS(?:\.md)?[ \t]+({_REFS})")
_LOOKUPS_ROW = re.compile(r"\bLOOKUPS(?:\.md)?[ \t]+(?:row[ \t]+)?(R\d|\d[a-g]?)\b(?!\.\d)")
_ONE_REF = re.compile(r"§[ \t]*(\d+(?:\.\d+)?)")
_NOTES_VERBS = ("says", "lists", "contradicts", "corrects", "documents", "names", "gives", "states", "shows")
_SENTENCE_START = re.compile(r'(?:^|[.!?]\s+|"""|#[ \t]*)\Z')
_SUMMARY_CITATION = re.compile(r"\s*\((?P<inner>[^()]*\b(?:wire notes|README)\b[^()]*)\)")

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:\.\./)?shared/reference/NOTES\.md"), NOTES_FILE),
    (re.compile(r"(?:\.\./)?shared/reference/LOOKUPS\.md"), NOTES_FILE),
    (re.compile(r"(?:\.\./)?shared/reference/zendesk-oas\.yaml"), "docs/reference/zendesk-oas.yaml"),
    (re.compile(r"\bNOTES\.md\b"), NOTES_FILE),
    (re.compile(r"\bNOTES(?=[ \t]+Sequin[ \t]*§)"), NOTES),
    (re.compile(r"\bNOTES(?=[ \t]*§)"), NOTES),
    (re.compile(r'\bNOTES(?=[ \t]+")'), NOTES),
    (re.compile(r"\ba NOTES(?=[ \t])"), "a wire-notes"),
)


@dataclass(frozen=True)
class Finding:
    """Something the rewrite could not settle, at a line of a file."""

    path: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        """Return the finding as `path:line: reason: text`."""
        return f"{self.path}:{self.line}: {self.reason}: {self.text.strip()}"


def _lookups_refs(match: re.Match[str]) -> str:
    refs = match.group(1)
    if any(LOOKUPS_SECTIONS.get(ref) is None for ref in _ONE_REF.findall(refs)):
        return match.group(0)  # left for --check to report
    return NOTES + " " + _ONE_REF.sub(lambda one: "§" + LOOKUPS_SECTIONS[one.group(1)], refs)


def _lookups_row(match: re.Match[str]) -> str:
    section = LOOKUPS_ROWS.get(match.group(1))
    return match.group(0) if section is None else f"{NOTES} §{section}"


def _bare_notes(text: str) -> str:
    """Rewrite "NOTES" used as a noun: "we follow NOTES", "NOTES says", "NOTES' three allowances"."""

    def replace(match: re.Match[str]) -> str:
        before = text[: match.start()]
        article = "" if before.endswith("the ") else "the "
        if _SENTENCE_START.search(before) and article:
            article = "The "
        verb = match.group("verb")
        plural = f" {verb[:-1]}" if verb else ""
        return f"{article}{NOTES}{match.group('possessive') or ''}{plural}"

    verbs = "|".join(_NOTES_VERBS)
    pattern = re.compile(rf"\bNOTES(?!_)\b(?P<possessive>')?(?:[ \t]+(?P<verb>{verbs})\b)?")
    while (match := pattern.search(text)) is not None:
        text = text[: match.start()] + replace(match) + text[match.end() :]
    return text


def rewrite_text(text: str) -> str:
    """Return `text` with every citation that has a rule rewritten (idempotent)."""
    for old, new in (*SPEC_RULES, *WORDING_RULES):
        text = text.replace(old, new)
    text = _LOOKUPS_CITATION.sub(_lookups_refs, text)
    text = _LOOKUPS_ROW.sub(_lookups_row, text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _bare_notes(text)


# --- keeping lines within the line length ----------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """What a physical line of Python source is, as far as rewrapping goes."""

    kind: str  # "comment" (whole line), "trailing" (comment after code), "docstring", "summary", "code"
    column: int = 0  # where the comment or docstring text starts


def _places(source: str) -> dict[int, _Place]:
    """Map line numbers (1-based) to what they hold: comments and docstring lines."""
    places: dict[int, _Place] = {}
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            whole = not token.line[: token.start[1]].strip()
            places[token.start[0]] = _Place("comment" if whole else "trailing", token.start[1])
        elif (
            token.type == tokenize.STRING
            and previous in {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT}
            and token.string.startswith(_QUOTES)
        ):
            first, last = token.start[0], token.end[0]
            places[first] = _Place("summary", token.start[1])
            for number in range(first + 1, last + 1):
                places[number] = _Place("docstring", token.start[1])
        if token.type not in {tokenize.COMMENT, tokenize.NL}:
            previous = token.type
    return places


_PRAGMA = re.compile(r"\b(?:noqa|type:|pragma)\b")
_LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")


@dataclass
class _Line:
    """A physical line on its way out, with what it is and whether the rewrite touched it."""

    text: str
    place: _Place
    changed: bool


# Spaces a line is never broken at: inside a citation ("wire notes Sequin §2, §4", "wire notes §11 #10",
# "README, The tap > Streams").
_UNBREAKABLE = re.compile(
    rf"{NOTES}(?: Sequin)?(?:,? ?(?:§[\d.]*\d|#[\d-]+|/|and))+|README, The \w+(?: > \w+)?"
)


def _break_at(text: str, start: int, width: int) -> int:
    """Return where to break `text` so that the head fits `width`: a space after `start`, or -1."""
    kept = {
        position
        for found in _UNBREAKABLE.finditer(text)
        for position in range(found.start(), found.end())
        if text[position] == " "
    }
    cut = text.rfind(" ", start, width + 1)
    while cut > start and cut in kept:
        cut = text.rfind(" ", start, cut)
    return cut


def _prefix(line: _Line) -> str:
    """Return what a continuation of this comment or docstring line starts with."""
    if line.place.kind == "comment":
        return " " * line.place.column + "# "
    return line.text[: len(line.text) - len(line.text.lstrip())]


def _is_prose(line: _Line, prefix: str) -> bool:
    """Whether a line is running text after `prefix` (not blank, a list item, a closing quote, a pragma)."""
    body = line.text[len(prefix) :]
    return (
        line.text.startswith(prefix)
        and bool(body.strip())
        and not body.startswith((" ", *_QUOTES))
        and not _LIST_ITEM.match(body)
        and not _PRAGMA.search(line.text)
    )


def _continues(line: _Line, following: _Line | None) -> bool:
    """Whether `following` carries on the paragraph of `line`, so that words may flow into it."""
    return (
        following is not None
        and following.place.kind == line.place.kind
        and _is_prose(following, _prefix(line))
    )


def _reflow(lines: list[_Line], index: int, width: int) -> bool:
    """Bring a too-long comment or docstring line within `width`, carrying its last words onward."""
    line = lines[index]
    prefix = _prefix(line)
    cut = _break_at(line.text, len(prefix), width)
    if _PRAGMA.search(line.text) or cut <= len(prefix):
        return False
    head, tail = line.text[:cut].rstrip(), line.text[cut:].strip()
    line.text = head
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is not None and _continues(line, following):
        following.text = prefix + tail + " " + following.text[len(prefix) :]
        following.changed = True
    else:
        lines.insert(index + 1, _Line(prefix + tail, line.place, changed=True))
    return True


def _detach_trailing(lines: list[_Line], index: int) -> bool:
    """Move a trailing comment onto a line of its own above its code."""
    line = lines[index]
    if _PRAGMA.search(line.text):
        return False
    code = line.text[: line.place.column].rstrip()
    indent = code[: len(code) - len(code.lstrip())]
    lines[index] = _Line(
        indent + line.text[line.place.column :], _Place("comment", len(indent)), changed=True
    )
    lines.insert(index + 1, _Line(code, _Place("code"), changed=False))
    return True


def _citation_sentence(inner: str) -> str:
    """Turn the inside of a citation's parentheses into a sentence of its own."""
    inner = inner.strip()
    if inner.startswith((NOTES, "README")):
        return f"See {inner}."
    found = re.match(rf"(?P<before>.*?),\s*(?P<cite>(?:{NOTES}|README)\b.*)$", inner)
    sentence = f"{found.group('before')} ({found.group('cite')})" if found else inner
    return sentence[0].upper() + sentence[1:] + "."


def _move_citation_out_of_summary(lines: list[_Line], index: int) -> bool:
    """Take the parenthesized citation off a docstring's summary line into a paragraph of its own."""
    line = lines[index]
    found = _SUMMARY_CITATION.search(line.text)
    stripped = line.text.rstrip()
    closes = stripped.endswith(_QUOTES) and sum(stripped.count(quote) for quote in _QUOTES) > 1
    following = lines[index + 1] if index + 1 < len(lines) else None
    if found is None or (not closes and following is not None and following.text.strip()):
        return False  # no citation to move, or a summary that runs on: left to a person
    summary = (line.text[: found.start()] + line.text[found.end() :]).rstrip()
    indent = " " * line.place.column
    body = _Place("docstring", line.place.column)
    paragraph = [
        _Line("", body, changed=False),
        _Line(indent + _citation_sentence(found.group("inner")), body, changed=True),
    ]
    if closes:
        line.text = summary[:-3]
        paragraph.append(_Line(indent + summary[-3:], body, changed=False))
    else:
        line.text = summary
    lines[index + 1 : index + 1] = paragraph
    return True


def _fix_summary(lines: list[_Line], index: int, width: int) -> bool:
    """Shorten a docstring's first line: a run-on summary flows on, a one-line one loses its citation."""
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None or not following.text.strip() or line.text.rstrip().endswith(_QUOTES):
        return _move_citation_out_of_summary(lines, index)
    # The summary already spans lines (only where pydocstyle's rules are off): let its words flow on.
    start = line.place.column + len(_QUOTES[0])
    cut = _break_at(line.text, start, width)
    indent = following.text[: len(following.text) - len(following.text.lstrip())]
    if _PRAGMA.search(line.text) or cut <= start or not _is_prose(following, indent):
        return False
    line.text, tail = line.text[:cut].rstrip(), line.text[cut:].strip()
    following.text = f"{indent}{tail} {following.text.lstrip()}"
    following.changed = True
    return True


def keep_within(source: str, changed: set[int], width: int) -> tuple[str, list[int]]:
    """Rewrap the changed lines that are now too long; return the source and the lines still too long."""
    places = _places(source)
    lines = [
        _Line(text, places.get(number, _Place("code")), changed=number in changed)
        for number, text in enumerate(source.split("\n"), start=1)
    ]
    fixers: dict[str, Callable[[list[_Line], int], bool]] = {
        "comment": lambda lines, index: _reflow(lines, index, width),
        "docstring": lambda lines, index: _reflow(lines, index, width),
        "trailing": _detach_trailing,
        "summary": lambda lines, index: _fix_summary(lines, index, width),
    }
    too_long: list[int] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        fixer = fixers.get(line.place.kind)
        if line.changed and len(line.text) > width:
            if fixer is not None and fixer(lines, index):
                continue  # the same line again: it may still be too long
            too_long.append(index + 1)
        index += 1
    return "\n".join(line.text for line in lines), too_long


# --- files -----------------------------------------------------------------------------------------------


def line_length(root: Path) -> int:
    """Return ruff's line-length from pyproject.toml."""
    try:
        found = re.search(r"^line-length\s*=\s*(\d+)", (root / "pyproject.toml").read_text(), re.MULTILINE)
    except OSError:
        return DEFAULT_LINE_LENGTH
    return int(found.group(1)) if found else DEFAULT_LINE_LENGTH


def tracked_python_files(root: Path, under: Iterable[str]) -> list[str]:
    """Return the tracked *.py files of the checkout at `root` (those under `under`, if given)."""
    listed = subprocess.run(  # noqa: S603 - git with fixed arguments
        ["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],  # noqa: S607 - git from PATH
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = [name for name in listed.split("\0") if name and name not in EXEMPT]
    prefixes = [str(Path(path)).rstrip("/") for path in under]
    if prefixes:
        files = [name for name in files if any(name == p or name.startswith(p + "/") for p in prefixes)]
    return sorted(files)


def prose_spans(source: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of the comments and string literals of Python source."""
    starts = [0]
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return [
        (starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1])
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type in {tokenize.COMMENT, tokenize.STRING}
    ]


def rewrite_file(source: str, width: int) -> tuple[str, list[int]]:
    """Return the rewritten source of one file and the numbers of its lines still too long.

    Only comments and string literals are rewritten: a name such as `NOTES` in code is code.
    """
    pieces, done = [], 0
    for start, end in prose_spans(source):
        pieces += [source[done:start], rewrite_text(source[start:end])]
        done = end
    rewritten = "".join([*pieces, source[done:]])
    before, after = source.split("\n"), rewritten.split("\n")
    if len(before) != len(after):
        message = "a rewrite rule moved a line break"
        raise AssertionError(message)
    changed = {
        number for number, pair in enumerate(zip(before, after, strict=True), start=1) if pair[0] != pair[1]
    }
    if not changed:
        return source, []
    return keep_within(rewritten, changed, width)


def findings(path: str, source: str, too_long: Iterable[int], width: int) -> list[Finding]:
    """Return what is left in a file: citations of outside documents, and lines still too long."""
    lines = source.split("\n")
    cited = {
        source.count("\n", 0, start + found.start()) + 1
        for start, end in prose_spans(source)
        for found in LEFT.finditer(source[start:end])
    }
    found = [
        Finding(path, number, lines[number - 1], "cites a document outside the repository")
        for number in cited
    ]
    found += [
        Finding(path, number, lines[number - 1], f"longer than {width} after the rewrite")
        for number in too_long
        if len(lines[number - 1]) > width
    ]
    return sorted(found, key=lambda finding: finding.line)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, only list) citations of documents outside the repository."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", help="only tracked files under these paths (default: all)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a citation is left")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the checkout to work on")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    width = line_length(root)
    left: list[Finding] = []
    for name in tracked_python_files(root, args.paths):
        path = root / name
        source = path.read_text(encoding="utf-8")
        if args.check:
            left += findings(name, source, [], width)
            continue
        rewritten, too_long = rewrite_file(source, width)
        if rewritten != source:
            path.write_text(rewritten, encoding="utf-8")
            sys.stdout.write(f"rewrote {name}\n")
        left += findings(name, rewritten, too_long, width)
    for finding in left:
        sys.stderr.write(f"{finding}\n")
    if left:
        sys.stderr.write(
            f"{len(left)} line(s) left: map SPEC citations to the README section that states them "
            "(SPEC_RULES), and fix the rest by hand\n"
        )
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
