#!/usr/bin/env python3
"""Generate the plugins' metadata from their own `--about` output, so it cannot drift from the code.

Writes three kinds of files:
- `meltano.yml`: each plugin's block between `# >>> generated: <plugin>` / `# <<< generated: <plugin>`;
- `hub/_data/meltano/<type>s/<plugin>/<variant>.yml`: Meltano Hub definitions, laid out as in the Hub repo;
- `README.md`: the settings table between `<!-- <tap|target>-settings:start -->` and `...:end -->`.

Usage: `scripts/plugin_metadata.py` (or `--check`) exits 1 and names every stale file;
`scripts/plugin_metadata.py --write` rewrites them. `--root DIR` works on another checkout.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
# The Hub keys a plugin by (name, variant); the variant names who maintains it.
VARIANT = "zendesk-objects"
# What `meltano add` installs from the Hub: this project's distribution, which holds both plugins.
HUB_PIP_URL = "zendesk-objects"
# Both plugins' label on the Hub: the project's name.
HUB_LABEL = "Zendesk Objects"
WORD_LABELS = {"api": "API", "url": "URL", "id": "ID", "oauth": "OAuth", "jsonl": "JSONL", "rpm": "RPM"}


@dataclass(frozen=True)
class Plugin:
    """One of the project's plugins and what its metadata needs beside `--about`."""

    name: str
    plugin_type: str  # Meltano's word: extractor | loader
    readme_marker: str
    keywords: tuple[str, ...]

    @property
    def namespace(self) -> str:
        """Return the Python package name, which Meltano uses as the plugin's namespace."""
        return self.name.replace("-", "_")


# Both sides accept exactly one auth method and a base URL given either way (docs/login.md): an OAuth
# client (client credentials; with `oauth_refresh_token` also the refresh-token flow), a static OAuth token,
# or an API token (retiring).
AUTH_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    (base, *method)
    for base in ("subdomain", "api_url")
    for method in (("oauth_client_id", "oauth_client_secret"), ("oauth_token",), ("email", "api_token"))
)
PLUGINS = (
    Plugin(
        name="tap-zendesk-objects",
        plugin_type="extractor",
        readme_marker="tap-settings",
        keywords=("meltano_sdk", "zendesk", "custom_objects", "sequin", "api"),
    ),
    Plugin(
        name="target-zendesk-objects",
        plugin_type="loader",
        readme_marker="target-settings",
        keywords=("meltano_sdk", "zendesk", "custom_objects", "reverse_etl", "api"),
    ),
)


def about(plugin: Plugin, output_format: str) -> str:
    """Return `<plugin> --about --format=<output_format>` as the installed console script prints it."""
    executable = Path(sys.executable).parent / plugin.name
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [executable, "--about", f"--format={output_format}"], check=True, capture_output=True, text=True
    ).stdout


def label_of(name: str) -> str:
    """Return a setting's human label: `api_url` → `API URL`, `faker_config.seed` → `Faker Config Seed`."""
    words = re.split(r"[._]+", name.strip("_"))
    return " ".join(WORD_LABELS.get(word, word.capitalize()) for word in words if word)


def kind_of(schema: dict[str, Any]) -> str:
    """Return the Meltano setting kind of a JSON schema property."""
    if "enum" in schema:
        return "options"
    variants = schema.get("oneOf") or schema.get("anyOf") or [schema]
    types: set[str] = set()
    for variant in variants:
        declared = variant.get("type", []) if isinstance(variant, dict) else []
        types.update([declared] if isinstance(declared, str) else declared)
    types.discard("null")
    if schema.get("format") == "date-time":
        return "date_iso8601"
    for json_type, kind in (("array", "array"), ("object", "object"), ("boolean", "boolean")):
        if json_type in types:
            return kind
    if types == {"integer"}:
        return "integer"
    if types <= {"number", "integer"} and types:
        return "decimal"
    return "string"


def setting_entries(name: str, schema: dict[str, Any], *, with_defaults: bool) -> list[dict[str, Any]]:
    """Return the Meltano setting definitions of one `--about` property (objects with fields flattened)."""
    children = schema.get("properties") or {}
    if children and not isinstance(schema.get("additionalProperties"), dict):
        return [
            entry
            for child, child_schema in children.items()
            for entry in setting_entries(f"{name}.{child}", child_schema, with_defaults=with_defaults)
        ]
    entry: dict[str, Any] = {"name": name, "kind": kind_of(schema), "label": label_of(name)}
    if "description" in schema:
        entry["description"] = " ".join(str(schema["description"]).split())
    if schema.get("secret"):  # shown masked; `meltano config set` keeps it in .env
        entry["kind"] = "password"
        entry["sensitive"] = True
    if "enum" in schema:
        values = [value for value in schema["enum"] if value is not None]  # null: "not set", not a choice
        entry["options"] = [{"label": label_of(str(value)), "value": value} for value in values]
    if with_defaults and schema.get("default") is not None:
        entry["value"] = schema["default"]
    return [entry]


