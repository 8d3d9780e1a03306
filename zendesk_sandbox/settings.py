"""Sandbox settings: data shape (fixed once seeded) and live limits, faults and credentials."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from zendesk_sandbox.oauth import scopes

NameMode = Literal["plain", "unique", "autonumber"]
LookupUnresolved = Literal["invalid", "empty"]
ClientKind = Literal["confidential", "public"]
ClientRole = Literal["admin", "agent"]
JobCapScope = Literal["account", "endpoint"]
MembershipExists = Literal["failed", "created"]
Counting = Literal["sliding", "fixed", "tenths"]  # how a limit counts its window (limits/budgets.py)
COUNTINGS: tuple[str, ...] = get_args(Counting)


@dataclass(frozen=True)
class CustomObjectSpec:
    """One seeded custom object: its key, title, name behaviour and field definitions (Zendesk's shape)."""

    key: str
    title: str
    fields: tuple[dict[str, Any], ...]
    name_mode: NameMode = "plain"
    autonumber_prefix: str = ""


def _options(*values: str) -> list[dict[str, str]]:
    return [{"name": value.replace("_", " ").title(), "value": value} for value in values]


DEFAULT_CUSTOM_OBJECTS: tuple[CustomObjectSpec, ...] = (
    CustomObjectSpec(
        key="apartment",
        title="Apartment",
        name_mode="plain",
        fields=(
            {"key": "address", "type": "text", "title": "Address", "required": True},
            {"key": "notes", "type": "textarea", "title": "Notes"},
            {"key": "rooms", "type": "integer", "title": "Rooms"},
            {"key": "rent", "type": "decimal", "title": "Monthly rent"},
            {"key": "furnished", "type": "checkbox", "title": "Furnished"},
            {"key": "available_on", "type": "date", "title": "Available on"},
            {
                "key": "kind",
                "type": "dropdown",
                "title": "Kind",
                "custom_field_options": _options("studio", "flat", "house"),
            },
            {
                "key": "amenities",
                "type": "multiselect",
                "title": "Amenities",
                "custom_field_options": _options("balcony", "elevator", "parking", "garden"),
            },
            {
                "key": "postcode",
                "type": "regexp",
                "title": "Postcode",
                "regexp_for_validation": r"^\d{5}$",
            },
            {"key": "owner", "type": "lookup", "title": "Owner", "relationship_target_type": "zen:user"},
        ),
    ),
    CustomObjectSpec(
        key="contract",
        title="Contract",
        name_mode="autonumber",
        autonumber_prefix="CTR-",
        fields=(
            {"key": "reference", "type": "text", "title": "Reference"},
            {"key": "value", "type": "decimal", "title": "Value", "required": True},
            {"key": "signed", "type": "checkbox", "title": "Signed"},
            {"key": "signed_on", "type": "date", "title": "Signed on"},
            {
                "key": "tier",
                "type": "dropdown",
                "title": "Tier",
                "custom_field_options": _options("bronze", "silver", "gold"),
            },
            {
                "key": "apartment",
                "type": "lookup",
                "title": "Apartment",
                "relationship_target_type": "zen:custom_object:apartment",
            },
        ),
    ),
    CustomObjectSpec(
        key="vendor",
        title="Vendor",
        name_mode="unique",
        fields=(
            {
                "key": "email",
                "type": "regexp",
                "title": "Email",
                "regexp_for_validation": r"^[^@\s]+@[^@\s]+\.[a-z]+$",
            },
            {"key": "rating", "type": "integer", "title": "Rating"},
            {
                "key": "categories",
                "type": "multiselect",
                "title": "Categories",
                "custom_field_options": _options("plumbing", "electrical", "cleaning"),
            },
            {"key": "active", "type": "checkbox", "title": "Active"},
            {"key": "summary", "type": "textarea", "title": "Summary"},
        ),
    ),
)


@dataclass(frozen=True)
class OAuthClientSpec:
    """One OAuth client of Admin Center: identifier, secret, kind, and whose permissions its tokens carry."""

    identifier: str
    secret: str  # empty for a public client, which has none
    kind: ClientKind = "confidential"
    role: ClientRole = "admin"  # an agent's tokens get the 403 of the admin-only endpoints
    allowed_scopes: tuple[str, ...] | None = None  # Admin Center's "Allowed scopes"; None: any scope


DEFAULT_OAUTH_CLIENTS: tuple[OAuthClientSpec, ...] = (
    OAuthClientSpec("zendesk-objects-demo", "sandbox-client-secret", "confidential", "admin"),
    OAuthClientSpec("zendesk-objects-agent", "sandbox-agent-client-secret", "confidential", "agent"),
    OAuthClientSpec("zendesk-objects-public", "", "public", "admin"),
)


@dataclass(frozen=True)
class FaultSettings:
    """Fault injection; every switch is off by default."""

    rate_limit_storm: int = 0
    storm_retry_after: float | None = 1
    storm_body: Literal["json", "text"] = "json"
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503, 504)
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    slow_seconds: float = 0.0
    gateway_timeout_above_page_size: int | None = None
    path_contains: str = ""
    fault_seed: int = 0


