"""The `zendesk-sandbox` command: serve prints its line and exits 0 on SIGTERM and Ctrl-C; seed only seeds."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LINE = re.compile(
    r"^zendesk-sandbox listening on (http://127\.0\.0\.1:\d+) "
    r"\((\d+) tickets, (\d+) users, (\d+) organizations, (\d+) custom objects, (\d+) sequin records\)$"
)


def _first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline()


@contextlib.contextmanager
def _serve(tmp_path: Path, *extra: str) -> Iterator[subprocess.Popen[str]]:
    """Run `serve` in a subprocess; kill it at the end if a failed assertion left it running."""
    command = [
        sys.executable,
        "-m",
        "zendesk_sandbox.cli",
        "serve",
        "--port",
        "0",
        "--db",
        str(tmp_path / "cli.sqlite"),
    ]
    with subprocess.Popen(
        [*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_where_it_listens_answers_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    with _serve(
        tmp_path, "--tickets", "120", "--sequin-records", "30", "--records-per-object", "5", "--users", "25",
        "--organizations", "7",
    ) as process:  # fmt: skip
        line = _first_line(process).strip()
        match = LINE.match(line)
        assert match, line
        url, *counts = match.groups()
        assert counts == ["120", "25", "7", "3", "30"]
        response = requests.get(
            url + "/api/v2/incremental/tickets/cursor", params={"start_time": 0},
            headers={"Authorization": "Bearer sandbox-token"}, timeout=30,
        )  # fmt: skip
        assert len(response.json()["tickets"]) == 120
        process.send_signal(stop_signal)
        _, errors = process.communicate(timeout=20)
        assert process.returncode == 0, errors


def test_serve_takes_limits_from_options_and_a_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"oauth_token": "from-file"}', encoding="utf-8")
    with _serve(
        tmp_path, "--tickets", "20", "--export-limit", "1", "--settings-json", str(settings)
    ) as process:
        match = LINE.match(_first_line(process).strip())
        assert match
        url = match.group(1)
        headers = {"Authorization": "Bearer from-file"}
        path = url + "/api/v2/incremental/tickets/cursor"
        assert requests.get(path, params={"start_time": 0}, headers=headers, timeout=30).status_code == 200
        assert requests.get(path, params={"start_time": 0}, headers=headers, timeout=30).status_code == 429
        process.terminate()
        _, errors = process.communicate(timeout=20)
        assert process.returncode == 0, errors


def test_serve_takes_the_counting_mode_and_a_foreign_integration(tmp_path: Path) -> None:
    options = ("--tickets", "20", "--limit-counting", "tenths", "--foreign-requests", "5")
    with _serve(tmp_path, *options) as process:
        match = LINE.match(_first_line(process).strip())
        assert match
        settings = requests.get(match.group(1) + "/_sandbox/settings", timeout=30).json()
        assert (settings["limit_counting"], settings["foreign_requests_per_window"]) == ("tenths", 5)
        process.terminate()
        _, errors = process.communicate(timeout=20)
        assert process.returncode == 0, errors


def test_serve_refuses_an_unknown_counting_mode(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "zendesk_sandbox.cli", "serve", "--limit-counting", "leaky"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 2
    assert "leaky" in done.stderr


def test_seed_only_seeds_and_reuses_the_file(tmp_path: Path) -> None:
    db = tmp_path / "seeded.sqlite"
    command = [sys.executable, "-m", "zendesk_sandbox.cli", "seed", "--db", str(db), "--tickets", "300"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "300 tickets" in first.stdout
    assert "seeded in" in first.stdout
    second = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "already seeded" in second.stdout
    other = subprocess.run([*command[:-1], "301"], capture_output=True, text=True, timeout=60, check=False)
    assert other.returncode == 2
    assert "other settings" in other.stderr


OAUTH_LINE = (
    "zendesk-sandbox OAuth client (confidential, admin): client id zendesk-objects-demo, "
    "client secret sandbox-client-secret"
)


def _authorize(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "zendesk_sandbox.cli", "authorize", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_serve_names_its_oauth_client_and_authorize_prints_a_working_refresh_token(tmp_path: Path) -> None:
    with _serve(tmp_path, "--tickets", "20") as process:
        match = LINE.match(_first_line(process).strip())
        assert match
        assert _first_line(process).rstrip("\n") == OAUTH_LINE
        url = match.group(1)
        done = _authorize("--url", url + "/", "--scope", "read")
        assert done.returncode == 0, done.stderr
        refresh_token = done.stdout.strip()
        assert done.stdout == refresh_token + "\n", "stdout holds the refresh token alone"
        renewed = requests.post(
            url + "/oauth/tokens",
            json={
                "grant_type": "refresh_token", "refresh_token": refresh_token,
                "client_id": "zendesk-objects-demo", "client_secret": "sandbox-client-secret",
            },
            timeout=30,
        )  # fmt: skip
        assert renewed.status_code == 201, renewed.text
        assert renewed.json()["scope"] == "read"
        agent = _authorize("--url", url, "--client-id", "zendesk-objects-agent")
        assert agent.returncode == 0, agent.stderr
        unknown = _authorize("--url", url, "--client-id", "nobody")
        assert unknown.returncode == 1
        assert "404" in unknown.stderr
        assert unknown.stdout == ""
        process.terminate()
        _, errors = process.communicate(timeout=20)
        assert process.returncode == 0, errors


def test_authorize_without_a_sandbox_fails_in_one_line() -> None:
    done = _authorize("--url", "http://127.0.0.1:9")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "could not get a grant" in done.stderr
    assert _authorize("--url", "127.0.0.1:9").returncode == 2
