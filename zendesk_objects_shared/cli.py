"""The command line both plugins share: whatever fails, the run ends with one masked line on stderr.

`OneLineCli` goes before `Tap` or `Target` in a plugin's bases. It registers the configured secrets (in
every form they can be echoed in) before anything runs, turns the SDK's settings errors into one
`configuration error: ...` line, and ends any failure of a run with one line naming what went wrong,
never a Python traceback (set the log level to DEBUG to see one).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.plugin_base import SingerCommand

from zendesk_objects_shared.errors import ConfigurationError, RunFailure
from zendesk_objects_shared.redaction import SECRETS

if TYPE_CHECKING:
    import click


class OneLineCli:
    """Mixin for a singer-sdk plugin class: one-line failures, secrets masked everywhere."""

    name: str

    @classmethod
    def describe_failure(cls, exc: BaseException) -> str:
        """The one line for a failure (plugins add where it happened, e.g. the input line)."""
        return str(exc) if isinstance(exc, RunFailure) else f"{type(exc).__name__}: {exc}"

    @classmethod
    def invoke(cls, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 (the SDK's keyword arguments)
        """Register the configured secrets first, then run the SDK's CLI; settings errors become one line."""
        config = kwargs.get("config")
        if config is not None:
            SECRETS.add_settings(config.config)
        try:
            super().invoke(*args, **kwargs)  # type: ignore[misc]
        except ConfigValidationError as exc:
            raise ConfigurationError("; ".join(exc.errors) or str(exc)) from None

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, wrapped so that every failure ends in one line."""
        command = super().get_singer_command()  # type: ignore[misc]
        if not isinstance(command, SingerCommand):  # pragma: no cover (the SDK's own type)
            msg = f"unexpected command type {type(command).__name__}"
            raise TypeError(msg)
        return _OneLineCommand(
            plugin=cls,
            name=command.name,
            callback=command.callback,
            context_settings=command.context_settings,
            params=command.params,
            help=command.help,
            logger=command.logger,
        )


class _OneLineCommand(SingerCommand):
    def __init__(self, *args: Any, plugin: type[OneLineCli], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.plugin = plugin

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 (click's signature)
        try:
            return super().main(*args, **kwargs)
        except ConfigurationError as exc:
            self.fail_with(f"configuration error: {exc}")
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            # The traceback helps a bug report, not a user: only at DEBUG level.
            self.logger.debug("Traceback of the failure", exc_info=exc)
            self.fail_with(self.plugin.describe_failure(exc))

    def fail_with(self, message: str) -> NoReturn:
        """Print `plugin: message` on one line, every secret masked, and exit 1."""
        line = SECRETS.mask(" ".join(message.split()))
        sys.stderr.write(f"{self.plugin.name}: {line}\n")
        sys.exit(1)
