r"""A local stand-in for the Zendesk Support API and Sequin's `/v1/records`: demo, tests and benchmarks.

Public API: `Sandbox`, `SandboxSettings`, `FaultSettings`, `CustomObjectSpec`, `OAuthClientSpec`
(docs/sandbox.md; the package's own README.md). Beyond the basics:
- settings `job_failure_rate`, `job_retention_seconds` (3600), `start_time_min_age_seconds` (60),
  `cursor_ttl_seconds` (None = cursors never expire), `custom_object_export_end_of_stream`,
  `custom_object_last_page_cursor`, `numeric_values_as_strings`, `forbidden_paths_contain`,
  `job_status_show_many_max_ids` (100), `job_status_show_many_accepts_v3` (True), `limit_counting`
  ("sliding" | "fixed" | "tenths"), `foreign_requests_per_window` (0), all live;
- stats: `requests_by_kind` (e.g. `job_status`, `job_status_show_many`), `rate_limited` (our 429s by
  reason: `account_limit`, `export_limit`, `job_limit`, `fault`), `foreign_requests` and
  `foreign_requests_refused` (the simulated foreign integration's, not in `requests`);
- `Sandbox.settings`, `Sandbox.seeded_now`, `Sandbox.close()` (stop + close the file); CLI `--host`;
- `admin.custom_object_fields(key, include_standard=False)`, `admin.expire_cursors()` (and
  `POST /_sandbox/cursors/expire`), `admin.sequin_records(collection_id=None, include_deleted=True)`,
  `admin.create_custom_object(..., name_mode="plain", autonumber_prefix="")`;
- `DEFAULT_CUSTOM_OBJECTS`: `apartment` (plain name, all 10 field types), `contract` (autonumbered
  `CTR-0001`…), `vendor` (unique name);
- users, organizations, groups, field definitions: settings `users`, `deleted_user_ratio`, `organizations`,
  `groups`; `admin.user(id)`, `user_ids()`, `create_user(**attrs)`, `update_user(id, **changes)`,
  `delete_user(id)`, `organization(id)`, `organization_ids()`, `create_organization(**attrs)`,
  `update_organization(id, **changes)`, `update_organizations(ids, **changes)` (one second for all),
  `groups()`, `fields(kind)`, `rename_field(kind, id, title)`, `add_field(kind, type, title, key=,
  options=, regexp=, relationship_target_type=)`, each mirrored under /_sandbox/ (README.md);
- the agent credential `agent_email` + `agent_api_token` / `agent_oauth_token`; limits
  `custom_object_limit` (30), `custom_object_field_limit` (100), `custom_object_lookup_field_limit` (10),
  `custom_object_record_limit` (50,000,000); switches `lookup_unresolved`, `lookup_prefixes_in_jobs`,
  `time_export_max_same_second` (below);
- OAuth (wire notes §24): settings `oauth_clients` (`DEFAULT_OAUTH_CLIENTS`: `zendesk-objects-demo`
  confidential admin, `zendesk-objects-agent` confidential agent, `zendesk-objects-public` public admin;
  an `OAuthClientSpec` may name `allowed_scopes`), `oauth_access_token_ttl_seconds` (1800, None: no
  expiry), `oauth_refresh_token_ttl_seconds` (2,592,000), `oauth_authorization_code_ttl_seconds` (120),
  `oauth_token_status` (201), all live; `POST /oauth/tokens`; `GET|DELETE /api/v2/oauth/tokens/current`
  and `/api/v2/oauth/tokens/{id}`; `admin.oauth_authorize(client_id, scope, redirect_uri)`,
  `oauth_grant(client_id, scope)`, `oauth_tokens()`, `oauth_revoke(client_id=|refresh_token=|
  access_token=)`, each mirrored under /_sandbox/oauth/; stats `oauth_token_requests` (by grant type) and
  `oauth_token_refused` (by error code); CLI `serve` names the demo client, `authorize` prints a refresh
  token.
Decisions where docs/wire-notes.md leaves the wire unconfirmed (each also commented where implemented):
- custom object field values: integer -> number, decimal -> number (strings with
  `numeric_values_as_strings`), date -> "YYYY-MM-DDT00:00:00+00:00", multiselect -> list of option values,
  lookup -> id string; writes accept numbers or numeric strings, and dates as YYYY-MM-DD or ISO datetimes;
- PATCH upsert answers 200 for create and update; POST jobs answers 200; DELETE answers 204;
- ticket export refusals: 400 `{"error":"InvalidValue"|"InvalidPaginationParameter","description":...}`;
  per_page above 1000 is clamped; cursors expire only by `cursor_ttl_seconds` or `admin.expire_cursors()`;
- the job-cap 429 body is `{"error":"TooManyJobs",...}`; job item results carry index, id, external_id,
  success, status and on failure error + details; a job drawn by `job_failure_rate` ends `failed` with
  nothing applied; ended jobs are forgotten after `job_retention_seconds` (404);
- Retry-After is whole seconds (min 1) with a 60 s window and has two decimals with a shorter test window,
  both rounded up; `ratelimit-reset` likewise (min 0);
- `GET /api/v2/job_statuses/show_many` (wire notes §17): takes up to 100 ids (more: 400 TooManyValues, its
  max_count the setting), accepts V3- ids, leaves unknown and forgotten ids out, lists by id (wire notes §15:
  not in request order); missing or empty `ids`: 400 InvalidValue; duplicates count toward the maximum;
  with `job_status_show_many_accepts_v3` off any V3- id gets a classic 400 InvalidValue;
- how a limit counts its window is unconfirmed (wire notes §19.2): `limit_counting` decides for the export and
  account limits alike: `sliding` (default: any window-long span), `fixed` (windows back to back from the
  sandbox's start), `tenths` (each tenth of a fixed window admits limit // 10, at least 1; the window still
  `limit`). Headers, in every mode: `x-rate-limit` / `ratelimit-limit` = the window's limit;
  `*-remaining` = requests that would pass in a row now (so in `tenths` at most limit // 10);
  `ratelimit-reset` = seconds until remaining grows (oldest request leaves / window ends / bucket ends, or
  the window's end once the window is spent); Retry-After = seconds until the refused request would pass.
  The export limit sends no headers of its own (wire notes §9), only Retry-After;
- the foreign integration (`foreign_requests_per_window`) spends only the account budget, one request
  every window / N seconds from the moment it is set (first one interval later); a request of its that
  the limit refuses is dropped, not retried;
- a body Zendesk cannot read (not UTF-8, not JSON, or JSON holding a lone surrogate such as "\ud800",
  which UTF-8 cannot encode) gets 422 `{"error":"Unprocessable Entity","message":"Server could not
  parse JSON"}`, the one real answer found (cloudbees-oss/zendesk-java-client#6: a body sent in the wrong
  charset); it is checked after auth, limits and routing, for every endpoint, so a job POST holding one
  such item is refused whole; the admin API answers 400 InvalidValue;
- a job item over 32 KB (its compact JSON) fails alone, as the single write's 422 would say
  (`error: RecordInvalid`, `details.base: RecordTooLarge`), and the rest of the job applies;
- a change is stamped after the newest second an export has served (store/clock.py), so with a zero lag a
  change can take up to one second to become exportable, but is never skipped;
- a deleted user stays, with `active: false` (OAS UserObject: "false if the user has been deleted"; the OAS
  has no `deleted` flag) and updated_at bumped: in the user export and in show_many with
  `include_deleted=true`, never in search results nor as a lookup target;
- emails, user external ids, organization names and organization external ids are unique per account,
  compared without case; custom object record external ids keep their case (wire notes §15);
- custom field values (data/fielddefs.py): tickets send integers and decimals as strings, dates as YYYY-MM-DD,
  lookups as id strings, partial credit cards as "XXXXXXXXXXXX1234"; `user_fields` and
  `organization_fields` send numbers, dates as "YYYY-MM-DDT00:00:00+00:00", lookups as numbers, checkbox
  values as booleans (false when unset) and multiselect values as lists (the OAS types organization field
  values as string or number: a named fidelity test); a field added later reaches every ticket, user and
  organization empty, without bumping their timestamps;
- users/show_many answers by id (REAL), organizations/show_many by name (wire notes §15: neither request
  nor id order); either needs `ids` or `external_ids` (400 InvalidValue); more than 100 values is the 400
  TooManyValues of wire notes §8, as is a record filter of more than 100; repeated filter values are a 400;
  organizations/search with both or neither key is a 400; users/search reads the syntax store/search.py lists;
  `GET /api/v2/tickets?external_id=` lists every undeleted ticket holding that external id (the OAS: not
  unique), compared exactly;
- the organization export (api/time_exports.py): an empty page keeps end_time = start_time; a missing or
  unreadable start_time is a 422 InvalidValue like a too-recent one; with `time_export_max_same_second`
  (None by default: a page grows without bound) a page that must grow past that many records of one second
  serves that many with end_time and next_page at the request's own start_time (the loop of wire notes §18.2);
- lookup values (store/lookups.py): ids, `external_id:` and `name:` keys resolve on PATCH, POST and in jobs
  (`lookup_prefixes_in_jobs: false` makes a prefix in a job a plain, unknown id); what points at nothing,
  or at a deleted target, is a 422 RecordInvalid under the field's key, in a job that item's failure
  (`lookup_unresolved: "empty"` stores it empty instead); users and organizations are not resolved by name;
  `name:` needs an object with unique names; zen:brand resolves the one seeded brand, zen:article nothing;
- creating objects and fields (store/object_schema.py): object keys `^[a-z][a-z0-9_]*$`, keys of at most 64
  characters, `key`, `title`, `title_pluralized` required, unique option values, a compiling pattern; every
  refusal is 422 RecordInvalid with `details.<attribute>`, a reached limit `details.base` error
  `LimitExceeded`, a new record beyond the record limit too;
- admin-only endpoints (ticket, user and organization exports, organizations/search, creating objects and
  fields, object_limit) answer the agent credential with wire notes §8's 403;
- OAuth (wire notes §24.8): `POST /oauth/tokens` answers 201 (`oauth_token_status`); client credentials
  return `access_token`, `token_type`, `scope`, `expires_in`, the code and refresh grants add
  `refresh_token` and `refresh_token_expires_in`; `expires_in` is left out when nothing expires; a body
  that is not a JSON object (a form-encoded one included) is an invalid_request;
- its refusals use RFC 6749's codes in `{"error","error_description"}`: 401 invalid_client (unknown
  client, wrong secret, a secret sent by a public client), 400 invalid_request (a missing or malformed
  parameter, a lifetime out of bounds; a confidential client's missing secret included),
  unsupported_grant_type (password, implicit, anything else), invalid_scope (unknown, not allowed to the
  client, impersonate for an agent client, a widening on refresh or code exchange), unauthorized_client
  (a public client asking for client credentials), invalid_grant (a code or refresh token unknown, used,
  expired, revoked or another client's; a code's redirect_uri that differs); refusals spend nothing;
- requested lifetimes apply within the OAS's bounds, the configured ones win when shorter (a
  `refresh_token_expires_in` sent with client credentials is ignored: no refresh token); every new
  refresh token gets a full lifetime; a refresh retires its pair at once (of two concurrent refreshes with
  one token, one gets invalid_grant); revoking either token of a pair revokes both; codes have no PKCE;
- a client-credentials token acts with its client's role (admin: the Demo Admin's user id; agent: the Demo
  Agent's), read from the settings at each request, and a client taken out of the settings loses its
  tokens; the fixed `oauth_token` / `agent_oauth_token` are no token records: `/oauth/tokens/current`
  answers them (and Basic auth) 404; an agent sees and revokes only agents' tokens by id;
- scopes: tickets, users and organizations endpoints also take their resource scope; custom objects, job
  statuses, fields, groups and the rest only `read` / `write`; the 403 names the broad scope; a token may
  always show and revoke itself; `impersonate` is accepted but changes nothing;
- token requests spend the account budget (its usual 429) and carry its headers; the token object's url is
  `/api/v2/oauth/tokens/{id}.json` (not the OAS example's `/api/v2/tokens/{id}`); codes and tokens live in
  memory, so a restart forgets them;
- the support warehouse's endpoints (wire notes §25; api/events.py, api/lists.py, data/history.py,
  api/identities.py): every ticket's history is drawn from it when seeded (audits, comments, metric
  events, a rating, a messaging conversation) and appended by the admin API (`add_ticket_comment`,
  `update_satisfaction_rating`, `add_conversation_message`; ticket updates and deletions add audits;
  read with `ticket_events`, `ticket_comments`, `ticket_metric_events`, `satisfaction_ratings`,
  `conversation_log`, each mirrored under /_sandbox/);
  one ticket in ten (ids ending in 7) is a messaging ticket (`native_messaging`,
  `from_messaging_channel: true`) with a conversation log and no comment events;
- ticket events: an audit's `child_events` are `Create` and `Change` events holding the field under its
  name (and `previous_value`) and `Comment` events; without `include=comment_events` a comment is
  `{id, via, via_reference_id, event_type, comment_present, comment_public}`; the page rules are the
  organization export's, but a page holds up to `ticket_events_page_size` (1000) events whatever
  `per_page` says (the OAS names no `per_page` here; Zendesk's time-based pages hold up to 1000 items),
  and `next_page` carries no `per_page`; a deleted ticket's metric events say `deleted: true`, their
  times unmoved;
  `include_changes` and `support_type_scope` are ignored; `ticket_metric_events_end_of_stream` (True)
  leaves `end_of_stream` out of metric event pages when off;
- `include=metric_sets` puts metric sets where `metric_sets_sideload` says: `both` (default), `embedded`,
  `top_level`; a ticket neither solved nor closed has `solved_at: null` and first and full resolution
  times of `{"calendar": null, "business": null}` (nothing resolved yet); the users export's
  `include=identities` adds a top-level `identities` array (an email
  identity per user with an email, a phone one for one user in three; a deleted user's kept);
- satisfaction ratings exist for tickets whose embedded score is offered, good or bad, created at the
  ticket's `updated_at`; `start_time`/`end_time` filter `created_at`; `score=received` is good or bad and
  `*_with_comment` variants match as their plain score; admins only;
- `/ticket_audits` answers cursor pages only (400 otherwise), newest first, without archived tickets
  (closed and untouched for 120 days, by the real clock); `/tickets/{id}/conversation_log` is a 404 for
  a deleted or unknown ticket, empty for a ticket that is not a messaging one;
- the lists are derived, not stored: two brands, two ticket forms, tags by popularity (cursor: the
  rank), two SLA policies (admins only, unpaginated), two schedules and their holidays (unpaginated,
  not in the OAS), group memberships of the staff, organization memberships from users'
  `organization_id`, four macros.
Writing users, organizations and memberships (wire notes §26; api/people_items.py, api/people_writes.py):
- endpoints `POST users/create_or_update_many`, `POST users/create_or_update` (200 updated, 201 created),
  `PUT users/update_many` (`ids`/`external_ids` with `user`, or a `users` batch), `DELETE users/destroy_many`,
  `POST organizations/create_many`, `PUT organizations/update_many` (bulk or batch form; agents change only
  `notes`), `DELETE organizations/destroy_many`, `POST organization_memberships/create_many`,
  `POST user_fields` and `POST organization_fields` (201); stats kinds of the same names;
  `admin.organization_memberships(user_id=None)` and `GET /_sandbox/organization_memberships`;
- settings, live: `bulk_user_import` (False, Zendesk's default: create_or_update_many answers 403 with
  `{"error":"Forbidden","description":...}`, a body no source shows), `job_cap_scope` ("account": every job
  endpoint's jobs count toward `max_active_jobs` together; "endpoint": each endpoint its own, every custom
  object's jobs being one endpoint), `membership_exists_result` ("failed": creating a membership that exists
  is a Failed item "User is already a member of this organization"; "created": answered as created with
  the existing membership's id);
- bulk endpoints take 1 to 100 items (more: 400 TooManyValues) and answer 200 with a queued job; results in
  request order: users `{id, status: Created|Updated, email, external_id}`, other writes `{action, id,
  status, success: true}`, every failure `{id: <its position>, error, details, status: "Failed"}` without
  `success` or `index`, `details` one line (users' error `UserUpdateError`, others' `RecordInvalid`, a key
  that finds nothing `RecordNotFound`); each item is checked as the single write would be;
- create_or_update finds a user by `id`, else `external_id` (without case; the case sent is kept), else
  `email`, among users not deleted; found by email, it takes the external id sent; a soft-deleted user is
  never found and keeps its email and external id (a write naming them: 422 DuplicateValue, whose
  description names the value, `Email: … is already being used by another user`);
- organization names and external ids are unique without case; a deleted organization is removed (the OAS
  has no deleted flag) and its users lose it as their `organization_id`; `users/update_many` takes 100 ids;
- memberships (store/memberships.py): a user's `organization_id` is its default membership; the first
  membership of a user without an organization becomes its default; user and organization must exist;
- user and organization fields follow the custom object field rules (key, type, options, pattern, lookup
  target), with no limit on their number.
"""

from __future__ import annotations

from zendesk_sandbox.sandbox import Sandbox
from zendesk_sandbox.settings import (
    DEFAULT_CUSTOM_OBJECTS,
    DEFAULT_OAUTH_CLIENTS,
    CustomObjectSpec,
    FaultSettings,
    OAuthClientSpec,
    SandboxSettings,
)

__all__ = [
    "DEFAULT_CUSTOM_OBJECTS",
    "DEFAULT_OAUTH_CLIENTS",
    "CustomObjectSpec",
    "FaultSettings",
    "OAuthClientSpec",
    "Sandbox",
    "SandboxSettings",
]
