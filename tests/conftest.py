"""Shared pytest setup: the sandbox fixtures (`sandbox`, `sandbox_factory`) for every test package."""

pytest_plugins = ["zendesk_sandbox.pytest_plugin"]
