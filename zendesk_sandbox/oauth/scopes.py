"""OAuth scopes: which scope strings exist, what a set of them covers, and what each endpoint needs.

The grammar is the OAS's (operation CreateTokenForGrantType, "Scope"): the broad `read` and `write`, the
resource scopes `<resource>:read` / `<resource>:write` for the resources it lists (audit logs read only),
and `impersonate`. `read` covers every GET, `write` every POST, PUT, PATCH and DELETE; a resource scope
covers the same methods on that resource's endpoints only. Which resource the custom object endpoints and
the incremental exports belong to is unconfirmed (wire notes §24): tickets, users and organizations
endpoints take their resource's scope, everything else only the broad one.
"""

from __future__ import annotations

from typing import Literal

Access = Literal["read", "write"]

BROAD = ("read", "write")
IMPERSONATE = "impersonate"
# resource -> the accesses its scopes come in (OAS, CreateTokenForGrantType: "audit logs (read only)")
RESOURCES: dict[str, tuple[Access, ...]] = {
    "tickets": ("read", "write"),
    "users": ("read", "write"),
    "auditlogs": ("read",),
    "organizations": ("read", "write"),
    "hc": ("read", "write"),
    "apps": ("read", "write"),
    "triggers": ("read", "write"),
    "automations": ("read", "write"),
    "targets": ("read", "write"),
    "webhooks": ("read", "write"),
}
_RESOURCE_SCOPES = (f"{name}:{access}" for name, accesses in RESOURCES.items() for access in accesses)
KNOWN = frozenset({*BROAD, IMPERSONATE, *_RESOURCE_SCOPES})
# endpoint kind (api/zendesk.py) -> the resource whose scope also covers it
_RESOURCE_OF_KIND = {
    "ticket_export": "tickets",
    "tickets_list": "tickets",
    "user_export": "users",
    "users_show_many": "users",
    "users_search": "users",
    "organization_export": "organizations",
    "organizations_show_many": "organizations",
    "organizations_search": "organizations",
}
# The write endpoints of users and organizations (wire notes §26) take their resource's scope too.
_RESOURCE_OF_KIND |= {
    "users_create_or_update_many": "users",
    "users_create_or_update": "users",
    "users_update_many": "users",
    "users_destroy_many": "users",
    "organizations_create_many": "organizations",
    "organizations_update_many": "organizations",
    "organizations_destroy_many": "organizations",
}
# Every token may look at and revoke itself, whatever its scopes (decision, wire notes §24).
_UNSCOPED_KINDS = frozenset({"oauth_current_token", "oauth_current_token_revoke"})


class ScopeError(ValueError):
    """A scope string that is unknown or that a client may not have."""


def parse(text: str) -> tuple[str, ...]:
    """Return the scopes of a space-separated string, each once and in order; raise ScopeError if unknown."""
    scopes = tuple(dict.fromkeys(text.split()))
    unknown = [scope for scope in scopes if scope not in KNOWN]
    if unknown:
        msg = f"unknown scope: {' '.join(unknown)}"
        raise ScopeError(msg)
    if not scopes:
        msg = "no scope was given"
        raise ScopeError(msg)
    return scopes


def covered(scope: str, granted: tuple[str, ...] | frozenset[str]) -> bool:
    """Return True when `granted` includes `scope` itself or the broad scope above it."""
    if scope in granted:
        return True
    _, _, access = scope.partition(":")
    return bool(access) and access in granted


def narrowed(requested: tuple[str, ...], granted: tuple[str, ...]) -> bool:
    """Return True when every requested scope is covered by the granted ones (a refresh may only narrow)."""
    return all(covered(scope, granted) for scope in requested)


def needed(method: str, kind: str) -> tuple[Access, str | None] | None:
    """Return (access, resource or None) that an endpoint needs, or None when any token may call it."""
    if kind in _UNSCOPED_KINDS or kind == "unknown":
        return None
    access: Access = "read" if method in {"GET", "HEAD"} else "write"
    return access, _RESOURCE_OF_KIND.get(kind)


def allows(granted: tuple[str, ...], access: Access, resource: str | None) -> bool:
    """Return True when the granted scopes cover `access` to an endpoint of `resource`."""
    return access in granted or (resource is not None and f"{resource}:{access}" in granted)


# The ticket history endpoints belong to tickets (wire notes §25, decided like the ticket export's).
_RESOURCE_OF_KIND |= {
    "ticket_event_export": "tickets",
    "ticket_metric_event_export": "tickets",
    "conversation_log": "tickets",
    "ticket_audits": "tickets",
}