@dataclass(frozen=True)
class SandboxSettings:
    """Everything the sandbox can be told; the defaults are the demo data set."""

    # --- data shape: fixed once the SQLite file is seeded
    seed: int = 1
    tickets: int = 2_000
    deleted_ticket_ratio: float = 0.02
    custom_objects: tuple[CustomObjectSpec, ...] = DEFAULT_CUSTOM_OBJECTS
    records_per_object: int = 200
    deleted_record_ratio: float = 0.02
    sequin_records: int = 500
    users: int = 200
    deleted_user_ratio: float = 0.02
    organizations: int = 40
    groups: int = 5
    data_start: str = "2024-01-01T00:00:00Z"
    data_end: str = "2025-12-31T00:00:00Z"
    # --- live limits
    window_seconds: float = 60.0
    export_requests_per_window: int = 10
    account_requests_per_window: int = 700
    max_active_jobs: int = 30
    job_queue_seconds: float = 0.2
    job_items_per_second: float = 200.0
    job_failure_rate: float = 0.0
    job_retention_seconds: float = 3600.0  # an ended job's status answers 404 after this
    job_status_show_many_max_ids: int = 100  # more ids in one show_many: 400 TooManyValues (wire notes §17)
    job_status_show_many_accepts_v3: bool = True  # False: show_many refuses custom object (V3-) job ids
    limit_counting: Counting = "sliding"  # how both limits count their window: sliding | fixed | tenths
    foreign_requests_per_window: int = 0  # another integration spending the account budget at an even pace
    recent_data_lag_seconds: float = 60.0
    start_time_min_age_seconds: float = 60.0
    cursor_ttl_seconds: float | None = None
    # Custom object limits (wire notes §14.5, §16): Suite Professional's, read by the /limits endpoints.
    custom_object_limit: int = 30
    custom_object_field_limit: int = 100  # standard fields not counted
    custom_object_lookup_field_limit: int = 10
    custom_object_record_limit: int = 50_000_000
    # --- wire-shape switches for unconfirmed facts (live)
    custom_object_export_end_of_stream: bool = True
    custom_object_last_page_cursor: Literal["keep", "null"] = "keep"
    numeric_values_as_strings: bool = False
    forbidden_paths_contain: tuple[str, ...] = ()
    lookup_prefixes_in_jobs: bool = True  # wire notes §14.2: "external_id:"/"name:" inside job items
    lookup_unresolved: LookupUnresolved = "invalid"  # wire notes §14.3: 422 (invalid) or stored empty (empty)
    time_export_max_same_second: int | None = None  # wire notes §18.2: None = a page grows without bound
    # --- live credentials and URLs
    email: str = "demo@example.com"
    api_token: str = "sandbox-token"  # noqa: S105 - the documented demo credential
    oauth_token: str = "sandbox-token"  # noqa: S105 - the documented demo credential
    sequin_token: str = "sandbox-token"  # noqa: S105 - the documented demo credential
    agent_email: str = "agent@example.com"  # an agent, not an admin: admin-only endpoints answer it 403
    agent_api_token: str = "sandbox-agent-token"  # noqa: S105 - the documented demo credential
    agent_oauth_token: str = "sandbox-agent-token"  # noqa: S105 - the documented demo credential
    # OAuth clients and the lifetimes of what /oauth/tokens issues (wire notes §24); the static tokens
    # above never expire.
    oauth_clients: tuple[OAuthClientSpec, ...] = DEFAULT_OAUTH_CLIENTS
    oauth_access_token_ttl_seconds: float | None = 1800.0  # new clients' default; None: no expiry
    oauth_refresh_token_ttl_seconds: float = 2_592_000.0  # 30 days
    oauth_authorization_code_ttl_seconds: float = 120.0  # the OAS: "valid for only 120 seconds"
    oauth_token_status: int = 201  # the OAS's status for a token; what Zendesk sends is unconfirmed
    subdomain: str = "demo"
    public_url: str | None = None
    faults: FaultSettings = field(default_factory=FaultSettings)
    # --- wire-shape switches of the support warehouse's endpoints (wire notes §25; live)
    metric_sets_sideload: Literal["both", "embedded", "top_level"] = "both"  # where include=metric_sets goes
    ticket_metric_events_end_of_stream: bool = True  # False: metric event pages without `end_of_stream`
    # Events a ticket event page holds before it finishes its second: Zendesk's time-based page of 1000;
    # the export takes no per_page (OAS IncrementalTicketEvents), so only this setting makes pages smaller.
    ticket_events_page_size: int = 1000
    # --- server (fixed once started)
    host: str = "127.0.0.1"
    port: int = 0
    tls_certfile: str | None = None
    tls_keyfile: str | None = None
    # --- writing users, organizations and memberships (wire notes §26), live
    bulk_user_import: bool = False  # Zendesk's default: users/create_or_update_many answers 403
    job_cap_scope: JobCapScope = "account"  # `max_active_jobs` for the account, or for each job endpoint
    membership_exists_result: MembershipExists = "failed"  # create_many of an existing membership


