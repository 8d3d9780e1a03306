"""The committed plugin metadata (meltano.yml, Hub definitions, README tables) is what the code says now."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.tools import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "plugin_metadata.py"


def _generated_plugins() -> dict[str, str]:
    """Return the plugins the generator covers, with their README markers (so that wiring one in tests it)."""
    spec = importlib.util.spec_from_file_location("plugin_metadata", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return {plugin.name: plugin.readme_marker for plugin in module.PLUGINS}


PLUGINS = _generated_plugins()
BIN = Path(sys.executable).parent


def _about(plugin: str, output_format: str) -> str:
    return subprocess.run(
        [BIN / plugin, "--about", f"--format={output_format}"], capture_output=True, text=True, check=True
    ).stdout


def _generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, check=False)


def test_committed_metadata_is_what_the_generator_makes_now() -> None:
    done = _generator("--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_check_names_a_stale_file(tmp_path: Path) -> None:
    for name in ("meltano.yml", "README.md"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "hub", tmp_path / "hub")
    hub_file = tmp_path / "hub/_data/meltano/extractors/tap-zendesk-objects/zendesk-objects.yml"
    hub_file.write_text(hub_file.read_text().replace("label: Page Size", "label: Page size, hand-edited"))

    stale = _generator("--check", "--root", str(tmp_path))
    assert stale.returncode == 1
    assert "hub/_data/meltano/extractors/tap-zendesk-objects/zendesk-objects.yml" in stale.stdout
    assert "meltano.yml" not in stale.stdout

    assert _generator("--write", "--root", str(tmp_path)).returncode == 0
    assert _generator("--check", "--root", str(tmp_path)).returncode == 0
    assert "label: Page Size\n" in hub_file.read_text()


@pytest.mark.parametrize(("plugin", "marker"), sorted(PLUGINS.items()))
def test_readme_settings_table_is_the_about_markdown(plugin: str, marker: str) -> None:
    about = _about(plugin, "markdown")
    table = [line for line in about.split("## Settings", 1)[1].splitlines() if line.startswith("|")]
    readme = (REPO_ROOT / "README.md").read_text()
    if f"<!-- {marker}:start -->" not in readme:
        pytest.skip(f"README.md has no {marker} markers yet: they come with the plugin's README section")
    region = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", readme, re.DOTALL)
    assert region is not None, f"README.md has no {marker} markers"
    assert region.group(1).splitlines() == table


def _meltano_plugin(name: str) -> dict[str, Any]:
    project = yaml.safe_load((REPO_ROOT / "meltano.yml").read_text())
    plugins = [p for kind in project["plugins"].values() for p in kind]
    return next(p for p in plugins if p["name"] == name)


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_meltano_settings_cover_every_setting_and_mark_every_secret(plugin: str) -> None:
    properties = json.loads(_about(plugin, "json"))["settings"]["properties"]
    settings = {s["name"]: s for s in _meltano_plugin(plugin)["settings"]}
    for name, schema in properties.items():
        # Objects with declared fields (faker_config) appear as their fields, as the Hub lists them.
        names = [n for n in settings if n == name or n.startswith(f"{name}.")]
        assert names, f"{name} missing from meltano.yml"
        for setting in names:
            assert {"kind", "label", "description"} <= set(settings[setting]), setting
        assert (
            settings[name].get("sensitive", False) == bool(schema.get("secret")) if name in settings else True
        )
    assert {n for n, s in settings.items() if s.get("sensitive")} >= {
        "api_token",
        "oauth_token",
        "oauth_client_secret",
        "oauth_refresh_token",
    }


# What the Meltano Hub's plugin-definition schema accepts (meltano/hub `schemas/`, August 2026).
HUB_REQUIRED = {"name", "namespace", "variant", "label"}
HUB_PLUGIN_KEYS = HUB_REQUIRED | {
    "pip_url", "description", "executable", "settings", "docs", "repo", "logo_url", "hidden",
    "settings_group_validation", "commands", "capabilities", "metadata", "schema", "select",
    "maintenance_status", "domain_url", "keywords", "requires", "definition", "next_steps",
    "settings_preamble", "usage", "prereq", "quality", "dialect", "target_schema",
}  # fmt: skip
HUB_SETTING_KEYS = {
    "name", "aliases", "label", "value", "placeholder", "kind", "description", "tooltip", "documentation",
    "env", "value_processor", "value_post_processor", "oauth", "options", "docs", "sensitive", "hidden",
}  # fmt: skip
HUB_KINDS = {
    "oauth", "hidden", "password", "date_iso8601", "file", "email", "integer", "options", "object", "array",
    "boolean", "string", "decimal",
}  # fmt: skip


def test_hub_definitions_use_only_what_the_hub_accepts() -> None:
    files = sorted((REPO_ROOT / "hub" / "_data" / "meltano").glob("*/*/*.yml"))
    assert {path.parent.name for path in files} == set(PLUGINS)
    for path in files:
        definition = yaml.safe_load(path.read_text())
        assert HUB_REQUIRED <= set(definition) <= HUB_PLUGIN_KEYS, path
        assert definition["maintenance_status"] in {"active", "beta", "development", "inactive", "unknown"}
        for setting in definition["settings"]:
            assert set(setting) <= HUB_SETTING_KEYS, setting
            assert setting["kind"] in HUB_KINDS, setting
        names = {setting["name"] for setting in definition["settings"]}
        for group in definition["settings_group_validation"]:
            assert set(group) <= names, group


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_version_is_the_distribution_version(plugin: str) -> None:
    version = subprocess.run([BIN / plugin, "--version"], capture_output=True, text=True, check=True).stdout
    expected = f"{plugin} v{importlib.metadata.version('zendesk-objects')}, Meltano SDK v"
    assert version.startswith(expected)
