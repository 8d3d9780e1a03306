"""What the tap and the target both need: connection settings and auth, error reading, pacing, retries."""

from zendesk_objects_shared.auth import BearerAuth, ZendeskAuth
from zendesk_objects_shared.connection import (
    CONNECTION_PROPERTIES,
    SECRET_SETTINGS,
    ZendeskConnection,
    is_loopback_host,
    resolve_base_url,
    validate_base_url,
)
from zendesk_objects_shared.errors import (
    ConfigurationError,
    Outcome,
    ZendeskAPIError,
    classify,
    error_message,
    retry_after_seconds,
)
from zendesk_objects_shared.pacing import RequestPacer
from zendesk_objects_shared.redaction import SecretRedactingFilter, install_secret_filter, redact
from zendesk_objects_shared.retry import RetryPolicy

__all__ = [
    "CONNECTION_PROPERTIES",
    "SECRET_SETTINGS",
    "BearerAuth",
    "ConfigurationError",
    "Outcome",
    "RequestPacer",
    "RetryPolicy",
    "SecretRedactingFilter",
    "ZendeskAPIError",
    "ZendeskAuth",
    "ZendeskConnection",
    "classify",
    "error_message",
    "install_secret_filter",
    "is_loopback_host",
    "redact",
    "resolve_base_url",
    "retry_after_seconds",
    "validate_base_url",
]
