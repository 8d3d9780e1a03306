"""The write endpoints of users, organizations, memberships and their fields (wire notes §26).

Bulk endpoints answer 200 with a queued `job_status` (as every real bulk endpoint, wire notes §7), take at
most 100 items (more: the 400 TooManyValues of wire notes §8) and count toward the job cap
(`max_active_jobs`, per account or per endpoint: `job_cap_scope`). Their results come in request order:
- `users/create_or_update_many`: `{"id", "status": "Created"|"Updated", "email", "external_id"}`, the
  real shape (wire notes §26.2); 403 while `bulk_user_import` is off (Zendesk's default);
- create, update and delete items elsewhere: `{"action", "id", "status", "success": true}` (the OAS
  examples and the real ticket update_many);
- a failed item, everywhere: `{"id": <its position>, "error", "details", "status": "Failed"}`, with no
  `success` and no `index` (the one real failure, where `id` is the position), `details` one line.
`users/create_or_update` answers 200 for an update and 201 for a creation (OAS), a refusal 422 RecordInvalid.
`POST /api/v2/user_fields` and `/organization_fields` answer 201 with the new field (admins only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zendesk_sandbox.api import people_items
from zendesk_sandbox.api.objects import queued
from zendesk_sandbox.api.people_items import NotFoundError, describe
from zendesk_sandbox.gateway import auth, wire
from zendesk_sandbox.store import object_schema
from zendesk_sandbox.store.validation import RecordInvalidError

if TYPE_CHECKING:
    from collections.abc import Callable

    from zendesk_sandbox.core import Core
    from zendesk_sandbox.data.fielddefs import FieldKind
    from zendesk_sandbox.jsonvalue import Json
    from zendesk_sandbox.store.jobs import Job

    Apply = Callable[[int, Any], dict[str, Any]]

MAX_ITEMS = 100  # every bulk endpoint here: "up to 100" (OAS)
# The one real failed item is a user's (wire notes §26.2); other endpoints' error codes are decided.
USER_ERROR = "UserUpdateError"
ALREADY_MEMBER = "User is already a member of this organization"


def _bulk_import_off() -> wire.Response:
    """Return the 403 of an account whose bulk user import is off; the body is unconfirmed (decided)."""
    return wire.classic_error(
        403,
        "Forbidden",
        "Bulk user imports are not enabled for this account. The account owner must contact Zendesk "
        "Customer Support to enable them.",
    )


def _items(request: wire.Request, key: str) -> list[Any] | wire.Response:
    """Return the body's list `key` (1 to 100 items), or the refusal."""
    payload = request.json_body()  # readable: zendesk.handle refused any other body with 422
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        return wire.classic_error(400, "InvalidValue", f"{key} must be a non-empty list")
    if len(items) > MAX_ITEMS:
        return wire.too_many_values()
    return items


def _keys(request: wire.Request) -> tuple[str, list[str]] | wire.Response | None:
    """Return (id | external_id, values) from `ids=` or `external_ids=`, None when neither is given."""
    for parameter, column in (("ids", "id"), ("external_ids", "external_id")):
        if parameter in request.query:
            values = [part.strip() for part in request.query[parameter].split(",") if part.strip()]
            if not values:
                return wire.classic_error(400, "InvalidValue", f"{parameter} must list at least one value")
            if len(values) > MAX_ITEMS:
                return wire.too_many_values()
            return column, values
    return None


def _failed(index: int, error: str, details: str) -> dict[str, Any]:
    return {"id": index, "error": error, "details": details, "status": "Failed"}


def _done(action: str, resource_id: int, status: str) -> dict[str, Any]:
    return {"action": action, "id": resource_id, "status": status, "success": True}


