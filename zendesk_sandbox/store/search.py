"""The part of Zendesk's search syntax that users/search needs, as an SQL condition on the users table.

Supported (OAS SearchUsers `query`: "a partial or full value of any user property"): `email:<address>`,
`external_id:<id>`, `role:<role>`, `organization_id:<id>`, `name:<text>` and bare terms. A bare term holding
`@` matches an email exactly; any other bare term matches part of a name or an email. Values may be quoted
(`name:"Ada Lovelace"`); `type:user` is accepted and ignored. Terms combine with AND; comparisons ignore
case, as the users table's columns do (people.py). Deleted users are never found.
"""

from __future__ import annotations

import shlex

_EXACT = {"email": "email", "external_id": "external_id", "role": "json_extract('{' || rest, '$.role')"}


class QueryError(ValueError):
    """The query cannot be read."""


def user_condition(query: str) -> tuple[str, list[str | int]]:  # noqa: C901 - one branch per kind of term
    """Return (SQL condition, bound values) matching the users `query` describes."""
    try:
        terms = shlex.split(query)
    except ValueError as bad:
        raise QueryError(str(bad)) from bad
    if not terms:
        msg = "the query is empty"
        raise QueryError(msg)
    clauses: list[str] = []
    params: list[str | int] = []
    for term in terms:
        name, colon, value = term.partition(":")
        if colon and name in _EXACT:
            clauses.append(f"{_EXACT[name]} = ? COLLATE NOCASE")
            params.append(value)
        elif colon and name == "organization_id":
            if not value.isdigit():
                msg = f"organization_id must be a number, not {value}"
                raise QueryError(msg)
            clauses.append("json_extract('{' || rest, '$.organization_id') = ?")
            params.append(int(value))
        elif colon and name == "name":
            clauses.append("name LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(value)}%")
        elif colon and name == "type":
            if value != "user":
                msg = f"users/search finds users, not {value}"
                raise QueryError(msg)
        elif "@" in term:
            clauses.append("email = ?")
            params.append(term)
        else:
            clauses.append("(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')")
            params += [f"%{_like(term)}%"] * 2
    return " AND ".join(clauses) or "1", params


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
