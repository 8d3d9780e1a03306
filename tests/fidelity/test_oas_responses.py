"""Every JSON body the sandbox serves on a Zendesk endpoint validates against that operation in Zendesk's OAS.

Only the wire notes' three allowances are applied (see tests/fidelity/oas.py). Where the wire notes contradict
the OAS, a test named after the point says "OAS says X, the wire notes say Y, we follow the wire notes" and
asserts the wire notes' side.
"""

from __future__ import annotations

import base64
import re
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.sandbox.field_types import CUSTOM_FIELD_TYPES
from zendesk_sandbox import SandboxSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.fidelity.oas import ZendeskOas
    from zendesk_sandbox import Sandbox

WIRE_NOTES_PATH = Path(__file__).parents[2] / "docs" / "wire-notes.md"
# The list of a real ticket's keys in wire notes §2: a comment marker, then one fenced text block.
REAL_TICKET_KEYS = re.compile(r"<!-- real-ticket-keys\b[^>]*-->\s*```text\n(.*?)\n```", re.DOTALL)
KEY_NAME = re.compile(r"^[a-z_]+$")
DEFAULTS = SandboxSettings()
START_TIME = int(datetime.fromisoformat(DEFAULTS.data_start.replace("Z", "+00:00")).timestamp()) - 1
DELETED_MASK = "[DELETED]"
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
MAX_PAGES = 200
JOB_POLL_SECONDS = 0.05
JOB_WAIT_SECONDS = 30.0

TICKET_EXPORT = "/api/v2/incremental/tickets/cursor"
RECORD_EXPORT = "/api/v2/incremental/custom_objects/{custom_object_key}/cursor"
JOB_STATUS = "/api/v2/job_statuses/{job_status_id}"
JOB_STATUSES = "/api/v2/job_statuses/show_many"
JOB_STATUS_PREFIX = "/api/v2/job_statuses/"
JOBS = "/api/v2/custom_objects/{custom_object_key}/jobs"
RECORDS = "/api/v2/custom_objects/{custom_object_key}/records"


def _basic(settings: SandboxSettings) -> str:
    raw = f"{settings.email}/token:{settings.api_token}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def _bearer(settings: SandboxSettings) -> str:
    return f"Bearer {settings.oauth_token}"


AUTH_SCHEMES: dict[str, Callable[[SandboxSettings], str]] = {"api_token": _basic, "oauth": _bearer}


