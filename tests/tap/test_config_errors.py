"""Bad settings and refused credentials end the run with one clear line; no secret is ever printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.tap.runner import FAST, run_tap, tap_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from zendesk_sandbox import Sandbox

SECRET = "s3cr3t-token-value-123"  # noqa: S105 (a made-up value we look for in the output)

BAD_CONFIGS: dict[str, tuple[dict[str, Any], str]] = {
    "no auth": ({"subdomain": "acme"}, "no auth configured"),
    "two auth methods": (
        {"subdomain": "acme", "email": "a@example.com", "api_token": SECRET, "oauth_token": SECRET + "x"},
        "one auth method",
    ),
    "email without token": ({"subdomain": "acme", "email": "a@example.com"}, "api_token"),
    "plain http to a remote host": (
        {"api_url": "http://zendesk.example.com", "email": "a@example.com", "api_token": SECRET},
        "only loopback",
    ),
    "bad start_date": (
        {"subdomain": "acme", "email": "a@example.com", "api_token": SECRET, "start_date": "last tuesday"},
        "start_date",
    ),
    "page_size out of range": (
        {"subdomain": "acme", "email": "a@example.com", "api_token": SECRET, "page_size": 5000},
        "page_size",
    ),
}


def _one_line(stderr: str, *, api_token: bool = False) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if api_token:  # a run with an API token warns once, first, that API tokens are retiring
        assert "API tokens stop working on 2027-04-30" in lines[0], stderr
        lines = lines[1:]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(("config", "expected"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_fails_with_one_line(tmp_path: Path, config: dict[str, Any], expected: str) -> None:
    run = run_tap(tmp_path, config)
    assert run.returncode != 0
    line = _one_line(run.stderr)
    assert expected in line
    assert SECRET not in run.stdout + run.stderr


@pytest.mark.parametrize("mode", ["sync", "discover"])
def test_wrong_token_fails_with_one_line(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, mode: str
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, email=sb.settings.email, api_token=SECRET, sequin_api_token=None)
    run = run_tap(tmp_path, config, *(["--discover"] if mode == "discover" else []))
    assert run.returncode != 0
    line = _one_line(run.stderr, api_token=True)
    assert "401" in line
    assert "Couldn't authenticate you" in line
    assert "api_token" in line  # the setting to fix
    assert SECRET not in run.stdout + run.stderr


def test_wrong_oauth_token_fails_with_one_line(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox_factory(**FAST)
    config = tap_config(sb, email=None, api_token=None, oauth_token=SECRET, sequin_api_token=None)
    config = {k: v for k, v in config.items() if v is not None}
    run = run_tap(tmp_path, config)
    assert run.returncode != 0
    line = _one_line(run.stderr)
    assert "401" in line
    assert "invalid_token" in line
    # It says the static token expired, and how to let the tap renew tokens instead.
    assert "`oauth_token` expired or was revoked" in line
    assert "`oauth_client_id` + `oauth_client_secret`" in line
    assert SECRET not in run.stdout + run.stderr


def test_forbidden_export_fails_at_once(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(forbidden_paths_contain=("/incremental/tickets",), **FAST)
    run = run_tap(tmp_path, tap_config(sb, custom_object_keys=[], sequin_api_token=None))
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("tap-zendesk-objects: HTTP 403")
    assert "permission" in last
    assert "Traceback" not in run.stderr