def settings_of(info: dict[str, Any], *, with_defaults: bool) -> list[dict[str, Any]]:
    """Return the Meltano setting definitions of every setting in an `--about --format=json` answer."""
    properties: dict[str, Any] = info["settings"]["properties"]
    return [
        entry
        for name, schema in properties.items()
        for entry in setting_entries(name, schema, with_defaults=with_defaults)
    ]


def meltano_block(plugin: Plugin, info: dict[str, Any]) -> dict[str, Any]:
    """Return the plugin's definition for this project's meltano.yml (installed from the checkout)."""
    return {
        "name": plugin.name,
        "namespace": plugin.namespace,
        "pip_url": "-e .",
        "executable": plugin.name,
        "capabilities": list(info["capabilities"]),
        "settings_group_validation": [list(group) for group in AUTH_GROUPS],
        # Defaults stay in the code; listing them here too would let the two disagree.
        "settings": settings_of(info, with_defaults=False),
    }


def hub_definition(plugin: Plugin, info: dict[str, Any]) -> dict[str, Any]:
    """Return the plugin's Meltano Hub definition."""
    return {
        "name": plugin.name,
        "variant": VARIANT,
        "namespace": plugin.namespace,
        "label": HUB_LABEL,
        "description": info["description"],
        "domain_url": "https://www.zendesk.com",
        "keywords": list(plugin.keywords),
        "maintenance_status": "active",
        "pip_url": HUB_PIP_URL,
        "executable": plugin.name,
        "capabilities": list(info["capabilities"]),
        "settings_group_validation": [list(group) for group in AUTH_GROUPS],
        "settings": settings_of(info, with_defaults=True),
    }


def dump_yaml(value: Any) -> str:  # noqa: ANN401 - any YAML-able value
    """Return block-style YAML with keys in the order given."""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=120)


def replace_region(text: str, start: str, end: str, body: str, where: str) -> str:
    """Return `text` with the lines between the marker lines `start` and `end` replaced by `body`."""
    between = rf"(^[ \t]*{re.escape(start)}[^\n]*\n)(.*?)(^[ \t]*{re.escape(end)})"
    pattern = re.compile(between, re.DOTALL | re.MULTILINE)
    if not pattern.search(text):
        msg = f"{where}: markers {start!r} / {end!r} not found"
        raise LookupError(msg)
    return pattern.sub(lambda match: match.group(1) + body + match.group(3), text, count=1)


def settings_table(markdown: str) -> str:
    """Return the table under `## Settings` of an `--about --format=markdown` answer."""
    section = markdown.split("## Settings", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return "\n".join(rows) + "\n"


def expected_files(root: Path) -> dict[Path, str]:
    """Return every generated file's path and the content it must have now."""
    meltano_path, readme_path = root / "meltano.yml", root / "README.md"
    meltano_text, readme_text = meltano_path.read_text(), readme_path.read_text()
    files: dict[Path, str] = {}
    for plugin in PLUGINS:
        info = json.loads(about(plugin, "json"))
        block = "\n".join(
            "  " + line if line else line for line in dump_yaml([meltano_block(plugin, info)]).splitlines()
        )
        meltano_text = replace_region(
            meltano_text,
            f"# >>> generated: {plugin.name}",
            f"# <<< generated: {plugin.name}",
            block + "\n",
            "meltano.yml",
        )
        start, end = f"<!-- {plugin.readme_marker}:start -->", f"<!-- {plugin.readme_marker}:end -->"
        if start in readme_text:
            table = settings_table(about(plugin, "markdown"))
            readme_text = replace_region(readme_text, start, end, table, "README.md")
        else:
            # The README's prose is written by hand; the table goes wherever its author puts the markers.
            print(f"note: README.md has no {start} marker yet; its table is not written", file=sys.stderr)  # noqa: T201
        hub_path = (
            root / "hub" / "_data" / "meltano" / f"{plugin.plugin_type}s" / plugin.name / f"{VARIANT}.yml"
        )
        files[hub_path] = dump_yaml(hub_definition(plugin, info))
    files[meltano_path] = meltano_text
    files[readme_path] = readme_text
    return files


def main(argv: list[str] | None = None) -> int:
    """Check (default) or rewrite the generated metadata; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale (default)")
    mode.add_argument("--write", action="store_true", help="rewrite the generated files")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="checkout to work on")
    args = parser.parse_args(argv)
    stale = []
    for path, content in expected_files(args.root).items():
        current = path.read_text() if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    for path in stale:
        verb = "rewrote" if args.write else "stale:"
        print(f"{verb} {path.relative_to(args.root)}")  # noqa: T201 - a CLI's report
    if stale and not args.write:
        print("run scripts/plugin_metadata.py --write", file=sys.stderr)  # noqa: T201 - a CLI's report
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