class Zendesk:
    """Requests against the sandbox's Zendesk API with one auth header, checked against the OAS."""

    def __init__(self, sandbox: Sandbox, oas: ZendeskOas, authorization: str) -> None:
        """Talk to `sandbox` with the given Authorization header value."""
        self.base = sandbox.url
        self.oas = oas
        self.session = requests.Session()
        self.session.headers["Authorization"] = authorization

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request to a path under the sandbox's base URL."""
        return self.session.request(method, self.base + path, timeout=30, **kwargs)

    def checked(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        """Send a request, require `status`, validate the JSON body against the OAS and return it."""
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        body = response.json()
        assert_matches_oas(self.oas, method, response, body)
        return body


def assert_matches_oas(oas: ZendeskOas, method: str, response: requests.Response, body: Any) -> None:
    """Fail with every schema violation of a response body, against its operation's declared response."""
    template = oas.template_for(urlsplit(response.url).path, method)
    errors = oas.errors(template, method, response.status_code, body)
    shown = "\n".join(errors[:25])
    assert errors == [], f"{method} {response.url} -> {response.status_code} breaks the OAS:\n{shown}"


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """Test-sized data with deleted tickets and records in every object; budgets no test here exhausts."""
    return sandbox_factory(
        deleted_ticket_ratio=0.05,
        deleted_record_ratio=0.1,
        export_requests_per_window=10_000,
        account_requests_per_window=100_000,
    )


@pytest.fixture(params=sorted(AUTH_SCHEMES))
def zendesk(request: pytest.FixtureRequest, sandbox: Sandbox, oas: ZendeskOas) -> Zendesk:
    """A client authenticated with one of Zendesk's two schemes (API token, OAuth)."""
    return Zendesk(sandbox, oas, AUTH_SCHEMES[request.param](DEFAULTS))


def _export_pages(zendesk: Zendesk, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Follow a cursor export from `start_time` to `end_of_stream`, validating every page."""
    body = zendesk.checked("GET", path, 200, params={"start_time": START_TIME, **params})
    yield body
    for _ in range(MAX_PAGES):
        if body.get("end_of_stream"):
            return
        body = zendesk.checked("GET", path, 200, params={"cursor": body["after_cursor"], **params})
        yield body
    pytest.fail(f"{path} did not reach end_of_stream in {MAX_PAGES} pages")


def _object_keys(zendesk: Zendesk) -> list[str]:
    body = zendesk.checked("GET", "/api/v2/custom_objects", 200)
    return [custom_object["key"] for custom_object in body["custom_objects"]]


# --- ticket export ---------------------------------------------------------------------------------------


def test_ticket_export_pages_match_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    params = {"per_page": 100, "include": "users,metric_sets"}
    pages = list(_export_pages(zendesk, TICKET_EXPORT + ".json", params))
    tickets = [ticket for page in pages for ticket in page["tickets"]]
    assert len(pages) > 1
    assert {ticket["id"] for ticket in tickets} == set(sandbox.admin.ticket_ids())
    assert any(ticket["status"] == "deleted" for ticket in tickets), "the data must hold deleted tickets"
    assert all("metric_set" in ticket for ticket in tickets if ticket["status"] != "deleted")
    assert all(page["users"] for page in pages if page["tickets"]), "users are sideloaded"


def test_ticket_export_without_deleted_tickets_matches_the_oas(zendesk: Zendesk) -> None:
    pages = _export_pages(zendesk, TICKET_EXPORT, {"per_page": 1000, "exclude_deleted": "true"})
    assert all(ticket["status"] != "deleted" for page in pages for ticket in page["tickets"])


def test_deleted_tickets_need_the_deleted_status_allowance(zendesk: Zendesk, oas: ZendeskOas) -> None:
    body = zendesk.checked("GET", TICKET_EXPORT, 200, params={"start_time": START_TIME})
    deleted = [index for index, ticket in enumerate(body["tickets"]) if ticket["status"] == "deleted"]
    assert deleted
    strict = oas.errors(TICKET_EXPORT, "get", 200, body, relaxed=False)
    assert {f"tickets/{index}/status" for index in deleted} <= {line.split(":")[0] for line in strict}


def test_sideloads_follow_notes_and_match_their_oas_objects(zendesk: Zendesk, oas: ZendeskOas) -> None:
    """OAS says the ticket export body has no sideloads, wire notes §2 says `include=users` adds a top-level
    `users` array and `include=metric_sets` embeds a `metric_set` per ticket (what singer-io reads); we
    follow the wire notes and validate each sideloaded object against its own OAS schema (UserObject,
    TicketMetricObject)."""
    schema = oas.response_schema(TICKET_EXPORT, "get", 200)
    assert schema is not None
    assert "users" not in schema["properties"]
    assert "metric_set" not in schema["properties"]["tickets"]["items"]["properties"]
    params = {"per_page": 100, "include": "users,metric_sets"}
    for page in _export_pages(zendesk, TICKET_EXPORT, params):
        for user in page["users"]:
            assert oas.component_errors("UserObject", user) == [], user["id"]
        people = {user["id"] for user in page["users"]}
        for ticket in page["tickets"]:
            assert ticket["requester_id"] in people
            if ticket["status"] != "deleted":
                assert oas.component_errors("TicketMetricObject", ticket["metric_set"]) == [], ticket["id"]
                assert ticket["metric_set"]["ticket_id"] == ticket["id"]


def _real_ticket_keys() -> list[str]:
    """The keys wire notes §2 lists for a real exported ticket, in its order."""
    notes = WIRE_NOTES_PATH.read_text(encoding="utf-8")
    listed = REAL_TICKET_KEYS.findall(notes)
    assert len(listed) == 1, "wire notes §2 must hold exactly one list of the real ticket keys"
    keys = [key.strip() for key in listed[0].split(",")]
    assert all(KEY_NAME.match(key) for key in keys), keys
    return keys


def test_ticket_keys_follow_notes_not_the_oas_property_list(zendesk: Zendesk, oas: ZendeskOas) -> None:
    """OAS says a ticket has the TicketObject properties (encoded_id, requester, ...), wire notes §2 says the
    export sends the 39 keys it lists (plus metric_set when sideloaded); we follow the wire notes."""
    listed = _real_ticket_keys()
    real_keys = set(listed)
    assert len(listed) == len(real_keys) == 39
    declared = set(oas.schema_component("TicketObject")["properties"])
    assert real_keys <= declared
    body = zendesk.checked("GET", TICKET_EXPORT, 200, params={"start_time": START_TIME})
    assert body["tickets"]
    for ticket in body["tickets"]:
        assert set(ticket) == real_keys, ticket["id"]


@pytest.mark.parametrize(
    "case",
    [
        (TICKET_EXPORT, TICKET_EXPORT, lambda body: body["tickets"][0].update(id="1"), "tickets/0/id"),
        (
            "/api/v2/custom_objects",
            "/api/v2/custom_objects",
            lambda b: b["custom_objects"][0].update(key=7),
            "custom_objects/0/key",
        ),
        (
            "/api/v2/custom_objects/apartment/records",
            RECORDS,
            lambda body: body["meta"].update(has_more="no"),
            "meta/has_more",
        ),
        (
            "/api/v2/ticket_fields",
            "/api/v2/ticket_fields",
            lambda body: body["ticket_fields"][0].update(created_at="last week"),
            "ticket_fields/0/created_at",
        ),
        (
            "/api/v2/groups",
            "/api/v2/groups",
            lambda body: body["groups"][0].update(is_public="yes"),
            "groups/0/is_public",
        ),
    ],
    ids=["ticket-id", "object-key", "has-more", "field-created-at", "group-is-public"],
)
def test_a_broken_real_body_is_caught(
    sandbox: Sandbox, oas: ZendeskOas, case: tuple[str, str, Callable[[Any], None], str]
) -> None:
    path, template, breakage, where = case
    zendesk = Zendesk(sandbox, oas, _basic(DEFAULTS))
    body = zendesk.checked(
        "GET", path, 200, params={"start_time": START_TIME} if path == TICKET_EXPORT else {}
    )
    breakage(body)
    assert [line.split(":")[0] for line in oas.errors(template, "get", 200, body)] == [where]


# --- users and organizations ----------------------------------------------------------------------------

USER_EXPORT = "/api/v2/incremental/users/cursor"
ORGANIZATION_EXPORT = "/api/v2/incremental/organizations"


def test_user_export_pages_match_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    pages = list(_export_pages(zendesk, USER_EXPORT + ".json", {"per_page": 7}))
    users = [user for page in pages for user in page["users"]]
    assert len(pages) > 1
    assert {user["id"] for user in users} == set(sandbox.admin.user_ids())
    assert any(not user["active"] for user in users), "the data must hold deleted users"


def _organization_pages(zendesk: Zendesk, params: dict[str, Any]) -> list[Any]:
    """Follow the time-based export from START_TIME to end_of_stream, returning every page unvalidated."""
    pages = []
    response = zendesk.call("GET", ORGANIZATION_EXPORT, params={"start_time": START_TIME, **params})
    for _ in range(MAX_PAGES):
        assert response.status_code == 200, response.text[:500]
        pages.append(response.json())
        if pages[-1]["end_of_stream"]:
            return pages
        response = zendesk.session.get(pages[-1]["next_page"], timeout=30)
    pytest.fail("the organization export never reached end_of_stream")


def test_users_show_many_and_search_match_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    ids = sandbox.admin.user_ids()
    shown = zendesk.checked(
        "GET",
        "/api/v2/users/show_many",
        200,
        params={"ids": ",".join(map(str, ids)), "include_deleted": "true"},
    )
    assert shown["count"] == len(ids)
    users = [user for user_id in ids if (user := sandbox.admin.user(user_id))]
    external = [user["external_id"] for user in users if user["external_id"] and user["active"]]
    by_external = zendesk.checked(
        "GET", "/api/v2/users/show_many.json", 200, params={"external_ids": external[0]}
    )
    assert by_external["count"] == 1
    found = zendesk.checked("GET", "/api/v2/users/search", 200, params={"query": "example", "per_page": 10})
    assert found["next_page"]
    zendesk.checked(
        "GET", "/api/v2/users/search", 200, params={"query": "example", "per_page": 10, "page": 2}
    )
    zendesk.checked("GET", "/api/v2/users/search", 200, params={"external_id": external[0]})


def test_tickets_list_by_external_id_matches_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    for subject in ("One", "Two"):
        sandbox.admin.create_ticket(subject=subject, external_id="FIDELITY-1")
    found = zendesk.checked("GET", "/api/v2/tickets", 200, params={"external_id": "FIDELITY-1"})
    assert found["count"] == 2
    zendesk.checked("GET", "/api/v2/tickets.json", 200, params={"per_page": 5, "page": 2})


def _org_field_types(zendesk: Zendesk) -> dict[str, str]:
    fields = zendesk.checked("GET", "/api/v2/organization_fields", 200)["organization_fields"]
    return {field["key"]: field["type"] for field in fields}


def _without_booleans_and_lists(body: Any, types: dict[str, str]) -> Any:
    """A copy of an organizations body without its checkbox and multiselect field values."""
    return {
        **body,
        "organizations": [
            {
                **org,
                "organization_fields": {
                    key: value
                    for key, value in org["organization_fields"].items()
                    if types[key] not in {"checkbox", "multiselect"}
                },
            }
            for org in body["organizations"]
        ],
    }


def test_organization_fields_follow_the_field_types_not_the_oas_string_or_number(
    zendesk: Zendesk, oas: ZendeskOas, sandbox: Sandbox
) -> None:
    """OAS says organization_fields values are strings or numbers, wire notes §10 says custom field values are
    string/number/bool/array/null by type (real ticket payloads; real organization_fields typing is
    unconfirmed, wire notes §14.4); we follow the wire notes: checkbox values are booleans and multiselect
    values lists, as in user_fields (which the OAS leaves open). Every other part of each body validates
    against the OAS, and the full body breaks it only at those values. Covers the export, show_many and
    search."""
    types = _org_field_types(zendesk)
    ids = ",".join(str(org_id) for org_id in sandbox.admin.organization_ids()[:5])
    some = sandbox.admin.organization(sandbox.admin.organization_ids()[0])
    assert some is not None
    bodies = {
        ORGANIZATION_EXPORT: _organization_pages(zendesk, {"per_page": 4}),
        "/api/v2/organizations/show_many": [
            zendesk.call("GET", "/api/v2/organizations/show_many", params={"ids": ids}).json()
        ],
        "/api/v2/organizations/search": [
            zendesk.call("GET", "/api/v2/organizations/search", params={"name": some["name"]}).json()
        ],
    }
    broken = 0
    for template, pages in bodies.items():
        for body in pages:
            assert oas.errors(template, "get", 200, _without_booleans_and_lists(body, types)) == [], template
            errors = oas.errors(template, "get", 200, body)
            broken += bool(errors)
            for error in errors:
                where = error.split(":")[0].split("/")
                assert where[0] == "organizations", error
                assert where[2] == "organization_fields", error
                assert types[where[3]] in {"checkbox", "multiselect"}, error
    assert broken, "if the OAS accepts booleans and lists here, drop this test"


def test_organization_export_pages_repeat_only_boundary_seconds(zendesk: Zendesk, sandbox: Sandbox) -> None:
    pages = _organization_pages(zendesk, {"per_page": 4})
    assert all(page["count"] == len(page["organizations"]) for page in pages)
    ids = [org["id"] for page in pages for org in page["organizations"]]
    assert set(ids) == set(sandbox.admin.organization_ids())
    assert pages[-1]["end_of_stream"] is True
    assert pages[-1]["next_page"].endswith(f"start_time={pages[-1]['end_time']}&per_page=4")


# --- custom objects: metadata and records ----------------------------------------------------------------


def test_custom_objects_cover_every_field_type(zendesk: Zendesk) -> None:
    types = set()
    for key in _object_keys(zendesk):
        body = zendesk.checked("GET", f"/api/v2/custom_objects/{key}/fields", 200)
        types |= {field["type"] for field in body["custom_object_fields"]}
    assert types == CUSTOM_FIELD_TYPES


def test_custom_object_metadata_matches_the_oas(zendesk: Zendesk) -> None:
    keys = _object_keys(zendesk)
    assert len(keys) >= 2
    for key in keys:
        body = zendesk.checked("GET", f"/api/v2/custom_objects/{key}.json", 200)
        assert body["custom_object"]["key"] == key
        zendesk.checked("GET", f"/api/v2/custom_objects/{key}/fields", 200)
        standard = zendesk.checked(
            "GET", f"/api/v2/custom_objects/{key}/fields", 200, params={"include_standard_fields": "true"}
        )
        assert {"standard::name", "standard::external_id"} <= {
            f["key"] for f in standard["custom_object_fields"]
        }


def test_custom_object_record_list_matches_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    for key in _object_keys(zendesk):
        path, params = f"/api/v2/custom_objects/{key}/records", {"page[size]": 7}
        seen = []
        for _ in range(MAX_PAGES):
            body = zendesk.checked("GET", path, 200, params=params)
            seen += [record["id"] for record in body["custom_object_records"]]
            if not body["meta"]["has_more"]:
                break
            params = {"page[size]": 7, "page[after]": body["meta"]["after_cursor"]}
        live = sandbox.admin.custom_object_records(key, include_deleted=False)
        assert sorted(seen) == sorted(record["id"] for record in live)
        some = [record["external_id"] for record in live[:3]]
        filtered = zendesk.checked("GET", path, 200, params={"filter[external_ids]": ",".join(some)})
        assert sorted(record["external_id"] for record in filtered["custom_object_records"]) == sorted(some)


def test_custom_object_export_pages_match_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    masked = 0
    for key in _object_keys(zendesk):
        path = f"/api/v2/incremental/custom_objects/{key}/cursor"
        records = [
            r
            for page in _export_pages(zendesk, path, {"per_page": 15})
            for r in page["custom_object_records"]
        ]
        assert {record["id"] for record in records} == {
            r["id"] for r in sandbox.admin.custom_object_records(key)
        }
        for record in records:
            if record["name"] == DELETED_MASK:
                masked += 1
                assert record["external_id"] == DELETED_MASK
                assert set(record["custom_object_fields"].values()) <= {DELETED_MASK}
    assert masked, "the data must hold deleted records"


def test_custom_object_export_end_of_stream_follows_notes(zendesk: Zendesk) -> None:
    """OAS says the custom object export has no `end_of_stream` (only `meta.has_more`), wire notes §3 says the
    emulator adds `end_of_stream` mirroring `!meta.has_more` (real key set unconfirmed); we follow the wire
    notes."""
    key = _object_keys(zendesk)[0]
    path = f"/api/v2/incremental/custom_objects/{key}/cursor"
    schema = zendesk.oas.response_schema(RECORD_EXPORT, "get", 200)
    assert schema is not None
    assert "end_of_stream" not in schema["properties"]
    pages = list(_export_pages(zendesk, path, {"per_page": 15}))
    assert len(pages) > 1
    assert [page["end_of_stream"] for page in pages] == [not page["meta"]["has_more"] for page in pages]
    assert pages[-1]["end_of_stream"] is True
    assert all(page["after_cursor"] for page in pages[:-1])


@pytest.mark.parametrize(
    "variant",
    [
        {"custom_object_last_page_cursor": "null"},
        {"custom_object_export_end_of_stream": False},
        {"numeric_values_as_strings": True},
    ],
    ids=["last-page-cursor-null", "no-end-of-stream", "numbers-as-strings"],
)
def test_custom_object_export_variants_match_the_oas(
    sandbox_factory: Callable[..., Sandbox], oas: ZendeskOas, variant: dict[str, Any]
) -> None:
    """The switches for wire notes §3/§5's unconfirmed facts keep every body inside the OAS."""
    sandbox = sandbox_factory(export_requests_per_window=10_000, deleted_record_ratio=0.2, **variant)
    zendesk = Zendesk(sandbox, oas, _basic(DEFAULTS))
    key = _object_keys(zendesk)[0]
    path = f"/api/v2/incremental/custom_objects/{key}/cursor"
    for exclude in ("false", "true"):
        params: dict[str, Any] = {
            "start_time": START_TIME,
            "per_page": 15,
            "filter[exclude_deleted]": exclude,
        }
        pages = []
        for _ in range(MAX_PAGES):
            pages.append(zendesk.checked("GET", path, 200, params=params))
            if not pages[-1]["meta"]["has_more"]:
                break
            params = {"cursor": pages[-1]["after_cursor"], "per_page": 15, "filter[exclude_deleted]": exclude}
        names = {record["name"] for page in pages for record in page["custom_object_records"]}
        assert (DELETED_MASK in names) is (exclude == "false")
        assert all(page["filter"] == {"exclude_deleted": exclude == "true"} for page in pages)
    listing = zendesk.checked("GET", f"/api/v2/custom_objects/{key}/records", 200, params={"page[size]": 100})
    assert listing["custom_object_records"]


# --- writes and jobs ----------------------------------------------------------------------------------------


def _new_record(zendesk: Zendesk, sandbox: Sandbox, key: str, external_id: str) -> dict[str, Any]:
    """A valid record for `key`: field values copied from a live record, a name unless autonumbered."""
    template = sandbox.admin.custom_object_records(key, include_deleted=False)[0]
    record: dict[str, Any] = {
        "external_id": external_id,
        "custom_object_fields": template["custom_object_fields"],
    }
    if not _name_properties(zendesk, key).get("autoincrement_enabled"):
        record["name"] = f"fidelity {external_id}"
    return record


def _name_properties(zendesk: Zendesk, key: str) -> dict[str, Any]:
    """The `properties` of an object's `standard::name` field (autonumbering, uniqueness)."""
    fields = zendesk.call("GET", f"/api/v2/custom_objects/{key}/fields?include_standard_fields=true").json()
    name = next(field for field in fields["custom_object_fields"] if field["key"] == "standard::name")
    properties: dict[str, Any] = name.get("properties") or {}
    return properties


def _upsert(zendesk: Zendesk, key: str, record: dict[str, Any], **match: str) -> dict[str, Any]:
    """Upsert `record` into object `key`, matched on the query parameter `match` (external_id or name)."""
    path = f"/api/v2/custom_objects/{key}/records"
    body: dict[str, Any] = zendesk.checked(
        "PATCH", path, 200, params=match, json={"custom_object_record": record}
    )
    return body


def test_upsert_responses_match_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    unique_names = 0
    for key in _object_keys(zendesk):
        record = _new_record(zendesk, sandbox, key, f"fidelity-{key}")
        created = _upsert(zendesk, key, record, external_id=record["external_id"])
        assert ULID.match(created["custom_object_record"]["id"])
        update = {"custom_object_fields": dict(list(record["custom_object_fields"].items())[:1])}
        updated = _upsert(zendesk, key, update, external_id=record["external_id"])
        assert updated["custom_object_record"]["id"] == created["custom_object_record"]["id"]
        if _name_properties(zendesk, key).get("is_unique"):
            by_name = _upsert(zendesk, key, update, name=record["name"])
            assert by_name["custom_object_record"]["id"] == created["custom_object_record"]["id"]
            unique_names += 1
    assert unique_names, "the data must hold an object with unique names"


def test_record_creation_matches_the_oas(zendesk: Zendesk, sandbox: Sandbox) -> None:
    for key in _object_keys(zendesk):
        record = _new_record(zendesk, sandbox, key, f"fidelity-post-{key}")
        created = zendesk.checked(
            "POST", f"/api/v2/custom_objects/{key}/records", 201, json={"custom_object_record": record}
        )
        assert created["custom_object_record"]["external_id"] == record["external_id"]


def test_delete_answers_204_without_a_body(zendesk: Zendesk, sandbox: Sandbox, oas: ZendeskOas) -> None:
    key = _object_keys(zendesk)[0]
    victim = sandbox.admin.custom_object_records(key, include_deleted=False)[0]
    response = zendesk.call(
        "DELETE", f"/api/v2/custom_objects/{key}/records", params={"external_id": victim["external_id"]}
    )
    assert response.status_code == 204
    assert response.content == b""
    assert oas.response_schema(RECORDS, "delete", 204) is None


def _job_items(zendesk: Zendesk, sandbox: Sandbox, key: str, count: int) -> list[dict[str, Any]]:
    return [_new_record(zendesk, sandbox, key, f"fidelity-job-{index}") for index in range(count)]


def test_job_creation_answers_200_not_the_oas_201(
    zendesk: Zendesk, sandbox: Sandbox, oas: ZendeskOas
) -> None:
    """OAS says POST .../jobs answers 201, wire notes §7 says real bulk endpoints answer 200 with the same
    body; we follow the wire notes and validate that 200 body against the OAS' 201 schema."""
    key = _object_keys(zendesk)[0]
    assert oas.declared_statuses(JOBS, "post") == ["201"]
    job = {
        "job": {"action": "create_or_update_by_external_id", "items": _job_items(zendesk, sandbox, key, 3)}
    }
    response = zendesk.call("POST", f"/api/v2/custom_objects/{key}/jobs", json=job)
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert oas.errors(JOBS, "post", 201, body) == []
    assert body["job_status"]["status"] == "queued"
    assert body["job_status"]["id"].startswith("V3-")


def _job_lifecycle(zendesk: Zendesk, sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """Run one slow job and return the first job_status body seen in each status."""
    sandbox.configure(job_queue_seconds=0.3, job_items_per_second=40.0)
    key = _object_keys(zendesk)[0]
    items = _job_items(zendesk, sandbox, key, 20)
    items.append({"external_id": "fidelity-job-bad", "custom_object_fields": {"no_such_field": 1}})
    job = {"job": {"action": "create_or_update_by_external_id", "items": items}}
    created = zendesk.call("POST", f"/api/v2/custom_objects/{key}/jobs", json=job).json()["job_status"]
    seen: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + JOB_WAIT_SECONDS
    while time.monotonic() < deadline:
        response = zendesk.call("GET", f"/api/v2/job_statuses/{created['id']}.json")
        assert response.status_code == 200, response.text[:500]
        body = response.json()
        seen.setdefault(body["job_status"]["status"], body)
        if body["job_status"]["status"] in {"completed", "failed"}:
            return seen
        time.sleep(JOB_POLL_SECONDS)
    pytest.fail(f"job {created['id']} did not finish in {JOB_WAIT_SECONDS} s; saw {sorted(seen)}")


def test_job_status_matches_the_oas_while_queued_and_working(
    zendesk: Zendesk, sandbox: Sandbox, oas: ZendeskOas
) -> None:
    seen = _job_lifecycle(zendesk, sandbox)
    assert set(seen) == {"queued", "working", "completed"}
    for status in ("queued", "working"):
        assert oas.errors(JOB_STATUS, "get", 200, seen[status]) == [], status
        assert seen[status]["job_status"]["results"] is None
    assert seen["working"]["job_status"]["progress"] < seen["working"]["job_status"]["total"]
    assert re.fullmatch(
        r"Completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000", seen["completed"]["job_status"]["message"]
    )


def test_completed_job_results_follow_notes_not_the_oas_result_objects(
    zendesk: Zendesk, sandbox: Sandbox, oas: ZendeskOas
) -> None:
    """OAS says job_status.results items are Create/Update/Failed results with integer `id`s,
    wire notes §1 and §7 say custom object record ids are ULID strings and the real item shape is unconfirmed
    (read `index`, `id`, `external_id`, `success`, `status`, `errors`/`details`); we follow the wire notes:
    the rest of the completed job_status validates against the OAS, the results items against the wire
    notes."""
    completed = _job_lifecycle(zendesk, sandbox)["completed"]
    results = completed["job_status"]["results"]
    envelope = {"job_status": {**completed["job_status"], "results": None}}
    assert oas.errors(JOB_STATUS, "get", 200, envelope) == []
    assert oas.errors(JOB_STATUS, "get", 200, completed) != [], (
        "if the OAS accepts these results, drop this test"
    )
    assert [item["index"] for item in results] == list(range(21))
    for item in results[:20]:
        assert item["success"] is True
        assert item["status"] in {"Created", "Updated"}
        assert ULID.match(item["id"])
        assert item["external_id"].startswith("fidelity-job-")
    failed = results[20]
    assert failed["success"] is False
    assert failed["status"] == "Failed"
    assert failed.get("errors") or failed.get("details")


def test_failed_job_status_matches_the_oas(sandbox_factory: Callable[..., Sandbox], oas: ZendeskOas) -> None:
    sandbox = sandbox_factory(job_failure_rate=1.0, job_queue_seconds=0.0, job_items_per_second=1000.0)
    zendesk = Zendesk(sandbox, oas, _bearer(DEFAULTS))
    key = _object_keys(zendesk)[0]
    job = {
        "job": {"action": "create_or_update_by_external_id", "items": _job_items(zendesk, sandbox, key, 3)}
    }
    job_id = zendesk.call("POST", f"/api/v2/custom_objects/{key}/jobs", json=job).json()["job_status"]["id"]
    deadline = time.monotonic() + JOB_WAIT_SECONDS
    body = zendesk.checked("GET", f"/api/v2/job_statuses/{job_id}", 200)
    while body["job_status"]["status"] in {"queued", "working"} and time.monotonic() < deadline:
        time.sleep(JOB_POLL_SECONDS)
        body = zendesk.checked("GET", f"/api/v2/job_statuses/{job_id}", 200)
    assert body["job_status"]["status"] == "failed"


def test_job_statuses_show_many_matches_the_oas(zendesk: Zendesk, sandbox: Sandbox, oas: ZendeskOas) -> None:
    """A queued, a working and a completed job in one show_many body; the completed one's results follow
    the wire notes, not the OAS result objects (see the test above), so they are checked against its single
    status."""
    key = _object_keys(zendesk)[0]

    def submit(count: int, tag: str) -> str:
        items = [_new_record(zendesk, sandbox, key, f"fidelity-many-{tag}-{index}") for index in range(count)]
        job = {"job": {"action": "create_or_update_by_external_id", "items": items}}
        response = zendesk.call("POST", f"/api/v2/custom_objects/{key}/jobs", json=job)
        assert response.status_code == 200, response.text[:500]
        job_id: str = response.json()["job_status"]["id"]
        return job_id

    def wait_for(job_id: str, status: str) -> None:
        deadline = time.monotonic() + JOB_WAIT_SECONDS
        while zendesk.call("GET", JOB_STATUS_PREFIX + job_id).json()["job_status"]["status"] != status:
            assert time.monotonic() < deadline, f"job {job_id} never reached {status}"
            time.sleep(JOB_POLL_SECONDS)

    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=1000.0)
    completed = submit(3, "done")
    wait_for(completed, "completed")
    sandbox.configure(job_queue_seconds=0.0, job_items_per_second=0.5)  # 20 items: working for 40 s
    working = submit(20, "working")
    wait_for(working, "working")
    sandbox.configure(job_queue_seconds=600.0)
    queued = submit(2, "queued")
    response = zendesk.call("GET", f"{JOB_STATUSES}.json", params={"ids": f"{queued},{working},{completed}"})
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    statuses = {status["id"]: status for status in body["job_statuses"]}
    assert [statuses[job_id]["status"] for job_id in (queued, working, completed)] == [
        "queued",
        "working",
        "completed",
    ]
    envelope = {
        "job_statuses": [
            status | {"results": None} if status["id"] == completed else status
            for status in body["job_statuses"]
        ]
    }
    assert oas.errors(JOB_STATUSES, "get", 200, envelope) == []
    single = zendesk.call("GET", f"{JOB_STATUS_PREFIX}{completed}").json()["job_status"]
    assert statuses[completed]["results"] == single["results"]


# --- creating objects and fields, limits -----------------------------------------------------------------


def test_object_and_field_creation_and_the_limits_match_the_oas(zendesk: Zendesk) -> None:
    key = "fidelity"
    created = zendesk.checked(
        "POST",
        "/api/v2/custom_objects",
        201,
        json={"custom_object": {"key": key, "title": "Fidelity", "title_pluralized": "Fidelities"}},
    )
    assert created["custom_object"]["key"] == key
    zendesk.checked("GET", f"/api/v2/custom_objects/{key}", 200)
    for field in (
        {"key": "text_field", "type": "text", "title": "Text"},
        {"key": "choice", "type": "dropdown", "title": "Choice",
         "custom_field_options": [{"name": "One", "value": "one"}]},
        {"key": "owner", "type": "lookup", "title": "Owner", "relationship_target_type": "zen:user"},
    ):  # fmt: skip
        body = zendesk.checked(
            "POST", f"/api/v2/custom_objects/{key}/fields", 201, json={"custom_object_field": field}
        )
        assert body["custom_object_field"]["key"] == field["key"]
    zendesk.checked("GET", f"/api/v2/custom_objects/{key}/fields", 200)
    objects = zendesk.checked("GET", "/api/v2/custom_objects/limits/object_limit", 200)
    assert objects["count"] == len(_object_keys(zendesk))
    fields = zendesk.checked("GET", f"/api/v2/custom_objects/{key}/limits/field_limit", 200)
    assert fields == {"count": 3, "limit": 100}
    records = zendesk.checked("GET", "/api/v2/custom_objects/limits/record_limit", 200)
    assert records["count"] > 0


# --- ticket fields ---------------------------------------------------------------------------------------


def test_ticket_fields_match_the_oas(zendesk: Zendesk) -> None:
    body = zendesk.checked("GET", "/api/v2/ticket_fields.json", 200)
    assert body["ticket_fields"]
    positions = [field["position"] for field in body["ticket_fields"]]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "path", ["/api/v2/ticket_fields", "/api/v2/user_fields", "/api/v2/organization_fields", "/api/v2/groups"]
)
def test_lists_match_the_oas_whole_by_offset_and_by_cursor(zendesk: Zendesk, path: str) -> None:
    key = path.rsplit("/", 1)[1]
    whole = zendesk.checked("GET", path, 200)
    assert whole[key]
    if key != "ticket_fields":  # ticket_fields has no offset pagination (wire notes §10)
        offset = zendesk.checked("GET", path + ".json", 200, params={"per_page": 2, "page": 2})
        assert offset[key] == whole[key][2:4]
    seen: list[int] = []
    params: dict[str, Any] = {"page[size]": 2}
    for _ in range(MAX_PAGES):
        page = zendesk.checked("GET", path, 200, params=params)
        seen += [item["id"] for item in page[key]]
        if not page["meta"]["has_more"]:
            break
        params = {"page[size]": 2, "page[after]": page["meta"]["after_cursor"]}
    assert seen == sorted(item["id"] for item in whole[key])


# --- errors of the custom object export (the only served operation whose OAS declares errors) ----------


def _export_error(zendesk: Zendesk, key: str, status: int, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = zendesk.checked(
        "GET", f"/api/v2/incremental/custom_objects/{key}/cursor", status, params=params
    )
    return body


def _error_codes(body: dict[str, Any]) -> list[str]:
    return [error["code"] for error in body["errors"]]


def test_export_refusals_match_the_oas_errors(zendesk: Zendesk) -> None:
    key = _object_keys(zendesk)[0]
    too_recent = _export_error(zendesk, key, 400, start_time=int(time.time()))
    assert _error_codes(too_recent) == ["StartTimeTooRecent"]
    invalid = _export_error(zendesk, key, 400, cursor="bm90IGEgY3Vyc29y")
    assert _error_codes(invalid) == ["InvalidCursor"]
    missing = _export_error(zendesk, "no_such_object", 404, start_time=START_TIME)
    assert _error_codes(missing) == ["CustomObjectNotFound"]
    assert all(
        error["status"] == str(code)
        for body, code in ((too_recent, 400), (missing, 404))
        for error in body["errors"]
    )


@pytest.mark.parametrize("scheme", sorted(AUTH_SCHEMES))
def test_export_401_follows_notes_not_the_oas_example(sandbox: Sandbox, oas: ZendeskOas, scheme: str) -> None:
    """OAS says the export's 401 body is `{"errors":[{"code":"Unauthorized",...}]}`, wire notes §8 says real
    401s are `{"error":"Couldn't authenticate you"}` for API tokens and `{"error":"invalid_token",...}` for
    OAuth (§3 calls the OAS examples unconfirmed); we follow the wire notes. Both validate (that schema
    requires no key)."""
    wrong = SandboxSettings(api_token="wrong-token", oauth_token="wrong-token")  # noqa: S106 - a wrong one
    zendesk = Zendesk(sandbox, oas, AUTH_SCHEMES[scheme](wrong))
    key = sandbox.admin.custom_objects()[0]["key"]
    body = _export_error(zendesk, key, 401, start_time=START_TIME)
    if scheme == "api_token":
        assert body == {"error": "Couldn't authenticate you"}
    else:
        assert body == {
            "error": "invalid_token",
            "error_description": (
                "The access token provided is expired, revoked, malformed or invalid for other reasons."
            ),
        }


def test_export_403_follows_notes_not_the_oas_example(
    sandbox_factory: Callable[..., Sandbox], oas: ZendeskOas
) -> None:
    """OAS says the export's 403 body is `{"errors":[{"code":"Forbidden",...}]}`, wire notes §8 says real
    permission refusals are `{"error":{"title":"Forbidden","message":...}}`; we follow the wire notes."""
    sandbox = sandbox_factory(forbidden_paths_contain=("/incremental/custom_objects/",))
    zendesk = Zendesk(sandbox, oas, _basic(DEFAULTS))
    key = sandbox.admin.custom_objects()[0]["key"]
    body = _export_error(zendesk, key, 403, start_time=START_TIME)
    assert body["error"]["title"] == "Forbidden"
    assert body["error"]["message"] in {
        (
            "You do not have access to this page."
            " Please contact the account owner of this help desk for further help."
        ),
        "Access to this resource is restricted. Please contact the account administrator for assistance.",
    }


def test_export_429_follows_notes_not_the_oas_example(
    sandbox_factory: Callable[..., Sandbox], oas: ZendeskOas
) -> None:
    """OAS says the export's 429 body is `{"errors":[{"code":"RateLimitExceeded",...}]}`, wire notes §8 says
    real incremental-export refusals are `{"error":"APIRateLimitExceeded","description":...}` with
    Retry-After; we follow the wire notes."""
    sandbox = sandbox_factory(export_requests_per_window=1, window_seconds=60.0)
    zendesk = Zendesk(sandbox, oas, _bearer(DEFAULTS))
    key = sandbox.admin.custom_objects()[0]["key"]
    _export_error(zendesk, key, 200, start_time=START_TIME)
    response = zendesk.call(
        "GET", f"/api/v2/incremental/custom_objects/{key}/cursor", params={"start_time": START_TIME}
    )
    assert response.status_code == 429
    body = response.json()
    assert_matches_oas(oas, "GET", response, body)
    assert body == {
        "error": "APIRateLimitExceeded",
        "description": "Number of allowed incremental export API requests per minute exceeded",
    }
    assert int(response.headers["Retry-After"]) >= 1