def _guarded(error: str, work: Callable[[int, Any], dict[str, Any]]) -> Apply:
    """An applier that turns each refusal of an item into that item's Failed result."""

    def apply(index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one JSON item
        try:
            return work(index, item)
        except RecordInvalidError as invalid:
            return _failed(index, error, describe(invalid.details))
        except NotFoundError as missing:
            return _failed(index, "RecordNotFound", f"Not found: {missing}")
        except (ValueError, TypeError) as bad:
            return _failed(index, "InvalidValue", str(bad))

    return apply


def _submit(core: Core, endpoint: str, items: list[Any], apply: Apply, noun: str) -> wire.Response:
    def submit() -> Job:
        return core.jobs.submit("", endpoint, items, endpoint=endpoint, apply=apply, noun=noun)

    return queued(core, endpoint, submit)


def _keyed_items(
    request: wire.Request, wrapper: str, list_key: str
) -> list[tuple[str, Json, dict[str, Any]]] | wire.Response:
    """Return (column, key, changes) per item of an update_many: the bulk form or the batch form (OAS)."""
    found = _keys(request)
    if isinstance(found, wire.Response):
        return found
    payload = request.json_body()
    if found is not None:
        column, values = found
        change = payload.get(wrapper) if isinstance(payload, dict) else None
        if not isinstance(change, dict):
            return wire.classic_error(400, "InvalidValue", f"{wrapper} is required with ids or external_ids")
        return [(column, value, change) for value in values]
    items = _items(request, list_key)
    if isinstance(items, wire.Response):
        return items
    keyed: list[tuple[str, Json, dict[str, Any]]] = []
    for item in items:
        column = "id" if isinstance(item, dict) and "id" in item else "external_id"
        if not isinstance(item, dict) or column not in item:
            return wire.classic_error(
                400, "InvalidValue", f"every item of {list_key} needs id or external_id"
            )
        keyed.append((column, item[column], {k: v for k, v in item.items() if k != column}))
    return keyed


# --- users ---------------------------------------------------------------------------------------------


def users_create_or_update_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /api/v2/users/create_or_update_many (admins; 403 while bulk user import is off)."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    if not core.settings().bulk_user_import:
        return _bulk_import_off()
    items = _items(request, "users")
    if isinstance(items, wire.Response):
        return items

    def work(_index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one JSON item
        user_id, status = people_items.upsert_user(core, item)
        found = core.people.user(user_id)
        body = found[0] if found else {}
        return {
            "id": user_id,
            "status": status,
            "email": body.get("email"),
            "external_id": body.get("external_id"),
        }

    return _submit(core, "users_create_or_update_many", items, _guarded(USER_ERROR, work), "user")


def users_create_or_update(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /api/v2/users/create_or_update: 200 when the user existed, 201 when created (OAS)."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    payload = request.json_body()
    user = payload.get("user") if isinstance(payload, dict) else None
    if not isinstance(user, dict):
        return wire.classic_error(400, "InvalidValue", "user is required")
    try:
        with core.records.writing():  # one write at a time, as the job worker writes
            user_id, status = people_items.upsert_user(core, user)
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    except NotFoundError:
        return wire.record_not_found()
    return wire.json_response(
        201 if status == "Created" else 200, {"user": core.directory.user(user_id, core.account_url())}
    )


def users_update_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve PUT /api/v2/users/update_many: `ids`/`external_ids` with one `user`, or a `users` batch."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    keyed = _keyed_items(request, "user", "users")
    if isinstance(keyed, wire.Response):
        return keyed

    def work(_index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one keyed item
        column, key, changes = item
        user_id = people_items.user_by(core, column, key)
        people_items.update_user(core, user_id, changes)
        return _done("update", user_id, "Updated")

    return _submit(core, "users_update_many", list(keyed), _guarded(USER_ERROR, work), "user")


def users_destroy_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve DELETE /api/v2/users/destroy_many?ids=|external_ids= (admins): soft deletes, as a job."""
    return _destroy_many(
        core,
        request,
        "users_destroy_many",
        find=people_items.user_by,
        delete=people_items.destroy_user,
        noun="user",
    )


def _destroy_many(  # noqa: PLR0913 (the endpoint and how it finds and deletes)
    core: Core,
    request: wire.Request,
    endpoint: str,
    *,
    find: Callable[[Core, str, Json], int],
    delete: Callable[[Core, int], None],
    noun: str,
) -> wire.Response:
    """A destroy_many job (admins): each id or external id found, then deleted; a missing one fails."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    found = _keys(request)
    if found is None:
        return wire.classic_error(400, "InvalidValue", "Provide ids or external_ids")
    if isinstance(found, wire.Response):
        return found
    column, values = found

    def work(_index: int, key: Any) -> dict[str, Any]:  # noqa: ANN401 - one id or external id
        resource_id = find(core, column, key)
        delete(core, resource_id)
        return _done("delete", resource_id, "Deleted")

    error = USER_ERROR if noun == "user" else "RecordInvalid"
    return _submit(core, endpoint, list(values), _guarded(error, work), noun)


# --- organizations -------------------------------------------------------------------------------------


def organizations_create_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /api/v2/organizations/create_many (admins and agents)."""
    items = _items(request, "organizations")
    if isinstance(items, wire.Response):
        return items

    def work(_index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one JSON item
        return _done("create", people_items.create_organization(core, item), "Created")

    return _submit(core, "organizations_create_many", items, _guarded("RecordInvalid", work), "organization")


def organizations_update_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve PUT /api/v2/organizations/update_many: the bulk or the batch form; agents change notes only."""
    keyed = _keyed_items(request, "organization", "organizations")
    if isinstance(keyed, wire.Response):
        return keyed
    notes_only = request.caller is None or request.caller.role != "admin"

    def work(_index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one keyed item
        column, key, changes = item
        org_id = people_items.organization_by(core, column, key)
        people_items.update_organization(core, org_id, changes, notes_only=notes_only)
        return _done("update", org_id, "Updated")

    return _submit(
        core, "organizations_update_many", list(keyed), _guarded("RecordInvalid", work), "organization"
    )


def organizations_destroy_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve DELETE /api/v2/organizations/destroy_many?ids=|external_ids= (admins), as a job."""
    return _destroy_many(
        core,
        request,
        "organizations_destroy_many",
        find=people_items.organization_by,
        delete=people_items.delete_organization,
        noun="organization",
    )


# --- memberships ---------------------------------------------------------------------------------------


def memberships_create_many(core: Core, request: wire.Request) -> wire.Response:
    """Serve POST /api/v2/organization_memberships/create_many (admins and agents).

    A membership that exists already fails with "User is already a member of this organization"
    (`membership_exists_result: failed`, the single create's 422 made an item) or is answered as created
    with its id (`created`): which one Zendesk does is unconfirmed (wire notes §26).
    """
    items = _items(request, "organization_memberships")
    if isinstance(items, wire.Response):
        return items
    exists_fails = core.settings().membership_exists_result == "failed"

    def work(index: int, item: Any) -> dict[str, Any]:  # noqa: ANN401 - one JSON item
        membership, new = people_items.add_membership(core, item)
        if not new and exists_fails:
            return _failed(index, "RecordInvalid", ALREADY_MEMBER)
        return _done("create", membership.id, "Created")

    return _submit(
        core,
        "organization_memberships_create_many",
        items,
        _guarded("RecordInvalid", work),
        "organization membership",
    )


# --- fields --------------------------------------------------------------------------------------------


def create_field(core: Core, request: wire.Request, kind: FieldKind) -> wire.Response:
    """Serve POST /api/v2/{user,organization}_fields (admins): 201 with the new field, or 422."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    wrapper = f"{kind}_field"
    payload = request.json_body()
    body = payload.get(wrapper) if isinstance(payload, dict) else None
    if body is None:
        return wire.classic_error(400, "InvalidValue", f"{wrapper} is required")
    try:
        with core.records.writing():
            definition = object_schema.checked_people_field(
                body, core.directory.fields(kind), lambda key: key in core.records.objects()
            )
            field = core.directory.add_field(
                kind,
                definition["type"],
                definition["title"],
                key=definition["key"],
                options=definition.get("options", ()),
                regexp=definition.get("regexp_for_validation"),
                relationship_target_type=definition.get("relationship_target_type"),
            )
    except RecordInvalidError as invalid:
        return wire.record_invalid(invalid.details)
    url = f"{core.account_url()}/api/v2/{kind}_fields/{field['id']}.json"
    return wire.json_response(201, {wrapper: field | {"url": url}})
