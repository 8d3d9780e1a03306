"""What the tap and the target both need: connection settings and auth, error reading, pacing, retries."""

from zendesk_objects_shared.auth import Credential, StaticCredential
from zendesk_objects_shared.connection import (
    CONNECTION_PROPERTIES,
    ZendeskConnection,
    is_loopback_host,
    resolve_base_url,
    validate_base_url,
)
from zendesk_objects_shared.errors import (
    ConfigurationError,
    Outcome,
    RequestFailedError,
    RunFailure,
    ZendeskAPIError,
    classify,
    error_message,
    read_retry_after,
)
from zendesk_objects_shared.pacing import RequestPacer
from zendesk_objects_shared.redaction import (
    SECRET_SETTINGS,
    SECRETS,
    SecretRedactingFilter,
    SecretRegistry,
    redact,
)
from zendesk_objects_shared.retry import RetryPolicy

__all__ = [
    "CONNECTION_PROPERTIES",
    "SECRETS",
    "SECRET_SETTINGS",
    "ConfigurationError",
    "Credential",
    "Outcome",
    "RequestFailedError",
    "RequestPacer",
    "RetryPolicy",
    "RunFailure",
    "SecretRedactingFilter",
    "SecretRegistry",
    "StaticCredential",
    "ZendeskAPIError",
    "ZendeskConnection",
    "classify",
    "error_message",
    "is_loopback_host",
    "read_retry_after",
    "redact",
    "resolve_base_url",
    "validate_base_url",
]