DATA_FIELDS = frozenset(
    {
        "seed",
        "tickets",
        "deleted_ticket_ratio",
        "custom_objects",
        "records_per_object",
        "deleted_record_ratio",
        "sequin_records",
        "users",
        "deleted_user_ratio",
        "organizations",
        "groups",
        "data_start",
        "data_end",
    }
)
# Bumped whenever seeding writes other data for the same settings: an older file is refused, not reused.
DATA_VERSION = 3
SERVER_FIELDS = frozenset({"host", "port", "tls_certfile", "tls_keyfile"})
LIVE_FIELDS = frozenset(f.name for f in dataclasses.fields(SandboxSettings)) - DATA_FIELDS - SERVER_FIELDS
_TUPLE_FIELDS = frozenset({"forbidden_paths_contain", "error_statuses"})


def data_signature(settings: SandboxSettings) -> str:
    """Return a short digest of everything that decides the seeded data."""
    shape = {name: getattr(settings, name) for name in sorted(DATA_FIELDS)}
    shape["custom_objects"] = [dataclasses.asdict(spec) for spec in settings.custom_objects]
    shape["data_version"] = DATA_VERSION
    text = json.dumps(shape, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def live_settings_json(settings: SandboxSettings) -> dict[str, Any]:
    """Return the live-changeable settings as JSON-ready values (faults nested)."""
    out: dict[str, Any] = {}
    for name in sorted(LIVE_FIELDS):
        value = getattr(settings, name)
        if isinstance(value, FaultSettings):
            value = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(value).items()}
        elif name == "oauth_clients":
            value = [_client_json(client) for client in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def _tupled(values: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if k in _TUPLE_FIELDS and isinstance(v, list) else v for k, v in values.items()}


def updated_settings(settings: SandboxSettings, changes: dict[str, Any]) -> SandboxSettings:
    """Return `settings` with live `changes` applied; faults may be a FaultSettings or a partial dict."""
    fixed = sorted(set(changes) - LIVE_FIELDS)
    if fixed:
        msg = f"not changeable on a running sandbox: {', '.join(fixed)}"
        raise ValueError(msg)
    changes = _tupled(dict(changes))
    faults = changes.get("faults")
    if isinstance(faults, dict):
        unknown = sorted(set(faults) - {f.name for f in dataclasses.fields(FaultSettings)})
        if unknown:
            msg = f"unknown fault settings: {', '.join(unknown)}"
            raise ValueError(msg)
        changes["faults"] = dataclasses.replace(settings.faults, **_tupled(faults))
    if "oauth_clients" in changes:
        changes["oauth_clients"] = _clients(changes["oauth_clients"])
    return checked(dataclasses.replace(settings, **changes))


def checked(settings: SandboxSettings) -> SandboxSettings:
    """Return `settings`, or raise ValueError for a value the sandbox cannot apply."""
    if settings.limit_counting not in COUNTINGS:
        msg = f"limit_counting must be one of {', '.join(COUNTINGS)}, not {settings.limit_counting!r}"
        raise ValueError(msg)
    for name, least in (
        ("foreign_requests_per_window", 0),
        ("job_status_show_many_max_ids", 1),
        ("ticket_events_page_size", 1),
    ):
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            msg = f"{name} must be an integer of at least {least}, not {value!r}"
            raise ValueError(msg)
    for flag in ("job_status_show_many_accepts_v3", "bulk_user_import"):
        if not isinstance(getattr(settings, flag), bool):
            msg = f"{flag} must be true or false"
            raise TypeError(msg)
    for name, allowed in (
        ("job_cap_scope", get_args(JobCapScope)),
        ("membership_exists_result", get_args(MembershipExists)),
    ):
        if getattr(settings, name) not in allowed:
            msg = f"{name} must be one of {', '.join(allowed)}, not {getattr(settings, name)!r}"
            raise ValueError(msg)
    if not settings.window_seconds > 0:
        msg = f"window_seconds must be above 0, not {settings.window_seconds!r}"
        raise ValueError(msg)
    _check_oauth(settings)
    return settings


def _check_oauth(settings: SandboxSettings) -> None:
    """Raise ValueError for OAuth clients or lifetimes the token endpoint cannot work with."""
    lifetimes = {
        "oauth_refresh_token_ttl_seconds": settings.oauth_refresh_token_ttl_seconds,
        "oauth_authorization_code_ttl_seconds": settings.oauth_authorization_code_ttl_seconds,
    }
    if settings.oauth_access_token_ttl_seconds is not None:
        lifetimes["oauth_access_token_ttl_seconds"] = settings.oauth_access_token_ttl_seconds
    for name, seconds in lifetimes.items():
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            msg = f"{name} must be a number above 0, not {seconds!r}"
            raise ValueError(msg)
    status = settings.oauth_token_status
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status < 300:  # noqa: PLR2004
        msg = f"oauth_token_status must be a 2xx status, not {status!r}"
        raise ValueError(msg)
    identifiers = [client.identifier for client in settings.oauth_clients]
    if len(set(identifiers)) != len(identifiers):
        msg = f"oauth_clients: every identifier must be unique, not {identifiers}"
        raise ValueError(msg)
    for client in settings.oauth_clients:
        _check_client(client)


def _check_client(client: OAuthClientSpec) -> None:
    if not isinstance(client.identifier, str) or not client.identifier:
        msg = f"an OAuth client needs a non-empty identifier, not {client.identifier!r}"
        raise ValueError(msg)
    if client.kind not in {"confidential", "public"}:
        msg = f"OAuth client {client.identifier}: kind must be confidential or public, not {client.kind!r}"
        raise ValueError(msg)
    if client.role not in {"admin", "agent"}:
        msg = f"OAuth client {client.identifier}: role must be admin or agent, not {client.role!r}"
        raise ValueError(msg)
    if not isinstance(client.secret, str) or (client.kind == "confidential") != bool(client.secret):
        msg = f"OAuth client {client.identifier}: a confidential client has a secret, a public one none"
        raise ValueError(msg)
    if client.allowed_scopes is not None:
        unknown = sorted(set(client.allowed_scopes) - scopes.KNOWN)
        if unknown:
            msg = f"OAuth client {client.identifier}: unknown allowed scopes {', '.join(unknown)}"
            raise ValueError(msg)


def _client_json(client: OAuthClientSpec) -> dict[str, Any]:
    value = dataclasses.asdict(client)
    if client.allowed_scopes is not None:
        value["allowed_scopes"] = list(client.allowed_scopes)
    return value


def _clients(values: Any) -> tuple[OAuthClientSpec, ...]:  # noqa: ANN401 - JSON or specs, checked here
    if not isinstance(values, (list, tuple)):
        msg = "oauth_clients must be a list of clients"
        raise TypeError(msg)
    return tuple(
        value if isinstance(value, OAuthClientSpec) else _client_from_json(value) for value in values
    )


def _client_from_json(value: Any) -> OAuthClientSpec:  # noqa: ANN401 - JSON, checked here
    if not isinstance(value, dict):
        msg = f"an OAuth client is an object with identifier, secret, kind and role, not {value!r}"
        raise TypeError(msg)
    unknown = sorted(set(value) - {f.name for f in dataclasses.fields(OAuthClientSpec)})
    if unknown:
        msg = f"unknown OAuth client settings: {', '.join(unknown)}"
        raise ValueError(msg)
    allowed = value.get("allowed_scopes")
    return OAuthClientSpec(
        identifier=value.get("identifier", ""),
        secret=value.get("secret", ""),
        kind=value.get("kind", "confidential"),
        role=value.get("role", "admin"),
        allowed_scopes=None if allowed is None else tuple(allowed),
    )


def settings_from_json(values: dict[str, Any], base: SandboxSettings | None = None) -> SandboxSettings:
    """Build settings from JSON values (any field; faults and custom objects as nested objects)."""
    base = base or SandboxSettings()
    known = {f.name for f in dataclasses.fields(SandboxSettings)}
    unknown = sorted(set(values) - known)
    if unknown:
        msg = f"unknown sandbox settings: {', '.join(unknown)}"
        raise ValueError(msg)
    changes = _tupled(dict(values))
    if isinstance(changes.get("faults"), dict):
        changes["faults"] = FaultSettings(**_tupled(changes["faults"]))
    if "oauth_clients" in changes:
        changes["oauth_clients"] = _clients(changes["oauth_clients"])
    if "custom_objects" in changes:
        changes["custom_objects"] = tuple(
            spec if isinstance(spec, CustomObjectSpec) else _spec_from_json(spec)
            for spec in changes["custom_objects"]
        )
    return checked(dataclasses.replace(base, **changes))


def _spec_from_json(value: dict[str, Any]) -> CustomObjectSpec:
    return CustomObjectSpec(
        key=value["key"],
        title=value["title"],
        fields=tuple(value.get("fields", ())),
        name_mode=value.get("name_mode", "plain"),
        autonumber_prefix=value.get("autonumber_prefix", ""),
    )
