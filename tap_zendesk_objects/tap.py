"""TapZendeskObjects: settings, discovery of the account's streams, one export pacer shared by all of them."""

from __future__ import annotations

import logging
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th
from singer_sdk.helpers._packaging import SDK_PACKAGE_NAME, get_package_version
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities, TapCapabilities
from singer_sdk.tap_base import Tap
from typing_extensions import override

from tap_zendesk_objects.output import BufferedSingerWriter
from tap_zendesk_objects.runtime import TapRuntime
from tap_zendesk_objects.schemas.custom_fields import keyed_fields, pinned_names, ticket_fields
from tap_zendesk_objects.schemas.people import ORGANIZATION_PROPERTIES, USER_PROPERTIES
from tap_zendesk_objects.schemas.tickets import TICKET_SCHEMA
from tap_zendesk_objects.streams import (
    CustomObjectRecordsStream,
    GroupsStream,
    OrganizationFieldsStream,
    OrganizationsStream,
    SequinRecordsStream,
    TicketFieldsStream,
    TicketsStream,
    UserFieldsStream,
    UsersStream,
)
from tap_zendesk_objects.streams.warehouse import WAREHOUSE_STREAMS, ConversationLogStream
from zendesk_objects_shared import (
    CONNECTION_PROPERTIES,
    SECRETS,
    ConfigurationError,
    RequestPacer,
    StaticCredential,
    ZendeskAPIError,
    ZendeskConnection,
    validate_base_url,
)
from zendesk_objects_shared.cli import OneLineCli
from zendesk_objects_shared.custom_objects import object_fields
from zendesk_objects_shared.http import HttpCore
from zendesk_objects_shared.pacing import AccountBudget, log_wait
from zendesk_objects_shared.settings import ZENDESK_WINDOW_SECONDS, window_seconds_setting
from zendesk_objects_shared.timestamps import parse_datetime

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import click
    from singer_sdk.streams import Stream

LOGGER = logging.getLogger("tap-zendesk-objects")
DEFAULT_SEQUIN_URL = "https://api.sequin.io"

TAP_PROPERTIES = th.PropertiesList(
    *CONNECTION_PROPERTIES.wrapped.values(),
    th.Property(
        "start_date",
        th.DateTimeType,
        description="Where a stream's first export starts (ISO-8601). Default: the beginning of the account.",
    ),
    th.Property(
        "custom_object_keys",
        th.ArrayType(th.StringType),
        description="Custom objects to export, by key. Default: every custom object of the account.",
    ),
    th.Property(
        "exclude_deleted",
        th.BooleanType,
        default=False,
        description="Leave out deleted tickets and deleted custom object records.",
    ),
    th.Property(
        "page_size",
        th.IntegerType(minimum=1, maximum=1000),
        default=1000,
        description=(
            "Records per export page (1-1000). A 504 halves it for the request that timed out. The ticket"
            " event export takes no page size: Zendesk's pages of up to 1000 events."
        ),
    ),
    th.Property(
        "export_requests_per_minute",
        th.IntegerType(minimum=1),
        default=10,
        description=(
            "Pace of requests to the incremental export endpoints, shared by all export streams: "
            "Zendesk allows 10 per minute, 30 with the High Volume API add-on."
        ),
    ),
    window_seconds_setting("export_window_seconds", "export rate-limit"),
    th.Property(
        "sequin_api_token",
        th.StringType,
        secret=True,
        description="Sequin API token (Bearer). The `sequin_records` stream exists only when it is set.",
    ),
    th.Property(
        "sequin_api_url", th.StringType, default=DEFAULT_SEQUIN_URL, description="Sequin API base URL."
    ),
    th.Property("sequin_sync_id", th.StringType, description="Only records of this Sequin sync."),
    th.Property(
        "sequin_provider", th.StringType, description="Only records of this provider, e.g. `stripe`."
    ),
    th.Property(
        "sequin_collections",
        th.ArrayType(th.StringType),
        description="Collections (e.g. `stripe:subscription`), each with its own bookmark. All by default.",
    ),
    th.Property(
        "sequin_page_size",
        th.IntegerType(minimum=1, maximum=500),
        default=500,
        description="Records per Sequin page (1-500).",
    ),
    th.Property(
        "conversation_log",
        th.BooleanType,
        default=False,
        description=(
            "Export the `ticket_conversation_log` stream: the conversation of every exported messaging "
            "ticket, one request (or more, 100 events a page) per such ticket, paced under the account's "
            "budget."
        ),
    ),
    th.Property(
        "satisfaction_ratings_lookback_days",
        th.IntegerType(minimum=1),
        default=30,
        description=(
            "Days before the bookmark whose satisfaction ratings each run reads again, to catch a rating "
            "changed after it was created (Zendesk filters ratings by creation time)."
        ),
    ),
)


