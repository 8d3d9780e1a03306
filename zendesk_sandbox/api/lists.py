"""The lists reports join on: brands, forms, tags, SLA policies, schedules, memberships, macros (§25).

The schedules come with their holidays. Derived from the seeded account (its brand and form ids, groups,
users, organizations and tickets' tags), so they need no table of their own. Paginated as the OAS says
of each operation (listing.py): by cursor, except SLA policies and schedules, which answer the whole list
(the OAS names no pagination for SLA policies; schedules and holidays are not in the OAS at all, and
answer as Zendesk's business hours API documents them: `{"schedules": [...]}`, `{"holidays": [...]}`).
Tags are listed by popularity (count, then name): "the most popular tags in the last 60 days, in
decreasing popularity" (OAS ListTags); their cursor is the tag's rank. Organization memberships are those
of store/memberships.py (a user's `organization_id`, and those made through the API); group memberships put
each agent and admin in their default group and the first one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zendesk_sandbox.api import listing
from zendesk_sandbox.data import people
from zendesk_sandbox.data.datagen import BRAND_ID, FORM_ID, iso, parse_iso
from zendesk_sandbox.gateway import auth, wire

if TYPE_CHECKING:
    from zendesk_sandbox.core import Core

MEMBERSHIP_ID_BASE = 2_300_000_000_000
SCHEDULE_IDS = (360_000_111_001, 360_000_111_002)
HOLIDAY_ID_BASE = 360_000_222_000
MACRO_ID_BASE = 360_000_333_000
_WEEK_MINUTES = 24 * 60


def _stamps(core: Core) -> tuple[str, str]:
    start = parse_iso(core.settings().data_start)
    return iso(start), iso(start + 30 * 86_400)


def brands(core: Core) -> list[dict[str, Any]]:
    """The account's brands (OAS BrandObject): the seeded one, and a second, inactive one."""
    created, updated = _stamps(core)
    account, subdomain = core.account_url(), core.settings().subdomain
    out = []
    for index, (name, active) in enumerate((("Demo", True), ("Demo Partners", False))):
        brand_id = BRAND_ID + index
        out.append(
            {
                "url": f"{account}/api/v2/brands/{brand_id}.json",
                "id": brand_id,
                "name": name,
                "brand_url": f"https://{subdomain}{'-partners' if index else ''}.zendesk.com",
                "subdomain": f"{subdomain}{'-partners' if index else ''}",
                "host_mapping": None,
                "has_help_center": index == 0,
                "help_center_state": "enabled" if index == 0 else "disabled",
                "active": active,
                "default": index == 0,
                "is_deleted": False,
                "logo": None,
                "ticket_form_ids": [FORM_ID],
                "signature_template": "{{agent.signature}}",
                "created_at": created,
                "updated_at": updated,
            }
        )
    return out


def ticket_forms(core: Core) -> list[dict[str, Any]]:
    """The account's ticket forms (OAS TicketFormObject): the default form and a retired one."""
    created, updated = _stamps(core)
    account = core.account_url()
    field_ids = [field["id"] for field in core.directory.fields("ticket")]
    forms = (("Default Ticket Form", True, field_ids), ("Returns (retired)", False, field_ids[:6]))
    return [
        {
            "url": f"{account}/api/v2/ticket_forms/{FORM_ID + index}.json",
            "id": FORM_ID + index,
            "name": name,
            "raw_name": name,
            "display_name": name,
            "raw_display_name": name,
            "position": index,
            "active": active,
            "default": index == 0,
            "end_user_visible": active,
            "in_all_brands": True,
            "restricted_brand_ids": [],
            "ticket_field_ids": ids,
            "agent_conditions": [],
            "end_user_conditions": [],
            "created_at": created,
            "updated_at": updated,
        }
        for index, (name, active, ids) in enumerate(forms)
    ]


def tags(core: Core) -> list[dict[str, Any]]:
    """Every ticket tag with the number of tickets holding it, most popular first."""
    with core.store.lock:
        rows = core.store.conn.execute(
            "SELECT tag.value, COUNT(*) FROM tickets,"
            " json_each(json_extract('{' || CAST(tickets.rest AS TEXT), '$.tags')) AS tag"
            " WHERE tickets.deleted = 0 GROUP BY tag.value ORDER BY COUNT(*) DESC, tag.value"
        ).fetchall()
    return [{"name": str(name), "count": int(count)} for name, count in rows]


def sla_policies(core: Core) -> list[dict[str, Any]]:
    """Two SLA policies (OAS SLAPolicyObject); the first reply target is the one metric events breach."""
    created, updated = _stamps(core)
    account = core.account_url()
    targets = {"urgent": 15, "high": 30, "normal": 60, "low": 120}
    not_a_task = {"field": "type", "operator": "is_not", "value": "task"}
    vip = {"field": "current_tags", "operator": "includes", "value": "enterprise"}
    policies = (
        ("Standard", "First reply within an hour", {"all": [not_a_task], "any": []}),
        ("Enterprise", "VIP customers", {"all": [vip], "any": []}),
    )
    return [
        {
            "url": f"{account}/api/v2/slas/policies/{index + 1}.json",
            "id": index + 1,
            "title": title,
            "description": description,
            "position": index + 1,
            "filter": condition,
            "policy_metrics": [
                {
                    "priority": priority,
                    "metric": metric,
                    "target": target * factor,
                    "business_hours": index == 1,
                }
                for priority, target in targets.items()
                for metric, factor in (("first_reply_time", 1), ("requester_wait_time", 8))
            ],
            "created_at": created,
            "updated_at": updated,
        }
        for index, (title, description, condition) in enumerate(policies)
    ]


def schedules(core: Core) -> list[dict[str, Any]]:
    """Two business hours schedules (Zendesk's Schedule object): weekdays 9-17, and around the clock."""
    created, updated = _stamps(core)
    day = _WEEK_MINUTES
    weekdays = [{"start_time": d * day + 9 * 60, "end_time": d * day + 17 * 60} for d in range(1, 6)]
    always = [{"start_time": 0, "end_time": 7 * day}]
    return [
        {
            "id": schedule_id,
            "name": name,
            "time_zone": zone,
            "intervals": intervals,
            "created_at": created,
            "updated_at": updated,
        }
        for schedule_id, name, zone, intervals in (
            (SCHEDULE_IDS[0], "Office hours", "Paris", weekdays),
            (SCHEDULE_IDS[1], "Around the clock", "UTC", always),
        )
    ]


def holidays(core: Core, schedule_id: int) -> list[dict[str, Any]] | None:
    """A schedule's holidays (Zendesk's Holiday object); None for an unknown schedule."""
    if schedule_id not in SCHEDULE_IDS:
        return None
    year = core.settings().data_start[:4]
    days = (("New Year's Day", "01-01"), ("Labour Day", "05-01"), ("Christmas Day", "12-25"))
    if schedule_id != SCHEDULE_IDS[0]:
        return []
    return [
        {
            "id": HOLIDAY_ID_BASE + index,
            "name": name,
            "start_date": f"{year}-{day}",
            "end_date": f"{year}-{day}",
        }
        for index, (name, day) in enumerate(days)
    ]


def group_memberships(core: Core) -> list[dict[str, Any]]:
    """Each agent and admin in its default group, and in the first group (OAS GroupMembershipObject)."""
    created, updated = _stamps(core)
    account = core.account_url()
    groups = [group["id"] for group in core.directory.groups()]
    staff_count = people.staff_count(core.settings().users)
    out = []
    for index in range(staff_count):
        found = core.people.user(people.user_id(index))
        if found is None or not found[1] or not groups:
            continue
        user = found[0]
        default = user.get("default_group_id") or groups[0]
        for group_id in dict.fromkeys((default, groups[0])):
            membership_id = MEMBERSHIP_ID_BASE + index * 16 + groups.index(group_id)
            out.append(
                {
                    "url": f"{account}/api/v2/group_memberships/{membership_id}.json",
                    "id": membership_id,
                    "user_id": user["id"],
                    "group_id": group_id,
                    "default": group_id == default,
                    "created_at": created,
                    "updated_at": updated,
                }
            )
    return out


def organization_memberships(core: Core) -> list[dict[str, Any]]:
    """Every membership of an active user: its `organization_id`, and those made through the API."""
    account = core.account_url()
    active = set(core.people.user_ids(include_deleted=False))
    return [core.memberships.render(m, account) for m in core.memberships.all() if m.user_id in active]


def macros(core: Core) -> list[dict[str, Any]]:
    """A handful of shared macros (OAS MacroObject), one inactive."""
    created, updated = _stamps(core)
    account = core.account_url()
    specs = (
        ("Close and thank", [{"field": "status", "value": "solved"}], True),
        ("Escalate to Tier 2", [{"field": "group_id", "value": "1900000000003"}], True),
        ("Ask for a screenshot", [{"field": "comment_value", "value": "Could you send a screenshot?"}], True),
        ("Old refund policy", [{"field": "set_tags", "value": "refund"}], False),
    )
    return [
        {
            "url": f"{account}/api/v2/macros/{MACRO_ID_BASE + index}.json",
            "id": MACRO_ID_BASE + index,
            "title": title,
            "raw_title": title,
            "description": None,
            "actions": actions,
            "active": active,
            "default": False,
            "position": index,
            "restriction": None,
            "created_at": created,
            "updated_at": updated,
        }
        for index, (title, actions, active) in enumerate(specs)
    ]


_PAGED = {
    "brands": brands,
    "ticket_forms": ticket_forms,
    "group_memberships": group_memberships,
    "organization_memberships": organization_memberships,
    "macros": macros,
}


def paged_list(core: Core, request: wire.Request, name: str) -> wire.Response:
    """Serve one of the lists with cursor (and offset) pagination, by id."""
    items = _PAGED[name](core)
    return listing.paginated(request, name, items, _url(core, request, name), offset=True)


def tag_list(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/tags: by popularity; the cursor is the tag's rank."""
    items = tags(core)
    rank = {item["name"]: index for index, item in enumerate(items)}
    return listing.paginated(
        request, "tags", items, _url(core, request, "tags"), offset=True, order=lambda tag: rank[tag["name"]]
    )


def sla_policy_list(core: Core, request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/slas/policies: the whole list (admins only)."""
    refused = auth.admins_only(request)
    if refused is not None:
        return refused
    items = sla_policies(core)
    return wire.json_response(
        200, {"sla_policies": items, "next_page": None, "previous_page": None, "count": len(items)}
    )


def schedule_list(core: Core, _request: wire.Request) -> wire.Response:
    """Serve GET /api/v2/business_hours/schedules: the whole list."""
    return wire.json_response(200, {"schedules": schedules(core)})


def holiday_list(core: Core, _request: wire.Request, schedule_id: str) -> wire.Response:
    """Serve GET /api/v2/business_hours/schedules/{id}/holidays: the whole list."""
    found = holidays(core, int(schedule_id))
    return wire.record_not_found() if found is None else wire.json_response(200, {"holidays": found})


def _url(core: Core, request: wire.Request, name: str) -> str:
    suffix = ".json" if request.json_suffix else ""
    return f"{core.navigation_url(request.request_base)}/api/v2/{name}{suffix}"