class TapZendeskObjects(OneLineCli, Tap):
    """Zendesk tickets and custom object records by cursor export, and Sequin records."""

    name = "tap-zendesk-objects"
    package_name = "zendesk-objects"  # the distribution that ships the tap (for --version and --about)
    dynamic_catalog = True  # discovery lists the account's custom objects: it needs credentials
    config_jsonschema: ClassVar[dict[str, Any]] = TAP_PROPERTIES.to_dict()
    message_writer_class = BufferedSingerWriter
    # No `batch` (BATCH files would skip the per-page bookmarks) and no `activate-version` (the streams are
    # incremental by cursor; the SDK sends ACTIVATE_VERSION only for FULL_TABLE streams).
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    @cached_property
    def runtime(self) -> TapRuntime:
        """Validated connection, retry loop and shared export pacer; ConfigurationError for bad settings."""
        config = self.config
        SECRETS.add_settings(config)  # also when built in-process, without the CLI
        SECRETS.install_log_filter()
        connection = ZendeskConnection.from_config(config, default_scopes="read")
        _check_start_date(config.get("start_date"))
        sequin_url, sequin_credential = "", None
        if config.get("sequin_api_token"):
            sequin_url = validate_base_url(
                str(config.get("sequin_api_url") or DEFAULT_SEQUIN_URL), setting="sequin_api_url"
            )
            sequin_credential = StaticCredential(
                f"Bearer {config['sequin_api_token']}",
                hint="check `sequin_api_token`: Sequin did not accept it",
            )
        limit = int(config.get("export_requests_per_minute", 10))
        window = float(config.get("export_window_seconds", ZENDESK_WINDOW_SECONDS))
        pacer = RequestPacer(
            limit,
            window,
            reason=f"Zendesk export rate limit ({limit} requests per {window:g} s)",
            on_wait=log_wait(LOGGER),
        )
        http = HttpCore(
            timeout_seconds=connection.timeout_seconds,
            # A 429 without a readable Retry-After waits one whole export window.
            policy=connection.retry_policy(rate_limit_window_seconds=window),
            # No budget of its own: the tap only reads what Zendesk reports, and keeps the reserve.
            budget=AccountBudget(None, on_wait=log_wait(LOGGER)),
            logger=LOGGER,
        )
        return TapRuntime(
            connection=connection,
            # Checks a refresh-token store now, before any request; tokens are asked for on first use.
            credential=connection.open_credential(http, LOGGER),
            http=http,
            export_pacer=pacer,
            write_state=lambda: self.state_writer.write_state(self.state),
            sequin_base_url=sequin_url,
            sequin_credential=sequin_credential,
        )

    @override
    def discover_streams(self) -> Sequence[Stream]:
        runtime = self.runtime
        streams: list[Stream] = [
            TicketsStream(
                tap=self,
                runtime=runtime,
                fields=ticket_fields(
                    self._field_definitions("tickets", "ticket_fields"),
                    TICKET_SCHEMA["properties"],
                    self._pinned_ticket_field_names(),
                ),
            )
        ]
        for key in self._custom_object_keys():
            fields = self._custom_object_fields(key)
            streams.append(CustomObjectRecordsStream(tap=self, runtime=runtime, key=key, fields=fields))
        user_fields = self._field_definitions("users", "user_fields")
        organization_fields = self._field_definitions("organizations", "organization_fields")
        streams += [
            UsersStream(tap=self, runtime=runtime, fields=keyed_fields(user_fields, USER_PROPERTIES.wrapped)),
            OrganizationsStream(
                tap=self,
                runtime=runtime,
                fields=keyed_fields(organization_fields, ORGANIZATION_PROPERTIES.wrapped),
            ),
            GroupsStream(tap=self, runtime=runtime),
            TicketFieldsStream(tap=self, runtime=runtime),
            UserFieldsStream(tap=self, runtime=runtime),
            OrganizationFieldsStream(tap=self, runtime=runtime),
        ]
        streams += [stream_class(tap=self, runtime=runtime) for stream_class in WAREHOUSE_STREAMS]
        if self.config.get("conversation_log"):
            streams.append(ConversationLogStream(tap=self, runtime=runtime))
        if self.config.get("sequin_api_token"):
            streams.append(SequinRecordsStream(tap=self, runtime=runtime))
        LOGGER.info("%s v%s, Meltano SDK v%s", self.name, self.plugin_version, self.sdk_version)
        return streams

    def _field_definitions(self, stream_name: str, list_name: str) -> list[dict[str, Any]]:
        """The account's custom field definitions that type a stream's `cf_` values, if it runs.

        A stream that the input catalog leaves out does not run, so its definitions are not read: a
        nightly run of tickets alone spends no request on user and organization fields.
        """
        if not self._runs(stream_name):
            return []
        return self.runtime.get_all(f"/api/v2/{list_name}", list_name)

    def _runs(self, stream_name: str) -> bool:
        # The SDK's own rule: without an input catalog every stream runs; with one, a stream runs when its
        # entry selects it (a stream missing from the catalog does not run).
        if not self.input_catalog:
            return True
        entry = self.input_catalog.get_stream(stream_name)
        return entry is not None and entry.metadata.resolve_selection().get((), True)

    def _pinned_ticket_field_names(self) -> dict[int, str]:
        # The names an input catalog already gives ticket fields stay theirs (schemas/custom_fields.py).
        entry = self.input_catalog.get_stream("tickets") if self.input_catalog else None
        properties = entry.schema.properties if entry is not None and entry.schema.properties else {}
        return pinned_names(properties)

    def _custom_object_keys(self) -> list[str]:
        configured = self.config.get("custom_object_keys")
        if configured is not None:
            return [str(key) for key in configured]
        body = self.runtime.get_json("/api/v2/custom_objects", "custom_objects")
        return [str(obj["key"]) for obj in body["custom_objects"] if isinstance(obj, dict) and obj.get("key")]

    def _custom_object_fields(self, key: str) -> list[dict[str, Any]]:
        fields = object_fields(self.runtime.get_json_or_none("custom_object_fields"), key)
        if fields is None:
            path = f"/api/v2/custom_objects/{key}/fields"
            raise ZendeskAPIError(404, f"custom object {key!r} does not exist", url_path=path)
        return fields

    @classmethod
    @override
    def get_plugin_version(cls) -> str:
        # Asked for by every stream's User-Agent and the start-up log line: read the metadata once.
        return _package_version(cls.package_name or cls.name)

    @classmethod
    @override
    def get_sdk_version(cls) -> str:
        return _package_version(SDK_PACKAGE_NAME)

    @classmethod
    @override
    def print_version(cls, print_fn: Callable[[Any], None] = print) -> None:
        # On a sync the SDK logs the version before reading the config; we log it once discovery has
        # worked instead (see `discover_streams`), so that a config or auth error is the only line on stderr.
        if print_fn != cls.logger.info:
            super().print_version(print_fn)

    @classmethod
    @override
    def get_singer_command(cls) -> click.Command:
        cls.logger.addFilter(_QuietStartup())
        return super().get_singer_command()


class _QuietStartup(logging.Filter):
    """Drops the SDK's "Skipping parse of env var settings..." notice, so a config error stays one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every other record."""
        return not str(record.msg).startswith("Skipping parse of env var settings")


@cache
def _package_version(distribution: str) -> str:
    return get_package_version(distribution)


def _check_start_date(value: object) -> None:
    if value is None or value == "":
        return
    try:
        parse_datetime(str(value))
    except ValueError:
        msg = (
            f"`start_date` must be an ISO-8601 date or date-time such as 2024-01-01T00:00:00Z, got {value!r}"
        )
        raise ConfigurationError(msg) from None
